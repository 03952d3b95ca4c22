//! The two directions of a slice.
//!
//! Owns: max-norm normalisation (every direction is divided by its largest
//! absolute entry, so it stays rational and `R` counts in units of the
//! largest parameter change), the exact parallelism test, the seeded random
//! pair, the pair read from a certificate's ray or arc (with the documented
//! deterministic second direction), directions given by parameter name or
//! as flat lists, and the axis labels naming them.
//!
//! Must not: read files or JSON (the CLI hands over names and number text),
//! or use floats.

use super::profile::CertPath;
use super::SliceError;
use crate::network::Architecture;
use crate::number::{fmt_q, parse_rational, qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// The two directions of a slice (each of max-norm 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directions {
    /// The `s` axis.
    pub d1: Vec<Q>,
    /// The `t` axis.
    pub d2: Vec<Q>,
}

/// `d / max_i |d_i|` (a zero vector is returned unchanged).
pub fn normalise(d: &[Q]) -> Vec<Q> {
    let m = d.iter().map(|x| x.abs()).max().unwrap_or_else(Q::zero);
    if m.is_zero() {
        return d.to_vec();
    }
    d.iter().map(|x| x / &m).collect()
}

/// Whether `b` is a multiple of `a` (`a` nonzero), exactly.
pub(crate) fn parallel(a: &[Q], b: &[Q]) -> bool {
    match a.iter().position(|x| !x.is_zero()) {
        None => true,
        Some(i) => {
            let c = &b[i] / &a[i];
            a.iter().zip(b).all(|(x, y)| &c * x == *y)
        }
    }
}

/// Two seeded random directions: entries `k/8`, `k` uniform in `-8..=8`,
/// redrawn until both are nonzero and not parallel, then normalised.
pub fn random_directions(num_params: usize, seed: u64) -> Result<Directions, SliceError> {
    if num_params < 2 {
        return Err(SliceError::TooFewParams(num_params));
    }
    let mut rng = Rng::new(seed);
    let draw = |rng: &mut Rng| -> Vec<Q> {
        (0..num_params)
            .map(|_| Q::new(rng.int(-8, 8).into(), 8.into()))
            .collect()
    };
    loop {
        let d1 = draw(&mut rng);
        let d2 = draw(&mut rng);
        if d1.iter().any(|x| !x.is_zero()) && d2.iter().any(|x| !x.is_zero()) && !parallel(&d1, &d2)
        {
            return Ok(Directions {
                d1: normalise(&d1),
                d2: normalise(&d2),
            });
        }
    }
}

/// The directions of `--dirs cert`: `d1` is the first nonzero direction of
/// the certificate's ray or arc; `d2` is the arc's next direction not
/// parallel to `d1` if there is one (then the whole arc of order 2 lies in
/// the slice), else the coordinate vector `e_j` of the first parameter with
/// the smallest `|d1_j|`, made exactly orthogonal to `d1` (`e_j - (d1_j /
/// |d1|^2) d1`). Both normalised.
pub fn cert_directions(path: &CertPath, num_params: usize) -> Result<Directions, SliceError> {
    if num_params < 2 {
        return Err(SliceError::TooFewParams(num_params));
    }
    let nonzero: Vec<&Vec<Q>> = path
        .dirs
        .iter()
        .filter(|d| d.iter().any(|x| !x.is_zero()))
        .collect();
    let Some(d1) = nonzero.first().map(|d| (*d).clone()) else {
        return Err(SliceError::NoDescent("all of its directions are zero"));
    };
    if d1.len() != num_params {
        return Err(SliceError::WrongLength(
            "certificate direction",
            d1.len(),
            num_params,
        ));
    }
    let d2 = match nonzero.iter().skip(1).find(|d| !parallel(&d1, d)) {
        Some(d) => (*d).clone(),
        None => {
            let mut j = 0;
            for (i, x) in d1.iter().enumerate() {
                if x.abs() < d1[j].abs() {
                    j = i;
                }
            }
            let norm2 = d1.iter().fold(Q::zero(), |acc, x| acc + x * x);
            let c = &d1[j] / &norm2;
            let mut e: Vec<Q> = d1.iter().map(|x| -(&c * x)).collect();
            e[j] += Q::one();
            e
        }
    };
    Ok(Directions {
        d1: normalise(&d1),
        d2: normalise(&d2),
    })
}

fn value(which: &str, key: &str, text: &str) -> Result<Q, SliceError> {
    parse_rational(text.trim())
        .map_err(|_| SliceError::BadNumber(format!("{which}.{key}"), text.to_string()))
}

/// A direction given by parameter name (`"W1[0,1]"`, `"b2[0]"`, names as
/// `Architecture::param_name`); parameters not named are 0. Values are
/// rational text (`"1/2"`, `"0.25"`, `"3"`, exact).
pub fn named_direction(
    arch: &Architecture,
    which: &str,
    entries: &[(String, String)],
) -> Result<Vec<Q>, SliceError> {
    let n = arch.num_params();
    let names: Vec<String> = (0..n).map(|i| arch.param_name(i)).collect();
    let mut d = vec![Q::zero(); n];
    for (name, text) in entries {
        let key: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(i) = names.iter().position(|m| *m == key) else {
            return Err(SliceError::UnknownName(name.clone()));
        };
        d[i] = value(which, name, text)?;
    }
    Ok(d)
}

/// A direction given as a flat list in FORMAT.md order.
pub fn flat_direction(
    which: &'static str,
    texts: &[String],
    num_params: usize,
) -> Result<Vec<Q>, SliceError> {
    if texts.len() != num_params {
        return Err(SliceError::WrongLength(which, texts.len(), num_params));
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| value(which, &format!("[{i}]"), t))
        .collect()
}

/// A short name for an axis: the parameter's name for a coordinate
/// direction (`W1[0,1]`, `-b2[0]`), else the three largest terms and how
/// many more (`W1[0,0] - 1/2 b1[0] + ... (4 more)`).
pub fn direction_label(arch: &Architecture, d: &[Q]) -> String {
    let mut terms: Vec<(usize, &Q)> = d.iter().enumerate().filter(|(_, x)| !x.is_zero()).collect();
    terms.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    let shown = terms.len().min(3);
    let mut out = String::new();
    for (k, (i, x)) in terms.iter().take(shown).enumerate() {
        let neg = x.is_negative();
        let mag = x.abs();
        if k == 0 {
            if neg {
                out.push('-');
            }
        } else {
            out.push_str(if neg { " - " } else { " + " });
        }
        if mag != qi(1) {
            out.push_str(&fmt_q(&mag));
            out.push(' ');
        }
        out.push_str(&arch.param_name(*i));
    }
    if terms.len() > shown {
        out.push_str(&format!(" + ... ({} more)", terms.len() - shown));
    }
    out
}

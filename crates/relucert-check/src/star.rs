//! The `pattern-star-bound` certificate (docs/certificates.md, "Pattern-star
//! bound"; THEORY sections 9 and 10): one hidden layer, scalar output,
//! binary hinge, absolute or squared loss.
//!
//! Owns: recomputing each unit's zero set `Z_j` (points with
//! `w~*_j . x~_i = 0`, `x~_i != 0`) and the strict signs of the other
//! points from the checker's own forward pass; checking that every sign
//! vector on `Z_j` is listed as a chamber (with a strict witness) or shown
//! empty (a Gordan vector); that every choice of one option (local chamber,
//! output sign: `sign(a*_j)`, or both when `a*_j = 0`) per unit lies in a
//! block; and per block, that its tangent is a linear minorant of every
//! point's loss (`l_i(f) >= alpha_i + beta_i f`), that the linear part
//! `(1/N) sum_i beta_i f_i` is nonnegative on every covered option's cone
//! (`g = sum_k nu_k eps_k x~_k`, `nu >= 0`, and `sum_i beta_i = 0` when
//! the output bias is free), and that `(1/N) sum_i alpha_i >= L(theta*)`.
//!
//! Must not: solve anything (no LP, no enumeration of chambers beyond the
//! listed sign vectors) or call the core's evaluation; every number is
//! recomputed here in plain rationals.

use crate::error::Stop;
use crate::forward::{negative_slope, Evaluation};
use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::cert::{PatternStar, StarBlock, StarUnit};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::{fmt_q, Q};
use relucert_core::Deadline;
use std::collections::HashSet;

/// Most points in one unit's zero set (the checker walks all `2^|Z|` sign vectors).
pub const MAX_STAR_ZERO: usize = 16;

/// Most choices (one option per unit) the cover check walks.
pub const MAX_STAR_CHOICES: u128 = 1 << 20;

type R<T> = Result<T, Stop>;

struct Setting<'a> {
    problem: &'a Problem,
    /// `x~_i`.
    xt: Vec<Vec<Q>>,
    /// `pre[j][i] = w~*_j . x~_i`.
    pre: Vec<Vec<Q>>,
    /// The outgoing weights `a*_j`.
    a: Vec<Q>,
    /// Per unit its zero set.
    zero: Vec<Vec<usize>>,
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (p, q)| acc + p * q)
}

fn fail<T>(s: String) -> R<T> {
    Err(Stop::Fail(s))
}

impl Setting<'_> {
    /// The side (`true`: `+`) of point `k` in unit `j`'s cone for local
    /// chamber `sides`; `None` when `x~_k = 0` (no constraint, no term).
    fn side(&self, j: usize, sides: &[bool], k: usize) -> Option<bool> {
        if self.xt[k].iter().all(Zero::is_zero) {
            return None;
        }
        match self.zero[j].iter().position(|&z| z == k) {
            Some(p) => Some(sides[p]),
            None => Some(self.pre[j][k].is_positive()),
        }
    }

    /// `sum_k v_k eps_k x~_k` over the sparse `v`, with sides `sides` of unit `j`.
    fn combine(&self, j: usize, sides: &[bool], v: &[(usize, Q)], what: &str) -> R<Vec<Q>> {
        let mut out = vec![Q::zero(); self.xt.first().map_or(0, Vec::len)];
        for (k, val) in v {
            if *k >= self.xt.len() || val.is_negative() {
                return fail(format!(
                    "unit {j}: {what} entry {k} is not a point or is negative"
                ));
            }
            let Some(pos) = self.side(j, sides, *k) else {
                return fail(format!("unit {j}: {what} names point {k}, whose x~ is 0"));
            };
            for (o, x) in out.iter_mut().zip(&self.xt[*k]) {
                *o += if pos { val * x } else { -(val * x) };
            }
        }
        Ok(out)
    }
}

/// Check a `pattern-star-bound` certificate.
pub(crate) fn check(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    loss: &Q,
    p: &PatternStar,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    run(problem, ev, theta, loss, p, deadline).map_err(|s| s.into_error(CheckError::PatternStar))
}

fn run(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    loss: &Q,
    p: &PatternStar,
    deadline: &Deadline,
) -> R<()> {
    let arch = &problem.arch;
    let scalar = arch.depth() == 2 && arch.output_width() == 1;
    let kind_ok = matches!(
        problem.loss,
        LossKind::Hinge | LossKind::Absolute | LossKind::Squared
    );
    if !scalar || !kind_ok {
        return fail(
            "covers one hidden layer, one output, and the hinge, absolute or squared loss".into(),
        );
    }
    let m = arch.widths[1];
    let xt: Vec<Vec<Q>> = problem
        .data
        .x
        .iter()
        .map(|x| {
            let mut v = x.clone();
            if arch.bias[0] {
                v.push(Q::one());
            }
            v
        })
        .collect();
    let pre: Vec<Vec<Q>> = (0..m)
        .map(|j| ev.points.iter().map(|pt| pt.pre[0][j].clone()).collect())
        .collect();
    let zero: Vec<Vec<usize>> = pre
        .iter()
        .map(|row| {
            (0..xt.len())
                .filter(|&i| row[i].is_zero() && xt[i].iter().any(|v| !v.is_zero()))
                .collect()
        })
        .collect();
    let a: Vec<Q> = (0..m)
        .map(|j| theta[arch.weight_index(2, 0, j)].clone())
        .collect();
    let s = Setting {
        problem,
        xt,
        pre,
        a,
        zero,
    };
    if p.units.len() != m {
        return fail(format!(
            "{} units listed, the hidden layer has {m}",
            p.units.len()
        ));
    }
    for (j, unit) in p.units.iter().enumerate() {
        deadline.check()?;
        check_unit(&s, j, unit)?;
    }
    for (b, block) in p.blocks.iter().enumerate() {
        deadline.check()?;
        check_block(&s, p, b, block, loss)?;
    }
    cover(&s, p, deadline)
}

/// The unit's zero set, and its chambers and empty sign vectors: all
/// `2^|Z|` sign vectors, once each.
fn check_unit(s: &Setting, j: usize, unit: &StarUnit) -> R<()> {
    let z = &s.zero[j];
    if unit.zero != *z {
        return fail(format!("unit {j}: `zero` is not the unit's zero set"));
    }
    if z.len() > MAX_STAR_ZERO {
        return fail(format!(
            "unit {j}: more than {MAX_STAR_ZERO} points in the zero set"
        ));
    }
    let mut seen = HashSet::new();
    for c in &unit.chambers {
        if c.sides.len() != z.len() || c.witness.len() != s.xt[0].len() {
            return fail(format!("unit {j}: a chamber has the wrong length"));
        }
        for (p, &k) in z.iter().enumerate() {
            let v = dot(&c.witness, &s.xt[k]);
            if v.is_zero() || v.is_positive() != c.sides[p] {
                return fail(format!(
                    "unit {j}: a chamber's witness has the wrong sign at point {k}"
                ));
            }
        }
        seen.insert(c.sides.clone());
    }
    for e in &unit.empty {
        if e.sides.len() != z.len() {
            return fail(format!(
                "unit {j}: an empty sign vector has the wrong length"
            ));
        }
        if e.farkas.iter().any(|(k, _)| !z.contains(k)) || e.farkas.iter().all(|(_, v)| v.is_zero())
        {
            return fail(format!(
                "unit {j}: a Gordan vector is off the zero set or zero"
            ));
        }
        if s.combine(j, &e.sides, &e.farkas, "a Gordan vector's")?
            .iter()
            .any(|v| !v.is_zero())
        {
            return fail(format!("unit {j}: a Gordan vector does not sum to 0"));
        }
        seen.insert(e.sides.clone());
    }
    let listed = unit.chambers.len() + unit.empty.len();
    if seen.len() != listed || listed != 1usize << z.len() {
        return fail(format!(
            "unit {j}: the chambers and empty sign vectors are not the {} sign vectors, once each",
            1usize << z.len()
        ));
    }
    Ok(())
}

/// `(alpha_i, beta_i)` of the tangent's minorant `l_i(f) >= alpha + beta f`.
fn minorant(s: &Setting, i: usize, tau: &Q) -> R<(Q, Q)> {
    let data = &s.problem.data;
    match s.problem.loss {
        LossKind::Hinge => {
            if tau.is_negative() || *tau > Q::one() {
                return fail(format!("tangent {i} is not in [0, 1]"));
            }
            Ok((tau.clone(), -(tau * Q::from_integer(data.y[i].into()))))
        }
        LossKind::Absolute => {
            if tau.abs() > Q::one() {
                return fail(format!("tangent {i} is not in [-1, 1]"));
            }
            Ok((-(tau * data.target(i)), tau.clone()))
        }
        _ => {
            let t = data.target(i);
            let two = Q::from_integer(2.into());
            Ok((&t * &t - tau * tau, two * (tau - &t)))
        }
    }
}

fn check_block(s: &Setting, p: &PatternStar, b: usize, block: &StarBlock, loss: &Q) -> R<()> {
    let n = s.xt.len();
    if block.tangent.len() != n || block.options.len() != p.units.len() {
        return fail(format!(
            "block {b}: wrong number of tangents or option lists"
        ));
    }
    let nq = Q::from_integer((n as i64).into());
    let (mut alpha, mut beta) = (Q::zero(), Vec::with_capacity(n));
    for (i, tau) in block.tangent.iter().enumerate() {
        let (al, be) = minorant(s, i, tau)?;
        alpha += al;
        beta.push(be / &nq);
    }
    let bound = alpha / &nq;
    if bound < *loss {
        return fail(format!(
            "block {b}: the bound {} is below the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        ));
    }
    let arch = &s.problem.arch;
    if arch.bias[1] && !beta.iter().fold(Q::zero(), |acc, v| acc + v).is_zero() {
        return fail(format!(
            "block {b}: the tangent's slopes do not sum to 0 (free output bias)"
        ));
    }
    let alpha_neg = negative_slope(&arch.activation);
    for (j, opts) in block.options.iter().enumerate() {
        let unit = &p.units[j];
        for o in opts {
            let Some(ch) = unit.chambers.get(o.chamber) else {
                return fail(format!("block {b}, unit {j}: no chamber {}", o.chamber));
            };
            // g = s sum_i beta_i mu_i x~_i
            let mut g = vec![Q::zero(); s.xt[0].len()];
            for (i, be) in beta.iter().enumerate() {
                let Some(pos) = s.side(j, &ch.sides, i) else {
                    continue;
                };
                let w = if pos { be.clone() } else { be * &alpha_neg };
                let w = if o.positive { w } else { -w };
                for (gd, x) in g.iter_mut().zip(&s.xt[i]) {
                    *gd += &w * x;
                }
            }
            if s.combine(j, &ch.sides, &o.nu, "a polar multiplier")? != g {
                return fail(format!(
                    "block {b}, unit {j}: chamber {} sign {}: nu does not give the tangent's gradient",
                    o.chamber,
                    if o.positive { '+' } else { '-' }
                ));
            }
        }
    }
    Ok(())
}

/// Every choice of one required option per unit lies in one block.
fn cover(s: &Setting, p: &PatternStar, deadline: &Deadline) -> R<()> {
    let required: Vec<Vec<(usize, bool)>> = p
        .units
        .iter()
        .zip(&s.a)
        .map(|(u, a)| {
            let signs: Vec<bool> = if a.is_zero() {
                vec![true, false]
            } else {
                vec![a.is_positive()]
            };
            (0..u.chambers.len())
                .flat_map(|c| signs.iter().map(move |&sg| (c, sg)))
                .collect()
        })
        .collect();
    let sets: Vec<Vec<HashSet<(usize, bool)>>> = p
        .blocks
        .iter()
        .map(|b| {
            b.options
                .iter()
                .map(|os| os.iter().map(|o| (o.chamber, o.positive)).collect())
                .collect()
        })
        .collect();
    if required.iter().any(Vec::is_empty) {
        return fail("a unit has no chamber".into());
    }
    // one block with every required option of every unit covers all choices
    if sets.iter().any(|blk| {
        required
            .iter()
            .enumerate()
            .all(|(j, r)| r.iter().all(|o| blk[j].contains(o)))
    }) {
        return Ok(());
    }
    let total = required
        .iter()
        .try_fold(1u128, |acc, r| acc.checked_mul(r.len() as u128));
    match total {
        Some(t) if t <= MAX_STAR_CHOICES => {}
        _ => return fail(format!("more than {MAX_STAR_CHOICES} choices to cover")),
    }
    let mut idx = vec![0usize; required.len()];
    let mut count = 0u64;
    loop {
        count += 1;
        if count % 4096 == 0 {
            deadline.check()?;
        }
        let covered = sets.iter().any(|blk| {
            idx.iter()
                .enumerate()
                .all(|(j, &c)| blk[j].contains(&required[j][c]))
        });
        if !covered {
            return fail(format!("the choice {:?} is in no block", {
                idx.iter()
                    .enumerate()
                    .map(|(j, &c)| required[j][c])
                    .collect::<Vec<_>>()
            }));
        }
        // next choice (mixed radix); an empty option list has no choice
        let mut j = 0;
        loop {
            if j == idx.len() {
                return Ok(());
            }
            idx[j] += 1;
            if idx[j] < required[j].len() {
                break;
            }
            idx[j] = 0;
            j += 1;
        }
    }
}

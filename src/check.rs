//! The certificate checker: re-verifies a certificate written by `verify`
//! from the instance alone, trusting nothing in the certificate.
//!
//! Owns: reading the certificate JSON (format in docs/certificates.md),
//! recomputing the instance hash and the loss, and re-proving the claim for
//! each evidence kind:
//! - `zero-loss` (claim `global-min`): the exact loss is 0;
//! - `flat` (claim `local-min`): every completion of the point's zero
//!   entries gives the constant polynomial L(theta*), so the loss is
//!   constant near the point; the checker enumerates the completions itself;
//! - `descent-arc` (claim `not-local-min`): along `theta* + sum t^m d_m` the
//!   checker recomputes, with its own univariate arithmetic, every
//!   pre-activation and hinge argument as a polynomial in t, fixes their
//!   signs from their lowest-order coefficients, recomputes the loss
//!   polynomial (which must equal the certificate's), requires its lowest
//!   nonconstant coefficient to be negative, and re-evaluates the claimed
//!   point of lower loss exactly.
//!
//! Must not: import the solver modules (`verify`, `arc`, `lp`, `cells`);
//! it uses only `number`, `instance`, `network`, `poly` and `cellpoly`
//! (parsing, evaluation, polynomials, exact arithmetic). It fails closed:
//! anything unexpected is a rejection with a reason.

use crate::cellpoly::loss_poly;
use crate::instance::{canonical_hash, Instance};
use crate::network::{LossKind, Params, Side, ZeroEntry};
use crate::number::{fmt_q, parse_rational, Q};
use crate::poly::Poly;
use num_traits::{One, Signed, Zero};
use serde_json::Value;

/// Most completions the checker will enumerate for a `flat` certificate.
pub const MAX_FLAT_PIECES: usize = 1 << 16;

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key)
        .ok_or_else(|| format!("certificate: missing field `{key}`"))
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    field(v, key)?
        .as_str()
        .ok_or_else(|| format!("certificate: field `{key}` must be a string"))
}

fn rational(v: &Value, what: &str) -> Result<Q, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("certificate: {what} must be a rational written as a string"))?;
    parse_rational(s).map_err(|e| format!("certificate: {what}: {e}"))
}

fn vector(v: &Value, what: &str) -> Result<Vec<Q>, String> {
    let a = v
        .as_array()
        .ok_or_else(|| format!("certificate: {what} must be an array"))?;
    a.iter()
        .enumerate()
        .map(|(i, e)| rational(e, &format!("{what}[{i}]")))
        .collect()
}

/// Check `cert` against `inst`. `Ok` carries the accepted claim's name.
pub fn check(inst: &Instance, cert: &Value) -> Result<String, String> {
    if text(cert, "format")? != "relucert-certificate" {
        return Err("certificate: `format` is not \"relucert-certificate\"".to_string());
    }
    if field(cert, "version")?.as_u64() != Some(1) {
        return Err(
            "certificate: unsupported `version` (this checker reads version 1)".to_string(),
        );
    }
    let hash = canonical_hash(inst);
    if text(cert, "instance_sha256")? != hash {
        return Err(format!(
            "certificate: instance hash mismatch: the instance's canonical hash is {hash}"
        ));
    }
    let params = inst
        .point
        .as_ref()
        .ok_or("instance: the certificate needs the instance's [point]")?;
    let problem = &inst.problem;
    let loss = problem.loss(params);
    let claimed_loss = rational(field(cert, "loss")?, "loss")?;
    if claimed_loss != loss {
        return Err(format!(
            "certificate: loss {} differs from the exact loss {}",
            fmt_q(&claimed_loss),
            fmt_q(&loss)
        ));
    }
    let claim = text(cert, "claim")?;
    let ev = field(cert, "evidence")?;
    let kind = text(ev, "kind")?;
    match (claim, kind) {
        ("global-min", "zero-loss") => {
            if !loss.is_zero() {
                return Err(format!("zero-loss: the loss is {}, not 0", fmt_q(&loss)));
            }
        }
        ("local-min", "flat") => check_flat(inst, params, &loss, ev)?,
        ("global-min", "linear-lp-bound") => check_linear_bound(inst, &loss, ev)?,
        ("not-local-min", "descent-arc") => check_arc(inst, params, &loss, ev)?,
        _ => {
            return Err(format!(
                "certificate: evidence kind `{kind}` does not prove claim `{claim}`"
            ))
        }
    }
    Ok(claim.to_string())
}

/// Weak LP duality for linear models with the binary hinge loss: for every
/// affine classifier (a, c), `(1/N) sum_i max(0, 1 - y_i (a.x_i + c)) >=
/// (1/N) sum_i lambda_i (1 - y_i (a.x_i + c)) = (1/N) sum_i lambda_i` when
/// `0 <= lambda_i <= 1`, `sum lambda_i y_i x_i = 0` and (if an offset is
/// possible) `sum lambda_i y_i = 0`. A network with linear activation, or
/// with no hidden layer, computes such a classifier, so this bounds its loss.
fn check_linear_bound(inst: &Instance, loss: &Q, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || problem.loss != LossKind::Hinge {
        return Err("linear-lp-bound: only for linear models (linear activation or no hidden layer) with the binary hinge loss".to_string());
    }
    let affine = field(ev, "affine")?
        .as_bool()
        .ok_or("certificate: `affine` must be true or false")?;
    if arch.bias.iter().any(|&b| b) && !affine {
        return Err("linear-lp-bound: the network has a bias, so the bound must allow an offset (`affine`: true)".to_string());
    }
    let lambda = vector(field(ev, "lambda")?, "lambda")?;
    let n = problem.data.len();
    if lambda.len() != n {
        return Err(format!("linear-lp-bound: `lambda` needs {n} entries"));
    }
    if lambda.iter().any(|l| l.is_negative() || *l > Q::one()) {
        return Err("linear-lp-bound: every lambda must lie in [0, 1]".to_string());
    }
    let ys: Vec<Q> = problem
        .data
        .y
        .iter()
        .map(|&y| Q::from_integer(y.into()))
        .collect();
    for k in 0..arch.input_dim() {
        let s = (0..n).fold(Q::zero(), |acc, i| {
            acc + &lambda[i] * &ys[i] * &problem.data.x[i][k]
        });
        if !s.is_zero() {
            return Err(format!(
                "linear-lp-bound: sum_i lambda_i y_i x_i[{k}] is {}, not 0",
                fmt_q(&s)
            ));
        }
    }
    if affine {
        let s = (0..n).fold(Q::zero(), |acc, i| acc + &lambda[i] * &ys[i]);
        if !s.is_zero() {
            return Err(format!(
                "linear-lp-bound: sum_i lambda_i y_i is {}, not 0",
                fmt_q(&s)
            ));
        }
    }
    let bound =
        lambda.iter().fold(Q::zero(), |acc, l| acc + l) / Q::from_integer((n as i64).into());
    if bound != *loss {
        return Err(format!(
            "linear-lp-bound: the bound {} does not equal the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        ));
    }
    Ok(())
}

fn check_flat(inst: &Instance, params: &Params, loss: &Q, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let sig = problem.signature(params);
    let zeros = sig.zero_entries();
    if field(ev, "zero_entries")?.as_u64() != Some(zeros.len() as u64) {
        return Err(format!(
            "flat: the point has {} zero entries, not the certificate's `zero_entries`",
            zeros.len()
        ));
    }
    // enumerate completions as a mixed-radix counter
    let radix: Vec<usize> = zeros
        .iter()
        .map(|z| match z {
            ZeroEntry::Tie { classes, .. } => classes.len(),
            _ => 2,
        })
        .collect();
    let total = radix.iter().try_fold(1usize, |acc, &r| {
        acc.checked_mul(r).filter(|&t| t <= MAX_FLAT_PIECES)
    });
    let Some(total) = total else {
        return Err(format!("flat: more than {MAX_FLAT_PIECES} pieces to check"));
    };
    if field(ev, "pieces")?.as_u64() != Some(total as u64) {
        return Err(format!(
            "flat: the point has {total} pieces, not the certificate's `pieces`"
        ));
    }
    let constant = Poly::constant(loss.clone());
    let mut digits = vec![0usize; zeros.len()];
    for _ in 0..total {
        let sides: Vec<Side> = zeros
            .iter()
            .zip(&digits)
            .map(|(z, &d)| match z {
                ZeroEntry::Tie { classes, .. } => Side::Class(classes[d]),
                _ if d == 0 => Side::Pos,
                _ => Side::Neg,
            })
            .collect();
        let pattern = sig.complete(&sides)?;
        if loss_poly(problem, &pattern) != constant {
            return Err("flat: a piece of the loss next to the point is not constant".to_string());
        }
        for (d, r) in digits.iter_mut().zip(&radix) {
            *d += 1;
            if *d < *r {
                break;
            }
            *d = 0;
        }
    }
    Ok(())
}

// --- the checker's own univariate arithmetic (coefficients lowest first) ---

fn trim(mut p: Vec<Q>) -> Vec<Q> {
    while p.last().is_some_and(Zero::is_zero) {
        p.pop();
    }
    p
}

fn padd(a: &[Q], b: &[Q]) -> Vec<Q> {
    let n = a.len().max(b.len());
    trim(
        (0..n)
            .map(|i| {
                a.get(i).cloned().unwrap_or_else(Q::zero)
                    + b.get(i).cloned().unwrap_or_else(Q::zero)
            })
            .collect(),
    )
}

fn pscale(a: &[Q], c: &Q) -> Vec<Q> {
    trim(a.iter().map(|x| x * c).collect())
}

fn pmul(a: &[Q], b: &[Q]) -> Vec<Q> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Q::zero(); a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    trim(out)
}

/// Sign for all small t > 0.
fn germ(p: &[Q]) -> i8 {
    match p.iter().find(|c| !c.is_zero()) {
        None => 0,
        Some(c) if c.is_positive() => 1,
        Some(_) => -1,
    }
}

fn check_arc(inst: &Instance, params: &Params, loss: &Q, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let arch = &problem.arch;
    let n = arch.num_params();
    let dirs_v = field(ev, "dirs")?
        .as_array()
        .ok_or("certificate: `dirs` must be an array")?;
    if dirs_v.is_empty() {
        return Err("descent-arc: no direction".to_string());
    }
    let dirs: Vec<Vec<Q>> = dirs_v
        .iter()
        .enumerate()
        .map(|(m, d)| vector(d, &format!("dirs[{m}]")))
        .collect::<Result<_, _>>()?;
    if dirs.iter().any(|d| d.len() != n) {
        return Err(format!("descent-arc: every direction needs {n} entries"));
    }
    let point = params.flat();
    let theta: Vec<Vec<Q>> = (0..n)
        .map(|i| {
            let mut c = vec![point[i].clone()];
            c.extend(dirs.iter().map(|d| d[i].clone()));
            trim(c)
        })
        .collect();
    let one = vec![Q::one()];
    let minus_one = -Q::one();
    let mut total: Vec<Q> = Vec::new();
    for (x, &y) in problem.data.x.iter().zip(&problem.data.y) {
        let mut a: Vec<Vec<Q>> = x.iter().map(|v| trim(vec![v.clone()])).collect();
        for l in 1..=arch.depth() {
            let mut z = Vec::with_capacity(arch.widths[l]);
            for j in 0..arch.widths[l] {
                let mut acc: Vec<Q> = Vec::new();
                for (k, ak) in a.iter().enumerate() {
                    acc = padd(&acc, &pmul(&theta[arch.weight_index(l, j, k)], ak));
                }
                if let Some(b) = arch.bias_index(l, j) {
                    acc = padd(&acc, &theta[b]);
                }
                z.push(acc);
            }
            a = if l == arch.depth() {
                z
            } else {
                z.into_iter()
                    .map(|p| {
                        let s = arch.activation.slope(germ(&p) >= 0);
                        pscale(&p, &s)
                    })
                    .collect()
            };
        }
        let f = a;
        let mut args: Vec<Vec<Q>> = Vec::new();
        match problem.loss {
            LossKind::Hinge => args.push(padd(&one, &pscale(&f[0], &-Q::from_integer(y.into())))),
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..f.len()).filter(|&k| k != yc) {
                    args.push(padd(&padd(&one, &f[k]), &pscale(&f[yc], &minus_one)));
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                // the max of polynomials for small t: the one no other exceeds
                let others: Vec<usize> = (0..f.len()).filter(|&k| k != yc).collect();
                let top = others
                    .iter()
                    .copied()
                    .find(|&k| {
                        others
                            .iter()
                            .all(|&m| germ(&padd(&f[k], &pscale(&f[m], &minus_one))) >= 0)
                    })
                    .ok_or("descent-arc: no maximal competitor (internal inconsistency)")?;
                args.push(padd(&padd(&one, &f[top]), &pscale(&f[yc], &minus_one)));
            }
        }
        for arg in args {
            if germ(&arg) > 0 {
                total = padd(&total, &arg);
            }
        }
    }
    let total = pscale(
        &total,
        &(Q::one() / Q::from_integer((problem.data.len() as i64).into())),
    );
    let claimed = vector(field(ev, "loss_polynomial")?, "loss_polynomial")?;
    if trim(claimed) != total {
        return Err("descent-arc: the loss polynomial differs from the recomputed one".to_string());
    }
    if total.first().cloned().unwrap_or_else(Q::zero) != *loss {
        return Err("descent-arc: the loss polynomial does not start at the loss".to_string());
    }
    match total.iter().skip(1).find(|c| !c.is_zero()) {
        Some(c) if c.is_negative() => {}
        _ => return Err("descent-arc: the loss does not decrease along the arc".to_string()),
    }
    // the explicit lower point
    let lp = field(ev, "lower_point")?;
    let t = rational(field(lp, "t")?, "lower_point.t")?;
    if !t.is_positive() {
        return Err("descent-arc: lower_point.t must be positive".to_string());
    }
    let mut at = point.clone();
    let mut tm = Q::one();
    for d in &dirs {
        tm *= &t;
        for (o, di) in at.iter_mut().zip(d) {
            *o += di * &tm;
        }
    }
    if vector(field(lp, "params")?, "lower_point.params")? != at {
        return Err(
            "descent-arc: lower_point.params is not the arc's point at lower_point.t".to_string(),
        );
    }
    let p = Params::from_flat(arch, &at).ok_or("descent-arc: bad parameter count")?;
    let lower = problem.loss(&p);
    let claimed_lower = rational(field(lp, "loss")?, "lower_point.loss")?;
    if lower != claimed_lower || lower >= *loss {
        return Err(format!(
            "descent-arc: the loss at t = {} is {}, not the claimed {} below {}",
            fmt_q(&t),
            fmt_q(&lower),
            fmt_q(&claimed_lower),
            fmt_q(loss)
        ));
    }
    Ok(())
}

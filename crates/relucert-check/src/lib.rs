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
//!   point of lower loss exactly;
//! - `descent-direction` (claim `not-local-min`): the same recomputation
//!   along the ray `theta* + t d` with every polynomial cut after degree 1;
//!   its first-order coefficient (the one-sided directional derivative)
//!   must equal the certificate's and be negative, and the lower point is
//!   re-evaluated;
//! - `linear-lp-bound` / `multiclass-lp-bound` (claim `global-min`): weak
//!   LP duality with the certificate's multipliers, every condition exact;
//! - `piecewise-second-order` (claim `local-min`): on every region (kink
//!   cone x leading branches) the quadratic lower bound's Farkas
//!   multipliers and its copositivity on the critical cone, recomputed with
//!   the checker's own Gaussian elimination and Cottle-Habetler-Lemke test.
//!
//! Must not: import the solver modules (`verify`, `local`, `arc`, `lp`,
//! `cells`, `linalg`);
//! it uses only `number`, `instance`, `network`, `poly` and `cellpoly`
//! (parsing, evaluation, polynomials, exact arithmetic). It fails closed:
//! anything unexpected is a rejection with a reason.

use num_traits::{One, Signed, Zero};
use relucert_core::cellpoly::loss_poly;
use relucert_core::instance::{canonical_hash, Instance};
use relucert_core::network::{LossKind, Params, Side, ZeroEntry};
use relucert_core::number::{fmt_q, parse_rational, Q};
use relucert_core::poly::Poly;
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
        ("global-min", "multiclass-lp-bound") => check_multiclass_bound(inst, &loss, ev)?,
        ("not-local-min", "descent-arc") => check_arc(inst, params, &loss, ev)?,
        ("not-local-min", "descent-direction") => check_direction(inst, params, &loss, ev)?,
        ("local-min", "piecewise-second-order") => check_second_order(inst, params, ev)?,
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

/// Weak LP duality for linear models with a multiclass loss: for every
/// classifier `x -> W x + c` (`c = 0` unless `affine`) with arguments
/// `a_ik = 1 + f_k(x_i) - f_{y_i}(x_i)`, Weston-Watkins
/// `sum_k max(0, a_ik) >= sum_k lambda_ik a_ik` for `lambda_ik` in [0, 1],
/// Crammer-Singer `max(0, max_k a_ik) >= sum_k lambda_ik a_ik` for
/// `lambda_ik >= 0` with `sum_k lambda_ik <= 1`; and
/// `sum_ik lambda_ik a_ik = sum_ik lambda_ik` when the classifier parts
/// cancel: `sum_ik lambda_ik (e_k - e_{y_i}) x_i^T = 0` (and the same
/// without `x_i` when `affine`).
fn check_multiclass_bound(inst: &Instance, loss: &Q, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let arch = &problem.arch;
    let tag = "multiclass-lp-bound";
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || problem.loss == LossKind::Hinge {
        return Err(format!(
            "{tag}: only for linear models with a multiclass loss"
        ));
    }
    let affine = field(ev, "affine")?
        .as_bool()
        .ok_or("certificate: `affine` must be true or false")?;
    if arch.bias.iter().any(|&b| b) && !affine {
        return Err(format!(
            "{tag}: the network has a bias, so `affine` must be true"
        ));
    }
    let rows = field(ev, "lambda")?
        .as_array()
        .ok_or(format!("{tag}: `lambda` must be an array of rows"))?;
    let n = problem.data.len();
    let classes = arch.output_width();
    if rows.len() != n {
        return Err(format!("{tag}: `lambda` needs {n} rows"));
    }
    let lambda: Vec<Vec<Q>> = rows
        .iter()
        .map(|r| vector(r, "lambda"))
        .collect::<Result<_, _>>()?;
    for (i, row) in lambda.iter().enumerate() {
        let y = problem.data.y[i] as usize;
        if row.len() != classes || !row[y].is_zero() || row.iter().any(Signed::is_negative) {
            return Err(format!(
                "{tag}: row {i} needs {classes} nonnegative multipliers with 0 at the label"
            ));
        }
        let ok = match problem.loss {
            LossKind::CrammerSinger => row.iter().fold(Q::zero(), |a, l| a + l) <= Q::one(),
            _ => row.iter().all(|l| *l <= Q::one()),
        };
        if !ok {
            return Err(format!(
                "{tag}: row {i} exceeds the loss's multiplier bound"
            ));
        }
    }
    for m in 0..classes {
        let mut coef = vec![Q::zero(); arch.input_dim() + 1];
        for (i, row) in lambda.iter().enumerate() {
            let y = problem.data.y[i] as usize;
            let net = if m == y {
                -row.iter().fold(Q::zero(), |a, l| a + l)
            } else {
                row[m].clone()
            };
            for (j, x) in problem.data.x[i].iter().enumerate() {
                coef[j] += &net * x;
            }
            coef[arch.input_dim()] += net;
        }
        let last = coef.len() - 1;
        if coef[..last].iter().any(|c| !c.is_zero()) || (affine && !coef[last].is_zero()) {
            return Err(format!(
                "{tag}: the classifier parts of class {m} do not cancel"
            ));
        }
    }
    let bound =
        lambda.iter().flatten().fold(Q::zero(), |a, l| a + l) / Q::from_integer((n as i64).into());
    if bound != *loss {
        return Err(format!(
            "{tag}: the bound {} does not equal the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        ));
    }
    Ok(())
}

fn check_flat(inst: &Instance, params: &Params, loss: &Q, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let sig = problem.signature(params);
    let all_zeros = sig.zero_entries();
    // a kink on a point with every hinge argument < 0 is left on its +
    // side: no term of the loss near the point depends on it
    let evaluation = problem.evaluate(params);
    let live = |z: &ZeroEntry| match z {
        ZeroEntry::PreActivation { point, .. } => evaluation.points[*point]
            .terms
            .iter()
            .any(|h| !h.argument.is_negative()),
        _ => true,
    };
    let zeros: Vec<ZeroEntry> = all_zeros.iter().filter(|z| live(z)).cloned().collect();
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
        let mut next_digit = digits.iter();
        let sides: Vec<Side> = all_zeros
            .iter()
            .map(|z| {
                if !live(z) {
                    return Side::Pos;
                }
                let d = *next_digit.next().unwrap_or(&0);
                match z {
                    ZeroEntry::Tie { classes, .. } => Side::Class(classes[d]),
                    _ if d == 0 => Side::Pos,
                    _ => Side::Neg,
                }
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
    let n = inst.problem.arch.num_params();
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
    let total = loss_along_arc(inst, params, &dirs, None)?;
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
    check_lower_point(inst, params, loss, &dirs, ev, "descent-arc")
}

/// `descent-direction`: the claimed one-sided directional derivative
/// `L'(theta*; d)` is the first-order coefficient of the loss along the ray
/// `theta* + t d` (recomputed with every polynomial truncated after degree
/// 1, which leaves the coefficients of degree <= 1 exact), and negative;
/// then `L(theta* + t d) = L(theta*) + t L'(theta*; d) + O(t^2)` is below
/// `L(theta*)` for all small `t > 0`. The explicit lower point is checked
/// as for an arc.
fn check_direction(inst: &Instance, params: &Params, loss: &Q, ev: &Value) -> Result<(), String> {
    let n = inst.problem.arch.num_params();
    let dir = vector(field(ev, "dir")?, "dir")?;
    if dir.len() != n {
        return Err(format!("descent-direction: `dir` needs {n} entries"));
    }
    let dirs = vec![dir];
    let germ1 = loss_along_arc(inst, params, &dirs, Some(1))?;
    if germ1.first().cloned().unwrap_or_else(Q::zero) != *loss {
        return Err(
            "descent-direction: the loss along the ray does not start at the loss".to_string(),
        );
    }
    let derivative = germ1.get(1).cloned().unwrap_or_else(Q::zero);
    let claimed = rational(field(ev, "derivative")?, "derivative")?;
    if claimed != derivative {
        return Err(format!(
            "descent-direction: the directional derivative is {}, not the claimed {}",
            fmt_q(&derivative),
            fmt_q(&claimed)
        ));
    }
    if !derivative.is_negative() {
        return Err(format!(
            "descent-direction: the directional derivative {} is not negative",
            fmt_q(&derivative)
        ));
    }
    check_lower_point(inst, params, loss, &dirs, ev, "descent-direction")
}

/// The loss along `theta* + sum_m t^m dirs[m]` for small `t > 0`, as a
/// polynomial in t (lowest degree first), every intermediate polynomial cut
/// after degree `cut` if given.
fn loss_along_arc(
    inst: &Instance,
    params: &Params,
    dirs: &[Vec<Q>],
    cut: Option<usize>,
) -> Result<Vec<Q>, String> {
    let problem = &inst.problem;
    let arch = &problem.arch;
    let n = arch.num_params();
    let cut = |mut p: Vec<Q>| {
        if let Some(c) = cut {
            p.truncate(c + 1);
        }
        trim(p)
    };
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
                    acc = padd(&acc, &cut(pmul(&theta[arch.weight_index(l, j, k)], ak)));
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
    Ok(pscale(
        &total,
        &(Q::one() / Q::from_integer((problem.data.len() as i64).into())),
    ))
}

/// The certificate's explicit point of lower loss on the arc.
fn check_lower_point(
    inst: &Instance,
    params: &Params,
    loss: &Q,
    dirs: &[Vec<Q>],
    ev: &Value,
    kind: &str,
) -> Result<(), String> {
    let arch = &inst.problem.arch;
    let problem = &inst.problem;
    let lp = field(ev, "lower_point")?;
    let t = rational(field(lp, "t")?, "lower_point.t")?;
    if !t.is_positive() {
        return Err(format!("{kind}: lower_point.t must be positive"));
    }
    let mut at = params.flat();
    let mut tm = Q::one();
    for d in dirs {
        tm *= &t;
        for (o, di) in at.iter_mut().zip(d) {
            *o += di * &tm;
        }
    }
    if vector(field(lp, "params")?, "lower_point.params")? != at {
        return Err(format!(
            "{kind}: lower_point.params is not the arc's point at lower_point.t"
        ));
    }
    let p = Params::from_flat(arch, &at).ok_or(format!("{kind}: bad parameter count"))?;
    let lower = problem.loss(&p);
    let claimed_lower = rational(field(lp, "loss")?, "lower_point.loss")?;
    if lower != claimed_lower || lower >= *loss {
        return Err(format!(
            "{kind}: the loss at t = {} is {}, not the claimed {} below {}",
            fmt_q(&t),
            fmt_q(&lower),
            fmt_q(&claimed_lower),
            fmt_q(loss)
        ));
    }
    Ok(())
}

// --- piecewise second order (one hidden layer) ---

/// Most regions the checker will examine for a `piecewise-second-order` certificate.
pub const MAX_REGIONS: usize = 1 << 16;

/// A branch at theta*: gradient and (constant) Hessian.
type Branch = (Vec<Q>, Vec<Vec<Q>>);

/// Branch data at theta*: gradient and (constant) Hessian of a polynomial of
/// degree <= 2, from its partial derivatives.
fn taylor2(p: &Poly, theta: &[Q]) -> Result<Branch, String> {
    if p.total_degree() > 2 {
        return Err("piecewise-second-order: an output has degree > 2 in the parameters".into());
    }
    let n = theta.len();
    let firsts: Vec<Poly> = (0..n).map(|a| p.partial(a as u32)).collect();
    let grad = firsts.iter().map(|f| f.evaluate(theta)).collect();
    let hess = firsts
        .iter()
        .map(|f| {
            (0..n)
                .map(|b| f.partial(b as u32).constant_term())
                .collect()
        })
        .collect();
    Ok((grad, hess))
}

/// Re-proves: on every region (a kink cone and one branch per hinge
/// corner / tie term, with the chosen branch leading at first order) the
/// quadratic lower bound `G = sum of chosen branches` satisfies (a) `g = sum
/// mu_k r_k`, `mu >= 0` over the region's rows, and (b) `H` copositive on
/// `{r_k . d = 0 (mu_k > 0), r_k . d >= 0 (k kept)}`, by its own linear
/// algebra and the Cottle-Habetler-Lemke criterion. By the second-order
/// theory of quadratic programs, `G >= 0` near 0 on each region, and the
/// loss is at least `L* + G / N` there.
fn check_second_order(inst: &Instance, params: &Params, ev: &Value) -> Result<(), String> {
    let problem = &inst.problem;
    let arch = &problem.arch;
    let tag = "piecewise-second-order";
    if arch.hidden_layers() > 1 {
        return Err(format!("{tag}: needs at most one hidden layer"));
    }
    let theta = params.flat();
    let n = theta.len();
    let sig = problem.signature(params);
    let zeros = sig.zero_entries();
    let all_kinks: Vec<(usize, usize)> = zeros
        .iter()
        .filter_map(|z| match z {
            ZeroEntry::PreActivation { point, unit, .. } => Some((*point, *unit)),
            _ => None,
        })
        .collect();
    let listed: Vec<(usize, usize)> = field(ev, "kinks")?
        .as_array()
        .ok_or(format!("{tag}: `kinks` must be an array"))?
        .iter()
        .map(|k| {
            let get = |key: &str| k.get(key).and_then(Value::as_u64).map(|v| v as usize);
            get("point").zip(get("unit"))
        })
        .collect::<Option<_>>()
        .ok_or(format!("{tag}: `kinks` entries need `point` and `unit`"))?;
    // the listed kinks, in the point's order; every other kink must be on a
    // point whose hinge arguments are all < 0 (no term depends on its side)
    let dropped: Vec<usize> = field(ev, "dropped")?
        .as_array()
        .ok_or(format!("{tag}: `dropped` must be an array"))?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect::<Option<_>>()
        .ok_or(format!("{tag}: `dropped` lists term indices"))?;
    if dropped.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("{tag}: `dropped` must be strictly increasing"));
    }
    let kinks = listed;
    let normal = |&(i, j): &(usize, usize), pos: bool| -> Vec<Q> {
        let mut r = vec![Q::zero(); n];
        let sgn = if pos { Q::one() } else { -Q::one() };
        for (k, x) in problem.data.x[i].iter().enumerate() {
            r[arch.weight_index(1, j, k)] = &sgn * x;
        }
        if let Some(b) = arch.bias_index(1, j) {
            r[b] = sgn;
        }
        r
    };
    let corner_terms = field(ev, "corner_terms")?.as_u64();
    let regions = field(ev, "regions")?
        .as_array()
        .ok_or(format!("{tag}: `regions` must be an array"))?;
    if regions.len() > MAX_REGIONS {
        return Err(format!("{tag}: more than {MAX_REGIONS} regions"));
    }
    let mut seen: Vec<(String, Vec<u64>)> = Vec::new();
    let mut keys: Vec<Option<Vec<Vec<Q>>>> = Vec::new();
    let mut radix: Option<Vec<usize>> = None;
    for (ri, region) in regions.iter().enumerate() {
        let where_ = format!("{tag}: region {ri}");
        let sides = text(region, "sides")?;
        if sides.len() != kinks.len() || sides.chars().any(|c| c != '+' && c != '-') {
            return Err(format!("{where_}: `sides` must have one + or - per kink"));
        }
        let pos: Vec<bool> = sides.chars().map(|c| c == '+').collect();
        let choice: Vec<u64> = field(region, "choice")?
            .as_array()
            .ok_or(format!("{where_}: `choice` must be an array"))?
            .iter()
            .map(|c| {
                c.as_u64()
                    .ok_or(format!("{where_}: `choice` entries are indices"))
            })
            .collect::<Result<_, _>>()?;
        if seen.iter().any(|(s, c)| s == sides && *c == choice) {
            return Err(format!("{where_}: listed twice"));
        }
        seen.push((sides.to_string(), choice.clone()));
        // the cone's pattern and the terms of the loss on it
        let side_choices: Vec<Side> = {
            zeros
                .iter()
                .map(|z| match z {
                    ZeroEntry::PreActivation { point, unit, .. } => {
                        match kinks.iter().position(|k| *k == (*point, *unit)) {
                            Some(at) if !pos[at] => Side::Neg,
                            _ => Side::Pos,
                        }
                    }
                    ZeroEntry::Tie { classes, .. } => Side::Class(classes[0]),
                    ZeroEntry::Hinge { .. } => Side::Pos,
                })
                .collect()
        };
        let pattern = sig.complete(&side_choices)?;
        let mut terms: Vec<Vec<Branch>> = Vec::new();
        let mut term_info: Vec<(usize, bool)> = Vec::new();
        for i in 0..problem.data.len() {
            let f = relucert_core::cellpoly::output_polys(problem, &pattern, i);
            let fv: Vec<Q> = f.iter().map(|p| p.evaluate(&theta)).collect();
            let yc = problem.data.y[i];
            let one = Poly::constant(Q::one());
            let arg = |k: usize, t: usize| one.add(&f[k]).sub(&f[t]);
            let groups: Vec<(Vec<Poly>, Q)> = match problem.loss {
                LossKind::Hinge => {
                    let y = Q::from_integer(yc.into());
                    vec![(vec![one.sub(&f[0].scale(&y))], Q::one() - &y * &fv[0])]
                }
                LossKind::MulticlassHinge => (0..f.len())
                    .filter(|&k| k as i64 != yc)
                    .map(|k| {
                        (
                            vec![arg(k, yc as usize)],
                            Q::one() + &fv[k] - &fv[yc as usize],
                        )
                    })
                    .collect(),
                LossKind::CrammerSinger => {
                    let t = yc as usize;
                    let others: Vec<usize> = (0..f.len()).filter(|&k| k != t).collect();
                    let Some(best) = others.iter().map(|&k| fv[k].clone()).max() else {
                        return Err(format!("{tag}: a Crammer-Singer point needs a competitor"));
                    };
                    let tied: Vec<Poly> = others
                        .iter()
                        .filter(|&&k| fv[k] == best)
                        .map(|&k| arg(k, t))
                        .collect();
                    vec![(tied, Q::one() + best - &fv[t])]
                }
            };
            for (args, value) in groups {
                if value.is_negative() {
                    continue;
                }
                let mut branches = Vec::new();
                if value.is_zero() {
                    branches.push((vec![Q::zero(); n], vec![vec![Q::zero(); n]; n]));
                }
                for a in &args {
                    branches.push(taylor2(a, &theta)?);
                }
                term_info.push((i, value.is_zero()));
                terms.push(branches);
            }
        }
        // dropped terms: corners only (max(0, .) >= 0 = their value)
        if dropped.iter().any(|&t| t >= terms.len() || !term_info[t].1) {
            return Err(format!(
                "{where_}: only hinge-corner terms (value exactly 0) may be dropped"
            ));
        }
        let kept_points: Vec<usize> = (0..terms.len())
            .filter(|t| !dropped.contains(t))
            .map(|t| term_info[t].0)
            .collect();
        // a kink may be omitted only if its point has no kept term
        let mut rest = kinks.iter().peekable();
        for k in &all_kinks {
            if rest.peek() == Some(&k) {
                rest.next();
            } else if kept_points.contains(&k.0) {
                return Err(format!(
                    "{tag}: the kink of unit {} on point {} is omitted, but a kept term belongs to that point",
                    k.1, k.0
                ));
            }
        }
        if rest.next().is_some() {
            return Err(format!("{tag}: `kinks` is not a subsequence of the point's zero first-layer pre-activations"));
        }
        let terms: Vec<Vec<Branch>> = terms
            .into_iter()
            .enumerate()
            .filter(|(t, _)| !dropped.contains(t))
            .map(|(_, b)| b)
            .collect();
        let multi: Vec<usize> = (0..terms.len()).filter(|&t| terms[t].len() > 1).collect();
        let this_radix: Vec<usize> = multi.iter().map(|&t| terms[t].len()).collect();
        if corner_terms != Some(multi.len() as u64) {
            return Err(format!(
                "{where_}: the point has {} corner/tie terms, not `corner_terms`",
                multi.len()
            ));
        }
        if radix.get_or_insert_with(|| this_radix.clone()) != &this_radix {
            return Err(format!(
                "{where_}: the term structure differs between cones"
            ));
        }
        if choice.len() != multi.len()
            || choice
                .iter()
                .zip(&this_radix)
                .any(|(c, r)| *c as usize >= *r)
        {
            return Err(format!(
                "{where_}: `choice` must pick one branch of each of the {} corner/tie terms",
                multi.len()
            ));
        }
        // rows: kinks, then dominance rows; g and H of the chosen branches
        let mut rows: Vec<Vec<Q>> = kinks.iter().zip(&pos).map(|(k, &p)| normal(k, p)).collect();
        for (&t, &c) in multi.iter().zip(&choice) {
            for q in (0..terms[t].len()).filter(|&q| q != c as usize) {
                rows.push(
                    terms[t][c as usize]
                        .0
                        .iter()
                        .zip(&terms[t][q].0)
                        .map(|(a, b)| a - b)
                        .collect(),
                );
            }
        }
        // the lower bound: convex weights `lambda` on each corner/tie term's
        // branches (weight 1 on single-branch terms)
        let lambda: Vec<Vec<Q>> = match region.get("lambda") {
            None => multi
                .iter()
                .zip(&choice)
                .map(|(&t, &c)| {
                    (0..terms[t].len())
                        .map(|q| if q == c as usize { Q::one() } else { Q::zero() })
                        .collect()
                })
                .collect(),
            Some(l) => l
                .as_array()
                .ok_or(format!("{where_}: `lambda` must be an array"))?
                .iter()
                .map(|w| vector(w, "lambda"))
                .collect::<Result<_, _>>()?,
        };
        if lambda.len() != multi.len()
            || lambda.iter().zip(&multi).any(|(w, &t)| {
                w.len() != terms[t].len()
                    || w.iter().any(Signed::is_negative)
                    || w.iter().fold(Q::zero(), |acc, x| acc + x) != Q::one()
            })
        {
            return Err(format!("{where_}: `lambda` must give convex weights to every branch of each corner/tie term"));
        }
        let mut g = vec![Q::zero(); n];
        let mut h = vec![vec![Q::zero(); n]; n];
        for (t, branches) in terms.iter().enumerate() {
            let weights: Vec<Q> = match multi.iter().position(|&m| m == t) {
                Some(k) => lambda[k].clone(),
                None => vec![Q::one()],
            };
            for ((bg, bh), w) in branches.iter().zip(&weights) {
                for (x, y) in g.iter_mut().zip(bg) {
                    *x += y * w;
                }
                for (hr, br) in h.iter_mut().zip(bh) {
                    for (x, y) in hr.iter_mut().zip(br) {
                        *x += y * w;
                    }
                }
            }
        }
        let key = region_key(&rows);
        if let Some(target) = region.get("same_as") {
            let t = target
                .as_u64()
                .ok_or(format!("{where_}: `same_as` must be an index"))?
                as usize;
            match keys.get(t) {
                Some(Some(k)) if t < ri && *k == key => {}
                _ => return Err(format!("{where_}: `same_as` must name an earlier proven region with the same constraints")),
            }
            keys.push(None);
            continue;
        }
        keys.push(Some(key));
        let mu = vector(field(region, "mu")?, "mu")?;
        if mu.len() != rows.len() || mu.iter().any(Signed::is_negative) {
            return Err(format!(
                "{where_}: `mu` must be {} nonnegative multipliers",
                rows.len()
            ));
        }
        for (c, gc) in g.iter().enumerate() {
            if rows
                .iter()
                .zip(&mu)
                .fold(Q::zero(), |acc, (r, m)| acc + &r[c] * m)
                != *gc
            {
                return Err(format!("{where_}: sum mu_k r_k differs from the gradient of the lower bound (first-order condition)"));
            }
        }
        if rows
            .iter()
            .zip(&mu)
            .any(|(r, m)| r.iter().all(Zero::is_zero) && !m.is_zero())
        {
            return Err(format!("{where_}: a zero row must have multiplier 0"));
        }
        let eq: Vec<Vec<Q>> = rows
            .iter()
            .zip(&mu)
            .filter(|(_, m)| m.is_positive())
            .map(|(r, _)| r.clone())
            .collect();
        let ineq: Vec<Vec<Q>> = rows
            .iter()
            .zip(&mu)
            .filter(|(_, m)| m.is_zero())
            .map(|(r, _)| r.clone())
            .collect();
        cone_copositive(&h, &eq, &ineq, n).map_err(|e| format!("{where_}: {e}"))?;
    }
    // coverage: every (sides, choice) combination is listed
    let radix = radix.unwrap_or_default();
    let combos = radix
        .iter()
        .try_fold(1usize << kinks.len().min(30), |acc, &r| acc.checked_mul(r));
    if kinks.len() >= 30 || combos != Some(seen.len()) {
        return Err(format!(
            "{tag}: the regions do not cover every kink cone and branch choice exactly once"
        ));
    }
    Ok(())
}

/// Rows up to positive scaling, zero rows dropped, sorted and deduplicated.
fn region_key(rows: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let mut out: Vec<Vec<Q>> = rows
        .iter()
        .filter_map(|r| {
            let lead = r.iter().find(|x| !x.is_zero())?.abs();
            Some(r.iter().map(|x| x / &lead).collect())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reduced row echelon form; returns the pivot columns.
fn rref(m: &mut [Vec<Q>], ncols: usize) -> Vec<usize> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..ncols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][c].is_zero()) else {
            continue;
        };
        m.swap(r, p);
        let inv = Q::one() / &m[r][c];
        for x in m[r].iter_mut() {
            *x *= &inv;
        }
        let prow = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r && !row[c].is_zero() {
                let f = row[c].clone();
                for (x, y) in row.iter_mut().zip(&prow) {
                    *x -= &f * y;
                }
            }
        }
        pivots.push(c);
        r += 1;
    }
    pivots
}

fn mat_inverse(a: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let n = a.len();
    let mut m: Vec<Vec<Q>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.iter()
                .cloned()
                .chain((0..n).map(|j| if i == j { Q::one() } else { Q::zero() }))
                .collect()
        })
        .collect();
    let piv = rref(&mut m, n);
    (piv.len() == n).then(|| m.into_iter().map(|r| r[n..].to_vec()).collect())
}

fn is_psd(a: &[Vec<Q>]) -> bool {
    let mut m = a.to_vec();
    let mut alive: Vec<usize> = (0..a.len()).collect();
    while let Some(&i) = alive.iter().find(|&&i| m[i][i].is_positive()) {
        alive.retain(|&j| j != i);
        for &j in &alive {
            for &k in &alive {
                let d = &m[j][i] * &m[i][k] / &m[i][i];
                m[j][k] -= d;
            }
        }
    }
    alive
        .iter()
        .all(|&j| alive.iter().all(|&k| m[j][k].is_zero()))
}

/// Cottle-Habetler-Lemke: copositive iff no principal submatrix is
/// invertible with an entrywise nonpositive inverse.
fn is_copositive(s: &[Vec<Q>]) -> bool {
    let r = s.len();
    (1u64..(1u64 << r)).all(|mask| {
        let idx: Vec<usize> = (0..r).filter(|&i| mask >> i & 1 == 1).collect();
        let sub: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| idx.iter().map(|&j| s[i][j].clone()).collect())
            .collect();
        mat_inverse(&sub).is_none_or(|inv| inv.iter().flatten().any(Signed::is_positive))
    })
}

/// `d^T h d >= 0` on `{eq . d = 0, ineq . d >= 0}`, relaxed to a maximal
/// subset of `ineq` independent on the subspace, chosen greedily in order.
fn cone_copositive(h: &[Vec<Q>], eq: &[Vec<Q>], ineq: &[Vec<Q>], n: usize) -> Result<(), String> {
    // basis of {eq . d = 0}
    let mut e = eq.to_vec();
    let piv = rref(&mut e, n);
    let basis: Vec<Vec<Q>> = (0..n)
        .filter(|c| !piv.contains(c))
        .map(|f| {
            let mut v = vec![Q::zero(); n];
            v[f] = Q::one();
            for (r, &pc) in piv.iter().enumerate() {
                v[pc] = -e[r][f].clone();
            }
            v
        })
        .collect();
    let m = basis.len();
    if m == 0 {
        return Ok(());
    }
    let dotq = |a: &[Q], b: &[Q]| a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y);
    // inequality rows restricted to the subspace, kept greedily in order
    // while independent (dropping rows enlarges the cone: a relaxation)
    let mut t: Vec<Vec<Q>> = Vec::new();
    for row in ineq {
        let restricted: Vec<Q> = basis.iter().map(|b| dotq(row, b)).collect();
        let mut trial = t.clone();
        trial.push(restricted);
        if rref(&mut trial.clone(), m).len() == trial.len() {
            t = trial;
        }
    }
    let r = t.len();
    for k in 0..m {
        let mut trial = t.clone();
        let mut unit = vec![Q::zero(); m];
        unit[k] = Q::one();
        trial.push(unit);
        if rref(&mut trial.clone(), m).len() == trial.len() {
            t = trial;
        }
    }
    let u = mat_inverse(&t).ok_or("internal: no invertible completion")?;
    // columns of P = B U, then M = P^T H P
    let p: Vec<Vec<Q>> = (0..m)
        .map(|c| {
            (0..n)
                .map(|row| (0..m).fold(Q::zero(), |acc, k| acc + &basis[k][row] * &u[k][c]))
                .collect()
        })
        .collect();
    let hp: Vec<Vec<Q>> = p
        .iter()
        .map(|col| h.iter().map(|hr| dotq(hr, col)).collect())
        .collect();
    let mm: Vec<Vec<Q>> = p
        .iter()
        .map(|a| hp.iter().map(|b| dotq(a, b)).collect())
        .collect();
    let w: Vec<Vec<Q>> = (r..m)
        .map(|i| (r..m).map(|j| mm[i][j].clone()).collect())
        .collect();
    if !is_psd(&w) {
        return Err(
            "the Hessian is not positive semidefinite on the free part of the critical cone".into(),
        );
    }
    // S = M_ss - M_sw X with W X = M_ws: solve by rref of [W | M_ws]
    let mut aug: Vec<Vec<Q>> = (r..m)
        .map(|i| (r..m).chain(0..r).map(|j| mm[i][j].clone()).collect())
        .collect();
    let fw = m - r;
    let piv = rref(&mut aug, fw);
    if aug
        .iter()
        .any(|row| row[..fw].iter().all(Zero::is_zero) && row[fw..].iter().any(|x| !x.is_zero()))
    {
        return Err(
            "range condition fails: a zero-curvature free direction is coupled to the cone".into(),
        );
    }
    let mut x = vec![vec![Q::zero(); r]; fw];
    for (row, &pc) in piv.iter().enumerate() {
        x[pc] = aug[row][fw..].to_vec();
    }
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    &mm[a][b] - (0..fw).fold(Q::zero(), |acc, k| acc + &mm[a][r + k] * &x[k][b])
                })
                .collect()
        })
        .collect();
    if !is_copositive(&s) {
        return Err("the Hessian is not copositive on the critical cone".into());
    }
    Ok(())
}

//! Descent along arcs and rays: `descent-arc` and `descent-direction`.
//!
//! Owns: the checker's truncated univariate polynomial arithmetic
//! (coefficients lowest degree first), the loss along
//! `theta* + sum_m t^m d_m` for all small `t > 0` (every pre-activation and
//! hinge argument a polynomial in t whose sign is that of its lowest-order
//! nonzero coefficient), and the two checks: an arc's loss polynomial
//! `[c_0, ..., c_D]` must be the recomputed one up to degree `D` (every
//! series cut after degree `D`, which leaves those coefficients exact), start
//! at the loss and have a negative lowest nonconstant coefficient; a
//! direction's first-order coefficient (the one-sided directional
//! derivative, every polynomial cut after degree 1) must be the claimed one
//! and negative. Both re-evaluate the certificate's explicit point of lower
//! loss with [`crate::forward`]. The size limits [`MAX_ARC_DIRECTIONS`] and
//! [`MAX_ARC_DEGREE`] are checked before any work, so the work is at most
//! (directions + 1) x (D + 1) coefficient products per weight and data point.
//!
//! Must not: use the library's arc or evaluation code, decide a sign from
//! anything but an exact coefficient, or run past the deadline.

use crate::error::Stop;
use crate::forward;
use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::cert::LowerPoint;
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::{fmt_q, Q};
use relucert_core::Deadline;

/// Most directions `d_1, ..., d_k` in a `descent-arc` certificate (the
/// verifier writes one per layer at most).
pub const MAX_ARC_DIRECTIONS: usize = 32;

/// Highest degree `D` of a `descent-arc` certificate's `loss_polynomial`
/// `[c_0, ..., c_D]` (the verifier writes at most depth x directions).
pub const MAX_ARC_DEGREE: usize = 256;

fn trim(mut p: Vec<Q>) -> Vec<Q> {
    while p.last().is_some_and(Zero::is_zero) {
        p.pop();
    }
    p
}

fn padd(a: &[Q], b: &[Q]) -> Vec<Q> {
    let n = a.len().max(b.len());
    let get = |p: &[Q], i: usize| p.get(i).cloned().unwrap_or_else(Q::zero);
    trim((0..n).map(|i| get(a, i) + get(b, i)).collect())
}

fn pscale(a: &[Q], c: &Q) -> Vec<Q> {
    trim(a.iter().map(|x| x * c).collect())
}

/// `a * b` cut after degree `cut`: only the coefficients of degree
/// `<= cut` are formed.
fn pmul(a: &[Q], b: &[Q], cut: usize) -> Vec<Q> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let len = (a.len() + b.len() - 1).min(cut + 1);
    let mut out = vec![Q::zero(); len];
    for (i, x) in a.iter().enumerate().take(len) {
        if x.is_zero() {
            continue;
        }
        for (j, y) in b.iter().enumerate().take(len - i) {
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

/// `descent-arc`: see the module documentation.
pub fn check_arc(
    problem: &Problem,
    theta: &[Q],
    loss: &Q,
    dirs: &[Vec<Q>],
    loss_polynomial: &[Q],
    lower: &LowerPoint,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let fail = |s: String| CheckError::DescentArc(s);
    let n = theta.len();
    if dirs.is_empty() {
        return Err(fail("no direction".to_string()));
    }
    if dirs.len() > MAX_ARC_DIRECTIONS {
        return Err(fail(format!(
            "{} directions exceed the limit MAX_ARC_DIRECTIONS = {MAX_ARC_DIRECTIONS}",
            dirs.len()
        )));
    }
    if loss_polynomial.len() > MAX_ARC_DEGREE + 1 {
        return Err(fail(format!(
            "a loss polynomial of degree {} exceeds the limit MAX_ARC_DEGREE = {MAX_ARC_DEGREE}",
            loss_polynomial.len() - 1
        )));
    }
    if dirs.iter().any(|d| d.len() != n) {
        return Err(fail(format!("every direction needs {n} entries")));
    }
    // Every series cut after the claimed polynomial's degree D: the
    // coefficients of degree <= D stay exact (see `loss_along_arc`).
    let cut = loss_polynomial.len().saturating_sub(1);
    let total =
        loss_along_arc(problem, theta, dirs, cut, deadline).map_err(|e| e.into_error(fail))?;
    let coefficient = |i: usize| total.get(i).cloned().unwrap_or_else(Q::zero);
    if loss_polynomial
        .iter()
        .enumerate()
        .any(|(i, c)| *c != coefficient(i))
    {
        return Err(fail(
            "the loss polynomial differs from the recomputed one".to_string(),
        ));
    }
    if coefficient(0) != *loss {
        return Err(fail(
            "the loss polynomial does not start at the loss".to_string(),
        ));
    }
    match total.iter().skip(1).find(|c| !c.is_zero()) {
        Some(c) if c.is_negative() => {}
        _ => return Err(fail("the loss does not decrease along the arc".to_string())),
    }
    check_lower_point(problem, theta, loss, dirs, lower, deadline).map_err(|e| e.into_error(fail))
}

/// `descent-direction`: the claimed one-sided directional derivative
/// `L'(theta*; d)` is the first-order coefficient of the loss along the ray
/// `theta* + t d` (every polynomial truncated after degree 1, which leaves
/// the coefficients of degree <= 1 exact), and negative; then
/// `L(theta* + t d) = L(theta*) + t L'(theta*; d) + O(t^2)` is below
/// `L(theta*)` for all small `t > 0`.
pub fn check_direction(
    problem: &Problem,
    theta: &[Q],
    loss: &Q,
    dir: &[Q],
    claimed: &Q,
    lower: &LowerPoint,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let fail = |s: String| CheckError::DescentDirection(s);
    let stop = |e: Stop| e.into_error(CheckError::DescentDirection);
    let n = theta.len();
    if dir.len() != n {
        return Err(fail(format!("`dir` needs {n} entries")));
    }
    let dirs = vec![dir.to_vec()];
    let germ1 = loss_along_arc(problem, theta, &dirs, 1, deadline).map_err(stop)?;
    if germ1.first().cloned().unwrap_or_else(Q::zero) != *loss {
        return Err(fail(
            "the loss along the ray does not start at the loss".to_string(),
        ));
    }
    let derivative = germ1.get(1).cloned().unwrap_or_else(Q::zero);
    if *claimed != derivative {
        return Err(fail(format!(
            "the directional derivative is {}, not the claimed {}",
            fmt_q(&derivative),
            fmt_q(claimed)
        )));
    }
    if !derivative.is_negative() {
        return Err(fail(format!(
            "the directional derivative {} is not negative",
            fmt_q(&derivative)
        )));
    }
    check_lower_point(problem, theta, loss, &dirs, lower, deadline).map_err(stop)
}

/// The loss along `theta* + sum_m t^m dirs[m]` for small `t > 0`, as a
/// polynomial in t (lowest degree first), every polynomial cut after degree
/// `cut`. The coefficients of degree `<= cut` are exact: those of a sum or
/// product depend only on the factors' coefficients of degree `<= cut`, and
/// a sign read from a cut polynomial that is zero (whose true sign may be
/// either) only scales or counts a quantity that is `O(t^(cut+1))`, which
/// changes no coefficient of degree `<= cut`; for Crammer-Singer the
/// largest competitor by the cut polynomials differs from the true one by
/// `O(t^(cut+1))` too. Directions `d_m` with `m > cut` are not read.
fn loss_along_arc(
    problem: &Problem,
    point: &[Q],
    dirs: &[Vec<Q>],
    cut: usize,
    deadline: &Deadline,
) -> Result<Vec<Q>, Stop> {
    let arch = &problem.arch;
    let theta: Vec<Vec<Q>> = (0..point.len())
        .map(|i| {
            let mut c = vec![point[i].clone()];
            c.extend(dirs.iter().take(cut).map(|d| d[i].clone()));
            trim(c)
        })
        .collect();
    let one = vec![Q::one()];
    let minus_one = -Q::one();
    let mut total: Vec<Q> = Vec::new();
    for (i, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let mut a: Vec<Vec<Q>> = x.iter().map(|v| trim(vec![v.clone()])).collect();
        for l in 1..=arch.depth() {
            let mut z = Vec::with_capacity(arch.widths[l]);
            for j in 0..arch.widths[l] {
                deadline.check()?;
                let mut acc: Vec<Q> = Vec::new();
                for (k, ak) in a.iter().enumerate() {
                    acc = padd(&acc, &pmul(&theta[arch.weight_index(l, j, k)], ak, cut));
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
                        let s = forward::slope(&arch.activation, germ(&p) >= 0);
                        pscale(&p, &s)
                    })
                    .collect()
            };
        }
        let f = a;
        let mut args: Vec<Vec<Q>> = Vec::new();
        let residual = || {
            let t = problem.data.targets.get(i).cloned().unwrap_or_else(Q::zero);
            padd(&f[0], &trim(vec![-t]))
        };
        match problem.loss {
            LossKind::Absolute => {
                // |r|: r or -r by the sign of its germ (a zero germ is
                // O(t^(cut+1)) and changes no coefficient kept)
                let r = residual();
                total = padd(&total, &pscale(&r, &Q::from_integer(germ(&r).into())));
            }
            LossKind::Squared => {
                let r = residual();
                total = padd(&total, &pmul(&r, &r, cut));
            }
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
                    .ok_or_else(|| {
                        Stop::Fail("no maximal competitor (internal inconsistency)".to_string())
                    })?;
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
    problem: &Problem,
    theta: &[Q],
    loss: &Q,
    dirs: &[Vec<Q>],
    lower: &LowerPoint,
    deadline: &Deadline,
) -> Result<(), Stop> {
    let t = &lower.t;
    if !t.is_positive() {
        return Err(Stop::Fail("lower_point.t must be positive".to_string()));
    }
    let mut at = theta.to_vec();
    let mut tm = Q::one();
    for d in dirs {
        deadline.check()?;
        tm *= t;
        for (o, di) in at.iter_mut().zip(d) {
            *o += di * &tm;
        }
    }
    if lower.params != at {
        return Err(Stop::Fail(
            "lower_point.params is not the arc's point at lower_point.t".to_string(),
        ));
    }
    deadline.check()?;
    let value = forward::loss(problem, &at);
    if value != lower.loss || value >= *loss {
        return Err(Stop::Fail(format!(
            "the loss at t = {} is {}, not the claimed {} below {}",
            fmt_q(t),
            fmt_q(&value),
            fmt_q(&lower.loss),
            fmt_q(loss)
        )));
    }
    Ok(())
}

//! The probe stage: the first-order probe's float proposals, decided exactly.
//!
//! Owns: `quick_descent`, which rounds each direction `probe` proposes to a
//! small integer direction, requires an exact negative one-sided
//! directional derivative and an exactly evaluated lower point (at a step
//! proposed by a float line search, else by `try_arc`'s exact radius), and
//! builds the typed `descent-direction` evidence.
//!
//! Must not: let a float decide: floats only propose directions and steps.

use super::descent::{try_arc, Found};
use crate::arc::Arc;
use crate::network::{Params, PointView, Problem};
use crate::number::{fmt_q, Q};
use crate::probe::Probe;
use num_traits::{Signed, ToPrimitive};
use relucert_core::cert::{Evidence, LowerPoint};
use relucert_core::Deadline;

/// The first-order probe (`probe`): float proposals of descent directions,
/// each rounded to a small integer direction `d` and decided exactly: the
/// one-sided directional derivative `L'(theta*; d)` must be negative, and an
/// explicit step `t` (proposed by a float line search, then evaluated
/// exactly) must lower the loss. If no proposed step is confirmed, the ray
/// goes to `try_arc`, whose exact radius always yields a lower point when
/// `L'(theta*; d) < 0`.
pub(super) fn quick_descent(
    problem: &Problem,
    params: &Params,
    views: &[PointView],
    loss: &Q,
    deadline: &Deadline,
) -> Option<Found> {
    let probe = Probe::new(problem, params, views);
    let flat = params.flat();
    let theta_f: Vec<f64> = flat.iter().map(|q| q.to_f64().unwrap_or(0.0)).collect();
    let nf = problem.data.len() as f64;
    let base = probe.loss_at(&theta_f, &theta_f, 0.0);
    for d in probe.directions(4) {
        if deadline.expired() {
            return None;
        }
        let max = d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if max == 0.0 || !max.is_finite() {
            continue;
        }
        let ints: Vec<i64> = d
            .iter()
            .map(|v| (v * 1024.0 / max).round() as i64)
            .collect();
        let g = ints.iter().fold(0i64, |g, &v| num_integer::gcd(g, v));
        if g == 0 {
            continue;
        }
        let ints: Vec<i64> = ints.iter().map(|v| v / g).collect();
        let dq: Vec<Q> = ints.iter().map(|&v| Q::from_integer(v.into())).collect();
        let dparams = Params::from_flat(&problem.arch, &dq)?;
        let deriv = problem.directional_derivative(params, &dparams);
        if !deriv.is_negative() {
            continue;
        }
        // a float Armijo step proposes t = 2^-k (from a step about as long
        // as the direction's largest entry, 1024, is over 2^8); the exact
        // loss decides
        let df: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
        let slope = deriv.to_f64().unwrap_or(0.0) * nf;
        let mut exact_tries = 0;
        for k in 8..=100u32 {
            if deadline.expired() {
                return None;
            }
            let t = 0.5f64.powi(k as i32);
            if probe.loss_at(&theta_f, &df, t) > base + 0.5 * t * slope {
                continue;
            }
            let tq = Q::new(1.into(), num_bigint::BigInt::from(1u8) << k);
            let at: Vec<Q> = flat
                .iter()
                .zip(&ints)
                .map(|(x, &v)| step_coordinate(x, v, k))
                .collect();
            let lower_params = Params::from_flat(&problem.arch, &at)?;
            let lower = problem.loss(&lower_params);
            if &lower < loss {
                let reason = format!(
                    "first-order descent direction: the one-sided directional derivative of the loss along it is {} < 0; at t = {} the loss is {} < {}",
                    fmt_q(&deriv),
                    fmt_q(&tq),
                    fmt_q(&lower),
                    fmt_q(loss)
                );
                let evidence = Evidence::DescentDirection {
                    dir: dq,
                    derivative: deriv,
                    lower_point: LowerPoint {
                        t: tq,
                        params: at,
                        loss: lower,
                    },
                };
                return Some(Found { evidence, reason });
            }
            exact_tries += 1;
            if exact_tries >= 3 {
                break;
            }
        }
        let arc = Arc {
            point: flat.clone(),
            dirs: vec![dq],
        };
        if deadline.expired() {
            return None;
        }
        if let Some(found) = try_arc(problem, &arc, loss, deadline) {
            return Some(found);
        }
    }
    None
}

/// `x + v 2^-k`, exactly; in `i128` when the numbers fit (the reduction
/// then needs no BigInt gcd), else in rationals.
fn step_coordinate(x: &Q, v: i64, k: u32) -> Q {
    let small = (|| {
        let (a, b) = (x.numer().to_i128()?, x.denom().to_i128()?);
        let p = 1i128.checked_shl(k).filter(|p| *p > 0 && k < 120)?;
        let num = a.checked_mul(p)?.checked_add((v as i128).checked_mul(b)?)?;
        let den = b.checked_mul(p)?;
        let g = num_integer::gcd(num, den);
        Some(Q::new_raw((num / g).into(), (den / g).into()))
    })();
    small.unwrap_or_else(|| x + Q::new(v.into(), num_bigint::BigInt::from(1u8) << k))
}

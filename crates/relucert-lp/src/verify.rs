//! Independent exact check of an LP result and its certificate.
//!
//! Shares nothing with the solver but the model and rational arithmetic: it
//! recomputes every condition from the LP data. Kept small on purpose; the
//! certificate checker relies on it.
//!
//! Conventions (see the module docs of `lp` and `docs/lp.md`):
//! - Optimal: `x` feasible; row multipliers `y` signed (minimise: `>=` rows
//!   `y >= 0`, `<=` rows `y <= 0`; maximise: reversed); the reduced costs
//!   `d = c - A^T y` are absorbed by finite bounds (minimise: `d_j > 0` needs a
//!   lower bound, `d_j < 0` an upper; maximise: reversed); and the dual value
//!   `b . y + sum_j d_j * (bound used) + constant` equals `value = c . x +
//!   constant`.
//! - Infeasible: `y` signed as for minimise, `g = A^T y`; the maximum of
//!   `g . x` over the bounds is finite and `< b . y`. (Crossed bounds
//!   `lower > upper` are infeasible on their own.)
//! - Unbounded: `x` feasible; `r` satisfies `a_i . r (<=, >=, =) 0` as row `i`
//!   does, `r_j >= 0` where a lower bound exists, `r_j <= 0` where an upper
//!   bound exists, and `c . r < 0` (minimise) or `> 0` (maximise).
//!
//! Must not: call the solver, or use floats.

use super::{Cmp, Lp, LpResult, Sense};
use crate::number::{fmt_q, Q};
use num_traits::{Signed, Zero};

fn dot(coeffs: &[(super::VarId, Q)], x: &[Q]) -> Q {
    coeffs.iter().map(|(v, c)| c * &x[v.0]).sum()
}

fn check_len(what: &str, v: &[Q], n: usize) -> Result<(), String> {
    if v.len() != n {
        return Err(format!("{what} has length {}, expected {n}", v.len()));
    }
    Ok(())
}

fn check_model(lp: &Lp) -> Result<(), String> {
    let n = lp.vars.len();
    let bad = lp
        .objective
        .iter()
        .chain(lp.rows.iter().flat_map(|r| r.coeffs.iter()))
        .any(|(v, _)| v.0 >= n);
    if bad {
        return Err("the LP refers to a variable index out of range".into());
    }
    Ok(())
}

/// `x` satisfies every row and bound.
fn check_feasible(lp: &Lp, x: &[Q]) -> Result<(), String> {
    check_len("x", x, lp.vars.len())?;
    for (j, v) in lp.vars.iter().enumerate() {
        if v.lower.as_ref().is_some_and(|l| x[j] < *l)
            || v.upper.as_ref().is_some_and(|u| x[j] > *u)
        {
            return Err(format!("x violates the bounds of variable {}", v.name));
        }
    }
    for r in &lp.rows {
        let s = dot(&r.coeffs, x);
        let ok = match r.cmp {
            Cmp::Le => s <= r.rhs,
            Cmp::Ge => s >= r.rhs,
            Cmp::Eq => s == r.rhs,
        };
        if !ok {
            return Err(format!(
                "x violates row {} (lhs {} vs rhs {})",
                r.name,
                fmt_q(&s),
                fmt_q(&r.rhs)
            ));
        }
    }
    Ok(())
}

/// Row multipliers have the sign their row allows. `flip` reverses the
/// convention (used for maximisation).
fn check_signs(lp: &Lp, y: &[Q], flip: bool, what: &str) -> Result<(), String> {
    check_len(what, y, lp.rows.len())?;
    for (r, yi) in lp.rows.iter().zip(y) {
        let s = if flip { -yi.clone() } else { yi.clone() };
        let ok = match r.cmp {
            Cmp::Ge => !s.is_negative(),
            Cmp::Le => !s.is_positive(),
            Cmp::Eq => true,
        };
        if !ok {
            return Err(format!("{what} of row {} has the wrong sign", r.name));
        }
    }
    Ok(())
}

/// `A^T y` as a dense vector.
fn at_y(lp: &Lp, y: &[Q]) -> Vec<Q> {
    let mut g = vec![Q::zero(); lp.vars.len()];
    for (r, yi) in lp.rows.iter().zip(y) {
        if !yi.is_zero() {
            for (v, c) in &r.coeffs {
                g[v.0] += c * yi;
            }
        }
    }
    g
}

/// Minimum of `d . x` over the bounds, or `None` if unbounded below.
fn min_over_bounds(lp: &Lp, d: &[Q]) -> Option<Q> {
    let mut total = Q::zero();
    for (dj, v) in d.iter().zip(&lp.vars) {
        if dj.is_positive() {
            total += dj * v.lower.as_ref()?;
        } else if dj.is_negative() {
            total += dj * v.upper.as_ref()?;
        }
    }
    Some(total)
}

/// Check `result` exactly against `lp`. `Ok(())` means the result is proven.
pub fn verify(lp: &Lp, result: &LpResult) -> Result<(), String> {
    check_model(lp)?;
    let n = lp.vars.len();
    let mut c = vec![Q::zero(); n];
    for (v, q) in &lp.objective {
        c[v.0] += q;
    }
    let max = lp.sense == Sense::Maximize;
    match result {
        LpResult::Optimal { x, duals, value } => {
            check_feasible(lp, x)?;
            let primal = dot(&lp.objective, x) + &lp.objective_constant;
            if primal != *value {
                return Err(format!(
                    "value {} differs from c.x = {}",
                    fmt_q(value),
                    fmt_q(&primal)
                ));
            }
            check_signs(lp, duals, max, "dual")?;
            let g = at_y(lp, duals);
            // Work with the minimisation of s*c, s = -1 when maximising.
            let s = if max {
                -Q::from_integer(1.into())
            } else {
                Q::from_integer(1.into())
            };
            let d: Vec<Q> = c.iter().zip(&g).map(|(cj, gj)| (cj - gj) * &s).collect();
            let bound_part =
                min_over_bounds(lp, &d).ok_or("reduced costs are not absorbed by finite bounds")?;
            let by: Q = lp.rows.iter().zip(duals).map(|(r, y)| &r.rhs * y).sum();
            let dual_value = by + bound_part * &s + &lp.objective_constant;
            if dual_value != primal {
                return Err(format!(
                    "dual value {} differs from primal value {}",
                    fmt_q(&dual_value),
                    fmt_q(&primal)
                ));
            }
            Ok(())
        }
        LpResult::Infeasible { farkas } => {
            if lp
                .vars
                .iter()
                .any(|v| matches!((&v.lower, &v.upper), (Some(l), Some(u)) if l > u))
            {
                return Ok(());
            }
            check_signs(lp, farkas, false, "Farkas multiplier")?;
            let g = at_y(lp, farkas);
            let neg: Vec<Q> = g.iter().map(|v| -v).collect();
            let max_gx = -min_over_bounds(lp, &neg)
                .ok_or("Farkas combination is unbounded over the bounds")?;
            let by: Q = lp.rows.iter().zip(farkas).map(|(r, y)| &r.rhs * y).sum();
            if max_gx < by {
                Ok(())
            } else {
                Err(format!(
                    "Farkas certificate fails: max (A^T y).x = {} is not below b.y = {}",
                    fmt_q(&max_gx),
                    fmt_q(&by)
                ))
            }
        }
        LpResult::Unbounded { x, ray } => {
            check_feasible(lp, x)?;
            check_len("ray", ray, n)?;
            for (j, v) in lp.vars.iter().enumerate() {
                if (v.lower.is_some() && ray[j].is_negative())
                    || (v.upper.is_some() && ray[j].is_positive())
                {
                    return Err(format!("ray leaves the bounds of variable {}", v.name));
                }
            }
            for r in &lp.rows {
                let s = dot(&r.coeffs, ray);
                let ok = match r.cmp {
                    Cmp::Le => !s.is_positive(),
                    Cmp::Ge => !s.is_negative(),
                    Cmp::Eq => s.is_zero(),
                };
                if !ok {
                    return Err(format!("ray violates row {}", r.name));
                }
            }
            let cr = dot(&lp.objective, ray);
            let improving = if max {
                cr.is_positive()
            } else {
                cr.is_negative()
            };
            if improving {
                Ok(())
            } else {
                Err(format!(
                    "ray does not improve the objective (c.r = {})",
                    fmt_q(&cr)
                ))
            }
        }
    }
}

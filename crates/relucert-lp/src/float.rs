//! The float proposal: hand an f64 copy of an integer-form LP to microlp.
//!
//! Must not: decide. The outcome is a *hint* (a point, or a claimed status)
//! that the exact reconstruction then confirms or rejects. microlp panics
//! are caught and reported as `Error`.

use super::intform::{IntLp, Kind, Origin};
use crate::linalg::{Ring, Stop};
use microlp::{ComparisonOp, OptimizationDirection, Problem};

/// Wall-clock budget of one float solve.
const FLOAT_BUDGET_MS: u64 = 200;

pub(crate) enum FloatOutcome<X = Vec<f64>> {
    Optimal(X),
    Infeasible,
    Unbounded,
    Error,
}

impl FloatOutcome {
    pub(crate) fn map_x<Y>(self, f: impl FnOnce(&[f64]) -> Y) -> FloatOutcome<Y> {
        match self {
            FloatOutcome::Optimal(x) => FloatOutcome::Optimal(f(&x)),
            FloatOutcome::Infeasible => FloatOutcome::Infeasible,
            FloatOutcome::Unbounded => FloatOutcome::Unbounded,
            FloatOutcome::Error => FloatOutcome::Error,
        }
    }
}

fn build<T: Ring>(ilp: &IntLp<T>) -> (Problem, Vec<microlp::Variable>) {
    let n = ilp.n;
    let mut lo = vec![f64::NEG_INFINITY; n];
    let mut hi = vec![f64::INFINITY; n];
    for con in &ilp.cons {
        let j = match con.origin {
            Origin::Lower(j) | Origin::Upper(j) => j,
            _ => continue,
        };
        let v = con.rhs.to_f64() / con.coef[j].to_f64();
        match con.kind {
            Kind::Ge => lo[j] = lo[j].max(v),
            Kind::Le => hi[j] = hi[j].min(v),
            Kind::Eq => {
                lo[j] = v;
                hi[j] = v;
            }
        }
    }
    // Scale the objective so that its largest coefficient is 1.
    let cmax = ilp.c.iter().map(|c| c.to_f64().abs()).fold(0.0, f64::max);
    let cs = if cmax > 0.0 { 1.0 / cmax } else { 1.0 };
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<_> = (0..n)
        .map(|j| p.add_var(ilp.c[j].to_f64() * cs, (lo[j], hi[j].max(lo[j]))))
        .collect();
    for con in &ilp.cons {
        if matches!(con.origin, Origin::Lower(_) | Origin::Upper(_)) {
            continue;
        }
        let coefs: Vec<f64> = con.coef.iter().map(Ring::to_f64).collect();
        let amax = coefs.iter().map(|a| a.abs()).fold(0.0, f64::max);
        let s = if amax > 0.0 { 1.0 / amax } else { 1.0 };
        let expr: Vec<(microlp::Variable, f64)> = coefs
            .iter()
            .enumerate()
            .filter(|(_, a)| **a != 0.0)
            .map(|(j, a)| (vars[j], a * s))
            .collect();
        let op = match con.kind {
            Kind::Ge => ComparisonOp::Ge,
            Kind::Le => ComparisonOp::Le,
            Kind::Eq => ComparisonOp::Eq,
        };
        p.add_constraint(expr, op, con.rhs.to_f64() * s);
    }
    (p, vars)
}

/// Solve the float copy of `ilp` (a minimisation) within the float budget,
/// capped by what is left of `stop`'s deadline (`Error` once it passed).
pub(crate) fn solve_float<T: Ring>(ilp: &IntLp<T>, stop: &Stop<'_>) -> FloatOutcome {
    if stop.over() {
        return FloatOutcome::Error;
    }
    let mut budget = std::time::Duration::from_millis(FLOAT_BUDGET_MS);
    if let Some(left) = stop.remaining() {
        budget = budget.min(left);
    }
    let run = || {
        let (mut p, vars) = build(ilp);
        // microlp can cycle on very degenerate LPs; a wall-clock budget
        // turns that into an `Error` (and an exact fallback).
        p.set_time_limit(budget);
        match p.solve() {
            Ok(out) => match out.solution() {
                Some(sol) => {
                    let x: Vec<f64> = (0..ilp.n).map(|j| sol.var_value_raw(vars[j])).collect();
                    if x.iter().all(|v| v.is_finite()) {
                        FloatOutcome::Optimal(x)
                    } else {
                        FloatOutcome::Error
                    }
                }
                None => FloatOutcome::Error,
            },
            Err(microlp::Error::Infeasible) => FloatOutcome::Infeasible,
            Err(microlp::Error::Unbounded) => FloatOutcome::Unbounded,
            Err(_) => FloatOutcome::Error,
        }
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or(FloatOutcome::Error)
}

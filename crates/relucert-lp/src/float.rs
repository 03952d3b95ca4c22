//! The float proposal: run our own float simplex ([`crate::fsimplex`]) on an
//! f64 copy of an integer-form LP, within a deterministic step budget.
//!
//! Must not: decide. The outcome is a *hint* (a point, an active set, or a
//! claimed status) that the exact reconstruction then confirms or rejects.
//! No wall clock decides the path: the same LP gives the same proposal on
//! every run; `stop` (a `--timeout`) can only turn it into `Error`.

use super::fsimplex::{self, Status};
use super::intform::IntLp;
use crate::linalg::{Ring, Stop};

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

/// Solve the float copy of `ilp` (a minimisation): `Error` on numerical
/// trouble, once the step budget ([`fsimplex::step_budget`]) is spent, or
/// once `stop`'s deadline passed.
pub(crate) fn solve_float<T: Ring>(ilp: &IntLp<T>, stop: &Stop<'_>) -> FloatOutcome {
    solve_float_basis(ilp, stop).0
}

/// [`solve_float`] with the final basis: for `Optimal`, the indices into
/// `ilp.cons` of the constraints nonbasic at a bound at the final vertex
/// (its active set; `ilp.n` of them when no free variable stays nonbasic),
/// ascending; for `Infeasible`, the same for the final phase-1 basis; empty
/// otherwise.
pub(crate) fn solve_float_basis<T: Ring>(
    ilp: &IntLp<T>,
    stop: &Stop<'_>,
) -> (FloatOutcome, Vec<usize>) {
    let p = solve_float_point(ilp, stop);
    (p.outcome, p.active)
}

/// What [`solve_float_point`] returns.
pub(crate) struct FloatPoint {
    /// The claimed status (and optimum).
    pub outcome: FloatOutcome,
    /// The final basis's nonbasic constraints (see [`solve_float_basis`]).
    pub active: Vec<usize>,
    /// The final point (for `Infeasible`, the phase-1 point).
    pub point: Vec<f64>,
    /// For `Infeasible`: the violated constraints with their Farkas signs.
    pub violated: Vec<(usize, i8)>,
}

/// [`solve_float_basis`] with the final point as well (for `Infeasible`,
/// the phase-1 point; empty for `Unbounded` and `Error`) and, for
/// `Infeasible`, the violated constraints with their Farkas signs.
pub(crate) fn solve_float_point<T: Ring>(ilp: &IntLp<T>, stop: &Stop<'_>) -> FloatPoint {
    let run = fsimplex::solve(ilp, stop);
    let out = match run.status {
        Status::Optimal(x) => FloatOutcome::Optimal(x),
        Status::Infeasible => FloatOutcome::Infeasible,
        Status::Unbounded => FloatOutcome::Unbounded,
        Status::Error => FloatOutcome::Error,
    };
    FloatPoint {
        outcome: out,
        active: run.active,
        point: run.point,
        violated: run.violated,
    }
}

//! relucert-lp: exact linear programming with certificates.
//!
//! Build a linear program with rational data ([`Lp`]), [`solve`] it, and get
//! an exact answer ([`LpResult`]: optimal, infeasible or unbounded) together
//! with a certificate that [`check_result`] re-checks from the LP data alone,
//! without solving anything. A reader for a subset of the CPLEX LP text
//! format is in [`parse`]; fraction-free (Bareiss) linear algebra on
//! rational matrices is in [`linalg`]; the rational type `Q` and its exact
//! text form are in [`number`].
//!
//! Owns: the model ([`Lp`]), the result type ([`LpResult`]), the solve
//! pipeline ([`solve`]: float proposal, exact reconstruction, exact simplex
//! fallback), the standalone checker ([`check_result`]) and the CPLEX LP
//! reader ([`parse`]).
//!
//! Must not: decide anything with a float, or depend on any other relucert
//! crate. The float solver (our own f64 simplex) only proposes a point; every status,
//! value and certificate returned here has been established with exact
//! integer / rational arithmetic. A wrong or failed float answer costs time
//! (a fallback to the exact simplex), never correctness.
//!
//! # Example
//!
//! ```
//! use relucert_lp::number::{fmt_q, qi};
//! use relucert_lp::{check_result, solve, Cmp, Lp, LpResult, Sense};
//!
//! // maximise 3x + 2y  s.t.  x + y <= 4,  x + 3y <= 6,  0 <= x <= 3,  y >= 0
//! let mut lp = Lp::new(Sense::Maximize);
//! let x = lp.add_var(Some(qi(0)), Some(qi(3)));
//! let y = lp.add_var(Some(qi(0)), None);
//! lp.add_row(vec![(x, qi(1)), (y, qi(1))], Cmp::Le, qi(4));
//! lp.add_row(vec![(x, qi(1)), (y, qi(3))], Cmp::Le, qi(6));
//! lp.set_objective(vec![(x, qi(3)), (y, qi(2))]);
//!
//! let result = solve(&lp);
//! check_result(&lp, &result).expect("the certificate checks");
//! let LpResult::Optimal { x: point, duals, value } = result else {
//!     panic!("expected an optimum");
//! };
//! assert_eq!(fmt_q(&value), "11");
//! assert_eq!(point, vec![qi(3), qi(1)]);
//! assert_eq!(duals, vec![qi(2), qi(0)]);
//! ```
//!
//! # Certificate conventions
//!
//! Vectors are indexed like [`Lp::vars`] (`x`, `ray`) or [`Lp::rows`]
//! (`duals`, `farkas`).
//! - `Optimal { x, duals, value }`: `duals[i]` is the multiplier of row `i`,
//!   signed as the sensitivity of the optimal value to the row's right-hand
//!   side (minimise: `>=` rows have `y >= 0`, `<=` rows `y <= 0`; maximise:
//!   the opposite). Bound multipliers are implicit: the reduced costs
//!   `c - A^T y` must be absorbable by finite bounds, and the dual objective
//!   equals `value`.
//! - `Infeasible { farkas }`: `y` with `y >= 0` on `>=` rows, `y <= 0` on
//!   `<=` rows, free on `=` rows, such that the largest value of
//!   `(A^T y) . x` over the variable bounds is finite and `< b . y`.
//! - `Unbounded { x, ray }`: `x` is feasible; `ray` satisfies the homogeneous
//!   rows and bounds and strictly improves the objective.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod dixon;
mod farkas;
mod fast;
mod float;
mod fsimplex;
mod intform;
pub mod intops;
pub mod linalg;
pub mod number;
pub mod parse;
mod simplex;

/// The README's example, compiled and run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use crate::number::Q;
use num_traits::Zero;

pub use check::{check_result, CheckError};
pub use relucert_deadline::{Deadline, Expired};

/// Direction of optimisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// Minimise the objective.
    Minimize,
    /// Maximise the objective.
    Maximize,
}

/// Comparison of a row: `a . x  (<= | >= | =)  b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `a . x <= b`.
    Le,
    /// `a . x >= b`.
    Ge,
    /// `a . x = b`.
    Eq,
}

/// Index of a variable in its [`Lp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VarId(pub usize);

/// A variable: name and optional bounds (`None` = infinite).
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    /// The name (used in messages and by the CPLEX reader).
    pub name: String,
    /// Lower bound; `None` is `-inf`.
    pub lower: Option<Q>,
    /// Upper bound; `None` is `+inf`.
    pub upper: Option<Q>,
}

/// A constraint row `sum coeffs . x  cmp  rhs`. Coefficients are merged per
/// variable and zero coefficients dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The name (used in messages and by the CPLEX reader).
    pub name: String,
    /// Sparse coefficients, one entry per variable, no zeros.
    pub coeffs: Vec<(VarId, Q)>,
    /// The comparison.
    pub cmp: Cmp,
    /// The right-hand side.
    pub rhs: Q,
}

/// A linear program with rational data.
#[derive(Clone, Debug, PartialEq)]
pub struct Lp {
    /// Minimise or maximise.
    pub sense: Sense,
    /// The variables, indexed by [`VarId`].
    pub vars: Vec<Var>,
    /// The constraint rows; results index multipliers in this order.
    pub rows: Vec<Row>,
    /// Objective coefficients, merged per variable.
    pub objective: Vec<(VarId, Q)>,
    /// Constant added to the objective value.
    pub objective_constant: Q,
}

/// An exact answer with its certificate. Vectors are indexed like
/// `Lp::vars` (`x`, `ray`) or `Lp::rows` (`duals`, `farkas`).
#[derive(Clone, Debug, PartialEq)]
pub enum LpResult {
    /// An optimal point with its dual certificate.
    Optimal {
        /// The optimal point, one value per variable.
        x: Vec<Q>,
        /// Row multipliers proving optimality (see the crate docs for signs).
        duals: Vec<Q>,
        /// The optimal value `c . x + objective_constant`.
        value: Q,
    },
    /// No feasible point exists.
    Infeasible {
        /// Farkas row multipliers proving infeasibility.
        farkas: Vec<Q>,
    },
    /// The objective is unbounded.
    Unbounded {
        /// A feasible point.
        x: Vec<Q>,
        /// A ray along which every point stays feasible and the objective
        /// strictly improves.
        ray: Vec<Q>,
    },
}

impl LpResult {
    /// `"optimal"`, `"infeasible"` or `"unbounded"`.
    pub fn status(&self) -> &'static str {
        match self {
            LpResult::Optimal { .. } => "optimal",
            LpResult::Infeasible { .. } => "infeasible",
            LpResult::Unbounded { .. } => "unbounded",
        }
    }
}

/// Counters of how answers were obtained; accumulate over many solves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LpStats {
    /// Calls to [`solve_with_stats`].
    pub solves: u64,
    /// Answers established from the float proposal (exact reconstruction).
    pub fast_path: u64,
    /// Answers that needed the exact simplex.
    pub fallbacks: u64,
    /// Fallbacks that could warm-start from the proposed basis.
    pub warm_starts: u64,
    /// Float solver errors or panics (always followed by a fallback).
    pub float_errors: u64,
}

impl LpStats {
    /// Fraction of solves that needed the exact simplex.
    pub fn fallback_rate(&self) -> f64 {
        if self.solves == 0 {
            0.0
        } else {
            self.fallbacks as f64 / self.solves as f64
        }
    }
}

/// Merge coefficients per variable, in order of first appearance, dropping
/// zeros; linear time (a map from variable to slot), so that one row of
/// 100,000 terms is read as fast as 100,000 rows of one.
fn merge(coeffs: Vec<(VarId, Q)>) -> Vec<(VarId, Q)> {
    let mut out: Vec<(VarId, Q)> = Vec::with_capacity(coeffs.len());
    let mut slot_of: std::collections::HashMap<VarId, usize> =
        std::collections::HashMap::with_capacity(coeffs.len());
    for (v, c) in coeffs {
        if let Some(&k) = slot_of.get(&v) {
            out[k].1 += c;
        } else {
            slot_of.insert(v, out.len());
            out.push((v, c));
        }
    }
    out.retain(|(_, c)| !c.is_zero());
    out
}

impl Lp {
    /// An empty LP.
    pub fn new(sense: Sense) -> Self {
        Lp {
            sense,
            vars: Vec::new(),
            rows: Vec::new(),
            objective: Vec::new(),
            objective_constant: Q::zero(),
        }
    }

    /// Add a variable with optional bounds (`None` = unbounded on that side),
    /// named `x<index>`.
    pub fn add_var(&mut self, lower: Option<Q>, upper: Option<Q>) -> VarId {
        let name = format!("x{}", self.vars.len());
        self.add_named_var(name, lower, upper)
    }

    /// Add a named variable with optional bounds.
    pub fn add_named_var(
        &mut self,
        name: impl Into<String>,
        lower: Option<Q>,
        upper: Option<Q>,
    ) -> VarId {
        self.vars.push(Var {
            name: name.into(),
            lower,
            upper,
        });
        VarId(self.vars.len() - 1)
    }

    /// Add a row named `r<index>`; returns its index.
    pub fn add_row(&mut self, coeffs: Vec<(VarId, Q)>, cmp: Cmp, rhs: Q) -> usize {
        let name = format!("r{}", self.rows.len());
        self.add_named_row(name, coeffs, cmp, rhs)
    }

    /// Add a named row; returns its index.
    pub fn add_named_row(
        &mut self,
        name: impl Into<String>,
        coeffs: Vec<(VarId, Q)>,
        cmp: Cmp,
        rhs: Q,
    ) -> usize {
        self.rows.push(Row {
            name: name.into(),
            coeffs: merge(coeffs),
            cmp,
            rhs,
        });
        self.rows.len() - 1
    }

    /// Set the objective (coefficients are merged per variable).
    pub fn set_objective(&mut self, coeffs: Vec<(VarId, Q)>) {
        self.objective = merge(coeffs);
    }

    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.vars.len()
    }

    /// Dense objective vector.
    pub fn objective_dense(&self) -> Vec<Q> {
        let mut c = vec![Q::zero(); self.vars.len()];
        for (v, q) in &self.objective {
            if let Some(slot) = c.get_mut(v.0) {
                *slot += q;
            }
        }
        c
    }

    /// Dense coefficient vector of row `i`.
    pub fn row_dense(&self, i: usize) -> Vec<Q> {
        let mut a = vec![Q::zero(); self.vars.len()];
        for (v, q) in &self.rows[i].coeffs {
            if let Some(slot) = a.get_mut(v.0) {
                *slot += q;
            }
        }
        a
    }

    /// Some variable has `lower > upper`.
    pub fn has_crossed_bounds(&self) -> bool {
        self.vars
            .iter()
            .any(|v| matches!((&v.lower, &v.upper), (Some(l), Some(u)) if l > u))
    }

    /// Some variable index in a row or the objective is out of range.
    fn has_bad_var(&self) -> bool {
        let n = self.vars.len();
        self.objective.iter().any(|(v, _)| v.0 >= n)
            || self
                .rows
                .iter()
                .any(|r| r.coeffs.iter().any(|(v, _)| v.0 >= n))
    }
}

/// A copy without out-of-range variable references, if there are any.
fn sanitize(lp: &Lp) -> Option<Lp> {
    if !lp.has_bad_var() {
        return None;
    }
    let mut l = lp.clone();
    let n = l.vars.len();
    l.objective.retain(|(v, _)| v.0 < n);
    for r in &mut l.rows {
        r.coeffs.retain(|(v, _)| v.0 < n);
    }
    Some(l)
}

/// Solve exactly. See [`solve_with_stats`].
pub fn solve(lp: &Lp) -> LpResult {
    solve_with_stats(lp, &mut LpStats::default())
}

/// Kept for compatibility; does nothing now. The float solver used to be
/// microlp, which could panic on hard inputs, and this hid its panic
/// messages. The float proposal is now our own simplex (no panics, a step
/// budget instead of a clock), so there is nothing to silence; callers may
/// keep calling it (idempotent, no effect on the panic hook).
pub fn silence_float_solver_panics() {}

/// [`solve`], stopped with [`Expired`] once `deadline` passes. The deadline
/// is read before each stage, between simplex pivots, per row inside every
/// fraction-free pivot and elimination (so one pivot on huge integers cannot
/// overrun it by much), and between the float simplex's pivots (whose
/// number is bounded by a step budget, not a clock). The answer, when one
/// comes, is the one [`solve`] gives for the same LP: the deadline decides
/// only whether an answer comes, never which path is taken.
pub fn solve_within(lp: &Lp, deadline: &Deadline) -> Result<LpResult, Expired> {
    solve_with_stats_within(lp, &mut LpStats::default(), deadline)
}

/// [`solve_with_stats`] under a deadline, as [`solve_within`].
pub fn solve_with_stats_within(
    lp: &Lp,
    stats: &mut LpStats,
    deadline: &Deadline,
) -> Result<LpResult, Expired> {
    deadline.check()?;
    let stop = linalg::Stop::at(deadline);
    solve_stop(lp, stats, &stop).ok_or(Expired)
}

/// Solve exactly, accumulating how the answer was obtained in `stats`.
///
/// Pipeline (docs/lp.md): (1) our float simplex solves an f64 copy within a
/// step budget; (2) from its final active set a basis is chosen exactly and
/// the basis systems solved exactly (fraction-free elimination when small,
/// p-adic lifting otherwise); (3) primal and dual feasibility are checked
/// exactly, and a float "infeasible" becomes a Farkas certificate read off
/// the phase-1 basis and checked; (4) on any failure the exact simplex
/// decides, warm-started from the proposed basis when that basis is primal
/// feasible.
///
/// Variable indices out of range are treated as absent (their coefficients
/// are ignored); use the builder methods to avoid them.
pub fn solve_with_stats(lp: &Lp, stats: &mut LpStats) -> LpResult {
    let stop = linalg::Stop::never();
    solve_stop(lp, stats, &stop).unwrap_or_else(|| {
        // Unreachable: only a deadline makes the pipeline give up, and there
        // is none here. Answer with the cold exact simplex all the same.
        solve_exact_simplex(lp)
    })
}

/// The pipeline; `None` only once `stop`'s deadline has passed.
fn solve_stop(lp: &Lp, stats: &mut LpStats, stop: &linalg::Stop<'_>) -> Option<LpResult> {
    stats.solves += 1;
    if lp.has_crossed_bounds() {
        stats.fast_path += 1;
        return Some(LpResult::Infeasible {
            farkas: vec![Q::zero(); lp.rows.len()],
        });
    }
    let sanitized = sanitize(lp);
    let lp = sanitized.as_ref().unwrap_or(lp);
    match fast::try_fast(lp, stats, stop) {
        Ok(res) => {
            stats.fast_path += 1;
            Some(res)
        }
        Err(_) if stop.over() => None,
        Err(warm) => {
            stats.fallbacks += 1;
            let (res, warmed) = simplex::solve_simplex(lp, warm.as_deref(), stop)?;
            if warmed {
                stats.warm_starts += 1;
            }
            Some(res)
        }
    }
}

/// Solve with the exact simplex only (cold start, no float involved).
pub fn solve_exact_simplex(lp: &Lp) -> LpResult {
    if lp.has_crossed_bounds() {
        return LpResult::Infeasible {
            farkas: vec![Q::zero(); lp.rows.len()],
        };
    }
    let sanitized = sanitize(lp);
    let never = linalg::Stop::never();
    match simplex::solve_simplex(sanitized.as_ref().unwrap_or(lp), None, &never) {
        Some((res, _)) => res,
        // Unreachable without a deadline; an empty Farkas vector never
        // passes `check_result`, so it could not be mistaken for an answer.
        None => LpResult::Infeasible {
            farkas: vec![Q::zero(); lp.rows.len()],
        },
    }
}

/// Solve the float relaxation only (the float simplex); for benchmarks and
/// diagnostics. Returns the float status name and objective, never used to
/// decide anything.
pub fn solve_float_only(lp: &Lp) -> (&'static str, Option<f64>) {
    let sanitized = sanitize(lp);
    let lp = sanitized.as_ref().unwrap_or(lp);
    use crate::linalg::Ring;
    fn dot<T: Ring>(c: &[T], x: &[f64]) -> f64 {
        c.iter().zip(x).map(|(c, x)| c.to_f64() * x).sum()
    }
    let never = linalg::Stop::never();
    let out = match intform::AnyIntLp::from_lp_until(lp, &never) {
        Some(intform::AnyIntLp::Small(ilp)) => {
            float::solve_float(&ilp, &never).map_x(|x| dot(&ilp.c, x))
        }
        Some(intform::AnyIntLp::Big(ilp)) => {
            float::solve_float(&ilp, &never).map_x(|x| dot(&ilp.c, x))
        }
        None => float::FloatOutcome::Error,
    };
    match out {
        float::FloatOutcome::Optimal(v) => ("optimal", Some(v)),
        float::FloatOutcome::Infeasible => ("infeasible", None),
        float::FloatOutcome::Unbounded => ("unbounded", None),
        float::FloatOutcome::Error => ("error", None),
    }
}

/// Value of the objective at `x` (including the constant).
pub fn objective_value(lp: &Lp, x: &[Q]) -> Q {
    // Over one common denominator: no gcd per term (see `intops`).
    let terms: Vec<(VarId, Q)> = lp
        .objective
        .iter()
        .filter(|(j, _)| j.0 < x.len())
        .cloned()
        .collect();
    let common = intops::Common::of(x);
    intops::dot_common(&terms, &common)
        .add(&intops::Frac::of(&lp.objective_constant))
        .to_q()
}

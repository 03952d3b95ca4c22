//! The landscape theorems of the source paper as executable predicates.
//!
//! Owns: evaluating, at one instance and the verifier's verdict on it, the
//! predicates of THEORY section 6, each with its hypotheses checked exactly
//! (depth, activation and loss read from the instance; separability decided
//! by an exact LP, with a witness classifier or a Farkas certificate):
//! - P1 flat interior minima: a local minimum with no zero in the
//!   signature has a constant cell polynomial phi_S (any loss whose pieces
//!   are multilinear: the hinge losses and absolute; not squared);
//! - P2 .. P4 are hinge-only: not applicable to the regression losses.
//! - P2 deep linear networks, binary hinge: a local minimum is global, i.e.
//!   its loss equals the LP optimum over linear/affine classifiers;
//! - P3a one hidden layer, leaky ReLU, separable data, binary hinge: a
//!   local minimum with loss > 0 has every outgoing weight 0 (constant
//!   output; otherwise moving a unit's incoming weights along a separator
//!   raises every margin), with or without an output bias;
//! - P3b the same without an output bias: a local minimum has loss 0 (with
//!   an output bias positive-loss minima with constant output exist, THEORY
//!   section 6, and P3b is not applicable);
//! - P4 one hidden layer, ReLU, separable data, binary hinge: at a local
//!   minimum every positive-loss point is, for every unit with a nonzero
//!   outgoing weight, dead (z < 0) or on a kink pointing the wrong way
//!   (z = 0 and v_j y_i < 0);
//! - P4-closed-form (a conjecture under test, not a theorem; never asserted
//!   by the tests): at a sub-optimal local minimum of P4's setting the dead
//!   points D+ and D- (output exactly the output bias: no unit with a
//!   nonzero outgoing weight has a positive pre-activation; any loss) give
//!   L = 2 min(|D+|, |D-|) / N with an output bias (both nonempty) and
//!   L = |D| / N without one.
//!
//! Each predicate's result is a `PredicateOutcome` (holds, violated, or
//! not applicable, with its evidence); a predicate whose hypotheses fail, or
//! whose premise ("is a local minimum") the verdict does not establish, is
//! `NotApplicable` with the reason. Errors are typed: `SeparabilityError`,
//! `EvaluateError`. Must not: weaken a predicate to make it hold, or treat an
//! undecided verdict as a minimum.

use crate::cellpoly::loss_poly;
use crate::instance::Instance;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{Activation, LossKind, Params, Problem, Sign};
use crate::number::{fmt_q, Q};
use crate::verify::{
    linear_lower_bound, linear_regression_bound, Outcome as VerifyOutcome, Verdict,
};
use num_traits::{One, Signed, Zero};
use std::fmt;

/// The outcome of one predicate at one instance, with its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PredicateOutcome {
    /// The hypotheses hold and so does the conclusion (the evidence says why).
    Holds(String),
    /// The hypotheses hold and the conclusion fails (the evidence says how).
    Violated(String),
    /// A hypothesis fails, or the verdict does not establish the premise
    /// (the reason).
    NotApplicable(String),
}

impl PredicateOutcome {
    /// `holds`, `violated` or `not-applicable` (the text and JSON name).
    pub fn name(&self) -> &'static str {
        match self {
            PredicateOutcome::Holds(_) => "holds",
            PredicateOutcome::Violated(_) => "violated",
            PredicateOutcome::NotApplicable(_) => "not-applicable",
        }
    }

    /// The evidence or reason carried by the outcome.
    pub fn evidence(&self) -> &str {
        match self {
            PredicateOutcome::Holds(e)
            | PredicateOutcome::Violated(e)
            | PredicateOutcome::NotApplicable(e) => e,
        }
    }
}

/// One predicate's name, whether it is a theorem (as opposed to a
/// conjecture under test), and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The predicate's name, e.g. `P1-flat-interior-minima`.
    pub predicate: &'static str,
    /// True for a theorem of the paper, false for a conjecture under test.
    pub theorem: bool,
    /// The predicate's outcome at the instance.
    pub outcome: PredicateOutcome,
}

/// Why `separable` gave no separating map: the data are not separable
/// (decided, with a checked Farkas certificate), or an internal check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeparabilityError {
    /// The LP is infeasible: the data are not affinely (`affine`) or
    /// linearly separable; its Farkas certificate was checked exactly.
    NotSeparable {
        /// Whether separators had an offset (affine) or not (linear).
        affine: bool,
    },
    /// Internal: the LP engine's answer failed its exact check (the check's
    /// message).
    Certificate(String),
    /// Internal: the LP's witness does not separate the data exactly.
    WitnessFails,
    /// Internal: a feasibility LP reported unbounded.
    Unbounded,
}

impl fmt::Display for SeparabilityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeparabilityError::NotSeparable { affine } => write!(
                f,
                "the data are not {} separable (the LP y_i (u.x_i{}) >= 1 is infeasible, Farkas certificate checked)",
                if *affine { "affinely" } else { "linearly" },
                if *affine { " + c" } else { "" }
            ),
            SeparabilityError::Certificate(e) => write!(
                f,
                "internal error: separability LP certificate failed: {e}"
            ),
            SeparabilityError::WitnessFails => {
                write!(f, "internal error: separating witness fails")
            }
            SeparabilityError::Unbounded => {
                write!(f, "internal error: a feasibility LP reported unbounded")
            }
        }
    }
}

impl std::error::Error for SeparabilityError {}

/// Why `evaluate` could not evaluate the predicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvaluateError {
    /// The instance has no `[point]` to evaluate the predicates at.
    MissingPoint,
}

impl fmt::Display for EvaluateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvaluateError::MissingPoint => {
                write!(f, "point: missing table: theorems need a [point]")
            }
        }
    }
}

impl std::error::Error for EvaluateError {}

/// Separability of the data by an affine (or, with `affine = false`,
/// linear) map, decided by an exact LP: `Ok((u, c))` with
/// `y_i (u . x_i + c) >= 1` for all i (checked exactly), or
/// `Err(SeparabilityError::NotSeparable)` when the LP is infeasible (its
/// Farkas certificate checked by `lp::check_result`); the other errors are
/// internal failures of an exact check.
pub fn separable(problem: &Problem, affine: bool) -> Result<(Vec<Q>, Q), SeparabilityError> {
    let d = problem.arch.input_dim();
    let mut model = lp::Lp::new(Sense::Minimize);
    let u: Vec<lp::VarId> = (0..d).map(|_| model.add_var(None, None)).collect();
    let c = affine.then(|| model.add_var(None, None));
    for (x, &y) in problem.data.x.iter().zip(&problem.data.y) {
        let yq = Q::from_integer(y.into());
        let mut row: Vec<(lp::VarId, Q)> = u.iter().zip(x).map(|(v, xi)| (*v, &yq * xi)).collect();
        if let Some(c) = c {
            row.push((c, yq.clone()));
        }
        model.add_row(row, Cmp::Ge, Q::one());
    }
    model.set_objective(Vec::new());
    let result = lp::solve(&model);
    lp::check_result(&model, &result).map_err(|e| SeparabilityError::Certificate(e.to_string()))?;
    match result {
        LpResult::Optimal { x, .. } => {
            let uv: Vec<Q> = u.iter().map(|v| x[v.0].clone()).collect();
            let cv = c.map_or_else(Q::zero, |v| x[v.0].clone());
            for (xi, &y) in problem.data.x.iter().zip(&problem.data.y) {
                let m = Q::from_integer(y.into())
                    * (uv.iter().zip(xi).fold(Q::zero(), |a, (p, q)| a + p * q) + &cv);
                if m < Q::one() {
                    return Err(SeparabilityError::WitnessFails);
                }
            }
            Ok((uv, cv))
        }
        LpResult::Infeasible { .. } => Err(SeparabilityError::NotSeparable { affine }),
        LpResult::Unbounded { .. } => Err(SeparabilityError::Unbounded),
    }
}

fn is_min(v: &VerifyOutcome) -> bool {
    matches!(v.verdict, Verdict::LocalMin | Verdict::GlobalMin)
}

fn not_min_reason(v: &VerifyOutcome) -> String {
    format!(
        "the verdict is {}, not a proven local minimum",
        v.verdict.name()
    )
}

/// Evaluate every predicate at `inst` (which must have a point) given the
/// verifier's outcome on it.
pub fn evaluate(inst: &Instance, verdict: &VerifyOutcome) -> Result<Vec<Report>, EvaluateError> {
    let params = inst.point.as_ref().ok_or(EvaluateError::MissingPoint)?;
    let problem = &inst.problem;
    Ok(vec![
        Report {
            predicate: "P1-flat-interior-minima",
            theorem: true,
            outcome: p1(problem, params, verdict),
        },
        Report {
            predicate: "P2-deep-linear-local-is-global",
            theorem: true,
            outcome: p2(problem, verdict),
        },
        Report {
            predicate: "P3a-leaky-separable-constant-output",
            theorem: true,
            outcome: p3a(problem, params, verdict),
        },
        Report {
            predicate: "P3b-leaky-separable-no-bias-zero-loss",
            theorem: true,
            outcome: p3b(problem, verdict),
        },
        Report {
            predicate: "P4-relu-separable-dead-points",
            theorem: true,
            outcome: p4(problem, params, verdict),
        },
        Report {
            predicate: "P4-closed-form-loss",
            theorem: false,
            outcome: p4_closed_form(problem, params, verdict),
        },
    ])
}

/// Why a hinge-only hypothesis fails for a regression loss.
const REGRESSION_HINGE_ONLY: &str =
    "a regression loss: the hypothesis is the binary hinge loss (hinge-only)";

fn p1(problem: &Problem, params: &Params, v: &VerifyOutcome) -> PredicateOutcome {
    // P1 rests on phi_S being multilinear (hence harmonic). The absolute
    // loss's pieces are +-(f - t) summed: multilinear, so P1 applies; the
    // squared loss's pieces have degree 2 per layer, and interior minima
    // need not be flat (THEORY section 10).
    if problem.loss == LossKind::Squared {
        return PredicateOutcome::NotApplicable(
            "the squared loss: phi_S is not multilinear (degree 2 in each layer), and interior minima need not be flat"
                .to_string(),
        );
    }
    if !is_min(v) {
        return PredicateOutcome::NotApplicable(not_min_reason(v));
    }
    let sig = problem.signature(params);
    let zeros = sig.zero_entries();
    if !zeros.is_empty() {
        return PredicateOutcome::NotApplicable(format!(
            "the signature has {} zero entries (a cell boundary)",
            zeros.len()
        ));
    }
    let Some(pattern) = sig.pattern() else {
        return PredicateOutcome::NotApplicable("no cell pattern".to_string());
    };
    let phi = loss_poly(problem, &pattern);
    if phi.is_constant() {
        PredicateOutcome::Holds(format!(
            "phi_S is the constant {}",
            fmt_q(&phi.constant_term())
        ))
    } else {
        PredicateOutcome::Violated(format!(
            "phi_S has {} terms, degree {}: not constant at a local minimum inside a cell",
            phi.len(),
            phi.total_degree()
        ))
    }
}

fn p2(problem: &Problem, v: &VerifyOutcome) -> PredicateOutcome {
    let arch = &problem.arch;
    if arch.activation != Activation::Linear || arch.hidden_layers() == 0 {
        return PredicateOutcome::NotApplicable("not a deep linear network".to_string());
    }
    if problem.loss == LossKind::Squared {
        return p2_squared(problem, v);
    }
    if problem.loss.is_regression() {
        return PredicateOutcome::NotApplicable(
            "the absolute loss: the deep linear result used here is for the binary hinge and for convex differentiable losses"
                .to_string(),
        );
    }
    if problem.loss != LossKind::Hinge {
        return PredicateOutcome::NotApplicable(
            "multiclass losses: the LP bound over linear classifiers is not implemented"
                .to_string(),
        );
    }
    if !is_min(v) {
        return PredicateOutcome::NotApplicable(not_min_reason(v));
    }
    match linear_lower_bound(problem) {
        None => PredicateOutcome::NotApplicable(
            "internal: the LP bound could not be computed".to_string(),
        ),
        Some(b) if b.value == v.loss => PredicateOutcome::Holds(format!(
            "loss {} equals the LP optimum over {} classifiers",
            fmt_q(&v.loss),
            if b.affine { "affine" } else { "linear" }
        )),
        Some(b) => PredicateOutcome::Violated(format!(
            "a local minimum with loss {} above the LP optimum {}",
            fmt_q(&v.loss),
            fmt_q(&b.value)
        )),
    }
}

/// P2 for the squared loss: deep linear networks with a convex
/// differentiable loss have no spurious local minimum when every hidden
/// width is at least min(input, output) width (Laurent & von Brecht, "Deep
/// linear networks with arbitrary loss: all local minima are global", ICML
/// 2018); with one output that is every width. Checkable: a local minimum's
/// loss equals the least-squares optimum over affine (linear) maps.
fn p2_squared(problem: &Problem, v: &VerifyOutcome) -> PredicateOutcome {
    if !is_min(v) {
        return PredicateOutcome::NotApplicable(not_min_reason(v));
    }
    match linear_regression_bound(problem, &crate::Deadline::never()) {
        None => PredicateOutcome::NotApplicable(
            "internal: the least-squares bound could not be computed".to_string(),
        ),
        Some(b) if b.value == v.loss => PredicateOutcome::Holds(format!(
            "loss {} equals the least-squares optimum over {} maps",
            fmt_q(&v.loss),
            if b.affine { "affine" } else { "linear" }
        )),
        Some(b) => PredicateOutcome::Violated(format!(
            "a local minimum with loss {} above the least-squares optimum {}",
            fmt_q(&v.loss),
            fmt_q(&b.value)
        )),
    }
}

fn one_hidden_binary(problem: &Problem) -> Result<(), String> {
    if problem.loss.is_regression() {
        return Err(REGRESSION_HINGE_ONLY.to_string());
    }
    if problem.arch.hidden_layers() != 1 {
        return Err(format!(
            "{} hidden layers, not one",
            problem.arch.hidden_layers()
        ));
    }
    if problem.loss != LossKind::Hinge {
        return Err("not the binary hinge loss".to_string());
    }
    Ok(())
}

/// P3's hypotheses: one hidden layer, leaky, binary hinge; with `no_bias`
/// also no output bias; a proven local minimum; separable data (affinely
/// iff the hidden layer has a bias).
fn p3_setting(problem: &Problem, v: &VerifyOutcome, no_bias: bool) -> Result<(), PredicateOutcome> {
    one_hidden_binary(problem).map_err(PredicateOutcome::NotApplicable)?;
    if !matches!(problem.arch.activation, Activation::Leaky(_)) {
        return Err(PredicateOutcome::NotApplicable(
            "activation is not leaky".to_string(),
        ));
    }
    if no_bias && problem.arch.bias[1] {
        return Err(PredicateOutcome::NotApplicable(
            "the network has an output bias: then positive-loss local minima with constant output exist (THEORY section 6), P3b assumes none"
                .to_string(),
        ));
    }
    if !is_min(v) {
        return Err(PredicateOutcome::NotApplicable(not_min_reason(v)));
    }
    separable(problem, problem.arch.bias[0])
        .map(|_| ())
        .map_err(|e| PredicateOutcome::NotApplicable(e.to_string()))
}

/// P3a: at a local minimum with loss > 0 every outgoing weight is 0.
fn p3a(problem: &Problem, params: &Params, v: &VerifyOutcome) -> PredicateOutcome {
    if let Err(why) = p3_setting(problem, v, false) {
        return why;
    }
    if v.loss.is_zero() {
        return PredicateOutcome::Holds(
            "separable data, leaky network, local minimum with loss 0".to_string(),
        );
    }
    let out_w = &params.layers[1].w[0];
    match out_w.iter().enumerate().find(|(_, vj)| !vj.is_zero()) {
        None => PredicateOutcome::Holds(format!(
            "a local minimum with loss {} > 0 and every outgoing weight 0 (constant output)",
            fmt_q(&v.loss)
        )),
        Some((j, vj)) => PredicateOutcome::Violated(format!(
            "a local minimum with loss {} > 0 on separable data and outgoing weight v_{j} = {} != 0",
            fmt_q(&v.loss),
            fmt_q(vj)
        )),
    }
}

/// P3b: without an output bias every local minimum has loss 0.
fn p3b(problem: &Problem, v: &VerifyOutcome) -> PredicateOutcome {
    if let Err(why) = p3_setting(problem, v, true) {
        return why;
    }
    if v.loss.is_zero() {
        PredicateOutcome::Holds(
            "separable data, leaky network without output bias, local minimum with loss 0"
                .to_string(),
        )
    } else {
        PredicateOutcome::Violated(format!(
            "a local minimum with loss {} > 0 on separable data without an output bias",
            fmt_q(&v.loss)
        ))
    }
}

/// P4's hypotheses: one hidden layer, ReLU, binary hinge, a proven local
/// minimum, separable data (affinely iff the hidden layer has a bias).
fn p4_setting(problem: &Problem, v: &VerifyOutcome) -> Result<(), PredicateOutcome> {
    one_hidden_binary(problem).map_err(PredicateOutcome::NotApplicable)?;
    if problem.arch.activation != Activation::Relu {
        return Err(PredicateOutcome::NotApplicable(
            "activation is not relu".to_string(),
        ));
    }
    if !is_min(v) {
        return Err(PredicateOutcome::NotApplicable(not_min_reason(v)));
    }
    separable(problem, problem.arch.bias[0])
        .map(|_| ())
        .map_err(|e| PredicateOutcome::NotApplicable(e.to_string()))
}

/// The necessary condition of P4, checked at the point.
fn p4(problem: &Problem, params: &Params, v: &VerifyOutcome) -> PredicateOutcome {
    if let Err(why) = p4_setting(problem, v) {
        return why;
    }
    let ev = problem.evaluate(params);
    let out_w = &params.layers[1].w[0];
    let mut checked = 0;
    for (i, pl) in ev.points.iter().enumerate() {
        if !pl.loss.is_positive() {
            continue;
        }
        let y = problem.data.y[i];
        for (j, vj) in out_w.iter().enumerate() {
            if vj.is_zero() {
                continue;
            }
            checked += 1;
            let z = &ev.traces[i].pre[0][j];
            let ok = match Sign::of(z) {
                Sign::Neg => true,
                Sign::Zero => (vj * Q::from_integer(y.into())).is_negative(),
                Sign::Pos => false,
            };
            if !ok {
                return PredicateOutcome::Violated(format!(
                    "point {i} has loss {} but unit {j} (outgoing weight {}) has pre-activation {} on it",
                    fmt_q(&pl.loss),
                    fmt_q(vj),
                    fmt_q(z)
                ));
            }
        }
    }
    PredicateOutcome::Holds(format!("every positive-loss point is dead or on a wrong-way kink for every unit with a nonzero outgoing weight ({checked} pairs checked)"))
}

/// P4's closed form at a one-hidden-layer relu point: `(|D+|, |D-|, value)`
/// where `D+`, `D-` are the points (by label) whose output is exactly the
/// output bias, i.e. with a pre-activation <= 0 on every unit with a
/// nonzero outgoing weight, and the value is `2 min(|D+|, |D-|) / N` with
/// an output bias, `|D| / N` without.
pub fn p4_closed_form_value(problem: &Problem, params: &Params) -> (usize, usize, Q) {
    let sig = problem.signature(params);
    let out_w = &params.layers[1].w[0];
    let (mut dp, mut dm) = (0usize, 0usize);
    for (i, signs) in sig.hidden[0].iter().enumerate() {
        let dead = signs
            .iter()
            .zip(out_w)
            .all(|(s, v)| v.is_zero() || *s != Sign::Pos);
        if dead {
            if problem.data.y[i] > 0 {
                dp += 1;
            } else {
                dm += 1;
            }
        }
    }
    let n = problem.data.len() as i64;
    let counted = if problem.arch.bias[1] {
        2 * dp.min(dm)
    } else {
        dp + dm
    };
    (dp, dm, Q::new((counted as i64).into(), n.into()))
}

fn p4_closed_form(problem: &Problem, params: &Params, v: &VerifyOutcome) -> PredicateOutcome {
    if v.loss.is_zero() {
        return PredicateOutcome::NotApplicable("a zero-loss (optimal) minimum".to_string());
    }
    if let Err(why) = p4_setting(problem, v) {
        return why;
    }
    // D: the points whose output is exactly the output bias (whatever
    // their loss: dead points on their hinge corner count too; counting
    // only positive-loss points is refuted by certified minima, see
    // fixtures/relu-kink-corner-nonflat-min.toml)
    let (dp, dm, predicted) = p4_closed_form_value(problem, params);
    let n = problem.data.len();
    let with_bias = problem.arch.bias[1];
    let form = if with_bias {
        "2 min(|D+|, |D-|) / N"
    } else {
        "|D| / N"
    };
    let both = !with_bias || (dp > 0 && dm > 0);
    let text = format!(
        "|D+| = {dp}, |D-| = {dm}, N = {n}: {form} = {}, loss {}",
        fmt_q(&predicted),
        fmt_q(&v.loss)
    );
    if predicted == v.loss && both {
        PredicateOutcome::Holds(text)
    } else {
        PredicateOutcome::Violated(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        assert_eq!(
            SeparabilityError::NotSeparable { affine: true }.to_string(),
            "the data are not affinely separable (the LP y_i (u.x_i + c) >= 1 is infeasible, Farkas certificate checked)"
        );
        assert_eq!(
            SeparabilityError::NotSeparable { affine: false }.to_string(),
            "the data are not linearly separable (the LP y_i (u.x_i) >= 1 is infeasible, Farkas certificate checked)"
        );
        assert_eq!(
            SeparabilityError::Certificate("bad".to_string()).to_string(),
            "internal error: separability LP certificate failed: bad"
        );
        assert_eq!(
            EvaluateError::MissingPoint.to_string(),
            "point: missing table: theorems need a [point]"
        );
    }

    #[test]
    fn outcome_names() {
        let e = "why".to_string();
        assert_eq!(PredicateOutcome::Holds(e.clone()).name(), "holds");
        assert_eq!(PredicateOutcome::Violated(e.clone()).name(), "violated");
        assert_eq!(
            PredicateOutcome::NotApplicable(e.clone()).name(),
            "not-applicable"
        );
        assert_eq!(PredicateOutcome::Violated(e).evidence(), "why");
    }
}

//! The function-space stage: the loss of a network that may output anything
//! it likes on each distinct input (THEORY section 9, "Function-space
//! bound"; certificate kind `function-space-bound`, docs/certificates.md).
//!
//! Owns: the optimum of the hinge, Weston-Watkins or Crammer-Singer loss
//! over arbitrary outputs per distinct input (inputs grouped by exact
//! equality), by one exact LP: the linear-model LP of `bounds` whose
//! features are the indicators of the distinct inputs, with no offset
//! (`bounds::hinge_lp`, `bounds::multiclass_lp`), its dual solution
//! re-checked exactly there; the bound alone for other callers
//! (`function_space_bound`), and the `global-min` verdict, for every
//! architecture and depth, when the loss at the point equals the bound.
//!
//! The regression losses use the same free outputs, fitted exactly by
//! `path_lifting::fit` (group means, group medians).
//!
//! Must not: decide anything from the bound but `global-min` at exact
//! equality, or use a dual solution that failed the exact re-check.

use super::bounds::{hinge_lp, multiclass_lp};
use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::network::{LossKind, Problem};
use crate::number::{fmt_q, Q};
use num_traits::One;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;
use std::collections::BTreeMap;

/// The function-space lower bound of a problem, with its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSpaceBound {
    /// The least loss over all output assignments that give equal inputs
    /// equal outputs; no network of any architecture does better.
    pub value: Q,
    /// Dual multipliers, one row per data point: one entry for `hinge`,
    /// one per class for the multiclass losses (0 at the label), in the
    /// normalisation of `linear-lp-bound` (`value = (1/N) sum lambda`).
    pub lambda: Vec<Vec<Q>>,
    /// The group (distinct input) of each data point, numbered in order of
    /// first occurrence.
    pub group_of: Vec<usize>,
    /// The number of distinct inputs.
    pub groups: usize,
}

/// Why the function-space bound could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunctionSpaceError {
    /// The data set has no point.
    NoData,
    /// The inputs and labels differ in number.
    LengthMismatch {
        /// Number of inputs.
        inputs: usize,
        /// Number of labels.
        labels: usize,
    },
    /// A label does not fit the loss (`hinge`: +-1; multiclass: `0..K`).
    BadLabel {
        /// The point's index (0-based).
        point: usize,
        /// Its label.
        label: i64,
    },
    /// The exact LP did not end in an optimum whose dual solution passes the
    /// exact re-check (an internal inconsistency: the LP is always feasible
    /// and bounded).
    NotProven,
    /// The loss is a regression loss (no longer returned: the regression
    /// losses are covered; kept so that matches on it still compile).
    Regression,
    /// The deadline (`--timeout`) stopped the LP before it ended.
    TimeLimit,
}

impl std::fmt::Display for FunctionSpaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FunctionSpaceError::NoData => f.write_str("function-space bound: no data point"),
            FunctionSpaceError::LengthMismatch { inputs, labels } => write!(
                f,
                "function-space bound: {inputs} inputs but {labels} labels"
            ),
            FunctionSpaceError::BadLabel { point, label } => write!(
                f,
                "function-space bound: point {point} has label {label}, which the loss does not allow"
            ),
            FunctionSpaceError::NotProven => f.write_str(
                "function-space bound: the exact LP gave no optimum with a re-checked dual solution",
            ),
            FunctionSpaceError::Regression => f.write_str(
                "function-space bound: not available for the regression losses",
            ),
            FunctionSpaceError::TimeLimit => f.write_str(
                "function-space bound: the time limit (--timeout) was reached before the LP ended",
            ),
        }
    }
}

impl std::error::Error for FunctionSpaceError {}

/// Group the inputs by exact equality: the group of each point (numbered
/// by first occurrence) and the number of groups.
fn group_inputs(x: &[Vec<Q>]) -> (Vec<usize>, usize) {
    let mut index: BTreeMap<&[Q], usize> = BTreeMap::new();
    let group_of = x
        .iter()
        .map(|row| {
            let next = index.len();
            *index.entry(row.as_slice()).or_insert(next)
        })
        .collect();
    (group_of, index.len())
}

/// The function-space bound: the optimum of the problem's loss over a free
/// output (1 value for `hinge`, K for the multiclass losses) per distinct
/// input, by one exact LP with `O(N K)` rows, and the dual multipliers that
/// prove it by weak duality. It does not depend on the architecture beyond
/// the output width: every network of every depth is bounded below by it.
pub fn function_space_bound(problem: &Problem) -> Result<FunctionSpaceBound, FunctionSpaceError> {
    function_space_bound_within(problem, &Deadline::never())
}

/// `function_space_bound`, whose LP stops at `deadline`
/// (`FunctionSpaceError::TimeLimit`).
pub fn function_space_bound_within(
    problem: &Problem,
    deadline: &Deadline,
) -> Result<FunctionSpaceBound, FunctionSpaceError> {
    let data = &problem.data;
    let n = data.x.len();
    if n == 0 {
        return Err(FunctionSpaceError::NoData);
    }
    if data.y.len() != n {
        return Err(FunctionSpaceError::LengthMismatch {
            inputs: n,
            labels: data.y.len(),
        });
    }
    if problem.loss.is_regression() {
        return regression_bound(problem, deadline);
    }
    let classes = problem.arch.output_width();
    let label_ok = |l: i64| match problem.loss {
        LossKind::Absolute | LossKind::Squared => false,
        LossKind::Hinge => l == 1 || l == -1,
        LossKind::MulticlassHinge | LossKind::CrammerSinger => {
            usize::try_from(l).is_ok_and(|l| l < classes)
        }
    };
    if let Some((point, &label)) = data.y.iter().enumerate().find(|(_, &l)| !label_ok(l)) {
        return Err(FunctionSpaceError::BadLabel { point, label });
    }
    let (group_of, groups) = group_inputs(&data.x);
    // feature of point i: the indicator of its group
    let rows: Vec<Vec<(usize, Q)>> = group_of.iter().map(|&g| vec![(g, Q::one())]).collect();
    let lambda = match problem.loss {
        LossKind::Hinge => hinge_lp(&rows, &data.y, groups, false, deadline).map(|b| {
            (
                b.value,
                b.lambda.into_iter().map(|l| vec![l]).collect::<Vec<_>>(),
            )
        }),
        LossKind::Absolute | LossKind::Squared => None,
        LossKind::MulticlassHinge | LossKind::CrammerSinger => {
            let cs = problem.loss == LossKind::CrammerSinger;
            multiclass_lp(&rows, &data.y, groups, classes, cs, false, deadline)
                .map(|b| (b.value, b.lambda))
        }
    };
    let (value, lambda) = match lambda {
        Some(found) => found,
        None if deadline.expired() => return Err(FunctionSpaceError::TimeLimit),
        None => return Err(FunctionSpaceError::NotProven),
    };
    Ok(FunctionSpaceBound {
        value,
        lambda,
        group_of,
        groups,
    })
}

/// The regression losses: a free output per distinct input is the group
/// mean (squared) or a group median (absolute), found exactly by the
/// convex fit over the group indicators (`path_lifting::fit`); `lambda`
/// has one entry per point in the convention of `linear-regression-bound`
/// (absolute: in `[-1, 1]`, summing to 0 on each group, bound
/// `-(1/N) sum lambda_i t_i`; squared: the residuals to the group means,
/// bound `-(1/N) sum (2 r_i t_i + r_i^2)`, the within-group sum of squares
/// over N).
fn regression_bound(
    problem: &Problem,
    deadline: &Deadline,
) -> Result<FunctionSpaceBound, FunctionSpaceError> {
    let data = &problem.data;
    let (group_of, groups) = group_inputs(&data.x);
    let phi: Vec<Vec<Q>> = group_of
        .iter()
        .map(|&g| {
            let mut row = vec![Q::from_integer(0.into()); groups];
            row[g] = Q::one();
            row
        })
        .collect();
    let targets: Vec<Q> = (0..data.len()).map(|i| data.target(i)).collect();
    match crate::path_lifting::convex_fit(problem.loss, &phi, &data.y, &targets, 1, deadline) {
        Some(fit) => Ok(FunctionSpaceBound {
            value: fit.value,
            lambda: fit.lambda,
            group_of,
            groups,
        }),
        None if deadline.expired() => Err(FunctionSpaceError::TimeLimit),
        None => Err(FunctionSpaceError::NotProven),
    }
}

/// The stage: `global-min` if the loss at the point equals the
/// function-space bound (any architecture, any of the three losses).
pub(super) fn decide(inst: &Instance, loss: &Q, deadline: &Deadline) -> Option<Outcome> {
    let bound = function_space_bound_within(&inst.problem, deadline).ok()?;
    if bound.value != *loss {
        return None;
    }
    let how = match inst.problem.loss {
        crate::network::LossKind::Squared => "the group means; the residuals are the certificate",
        crate::network::LossKind::Absolute => {
            "group medians, by an LP; its dual solution is the certificate"
        }
        _ => "an LP; its dual solution is the certificate",
    };
    let reason = format!(
        "the loss equals the optimum {} of the {} loss over arbitrary outputs on the {} distinct inputs ({how}), which no network of any architecture can beat",
        fmt_q(&bound.value),
        inst.problem.loss.name(),
        bound.groups
    );
    Some(decided(
        inst,
        loss.clone(),
        Evidence::FunctionSpaceBound {
            lambda: bound.lambda,
        },
        reason,
    ))
}

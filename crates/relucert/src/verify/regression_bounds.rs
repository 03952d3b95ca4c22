//! The regression bounds stage: `global-min` for linear models with the
//! absolute or squared loss (certificate kind `linear-regression-bound`).
//!
//! Owns: the least loss over all linear (affine, when some layer has a
//! bias) maps `x -> a . x + c` for a network computing one (linear
//! activation, or no hidden layer): the least-squares optimum from the
//! normal equations, or the L1-regression LP, both through
//! `path_lifting::fit` with the features `(x_i, 1)` (or `x_i`), with the
//! multipliers that prove it (absolute: `lambda_i` in `[-1, 1]` on the
//! residual, `sum lambda_i x~_i = 0`, bound `-(1/N) sum lambda_i t_i`;
//! squared: the optimal residuals `r_i`, `sum r_i x~_i = 0`, bound
//! `-(1/N) sum (2 r_i t_i + r_i^2)`); and the verdict when the loss at the
//! point equals it.
//!
//! Must not: decide anything but `global-min` at exact equality, or use a
//! bound whose multipliers failed the exact re-check.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::network::Problem;
use crate::number::{fmt_q, Q};
use crate::path_lifting::convex_fit;
use num_traits::One;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// The least regression loss over linear (affine) maps, with its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegressionBound {
    /// The optimum.
    pub value: Q,
    /// Whether an offset is allowed (some layer has a bias).
    pub affine: bool,
    /// One multiplier per point (see the module documentation).
    pub lambda: Vec<Q>,
}

/// For a linear model with a regression loss: the optimum over all linear
/// (affine) maps of the input, exact, with its multipliers; `None` for
/// other problems, or when the deadline stopped the LP.
pub fn linear_regression_bound(problem: &Problem, deadline: &Deadline) -> Option<RegressionBound> {
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || !problem.loss.is_regression() || arch.output_width() != 1 {
        return None;
    }
    let affine = arch.bias.iter().any(|&b| b);
    let data = &problem.data;
    let phi: Vec<Vec<Q>> = data
        .x
        .iter()
        .map(|x| {
            let mut row = x.clone();
            if affine {
                row.push(Q::one());
            }
            row
        })
        .collect();
    let targets: Vec<Q> = (0..data.len()).map(|i| data.target(i)).collect();
    let fit = convex_fit(problem.loss, &phi, &data.y, &targets, 1, deadline)?;
    Some(RegressionBound {
        value: fit.value,
        affine,
        lambda: fit.lambda.into_iter().flatten().collect(),
    })
}

/// The stage: `global-min` when the loss equals the linear-model optimum.
pub(super) fn decide(inst: &Instance, loss: &Q, deadline: &Deadline) -> Option<Outcome> {
    let b = linear_regression_bound(&inst.problem, deadline)?;
    if b.value != *loss {
        return None;
    }
    let reason = format!(
        "the loss equals the optimum {} of the {} loss over all {} maps of the input ({}; its multipliers are the certificate), which no network computing such a map can beat",
        fmt_q(&b.value),
        inst.problem.loss.name(),
        if b.affine { "affine" } else { "linear" },
        if inst.problem.loss == crate::network::LossKind::Squared {
            "the normal equations"
        } else {
            "an LP"
        }
    );
    Some(decided(
        inst,
        loss.clone(),
        Evidence::LinearRegressionBound {
            affine: b.affine,
            lambda: b.lambda,
        },
        reason,
    ))
}

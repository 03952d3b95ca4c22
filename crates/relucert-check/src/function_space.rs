//! `function-space-bound`: weak LP duality with a free output per distinct
//! input (docs/certificates.md).
//!
//! Owns: checking the certificate's multipliers exactly: their ranges per
//! loss, the cancellation of the free outputs on every group of points
//! with exactly equal inputs, and that the bound `(1/N) sum lambda` equals
//! the loss.
//!
//! The regression losses (one multiplier per point on its residual, as
//! `linear-regression-bound`) go through
//! `regression_bounds::dual_bound` with the group indicators as features.
//!
//! Must not: solve an LP or evaluate a network (any depth, any activation:
//! only the data and the loss matter).

use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::{fmt_q, Q};
use std::collections::HashMap;

/// Check `lambda` proves that no network has loss below `loss`.
pub fn check(problem: &Problem, loss: &Q, lambda: &[Vec<Q>]) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::FunctionSpaceBound(s));
    let data = &problem.data;
    let n = data.len();
    let classes = problem.arch.output_width();
    if problem.loss.is_regression() {
        return check_regression(problem, loss, lambda);
    }
    if n == 0 || lambda.len() != n || data.y.len() != n {
        return fail(format!("`lambda` needs one row per data point ({n})"));
    }
    // Per group of equal inputs, the coefficient of each free output.
    let mut groups: HashMap<&[Q], Vec<Q>> = HashMap::new();
    let outputs = if problem.loss == LossKind::Hinge {
        1
    } else {
        classes
    };
    for (i, row) in lambda.iter().enumerate() {
        let y = data.y[i];
        let coef = groups
            .entry(data.x[i].as_slice())
            .or_insert_with(|| vec![Q::zero(); outputs]);
        let row_sum = row.iter().fold(Q::zero(), |a, l| a + l);
        let in_unit = |l: &Q| !l.is_negative() && *l <= Q::one();
        match problem.loss {
            LossKind::Hinge => {
                if row.len() != 1 || !in_unit(&row[0]) || (y != 1 && y != -1) {
                    return fail(format!("row {i} needs one multiplier in [0, 1]"));
                }
                coef[0] += &row[0] * Q::from_integer(y.into());
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let label = usize::try_from(y).ok().filter(|&l| l < classes);
                let ranges = match problem.loss {
                    LossKind::CrammerSinger => {
                        row.iter().all(|l| !l.is_negative()) && row_sum <= Q::one()
                    }
                    _ => row.iter().all(in_unit),
                };
                let Some(label) = label.filter(|&l| row.len() == classes && row[l].is_zero())
                else {
                    return fail(format!(
                        "row {i} needs {classes} multipliers with 0 at the label"
                    ));
                };
                if !ranges {
                    return fail(format!("row {i} is outside the loss's multiplier range"));
                }
                for (m, l) in row.iter().enumerate() {
                    coef[m] += l;
                }
                coef[label] -= &row_sum;
            }
            LossKind::Absolute | LossKind::Squared => {
                return fail("only for the hinge losses".to_string());
            }
        }
    }
    for (x, coef) in &groups {
        if let Some(m) = coef.iter().position(|c| !c.is_zero()) {
            let x: Vec<String> = x.iter().map(fmt_q).collect();
            return fail(format!(
                "the free output {m} of the input ({}) does not cancel",
                x.join(", ")
            ));
        }
    }
    crate::bounds::bound_is_loss(lambda.iter().flatten(), n, loss)
        .map_err(CheckError::FunctionSpaceBound)
}

/// The regression losses: the free outputs are the group indicators'
/// coefficients, so the multipliers (one per point, the convention of
/// `linear-regression-bound`) must cancel on each group of equal inputs,
/// and the bound they prove must equal the loss.
fn check_regression(problem: &Problem, loss: &Q, lambda: &[Vec<Q>]) -> Result<(), CheckError> {
    let mut index: HashMap<&[Q], usize> = HashMap::new();
    let group: Vec<usize> = problem
        .data
        .x
        .iter()
        .map(|x| {
            let next = index.len();
            *index.entry(x.as_slice()).or_insert(next)
        })
        .collect();
    let phi: Vec<Vec<Q>> = group
        .iter()
        .map(|&g| {
            (0..index.len())
                .map(|h| if h == g { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect();
    let bound = crate::regression_bounds::dual_bound(problem, &phi, lambda)
        .map_err(CheckError::FunctionSpaceBound)?;
    if bound != *loss {
        return Err(CheckError::FunctionSpaceBound(format!(
            "the bound {} does not equal the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        )));
    }
    Ok(())
}

//! `function-space-bound`: weak LP duality with a free output per distinct
//! input (docs/certificates.md).
//!
//! Owns: checking the certificate's multipliers exactly: their ranges per
//! loss, the cancellation of the free outputs on every group of points
//! with exactly equal inputs, and that the bound `(1/N) sum lambda` equals
//! the loss.
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
        return fail("only for the hinge losses".to_string());
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

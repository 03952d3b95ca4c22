//! Weak duality over a fixed feature matrix, for all five losses, and the
//! `linear-regression-bound` check.
//!
//! Owns: [`dual_bound`]: given features `Phi` (a row per point) and
//! multipliers (a row per point), checks the multipliers' ranges and that
//! the free coefficients cancel (`Phi^T` times the signed multipliers is
//! 0), and returns the bound every map `f_k(x_i) = Phi_i . T_k` obeys:
//! hinge `(1/N) sum lambda_i` (`lambda_i` in `[0, 1]`, on `1 - y_i f_i`);
//! Weston-Watkins and Crammer-Singer `(1/N) sum lambda_ik` (ranges as
//! `multiclass-lp-bound`); absolute `-(1/N) sum lambda_i t_i`
//! (`lambda_i` in `[-1, 1]`, since `|r| >= lambda r`); squared
//! `-(1/N) sum (2 r_i t_i + r_i^2)` for any `r` (since
//! `(f - t)^2 >= 2 r (f - t) - r^2`). And `linear-regression-bound`:
//! the features are the inputs (and 1 when `affine`), the bound equals the
//! loss.
//!
//! Must not: solve anything or trust a number it did not check; applies
//! `linear-regression-bound` only to linear models with a regression loss.

use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::{fmt_q, Q};

/// The bound the multipliers `lambda` prove over the features `phi`, or why
/// they prove nothing.
pub(crate) fn dual_bound(
    problem: &Problem,
    phi: &[Vec<Q>],
    lambda: &[Vec<Q>],
) -> Result<Q, String> {
    let data = &problem.data;
    let n = data.len();
    let classes = problem.arch.output_width();
    if n == 0 || phi.len() != n || lambda.len() != n {
        return Err(format!("needs one row of multipliers per data point ({n})"));
    }
    let p = phi[0].len();
    let outputs = if problem.loss == LossKind::Hinge || problem.loss.is_regression() {
        1
    } else {
        classes
    };
    // coefficient of T_k[j] in sum of the lower bounds
    let mut coef = vec![vec![Q::zero(); p]; outputs];
    let mut bound = Q::zero();
    let in_unit = |l: &Q| !l.is_negative() && *l <= Q::one();
    for (i, row) in lambda.iter().enumerate() {
        if phi[i].len() != p {
            return Err("the feature rows differ in length".to_string());
        }
        // the multiplier on output k's coefficient for this point
        let mut weight = vec![Q::zero(); outputs];
        match problem.loss {
            LossKind::Hinge => {
                let y = data.y[i];
                if row.len() != 1 || !in_unit(&row[0]) || (y != 1 && y != -1) {
                    return Err(format!("row {i} needs one multiplier in [0, 1]"));
                }
                weight[0] = -&row[0] * Q::from_integer(y.into());
                bound += &row[0];
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let label = usize::try_from(data.y[i]).ok().filter(|&l| l < classes);
                let Some(y) = label.filter(|&l| row.len() == classes && row[l].is_zero()) else {
                    return Err(format!(
                        "row {i} needs {classes} multipliers with 0 at the label"
                    ));
                };
                let sum = row.iter().fold(Q::zero(), |a, l| a + l);
                let ok = if problem.loss == LossKind::CrammerSinger {
                    row.iter().all(|l| !l.is_negative()) && sum <= Q::one()
                } else {
                    row.iter().all(in_unit)
                };
                if !ok {
                    return Err(format!("row {i} is outside the loss's multiplier range"));
                }
                weight.clone_from(row);
                weight[y] = -sum.clone();
                bound += sum;
            }
            LossKind::Absolute | LossKind::Squared => {
                let t = data.targets.get(i).cloned().unwrap_or_else(Q::zero);
                if row.len() != 1 {
                    return Err(format!("row {i} needs one multiplier"));
                }
                let l = &row[0];
                if problem.loss == LossKind::Absolute {
                    if l.abs() > Q::one() {
                        return Err(format!("row {i}: the multiplier must lie in [-1, 1]"));
                    }
                    bound -= l * &t;
                } else {
                    bound -= Q::from_integer(2.into()) * l * &t + l * l;
                }
                weight[0] = l.clone();
            }
        }
        for (k, w) in weight.iter().enumerate() {
            if !w.is_zero() {
                for (c, f) in coef[k].iter_mut().zip(&phi[i]) {
                    *c += w * f;
                }
            }
        }
    }
    for (k, row) in coef.iter().enumerate() {
        if let Some(j) = row.iter().position(|c| !c.is_zero()) {
            return Err(format!(
                "the free coefficient {j} of output {k} does not cancel"
            ));
        }
    }
    Ok(bound / Q::from_integer((n as i64).into()))
}

/// `linear-regression-bound`: see the module documentation.
pub fn check_linear_regression(
    problem: &Problem,
    loss: &Q,
    affine: bool,
    lambda: &[Q],
) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::LinearRegressionBound(s));
    let arch = &problem.arch;
    let linear = arch.hidden_layers() == 0 || !crate::forward::has_kink(&arch.activation);
    if !linear || !problem.loss.is_regression() {
        return fail(
            "only for linear models (linear activation or no hidden layer) with a regression loss"
                .to_string(),
        );
    }
    if arch.bias.iter().any(|&b| b) && !affine {
        return fail("the network has a bias, so `affine` must be true".to_string());
    }
    let phi: Vec<Vec<Q>> = problem
        .data
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
    let rows: Vec<Vec<Q>> = lambda.iter().map(|l| vec![l.clone()]).collect();
    let bound = dual_bound(problem, &phi, &rows).map_err(CheckError::LinearRegressionBound)?;
    if bound != *loss {
        return fail(format!(
            "the bound {} does not equal the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        ));
    }
    Ok(())
}

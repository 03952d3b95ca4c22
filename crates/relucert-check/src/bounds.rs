//! Global minima of linear models by weak LP duality: `linear-lp-bound` and
//! `multiclass-lp-bound`.
//!
//! Owns: checking, exactly, every condition that makes the certificate's
//! multipliers a feasible dual solution, and that the dual bound equals the
//! loss at the point (then no classifier of the kind, and so no network
//! computing one, has a lower loss).
//!
//! Must not: solve an LP or trust anything in the certificate but its
//! multipliers; applies only to linear models (linear activation or no
//! hidden layer).

use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::{fmt_q, Q};

fn linear_model(problem: &Problem) -> bool {
    problem.arch.hidden_layers() == 0 || !crate::forward::has_kink(&problem.arch.activation)
}

/// Weak LP duality for linear models with the binary hinge loss: for every
/// affine classifier (a, c), `(1/N) sum_i max(0, 1 - y_i (a.x_i + c)) >=
/// (1/N) sum_i lambda_i (1 - y_i (a.x_i + c)) = (1/N) sum_i lambda_i` when
/// `0 <= lambda_i <= 1`, `sum lambda_i y_i x_i = 0` and (if an offset is
/// possible) `sum lambda_i y_i = 0`.
pub fn check_linear(
    problem: &Problem,
    loss: &Q,
    affine: bool,
    lambda: &[Q],
) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::LinearLpBound(s));
    let arch = &problem.arch;
    if !linear_model(problem) || problem.loss != LossKind::Hinge {
        return fail("only for linear models (linear activation or no hidden layer) with the binary hinge loss".to_string());
    }
    if arch.bias.iter().any(|&b| b) && !affine {
        return fail(
            "the network has a bias, so the bound must allow an offset (`affine`: true)"
                .to_string(),
        );
    }
    let n = problem.data.len();
    if lambda.len() != n {
        return fail(format!("`lambda` needs {n} entries"));
    }
    if lambda.iter().any(|l| l.is_negative() || *l > Q::one()) {
        return fail("every lambda must lie in [0, 1]".to_string());
    }
    let ys: Vec<Q> = problem
        .data
        .y
        .iter()
        .map(|&y| Q::from_integer(y.into()))
        .collect();
    for k in 0..arch.input_dim() {
        let s = (0..n).fold(Q::zero(), |acc, i| {
            acc + &lambda[i] * &ys[i] * &problem.data.x[i][k]
        });
        if !s.is_zero() {
            return fail(format!(
                "sum_i lambda_i y_i x_i[{k}] is {}, not 0",
                fmt_q(&s)
            ));
        }
    }
    if affine {
        let s = (0..n).fold(Q::zero(), |acc, i| acc + &lambda[i] * &ys[i]);
        if !s.is_zero() {
            return fail(format!("sum_i lambda_i y_i is {}, not 0", fmt_q(&s)));
        }
    }
    bound_is_loss(lambda.iter(), n, loss).map_err(CheckError::LinearLpBound)
}

/// `(1/n) sum lambda == loss`, or why not.
pub(crate) fn bound_is_loss<'a>(
    lambda: impl Iterator<Item = &'a Q>,
    n: usize,
    loss: &Q,
) -> Result<(), String> {
    let bound = lambda.fold(Q::zero(), |acc, l| acc + l) / Q::from_integer((n as i64).into());
    if bound == *loss {
        Ok(())
    } else {
        Err(format!(
            "the bound {} does not equal the loss {}",
            fmt_q(&bound),
            fmt_q(loss)
        ))
    }
}

/// Weak LP duality for linear models with a multiclass loss: for every
/// classifier `x -> W x + c` (`c = 0` unless `affine`) with arguments
/// `a_ik = 1 + f_k(x_i) - f_{y_i}(x_i)`, Weston-Watkins
/// `sum_k max(0, a_ik) >= sum_k lambda_ik a_ik` for `lambda_ik` in [0, 1],
/// Crammer-Singer `max(0, max_k a_ik) >= sum_k lambda_ik a_ik` for
/// `lambda_ik >= 0` with `sum_k lambda_ik <= 1`; and
/// `sum_ik lambda_ik a_ik = sum_ik lambda_ik` when the classifier parts
/// cancel: `sum_ik lambda_ik (e_k - e_{y_i}) x_i^T = 0` (and the same
/// without `x_i` when `affine`).
pub fn check_multiclass(
    problem: &Problem,
    loss: &Q,
    affine: bool,
    lambda: &[Vec<Q>],
) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::MulticlassLpBound(s));
    let arch = &problem.arch;
    let multiclass = matches!(
        problem.loss,
        LossKind::MulticlassHinge | LossKind::CrammerSinger
    );
    if !linear_model(problem) || !multiclass {
        return fail("only for linear models with a multiclass loss".to_string());
    }
    if arch.bias.iter().any(|&b| b) && !affine {
        return fail("the network has a bias, so `affine` must be true".to_string());
    }
    let n = problem.data.len();
    let classes = arch.output_width();
    if lambda.len() != n {
        return fail(format!("`lambda` needs {n} rows"));
    }
    for (i, row) in lambda.iter().enumerate() {
        let y = problem.data.y[i] as usize;
        if row.len() != classes || !row[y].is_zero() || row.iter().any(Signed::is_negative) {
            return fail(format!(
                "row {i} needs {classes} nonnegative multipliers with 0 at the label"
            ));
        }
        let ok = match problem.loss {
            LossKind::CrammerSinger => row.iter().fold(Q::zero(), |a, l| a + l) <= Q::one(),
            _ => row.iter().all(|l| *l <= Q::one()),
        };
        if !ok {
            return fail(format!("row {i} exceeds the loss's multiplier bound"));
        }
    }
    for m in 0..classes {
        let mut coef = vec![Q::zero(); arch.input_dim() + 1];
        for (i, row) in lambda.iter().enumerate() {
            let y = problem.data.y[i] as usize;
            let net = if m == y {
                -row.iter().fold(Q::zero(), |a, l| a + l)
            } else {
                row[m].clone()
            };
            for (j, x) in problem.data.x[i].iter().enumerate() {
                coef[j] += &net * x;
            }
            coef[arch.input_dim()] += net;
        }
        let last = coef.len() - 1;
        if coef[..last].iter().any(|c| !c.is_zero()) || (affine && !coef[last].is_zero()) {
            return fail(format!("the classifier parts of class {m} do not cancel"));
        }
    }
    bound_is_loss(lambda.iter().flatten(), n, loss).map_err(CheckError::MulticlassLpBound)
}

//! The convex fit over a fixed feature matrix: the least loss over all
//! linear maps `f_k(x_i) = Phi_i . T_k` of the features, with the dual
//! multipliers that prove it by weak duality.
//!
//! Owns: one exact optimum per loss over free coefficients `T` (no offset:
//! an offset is a column of ones in `Phi`): binary hinge and the two
//! multiclass hinges by the LPs of `verify::bounds` (`hinge_lp`,
//! `multiclass_lp`), the absolute loss by an L1-regression LP, the squared
//! loss by the normal equations `Phi^T Phi T = Phi^T t` (fraction-free
//! elimination of `relucert::linalg`; when `Phi` is rank deficient any
//! solution is optimal). The multipliers `lambda`, one row per point, are
//! in the convention of docs/certificates.md (`path-lifting-bound`):
//! hinge `lambda_i` in `[0, 1]` on `1 - y_i f_i`; multiclass as
//! `multiclass-lp-bound`; absolute `lambda_i` in `[-1, 1]` on the residual
//! `f_i - t_i`, bound `-(1/N) sum lambda_i t_i`; squared `lambda_i` the
//! optimal residual `r_i`, bound `-(1/N) sum (2 r_i t_i + r_i^2)`; in every
//! case `Phi^T` times the point multipliers (signed by the label for the
//! hinges) is 0. Every returned bound is re-checked exactly here.
//!
//! Must not: let a float decide (the LPs' proposals are reconstructed and
//! re-checked exactly), or return a bound whose multipliers fail the
//! re-check.

use crate::linalg;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::LossKind;
use crate::number::Q;
use crate::verify::{hinge_lp, multiclass_lp};
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// An exact lower bound over all linear maps of the features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    /// The least loss (average over the points).
    pub value: Q,
    /// The multipliers proving it, one row per point (one entry for the
    /// binary hinge and the regression losses, one per class otherwise).
    pub lambda: Vec<Vec<Q>>,
}

/// The distinct nonzero columns of a dense `N x P` matrix, in order of
/// first occurrence (free coefficients make copies redundant).
pub fn distinct_columns(phi: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let p = phi.first().map_or(0, Vec::len);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for j in 0..p {
        let col: Vec<Q> = phi.iter().map(|row| row[j].clone()).collect();
        if col.iter().any(|v| !v.is_zero()) && seen.insert(col.clone()) {
            out.push(col);
        }
    }
    out
}

/// The least loss of `kind` over `f_k(x_i) = Phi_i . T_k` (`phi` dense,
/// one row per point), with its multipliers; `labels` and `targets` as in
/// `Data`, `classes` the output width. `None` if the LP stopped at the
/// deadline or (an internal inconsistency) the re-check failed.
pub fn convex_fit(
    kind: LossKind,
    phi: &[Vec<Q>],
    labels: &[i64],
    targets: &[Q],
    classes: usize,
    deadline: &Deadline,
) -> Option<Fit> {
    let n = phi.len();
    if n == 0 {
        return None;
    }
    let cols = distinct_columns(phi);
    // sparse rows over the distinct columns
    let rows: Vec<Vec<(usize, Q)>> = (0..n)
        .map(|i| {
            cols.iter()
                .enumerate()
                .filter(|(_, c)| !c[i].is_zero())
                .map(|(j, c)| (j, c[i].clone()))
                .collect()
        })
        .collect();
    let d = cols.len();
    match kind {
        LossKind::Hinge => hinge_lp(&rows, labels, d, false, deadline).map(|b| Fit {
            value: b.value,
            lambda: b.lambda.into_iter().map(|l| vec![l]).collect(),
        }),
        LossKind::MulticlassHinge | LossKind::CrammerSinger => {
            let cs = kind == LossKind::CrammerSinger;
            multiclass_lp(&rows, labels, d, classes, cs, false, deadline).map(|b| Fit {
                value: b.value,
                lambda: b.lambda,
            })
        }
        LossKind::Absolute => l1_fit(&rows, d, targets, deadline),
        LossKind::Squared => least_squares(&cols, targets),
    }
}

/// `sum_i lambda_i Phi_i` over the distinct columns is 0.
fn balanced(rows: &[Vec<(usize, Q)>], d: usize, lambda: &[Q]) -> bool {
    let mut acc = vec![Q::zero(); d];
    for (row, l) in rows.iter().zip(lambda) {
        for (j, v) in row {
            acc[*j] += l * v;
        }
    }
    acc.iter().all(Zero::is_zero)
}

/// L1 regression: minimise `(1/N) sum e_i` with `e_i >= +-(Phi_i T - t_i)`.
fn l1_fit(rows: &[Vec<(usize, Q)>], d: usize, targets: &[Q], deadline: &Deadline) -> Option<Fit> {
    let n = rows.len();
    if targets.len() != n {
        return None;
    }
    let nq = Q::from_integer((n as i64).into());
    let mut model = lp::Lp::new(Sense::Minimize);
    let t: Vec<lp::VarId> = (0..d).map(|_| model.add_var(None, None)).collect();
    let e: Vec<lp::VarId> = (0..n)
        .map(|_| model.add_var(Some(Q::zero()), None))
        .collect();
    let mut pairs = Vec::with_capacity(n);
    for ((row, ei), ti) in rows.iter().zip(&e).zip(targets) {
        // e_i - Phi_i T >= -t_i   and   e_i + Phi_i T >= t_i
        let mut above = vec![(*ei, Q::one())];
        above.extend(row.iter().map(|(j, v)| (t[*j], -v.clone())));
        let mut below = vec![(*ei, Q::one())];
        below.extend(row.iter().map(|(j, v)| (t[*j], v.clone())));
        let a = model.add_row(above, Cmp::Ge, -ti.clone());
        let b = model.add_row(below, Cmp::Ge, ti.clone());
        pairs.push((a, b));
    }
    model.set_objective(e.iter().map(|v| (*v, Q::one() / &nq)).collect());
    let Ok(LpResult::Optimal { duals, value, .. }) = lp::solve_within(&model, deadline) else {
        return None;
    };
    // lambda_i = N (a_i - b_i): the multiplier on the residual f_i - t_i
    let lambda: Vec<Q> = pairs
        .iter()
        .map(|&(a, b)| Some((duals.get(a)? - duals.get(b)?) * &nq))
        .collect::<Option<_>>()?;
    let bound = -lambda
        .iter()
        .zip(targets)
        .fold(Q::zero(), |acc, (l, t)| acc + l * t)
        / &nq;
    let ok =
        lambda.iter().all(|l| l.abs() <= Q::one()) && balanced(rows, d, &lambda) && bound == value;
    ok.then(|| Fit {
        value,
        lambda: lambda.into_iter().map(|l| vec![l]).collect(),
    })
}

/// Least squares over the columns `cols` (each of length N): the normal
/// equations, the residual `r = Phi T - t` with `Phi^T r = 0` re-checked,
/// value `|r|^2 / N`.
fn least_squares(cols: &[Vec<Q>], targets: &[Q]) -> Option<Fit> {
    let n = targets.len();
    let nq = Q::from_integer((n as i64).into());
    let dot = |a: &[Q], b: &[Q]| a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y);
    let mut fitted = vec![Q::zero(); n];
    if !cols.is_empty() {
        let gram: Vec<Vec<Q>> = cols
            .iter()
            .map(|a| cols.iter().map(|b| dot(a, b)).collect())
            .collect();
        let rhs: Vec<Q> = cols.iter().map(|a| dot(a, targets)).collect();
        let coef = linalg::solve(&gram, &rhs)?;
        for (c, col) in coef.iter().zip(cols) {
            for (f, v) in fitted.iter_mut().zip(col) {
                *f += c * v;
            }
        }
    }
    let r: Vec<Q> = fitted.iter().zip(targets).map(|(f, t)| f - t).collect();
    if cols.iter().any(|c| !dot(c, &r).is_zero()) {
        return None;
    }
    let value = dot(&r, &r) / &nq;
    let bound = -r.iter().zip(targets).fold(Q::zero(), |acc, (ri, ti)| {
        acc + Q::from_integer(2.into()) * ri * ti + ri * ri
    }) / &nq;
    (bound == value && !value.is_negative()).then(|| Fit {
        value,
        lambda: r.into_iter().map(|x| vec![x]).collect(),
    })
}

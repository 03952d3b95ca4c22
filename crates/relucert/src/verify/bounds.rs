//! The bounds stage: exact LP lower bounds for linear models.
//!
//! Owns: the optimum of the loss over all linear (affine) classifiers, for
//! networks computing a linear map of their input (linear activation, or no
//! hidden layer): binary hinge (`linear_lower_bound`) and Weston-Watkins or
//! Crammer-Singer (`multiclass_lower_bound`), each by an exact LP whose dual
//! solution is re-checked exactly; and the `global-min` verdict when the
//! loss at the point equals the bound (`linear-lp-bound` and
//! `multiclass-lp-bound` evidence). Both LPs are written over sparse
//! feature rows (`hinge_lp`, `multiclass_lp`), which `function_space`
//! reuses with the indicators of the distinct inputs as features.
//!
//! Must not: use a dual solution that fails the exact re-check, or decide
//! anything from the bound but `global-min` at equality.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{LossKind, Problem};
use crate::number::{fmt_q, Q};
use num_traits::{One, Signed, Zero};
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// The stage: `global-min` if the loss equals the optimum over all linear
/// (affine) classifiers (`bound` is `linear_lower_bound(problem)`; the
/// multiclass bound is computed here, after it).
/// The LPs stop at `deadline` (then no bound: the caller tests the
/// deadline after the stage, so an expired LP never decides).
pub(super) fn decide(
    inst: &Instance,
    loss: &Q,
    bound: Option<&LinearBound>,
    deadline: &Deadline,
) -> Option<Outcome> {
    let problem = &inst.problem;
    let loss = loss.clone();
    let kind_of = |affine: bool| if affine { "affine" } else { "linear" };
    if let Some(b) = bound.filter(|b| b.value == loss) {
        let evidence = Evidence::LinearLpBound {
            affine: b.affine,
            lambda: b.lambda.clone(),
        };
        let reason = format!(
            "the loss equals the optimum {} of the hinge loss over all {} classifiers (an LP; its dual solution is the certificate), which no network of this kind can beat",
            fmt_q(&b.value),
            kind_of(b.affine)
        );
        return Some(decided(inst, loss, evidence, reason));
    }
    if let Some(b) = multiclass_lower_bound_within(problem, deadline).filter(|b| b.value == loss) {
        let evidence = Evidence::MulticlassLpBound {
            affine: b.affine,
            lambda: b.lambda,
        };
        let reason = format!(
            "the loss equals the optimum {} of the {} loss over all {} multiclass classifiers (an LP; its dual solution is the certificate), which no network computing a linear map can beat",
            fmt_q(&b.value),
            problem.loss.name(),
            kind_of(b.affine)
        );
        return Some(decided(inst, loss, evidence, reason));
    }
    None
}

/// The LP lower bound for linear models with the binary hinge loss.
pub struct LinearBound {
    /// `min over classifiers of the average hinge loss` (= the dual optimum).
    pub value: Q,
    /// Whether an offset is allowed (some layer has a bias).
    pub affine: bool,
    /// Dual multipliers: `0 <= lambda_i <= 1`, `sum lambda_i y_i x_i = 0`,
    /// `sum lambda_i y_i = 0` if affine; `value = (1/N) sum lambda_i`.
    pub lambda: Vec<Q>,
    /// An optimal classifier `(a, c)` (`c = 0` if not affine), from the primal.
    pub classifier: (Vec<Q>, Q),
}

/// For a network computing a linear (affine) function of its input (linear
/// activation, or no hidden layer) with the binary hinge loss: the optimum
/// of the hinge loss over all linear (affine) classifiers, by an exact LP,
/// with its dual certificate. Weak duality: for every (a, c),
/// `(1/N) sum max(0, 1 - y_i (a.x_i + c)) >= (1/N) sum lambda_i (1 - y_i (a.x_i + c)) = (1/N) sum lambda_i`.
pub fn linear_lower_bound(problem: &Problem) -> Option<LinearBound> {
    linear_lower_bound_within(problem, &Deadline::never())
}

/// `linear_lower_bound`, whose LP stops at `deadline` (then `None`: test
/// the deadline before reading `None` as "no bound").
pub fn linear_lower_bound_within(problem: &Problem, deadline: &Deadline) -> Option<LinearBound> {
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || problem.loss != LossKind::Hinge {
        return None;
    }
    let affine = arch.bias.iter().any(|&b| b);
    let d = arch.input_dim();
    hinge_lp(
        &dense_rows(&problem.data.x, true),
        &problem.data.y,
        d,
        affine,
        deadline,
    )
}

/// Feature rows `(index, value)` of dense inputs; zero entries kept when
/// `keep_zeros` (the binary LP has always listed them).
fn dense_rows(x: &[Vec<Q>], keep_zeros: bool) -> Vec<Vec<(usize, Q)>> {
    x.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, v)| keep_zeros || !v.is_zero())
                .map(|(j, v)| (j, v.clone()))
                .collect()
        })
        .collect()
}

/// The binary hinge LP over all linear (affine) functions `a . phi + c` of
/// the features `phi_i` (sparse rows `(index, value)`, `d` of them, labels
/// `y_i = +-1`), with its dual solution re-checked exactly. Shared by the
/// linear-model bound (the features are the inputs) and the function-space
/// bound (the features are the indicators of the distinct inputs).
pub(crate) fn hinge_lp(
    rows: &[Vec<(usize, Q)>],
    labels: &[i64],
    d: usize,
    affine: bool,
    deadline: &Deadline,
) -> Option<LinearBound> {
    let n = rows.len();
    if n == 0 || labels.len() != n || rows.iter().flatten().any(|(j, _)| *j >= d) {
        return None;
    }
    let nq = Q::from_integer((n as i64).into());
    // primal: min (1/N) sum xi_i, xi_i >= 1 - y_i (a.x_i + c), xi >= 0
    let mut model = lp::Lp::new(Sense::Minimize);
    let a: Vec<lp::VarId> = (0..d).map(|_| model.add_var(None, None)).collect();
    let c = affine.then(|| model.add_var(None, None));
    let xi: Vec<lp::VarId> = (0..n)
        .map(|_| model.add_var(Some(Q::zero()), None))
        .collect();
    for ((slack, xrow), &label) in xi.iter().zip(rows).zip(labels) {
        let y = Q::from_integer(label.into());
        // xi_i + y x_i . a + y c >= 1
        let mut row: Vec<(lp::VarId, Q)> = vec![(*slack, Q::one())];
        row.extend(xrow.iter().map(|(j, x)| (a[*j], &y * x)));
        if let Some(c) = c {
            row.push((c, y.clone()));
        }
        model.add_row(row, Cmp::Ge, Q::one());
    }
    model.set_objective(xi.iter().map(|v| (*v, Q::one() / &nq)).collect());
    let Ok(LpResult::Optimal { x, duals, value }) = lp::solve_within(&model, deadline) else {
        return None;
    };
    // duals of the >= rows of a minimisation are >= 0 and are the
    // multipliers of (1/N) lambda_i; recheck the dual conditions exactly:
    // sum_i lambda_i y_i x_i = 0 (and sum_i lambda_i y_i = 0 if affine)
    let lambda: Vec<Q> = duals.iter().map(|y| y * &nq).collect();
    let mut balance = vec![Q::zero(); d];
    let mut offset = Q::zero();
    for ((l, xrow), &label) in lambda.iter().zip(rows).zip(labels) {
        let ly = l * Q::from_integer(label.into());
        for (j, xv) in xrow {
            balance[*j] += &ly * xv;
        }
        offset += ly;
    }
    let ok = lambda.len() == n
        && lambda.iter().all(|l| !l.is_negative() && *l <= Q::one())
        && balance.iter().all(Zero::is_zero)
        && (!affine || offset.is_zero())
        && lambda.iter().fold(Q::zero(), |acc, l| acc + l) / &nq == value;
    if !ok {
        return None;
    }
    let classifier = (
        a.iter().map(|v| x[v.0].clone()).collect(),
        c.map_or_else(Q::zero, |v| x[v.0].clone()),
    );
    Some(LinearBound {
        value,
        affine,
        lambda,
        classifier,
    })
}

/// The LP lower bound for linear models with a multiclass loss.
pub struct MulticlassBound {
    /// The optimum over all multiclass classifiers `x -> W x (+ c)`.
    pub value: Q,
    /// Whether offsets `c` are allowed (some layer has a bias).
    pub affine: bool,
    /// Dual multipliers `lambda[i][k]` (0 for `k = y_i`): in `[0, 1]`
    /// (Weston-Watkins) or `>= 0` with row sums `<= 1` (Crammer-Singer);
    /// `sum_i sum_k lambda_ik (e_k - e_{y_i}) x_i^T = 0` (and `... = 0`
    /// without `x_i` if affine); `value = (1/N) sum lambda_ik`.
    pub lambda: Vec<Vec<Q>>,
}

/// For a network computing a linear (affine) map (linear activation, or no
/// hidden layer) with the Weston-Watkins or Crammer-Singer loss: the
/// optimum over all linear (affine) multiclass classifiers by an exact LP,
/// with its dual certificate (weak duality: every hinge term is at least
/// its multiplier times its argument, and the arguments' classifier parts
/// cancel).
pub fn multiclass_lower_bound(problem: &Problem) -> Option<MulticlassBound> {
    multiclass_lower_bound_within(problem, &Deadline::never())
}

/// `multiclass_lower_bound`, whose LP stops at `deadline` (then `None`:
/// test the deadline before reading `None` as "no bound").
pub fn multiclass_lower_bound_within(
    problem: &Problem,
    deadline: &Deadline,
) -> Option<MulticlassBound> {
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    let multiclass = matches!(
        problem.loss,
        LossKind::MulticlassHinge | LossKind::CrammerSinger
    );
    if !linear_model || !multiclass {
        return None;
    }
    let cs = problem.loss == LossKind::CrammerSinger;
    let affine = arch.bias.iter().any(|&b| b);
    let rows = dense_rows(&problem.data.x, false);
    multiclass_lp(
        &rows,
        &problem.data.y,
        arch.input_dim(),
        arch.output_width(),
        cs,
        affine,
        deadline,
    )
}

/// The Weston-Watkins (`cs` false) or Crammer-Singer (`cs` true) LP over
/// all linear (affine) multiclass maps `W phi + c` of the features `phi_i`
/// (sparse rows `(index, value)`, `d` of them, labels in `0..classes`),
/// with its dual solution re-checked exactly. Shared by the linear-model
/// bound and the function-space bound (indicator features).
pub(crate) fn multiclass_lp(
    rows: &[Vec<(usize, Q)>],
    labels: &[i64],
    d: usize,
    classes: usize,
    cs: bool,
    affine: bool,
    deadline: &Deadline,
) -> Option<MulticlassBound> {
    let n = rows.len();
    let label_ok = |l: &i64| usize::try_from(*l).is_ok_and(|l| l < classes);
    if n == 0
        || labels.len() != n
        || !labels.iter().all(label_ok)
        || rows.iter().flatten().any(|(j, _)| *j >= d)
    {
        return None;
    }
    let nq = Q::from_integer((n as i64).into());
    let mut model = lp::Lp::new(Sense::Minimize);
    let w: Vec<Vec<lp::VarId>> = (0..classes)
        .map(|_| (0..d).map(|_| model.add_var(None, None)).collect())
        .collect();
    let c: Vec<Option<lp::VarId>> = (0..classes)
        .map(|_| affine.then(|| model.add_var(None, None)))
        .collect();
    let mut objective = Vec::new();
    // row index of (i, k)
    let mut row_of = vec![vec![None; classes]; n];
    for (i, (x, &label)) in rows.iter().zip(labels).enumerate() {
        let y = usize::try_from(label).ok()?;
        let shared = cs.then(|| model.add_var(Some(Q::zero()), None));
        if let Some(v) = shared {
            objective.push((v, Q::one() / &nq));
        }
        for k in (0..classes).filter(|&k| k != y) {
            let xi = match shared {
                Some(v) => v,
                None => {
                    let v = model.add_var(Some(Q::zero()), None);
                    objective.push((v, Q::one() / &nq));
                    v
                }
            };
            // xi - (w_k - w_y) . x - (c_k - c_y) >= 1
            let mut row = vec![(xi, Q::one())];
            for (j, xj) in x {
                if !xj.is_zero() {
                    row.push((w[k][*j], -xj.clone()));
                    row.push((w[y][*j], xj.clone()));
                }
            }
            if let (Some(ck), Some(cy)) = (c[k], c[y]) {
                row.push((ck, -Q::one()));
                row.push((cy, Q::one()));
            }
            row_of[i][k] = Some(model.add_row(row, Cmp::Ge, Q::one()));
        }
    }
    model.set_objective(objective);
    let Ok(LpResult::Optimal { duals, value, .. }) = lp::solve_within(&model, deadline) else {
        return None;
    };
    let lambda: Vec<Vec<Q>> = row_of
        .iter()
        .map(|r| {
            r.iter()
                .map(|x| x.map_or(Some(Q::zero()), |row| duals.get(row).map(|d| d * &nq)))
                .collect::<Option<Vec<Q>>>()
        })
        .collect::<Option<_>>()?;
    // recheck the dual conditions exactly
    let sums_ok = lambda.iter().all(|row| {
        row.iter().all(|l| !l.is_negative())
            && if cs {
                row.iter().fold(Q::zero(), |a, l| a + l) <= Q::one()
            } else {
                row.iter().all(|l| *l <= Q::one())
            }
    });
    // sum_i sum_{k != y_i} lambda_ik (e_k - e_{y_i}) x_i^T = 0, and the
    // same without x_i (offsets) if affine
    let mut balance = vec![vec![Q::zero(); d]; classes];
    let mut offset = vec![Q::zero(); classes];
    for ((x, &label), lrow) in rows.iter().zip(labels).zip(&lambda) {
        let y = usize::try_from(label).ok()?;
        for (k, l) in lrow.iter().enumerate() {
            if k == y || l.is_zero() {
                continue;
            }
            for (j, xv) in x {
                let t = l * xv;
                balance[y][*j] -= &t;
                balance[k][*j] += t;
            }
            offset[k] += l;
            offset[y] -= l;
        }
    }
    let balanced = balance.iter().flatten().all(Zero::is_zero)
        && (!affine || offset.iter().all(Zero::is_zero));
    let total = lambda.iter().flatten().fold(Q::zero(), |a, l| a + l) / &nq;
    (sums_ok && balanced && total == value).then_some(MulticlassBound {
        value,
        affine,
        lambda,
    })
}

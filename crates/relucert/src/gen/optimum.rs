//! Exact LP optima that the generators write as expectations.
//!
//! Owns: the best affine (or linear) map for the hinge loss of a data set,
//! and the best constant output, each an exact LP whose answer is checked
//! by `lp::check_result` before it is used.
//!
//! Must not: draw randomness, or return an optimum whose exact check
//! failed (it returns `None` instead).

use crate::lp::{self, Cmp, LpResult, Sense, VarId};
use crate::network::LossKind;
use crate::number::{qi, Q};
use num_traits::{One, Zero};

/// An exact LP: the best affine (`affine`) or linear map `f(x) = A x + c`
/// for the hinge loss of the data, minimising `(1/N) sum_i loss_i`.
/// Returns (optimum, A as K rows, c). `None` only if the LP engine's answer
/// fails its own exact check.
pub(super) fn best_affine(
    loss: LossKind,
    xs: &[Vec<Q>],
    ys: &[i64],
    k: usize,
    affine: bool,
) -> Option<(Q, Vec<Vec<Q>>, Vec<Q>)> {
    let n = xs.len();
    let d = xs.first().map_or(0, Vec::len);
    let inv_n = Q::one() / qi(n.max(1) as i64);
    let mut model = lp::Lp::new(Sense::Minimize);
    let a: Vec<Vec<VarId>> = (0..k)
        .map(|_| (0..d).map(|_| model.add_var(None, None)).collect())
        .collect();
    let c: Vec<Option<VarId>> = (0..k)
        .map(|_| affine.then(|| model.add_var(None, None)))
        .collect();
    // s * f_r(x) as LP terms
    let f_terms = |r: usize, x: &[Q], s: &Q| -> Vec<(VarId, Q)> {
        let mut t: Vec<(VarId, Q)> = a[r].iter().zip(x).map(|(v, xi)| (*v, s * xi)).collect();
        if let Some(cv) = c[r] {
            t.push((cv, s.clone()));
        }
        t
    };
    let mut objective = Vec::new();
    for (x, &y) in xs.iter().zip(ys) {
        match loss {
            // the classification families of `gen` never ask for these
            LossKind::Absolute | LossKind::Squared => return None,
            LossKind::Hinge => {
                let xi = model.add_var(Some(Q::zero()), None);
                let mut row = vec![(xi, Q::one())];
                row.extend(f_terms(0, x, &qi(y)));
                model.add_row(row, Cmp::Ge, Q::one());
                objective.push((xi, inv_n.clone()));
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let yc = y as usize;
                let shared =
                    (loss == LossKind::CrammerSinger).then(|| model.add_var(Some(Q::zero()), None));
                if let Some(xi) = shared {
                    objective.push((xi, inv_n.clone()));
                }
                for other in (0..k).filter(|&r| r != yc) {
                    let xi = match shared {
                        Some(v) => v,
                        None => {
                            let v = model.add_var(Some(Q::zero()), None);
                            objective.push((v, inv_n.clone()));
                            v
                        }
                    };
                    // xi >= 1 + f_other - f_y
                    let mut row = vec![(xi, Q::one())];
                    row.extend(f_terms(other, x, &qi(-1)));
                    row.extend(f_terms(yc, x, &Q::one()));
                    model.add_row(row, Cmp::Ge, Q::one());
                }
            }
        }
    }
    model.set_objective(objective);
    let result = lp::solve(&model);
    lp::check_result(&model, &result).ok()?;
    let LpResult::Optimal { x, value, .. } = result else {
        return None;
    };
    let amat = a
        .iter()
        .map(|row| row.iter().map(|v| x[v.0].clone()).collect())
        .collect();
    let cvec = c
        .iter()
        .map(|v| v.map_or_else(Q::zero, |v| x[v.0].clone()))
        .collect();
    Some((value, amat, cvec))
}

/// The best constant output `c` (an LP over `c` alone) and the loss of a
/// given constant, both by formula: with every unit strictly dead the
/// network's output is its output bias at every nearby parameter point.
pub(super) fn best_constant(loss: LossKind, ys: &[i64], k: usize) -> Option<(Q, Vec<Q>)> {
    let empty: Vec<Vec<Q>> = vec![Vec::new(); ys.len()];
    best_affine(loss, &empty, ys, k, true).map(|(v, _, c)| (v, c))
}

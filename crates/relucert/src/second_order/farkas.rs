//! First-order conditions of a region's quadratic lower bound: Farkas
//! multipliers, then the second-order test on the critical cone.
//!
//! Owns: `prove_bound` (one quadratic lower bound `g . d + d^T H d / 2` on a
//! polyhedral cone: multipliers `mu >= 0` with `sum mu_k r_k = g` and the
//! largest support, by exact LPs, re-checked exactly; then `cone_test` on
//! the critical cone) and `farkas_multipliers`.
//!
//! Must not: trust an LP's answer without re-checking it exactly; a
//! failure only proposes directions, it proves nothing.

use super::cone::{cone_test, ConeTest};
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// Why a region failed, and the directions its failure exhibited.
pub(super) type RegionFailure = (String, Vec<Vec<Q>>);

/// First order (Farkas multipliers with the largest support) and the
/// copositivity test on the critical cone, for one quadratic lower bound.
pub(super) fn prove_bound(
    rows: &[Vec<Q>],
    g: &[Q],
    h: &[Vec<Q>],
    n: usize,
    deadline: &Deadline,
) -> Result<(Vec<Q>, Vec<usize>), RegionFailure> {
    let mu = match farkas_multipliers(rows, g, n, deadline) {
        Ok(mu) => mu,
        Err(d) => {
            return Err((
                "the first-order condition fails (a direction in the region decreases the lower bound at first order)"
                    .to_string(),
                d.into_iter().collect(),
            ))
        }
    };
    if deadline.expired() {
        // nothing proven; the caller ends the attempt as stopped
        return Err((
            "the time limit (--timeout) was reached".to_string(),
            Vec::new(),
        ));
    }
    let eq: Vec<Vec<Q>> = rows
        .iter()
        .zip(&mu)
        .filter(|(_, m)| m.is_positive())
        .map(|(r, _)| r.clone())
        .collect();
    let ineq: Vec<(usize, Vec<Q>)> = rows
        .iter()
        .zip(&mu)
        .enumerate()
        .filter(|(_, (r, m))| m.is_zero() && r.iter().any(|x| !x.is_zero()))
        .map(|(i, (r, _))| (i, r.clone()))
        .collect();
    match cone_test(h, &eq, &ineq, n, deadline) {
        ConeTest::Nonneg(kept) => Ok((mu, kept)),
        ConeTest::Fails(d, why) => Err((why, d)),
    }
}

/// `mu >= 0` with `sum mu_k rows_k = g` and as many positive entries as
/// possible; `Err(Some(d))` with a first-order descent direction of the
/// lower bound if there is none.
/// The LPs stop at `deadline` (then no multipliers and no direction: the
/// caller tests the deadline before trusting a failure).
pub(crate) fn farkas_multipliers(
    rows: &[Vec<Q>],
    g: &[Q],
    n: usize,
    deadline: &Deadline,
) -> Result<Vec<Q>, Option<Vec<Q>>> {
    let solve = |target: Option<usize>| -> Option<LpResult> {
        let mut model = lp::Lp::new(Sense::Maximize);
        let mu: Vec<lp::VarId> = rows
            .iter()
            .map(|_| model.add_var(Some(Q::zero()), None))
            .collect();
        for (c, gc) in g.iter().enumerate() {
            let coeffs: Vec<(lp::VarId, Q)> = rows
                .iter()
                .zip(&mu)
                .filter(|(r, _)| !r[c].is_zero())
                .map(|(r, v)| (*v, r[c].clone()))
                .collect();
            if coeffs.is_empty() && gc.is_zero() {
                continue;
            }
            model.add_row(coeffs, Cmp::Eq, gc.clone());
        }
        if let Some(k) = target {
            let tau = model.add_var(Some(Q::zero()), Some(Q::one()));
            model.add_row(
                vec![(tau, Q::one()), (mu[k], -Q::one())],
                Cmp::Le,
                Q::zero(),
            );
            model.set_objective(vec![(tau, Q::one())]);
        }
        lp::solve_within(&model, deadline).ok()
    };
    let first = solve(None);
    let mut mu = match first {
        Some(LpResult::Optimal { x, .. }) => x[..rows.len()].to_vec(),
        _ => {
            // a descent direction of the bound: min g.d over rows.d >= 0, |d| <= 1
            let mut model = lp::Lp::new(Sense::Minimize);
            let d: Vec<lp::VarId> = (0..n)
                .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
                .collect();
            for r in rows {
                let coeffs: Vec<(lp::VarId, Q)> = r
                    .iter()
                    .zip(&d)
                    .filter(|(x, _)| !x.is_zero())
                    .map(|(x, v)| (*v, x.clone()))
                    .collect();
                if !coeffs.is_empty() {
                    model.add_row(coeffs, Cmp::Ge, Q::zero());
                }
            }
            model.set_objective(d.iter().zip(g).map(|(v, x)| (*v, x.clone())).collect());
            return Err(match lp::solve_within(&model, deadline) {
                Ok(LpResult::Optimal { x, value, .. }) if value.is_negative() => {
                    Some(x[..n].to_vec())
                }
                _ => None,
            });
        }
    };
    let mut count = 1usize;
    for k in 0..rows.len() {
        if mu[k].is_positive() || rows[k].iter().all(|x| x.is_zero()) {
            continue;
        }
        if let Some(LpResult::Optimal { x, value, .. }) = solve(Some(k)) {
            if value.is_positive() {
                // running average of feasible multipliers keeps feasibility
                count += 1;
                let w = Q::new(1.into(), (count as i64).into());
                for (m, xm) in mu.iter_mut().zip(&x) {
                    *m = &*m + (xm - &*m) * &w;
                }
            }
        }
    }
    for (m, r) in mu.iter_mut().zip(rows) {
        if r.iter().all(|x| x.is_zero()) {
            *m = Q::zero();
        }
    }
    // re-check exactly: mu >= 0 and sum mu_k rows_k = g
    let ok = mu.iter().all(|m| !m.is_negative())
        && (0..n).all(|c| {
            rows.iter()
                .zip(&mu)
                .fold(Q::zero(), |acc, (r, m)| acc + &r[c] * m)
                == g[c]
        });
    if ok {
        Ok(mu)
    } else {
        Err(None)
    }
}

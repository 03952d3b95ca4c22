//! A Farkas certificate read off the float simplex's phase-1 end, with one
//! exact solve.
//!
//! At a phase-1 optimum `x^` the float simplex has a vertex: `n` active
//! constraints `N` (its nonbasic set) and some violated constraints `V`.
//! Optimality of phase 1 says that the violations' gradient is a signed
//! combination of the active rows, which is exactly a Farkas certificate:
//! `y_k = +-1` on `V` (the sign its kind allows, pointing at the violation)
//! and `y_N = lambda` with `N^T lambda = -sum_V y_k g_k`. Then `y . g = 0`
//! and `y . h = sum_V y_k (h_k - g_k . x^) > 0`. Only the one system
//! `N^T lambda = r` is solved exactly ([`crate::dixon`]); QSopt_ex reads its
//! infeasibility proofs off the phase-1 basis the same way. The elastic LP
//! (a second, larger float solve) is then needed only when this fails.
//!
//! Must not: accept anything unchecked. `V`, `N` and the signs are float
//! proposals; the caller returns the certificate only after
//! [`crate::check::check_result`] accepts it on the LP.

use super::dixon;
use super::fast::{modular_basis, multiplier_ok};
use super::intform::IntLp;
use super::intops::ratio;
use crate::linalg::{Ring, Stop};
use crate::number::Q;
use num_bigint::BigInt;
use num_traits::Zero;

/// From the float's phase-1 end (`active`: its nonbasic constraints,
/// `violated`: the violated ones with their signs), the multipliers
/// `(constraint index, y)` of a proposed Farkas certificate in
/// the integer form's sign convention (`Ge`: `y >= 0`, `Le`: `y <= 0`), or
/// `None` (no proposal, a sign is wrong, or the deadline passed).
pub(crate) fn from_phase1<T: Ring>(
    ilp: &IntLp<T>,
    xf: &[f64],
    active: &[usize],
    violated: &[(usize, i8)],
    stop: &Stop<'_>,
) -> Option<Vec<(usize, Q)>> {
    let n = ilp.n;
    if xf.len() != n || violated.is_empty() {
        return None;
    }
    let viol: Vec<(usize, i8)> = violated
        .iter()
        .copied()
        .filter(|(k, _)| *k < ilp.cons.len())
        .collect();
    let mut in_v = vec![false; ilp.cons.len()];
    for &(k, _) in &viol {
        in_v[k] = true;
    }
    // N: the float's active set, minus anything it counts as violated.
    let cand: Vec<usize> = active.iter().copied().filter(|&k| !in_v[k]).collect();
    let (sel, mrows, _, origins) = modular_basis(ilp, &cand, xf, stop)?;
    // r = -sum_V y_k g_k.
    let mut r = vec![BigInt::zero(); n];
    for &(k, s) in &viol {
        for (rj, a) in r.iter_mut().zip(&ilp.cons[k].coef) {
            if !a.is_zero_r() {
                if s > 0 {
                    *rj -= a.to_big();
                } else {
                    *rj += a.to_big();
                }
            }
        }
    }
    let basis = dixon::Basis::new(mrows, n);
    let dixon::Solved::Unique { num, den } = basis.solve_dual(&r, stop)? else {
        return None;
    };
    let mut y: Vec<(usize, Q)> = viol
        .iter()
        .map(|&(k, s)| (k, Q::from_integer(BigInt::from(s))))
        .collect();
    for (i, lam) in num.into_iter().enumerate() {
        let k = sel.get(i).copied().unwrap_or(0);
        let sign = Ring::signum(&lam);
        if !multiplier_ok(ilp, origins[i], k, sign) {
            return None;
        }
        if sign != 0 {
            y.push((k, ratio(lam, den.clone())));
        }
    }
    Some(y)
}

//! The LP of one set of (chamber, sign) pairs, its dual bound, and which
//! other pairs that dual bound is valid for.
//!
//! Owns: building `LP(pairs)` of THEORY section 9 (minimise the average
//! hinge slack over `u_j` in the closed chamber cones and the output bias),
//! reading its exact solution (the network) and duals (`lambda`, and `nu`
//! for the set's own pairs), and the per-pair polar-cone test that extends
//! a dual to other pairs (docs/certificates.md, "Duals").
//!
//! Must not: trust a float: every answer comes from `relucert-lp`'s exact
//! pipeline, and every `nu` is re-checked before it is used.

// Index loops mirror the formulas (rows i, coordinates d, units j).
#![allow(clippy::needless_range_loop)]

use super::chambers::Chambers;
use super::setting::{dot, sign_q, Setting};
use super::GlobalError;
use crate::cert::{PairProof, Sparse};
use crate::lp::{solve, Cmp, Lp, LpResult, Sense, VarId};
use crate::number::Q;
use num_traits::{One, Signed, Zero};

/// A pair's chamber and sign.
pub(super) fn pair_parts(pair: usize) -> (usize, bool) {
    (pair / 2, pair % 2 == 0)
}

/// An exact optimum of one set's LP.
pub(super) struct SetSolution {
    /// The optimal value (the average hinge loss).
    pub value: Q,
    /// `u_j` per pair of the set.
    pub u: Vec<Vec<Q>>,
    /// The output bias.
    pub c: Q,
    /// `lambda` (in [0, 1], bound `(1/N) sum lambda = value`).
    pub lambda: Vec<Q>,
}

/// Solve `LP(pairs)` exactly.
pub(super) fn solve_set(
    setting: &Setting,
    all: &Chambers,
    pairs: &[usize],
) -> Result<SetSolution, GlobalError> {
    let chambers = &all.list;
    let n = setting.n;
    let nq = Q::from_integer((n as i64).into());
    let mut lp = Lp::new(Sense::Minimize);
    let xi: Vec<VarId> = (0..n).map(|_| lp.add_var(Some(Q::zero()), None)).collect();
    let u: Vec<Vec<VarId>> = pairs
        .iter()
        .map(|_| (0..setting.dim).map(|_| lp.add_var(None, None)).collect())
        .collect();
    let c = setting.output_bias.then(|| lp.add_var(None, None));
    for i in 0..n {
        let mut coeffs = vec![(xi[i], Q::one())];
        for (j, &p) in pairs.iter().enumerate() {
            let (ch, plus) = pair_parts(p);
            let mu = setting.mu(chambers[ch].signs[i]);
            if mu.is_zero() {
                continue;
            }
            let f = if plus {
                &setting.y[i] * mu
            } else {
                -(&setting.y[i] * mu)
            };
            for d in 0..setting.dim {
                let a = &f * &setting.xt[i][d];
                if !a.is_zero() {
                    coeffs.push((u[j][d], a));
                }
            }
        }
        if let Some(c) = c {
            coeffs.push((c, setting.y[i].clone()));
        }
        lp.add_row(coeffs, Cmp::Ge, Q::one());
    }
    for (j, &p) in pairs.iter().enumerate() {
        let (ch, _) = pair_parts(p);
        for &k in &all.facets[ch] {
            let e = sign_q(chambers[ch].signs[k]);
            let coeffs = (0..setting.dim)
                .map(|d| (u[j][d], &e * &setting.xt[k][d]))
                .filter(|(_, a)| !a.is_zero())
                .collect();
            lp.add_row(coeffs, Cmp::Ge, Q::zero());
        }
    }
    lp.set_objective(xi.iter().map(|&v| (v, Q::one() / &nq)).collect());
    match solve(&lp) {
        LpResult::Optimal { x, duals, value } => {
            let lambda: Vec<Q> = duals[..n].iter().map(|d| d * &nq).collect();
            let uval = u
                .iter()
                .map(|row| row.iter().map(|v| x[v.0].clone()).collect())
                .collect();
            let cval = c.map_or_else(Q::zero, |c| x[c.0].clone());
            Ok(SetSolution {
                value,
                u: uval,
                c: cval,
                lambda,
            })
        }
        other => Err(GlobalError::Internal(format!(
            "a set's LP is {} (it is always feasible and bounded below by 0)",
            other.status()
        ))),
    }
}

/// `g = s sum_i lambda_i y_i mu(eps_i) x~_i` for pair `pair`.
fn g_vector(
    setting: &Setting,
    chambers: &[crate::cert::Chamber],
    lambda: &[Q],
    pair: usize,
) -> Vec<Q> {
    let (ch, plus) = pair_parts(pair);
    let mut g = vec![Q::zero(); setting.dim];
    for i in 0..setting.n {
        if lambda[i].is_zero() {
            continue;
        }
        let w = &lambda[i] * &setting.y[i] * setting.mu(chambers[ch].signs[i]);
        if w.is_zero() {
            continue;
        }
        for d in 0..setting.dim {
            g[d] += &w * &setting.xt[i][d];
        }
    }
    if !plus {
        for v in &mut g {
            *v = -v.clone();
        }
    }
    g
}

/// Whether `lambda` is a valid dual for pair `pair`: `nu >= 0` with
/// `sum_k nu_k eps_k x~_k + g = 0` (re-checked), or `None`.
pub(super) fn compatible(
    setting: &Setting,
    all: &Chambers,
    lambda: &[Q],
    pair: usize,
) -> Result<Option<PairProof>, GlobalError> {
    let chambers = &all.list;
    let g = g_vector(setting, chambers, lambda, pair);
    if g.iter().all(Zero::is_zero) {
        return Ok(Some(PairProof {
            pair,
            nu: Vec::new(),
        }));
    }
    let (ch, _) = pair_parts(pair);
    let signs = &chambers[ch].signs;
    // g . u <= 0 on the cone is necessary; the witness is in the cone.
    if dot(&g, &chambers[ch].witness).is_positive() {
        return Ok(None);
    }
    let reps = &all.facets[ch];
    let mut lp = Lp::new(Sense::Minimize);
    let vars: Vec<VarId> = reps
        .iter()
        .map(|_| lp.add_var(Some(Q::zero()), None))
        .collect();
    for (d, gd) in g.iter().enumerate() {
        let coeffs = reps
            .iter()
            .zip(&vars)
            .map(|(&k, &v)| (v, sign_q(signs[k]) * &setting.xt[k][d]))
            .collect();
        lp.add_row(coeffs, Cmp::Eq, -gd.clone());
    }
    match solve(&lp) {
        LpResult::Optimal { x, .. } => {
            let nu: Sparse = reps
                .iter()
                .zip(x)
                .filter(|(_, v)| !v.is_zero())
                .map(|(&k, v)| (k, v))
                .collect();
            check_nu(setting, signs, &g, &nu)?;
            Ok(Some(PairProof { pair, nu }))
        }
        LpResult::Infeasible { .. } => Ok(None),
        LpResult::Unbounded { .. } => Err(GlobalError::Internal(
            "a polar-cone LP with a zero objective is unbounded".into(),
        )),
    }
}

fn check_nu(
    setting: &Setting,
    signs: &[crate::network::Sign],
    g: &[Q],
    nu: &Sparse,
) -> Result<(), GlobalError> {
    let ok = nu.iter().all(|(_, v)| !v.is_negative())
        && (0..setting.dim).all(|d| {
            let s = nu.iter().fold(g[d].clone(), |acc, (k, v)| {
                acc + v * sign_q(signs[*k]) * &setting.xt[*k][d]
            });
            s.is_zero()
        });
    if ok {
        Ok(())
    } else {
        Err(GlobalError::Internal(
            "a polar-cone multiplier failed its re-check".into(),
        ))
    }
}

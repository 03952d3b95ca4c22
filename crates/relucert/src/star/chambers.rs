//! The local chambers of one unit: every sign vector on its zero set `Z_j`
//! either realised strictly (a witness `d`) or shown empty (a Gordan vector
//! `y >= 0`, not zero, with `sum_k y_k eps_k x~_k = 0`).
//!
//! Owns: one exact feasibility LP per sign vector (`eps_k d . x~_k >= 1`),
//! reading the witness from its solution and the Gordan vector from its
//! Farkas certificate, and re-checking both exactly.
//!
//! Must not: return a witness or Gordan vector that failed its re-check.

use super::{Setting, StarError};
use crate::cert::{StarChamber, StarEmpty, StarUnit};
use crate::lp::{solve_within, Cmp, Lp, LpResult, Sense};
use crate::number::Q;
use crate::Deadline;
use num_traits::{Signed, Zero};

/// `sum_k v_k eps_k x~_k` over `Z_j` (`v` indexed like `Z_j`).
fn combine(s: &Setting, zero: &[usize], sides: &[bool], v: &[Q]) -> Vec<Q> {
    let mut out = vec![Q::zero(); s.dim];
    for ((&k, &pos), val) in zero.iter().zip(sides).zip(v) {
        for (o, x) in out.iter_mut().zip(&s.xt[k]) {
            let t = val * x;
            *o += if pos { t } else { -t };
        }
    }
    out
}

/// Unit `j`'s local chambers and the emptiness proofs of the other sign vectors.
pub(super) fn local_chambers(
    s: &Setting,
    j: usize,
    deadline: &Deadline,
) -> Result<StarUnit, StarError> {
    let zero = s.zero[j].clone();
    let mut chambers = Vec::new();
    let mut empty = Vec::new();
    for mask in 0u32..(1u32 << zero.len()) {
        deadline.check().map_err(|_| StarError::TimeLimit)?;
        let sides: Vec<bool> = (0..zero.len()).map(|p| mask & (1 << p) == 0).collect();
        if zero.is_empty() {
            chambers.push(StarChamber {
                sides,
                witness: vec![Q::zero(); s.dim],
            });
            continue;
        }
        let mut lp = Lp::new(Sense::Minimize);
        let d: Vec<_> = (0..s.dim).map(|_| lp.add_var(None, None)).collect();
        for (&k, &pos) in zero.iter().zip(&sides) {
            let coeffs = d
                .iter()
                .zip(&s.xt[k])
                .filter(|(_, x)| !x.is_zero())
                .map(|(&v, x)| (v, if pos { x.clone() } else { -x.clone() }))
                .collect();
            lp.add_row(coeffs, Cmp::Ge, Q::from_integer(1.into()));
        }
        match solve_within(&lp, deadline).map_err(|_| StarError::TimeLimit)? {
            LpResult::Optimal { x, .. } => {
                let ok = zero.iter().zip(&sides).all(|(&k, &pos)| {
                    let v = s.xt[k]
                        .iter()
                        .zip(&x)
                        .fold(Q::zero(), |a, (p, q)| a + p * q);
                    !v.is_zero() && v.is_positive() == pos
                });
                if !ok {
                    return Err(StarError::Internal(
                        "a chamber witness failed its re-check".into(),
                    ));
                }
                chambers.push(StarChamber { sides, witness: x });
            }
            LpResult::Infeasible { farkas } => {
                let ok = farkas.iter().all(|v| !v.is_negative())
                    && farkas.iter().any(|v| !v.is_zero())
                    && combine(s, &zero, &sides, &farkas).iter().all(Zero::is_zero);
                if !ok {
                    return Err(StarError::Internal(
                        "a Gordan vector failed its re-check".into(),
                    ));
                }
                let farkas = zero
                    .iter()
                    .zip(farkas)
                    .filter(|(_, v)| !v.is_zero())
                    .map(|(&k, v)| (k, v))
                    .collect();
                empty.push(StarEmpty { sides, farkas });
            }
            LpResult::Unbounded { .. } => {
                return Err(StarError::Internal(
                    "a chamber LP with a zero objective is unbounded".into(),
                ))
            }
        }
    }
    Ok(StarUnit {
        zero,
        chambers,
        empty,
    })
}

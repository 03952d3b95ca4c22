//! The chambers of the data's arrangement and the proof that the list is
//! complete (flip closure, docs/certificates.md "Pattern-LP certificates").
//!
//! Owns: listing the chambers (open cells of the central arrangement of the
//! hyperplane points' `x~_i`, from `cells`) with rational witnesses, and for
//! every chamber and hyperplane whose flip is not a chamber, a Gordan vector
//! showing that flip empty.
//!
//! Must not: invent a chamber or an emptiness proof: every witness is
//! re-checked here, and every Gordan vector comes from an exact LP and is
//! re-checked before it is returned.

use super::setting::{dot, sign_q, Setting};
use super::GlobalError;
use crate::cert::{Chamber, EmptyFlip};
use crate::lp::{solve, Cmp, Lp, LpResult, Sense};
use crate::network::Sign;
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use std::collections::HashMap;

fn flipped(signs: &[Sign], points: &[usize]) -> Vec<Sign> {
    let mut out = signs.to_vec();
    for &i in points {
        out[i] = match out[i] {
            Sign::Pos => Sign::Neg,
            Sign::Neg => Sign::Pos,
            Sign::Zero => Sign::Zero,
        };
    }
    out
}

/// A Gordan vector for the open cone with signs `eps` (over the groups'
/// first points), or `None` when the cone is not empty.
fn gordan(setting: &Setting, eps: &[Sign]) -> Result<Option<Vec<(usize, Q)>>, GlobalError> {
    let reps: Vec<usize> = setting.groups.iter().map(|g| g[0]).collect();
    let mut lp = Lp::new(Sense::Minimize);
    let vars: Vec<_> = reps
        .iter()
        .map(|_| lp.add_var(Some(Q::zero()), None))
        .collect();
    for d in 0..setting.dim {
        let coeffs = reps
            .iter()
            .zip(&vars)
            .map(|(&k, &v)| (v, sign_q(eps[k]) * &setting.xt[k][d]))
            .collect();
        lp.add_row(coeffs, Cmp::Eq, Q::zero());
    }
    lp.add_row(
        vars.iter().map(|&v| (v, Q::one())).collect(),
        Cmp::Eq,
        Q::one(),
    );
    match solve(&lp) {
        LpResult::Optimal { x, .. } => {
            let y: Vec<(usize, Q)> = reps
                .iter()
                .zip(x)
                .filter(|(_, v)| !v.is_zero())
                .map(|(&k, v)| (k, v))
                .collect();
            // Re-check: y >= 0, not all zero, sum y_k eps_k x~_k = 0.
            let ok = !y.is_empty()
                && y.iter().all(|(_, v)| v.is_positive())
                && (0..setting.dim).all(|d| {
                    y.iter()
                        .fold(Q::zero(), |acc, (k, v)| {
                            acc + v * sign_q(eps[*k]) * &setting.xt[*k][d]
                        })
                        .is_zero()
                });
            if ok {
                Ok(Some(y))
            } else {
                Err(GlobalError::Internal(
                    "a Gordan vector failed its re-check".into(),
                ))
            }
        }
        LpResult::Infeasible { .. } => Ok(None),
        LpResult::Unbounded { .. } => Err(GlobalError::Internal(
            "a Gordan LP with a zero objective is unbounded".into(),
        )),
    }
}

/// The chambers with witnesses, and the emptiness proofs of the flips that
/// are not chambers.
pub(super) fn chambers(setting: &Setting) -> Result<(Vec<Chamber>, Vec<EmptyFlip>), GlobalError> {
    let cells = setting
        .arrangement
        .cells()
        .map_err(|e| GlobalError::Internal(e.to_string()))?;
    let mut list = Vec::with_capacity(cells.len());
    for cell in cells {
        let witness: Vec<Q> = cell
            .witness
            .iter()
            .map(|v| Q::from_integer(v.clone()))
            .collect();
        let witness = if witness.len() == setting.dim {
            witness
        } else {
            vec![Q::zero(); setting.dim]
        };
        for (i, s) in cell.signs.iter().enumerate() {
            let want = if setting.group[i].is_some() {
                match dot(&witness, &setting.xt[i]) {
                    v if v.is_positive() => Sign::Pos,
                    v if v.is_negative() => Sign::Neg,
                    _ => Sign::Zero,
                }
            } else {
                Sign::Zero
            };
            if *s != want || want == Sign::Zero && setting.group[i].is_some() {
                return Err(GlobalError::Internal(format!(
                    "chamber witness has the wrong sign at point {i}"
                )));
            }
        }
        list.push(Chamber {
            signs: cell.signs,
            witness,
        });
    }
    let index: HashMap<&[Sign], usize> = list
        .iter()
        .enumerate()
        .map(|(c, ch)| (ch.signs.as_slice(), c))
        .collect();
    if index.len() != list.len() {
        return Err(GlobalError::Internal(
            "two chambers with the same signs".into(),
        ));
    }
    let mut empty = Vec::new();
    for (c, ch) in list.iter().enumerate() {
        for points in &setting.groups {
            let eps = flipped(&ch.signs, points);
            if index.contains_key(eps.as_slice()) {
                continue;
            }
            match gordan(setting, &eps)? {
                Some(farkas) => empty.push(EmptyFlip {
                    chamber: c,
                    point: points[0],
                    farkas,
                }),
                None => {
                    return Err(GlobalError::Internal(format!(
                        "the enumeration missed a chamber next to chamber {c}"
                    )))
                }
            }
        }
    }
    Ok((list, empty))
}

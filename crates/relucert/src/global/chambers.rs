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
use crate::cells::CellsError;
use crate::cert::{Chamber, EmptyFlip};
use crate::lp::{solve, Cmp, Lp, LpResult, Sense};
use crate::network::Sign;
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;
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

/// A Gordan vector for the flip of chamber `signs` on the hyperplane of
/// point `h`, when that hyperplane is not a facet: then `eps_h x~_h` is
/// nonnegative on the chamber's cone, so (Farkas) `eps_h x~_h = sum_f nu_f
/// eps_f x~_f` over the facets with `nu >= 0`, and `y = nu` on the facets
/// with `y_h = 1` sums to 0 with the flipped signs. `None` when no such
/// `nu` exists (then the flip is not empty: an enumeration bug).
fn gordan(
    setting: &Setting,
    signs: &[Sign],
    facets: &[usize],
    h: usize,
) -> Result<Option<Vec<(usize, Q)>>, GlobalError> {
    let mut lp = Lp::new(Sense::Minimize);
    let vars: Vec<_> = facets
        .iter()
        .map(|_| lp.add_var(Some(Q::zero()), None))
        .collect();
    let target: Vec<Q> = setting.xt[h].iter().map(|v| sign_q(signs[h]) * v).collect();
    for (d, t) in target.iter().enumerate() {
        let coeffs = facets
            .iter()
            .zip(&vars)
            .map(|(&k, &v)| (v, sign_q(signs[k]) * &setting.xt[k][d]))
            .collect();
        lp.add_row(coeffs, Cmp::Eq, t.clone());
    }
    match solve(&lp) {
        LpResult::Optimal { x, .. } => {
            let mut y: Vec<(usize, Q)> = facets
                .iter()
                .zip(x)
                .filter(|(_, v)| !v.is_zero())
                .map(|(&k, v)| (k, v))
                .collect();
            y.push((h, Q::one()));
            let eps = |k: usize| {
                if k == h {
                    -sign_q(signs[k])
                } else {
                    sign_q(signs[k])
                }
            };
            // Re-check: y > 0 and sum y_k eps'_k x~_k = 0.
            let ok = y.iter().all(|(_, v)| v.is_positive())
                && (0..setting.dim).all(|d| {
                    y.iter()
                        .fold(Q::zero(), |acc, (k, v)| {
                            acc + v * eps(*k) * &setting.xt[*k][d]
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

/// The chambers with witnesses and facets.
pub(super) struct Chambers {
    /// The chambers.
    pub list: Vec<Chamber>,
    /// The emptiness proofs of the flips that are not chambers.
    pub empty: Vec<EmptyFlip>,
    /// Per chamber, one point of each hyperplane whose flip is a chamber:
    /// the facets of its closed cone (the other inequalities are redundant).
    pub facets: Vec<Vec<usize>>,
}

/// The chambers with witnesses, their facets, and the emptiness proofs of
/// the flips that are not chambers.
/// `Ok(Err(n))` with the number `n` of chambers listed when `deadline`
/// passes before their completeness is proven.
pub(super) fn chambers(
    setting: &Setting,
    deadline: &Deadline,
) -> Result<Result<Chambers, usize>, GlobalError> {
    let cells = match setting.arrangement.cells_within(deadline) {
        Ok(cells) => cells,
        Err(CellsError::TimeLimit) => return Ok(Err(0)),
        Err(e) => return Err(GlobalError::Internal(e.to_string())),
    };
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
    let facets: Vec<Vec<usize>> = list
        .iter()
        .map(|ch| {
            setting
                .groups
                .iter()
                .filter(|points| index.contains_key(flipped(&ch.signs, points).as_slice()))
                .map(|points| points[0])
                .collect()
        })
        .collect();
    for (c, ch) in list.iter().enumerate() {
        if deadline.expired() {
            return Ok(Err(list.len()));
        }
        for points in &setting.groups {
            if facets[c].contains(&points[0]) {
                continue;
            }
            match gordan(setting, &ch.signs, &facets[c], points[0])? {
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
    Ok(Ok(Chambers {
        list,
        empty,
        facets,
    }))
}

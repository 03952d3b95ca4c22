//! The chambers of a pattern-LP certificate and the proof that the list is
//! complete (flip closure with Gordan vectors).
//!
//! Owns: checking that every listed chamber is a nonempty open cell of the
//! arrangement `{x~_i-perp}` (strict witness), that no two are equal, that
//! every `empty` entry is a valid Gordan vector for the flip it names, and
//! that flipping any chamber on any hyperplane gives a listed chamber or a
//! flip shown empty. An `empty` entry whose flip is a listed chamber, or a
//! second entry for the same chamber and hyperplane, is rejected (never
//! needed; the first cannot be valid anyway).
//!
//! Must not: search for chambers or for Gordan vectors; the work is one
//! hash lookup per (chamber, hyperplane) flip.

use super::{dot, Setting};
use crate::CheckError;
use num_traits::{Signed, Zero};
use relucert_core::cert::{Chamber, EmptyFlip, Sparse};
use relucert_core::network::Sign;
use relucert_core::number::Q;
use relucert_core::Deadline;
use std::collections::HashMap;

fn negate(e: Sign) -> Sign {
    match e {
        Sign::Pos => Sign::Neg,
        Sign::Neg => Sign::Pos,
        Sign::Zero => Sign::Zero,
    }
}

/// The signs of a chamber negated on the points of one hyperplane.
fn flip(signs: &[Sign], points: &[usize]) -> Vec<Sign> {
    let mut out = signs.to_vec();
    for &i in points {
        out[i] = negate(out[i]);
    }
    out
}

/// `acc += scale e x` (nothing for `e = 0`).
pub(super) fn add_signed(acc: &mut [Q], e: Sign, scale: &Q, x: &[Q]) {
    match e {
        Sign::Pos => acc.iter_mut().zip(x).for_each(|(a, v)| *a += scale * v),
        Sign::Neg => acc.iter_mut().zip(x).for_each(|(a, v)| *a -= scale * v),
        Sign::Zero => {}
    }
}

/// One listed chamber: the right shape and a strict witness.
fn check_chamber(s: &Setting<'_>, c: usize, ch: &Chamber) -> Result<(), CheckError> {
    if ch.signs.len() != s.n() || ch.witness.len() != s.d {
        return Err(s.fail(format!(
            "chamber {c}: needs {} signs and a witness of length {}",
            s.n(),
            s.d
        )));
    }
    for (i, &e) in ch.signs.iter().enumerate() {
        let ok = match s.plane[i] {
            None => e == Sign::Zero,
            Some(_) => e != Sign::Zero && Sign::of(&dot(&ch.witness, &s.xt[i])) == e,
        };
        if !ok {
            return Err(s.fail(match s.plane[i] {
                None => {
                    format!("chamber {c}: point {i} is on no hyperplane, so its sign must be 0")
                }
                Some(_) => {
                    format!("chamber {c}: the witness does not have the sign of point {i} strictly")
                }
            }));
        }
    }
    Ok(())
}

/// A Gordan vector: values > 0, at least one on a hyperplane point, and
/// `sum_k v_k eps'_k x~_k = 0`; then no `u` has the signs `eps'`.
fn check_gordan(
    s: &Setting<'_>,
    e: usize,
    flipped: &[Sign],
    farkas: &Sparse,
) -> Result<(), CheckError> {
    let mut sum = vec![Q::zero(); s.d];
    let mut on_plane = false;
    for (k, v) in farkas {
        if *k >= s.n() || !v.is_positive() {
            return Err(s.fail(format!(
                "empty[{e}]: farkas entries need a point below {} and a value > 0",
                s.n()
            )));
        }
        on_plane |= s.plane[*k].is_some();
        add_signed(&mut sum, flipped[*k], v, &s.xt[*k]);
    }
    if !on_plane {
        return Err(s.fail(format!(
            "empty[{e}]: farkas has no entry on a hyperplane point"
        )));
    }
    if sum.iter().any(|v| !v.is_zero()) {
        return Err(s.fail(format!("empty[{e}]: sum_k farkas_k eps'_k x~_k is not 0")));
    }
    Ok(())
}

/// Check the chamber list and its completeness proof.
pub(super) fn check(
    s: &Setting<'_>,
    chambers: &[Chamber],
    empty: &[EmptyFlip],
    deadline: &Deadline,
) -> Result<(), CheckError> {
    if chambers.is_empty() {
        return Err(s.fail("no chamber is listed".to_string()));
    }
    let mut index: HashMap<&[Sign], usize> = HashMap::with_capacity(chambers.len());
    for (c, ch) in chambers.iter().enumerate() {
        deadline.check()?;
        check_chamber(s, c, ch)?;
        if let Some(first) = index.insert(&ch.signs, c) {
            return Err(s.fail(format!("chambers {first} and {c} are equal")));
        }
    }
    let mut shown: HashMap<(usize, usize), usize> = HashMap::with_capacity(empty.len());
    for (e, entry) in empty.iter().enumerate() {
        deadline.check()?;
        let (c, i) = (entry.chamber, entry.point);
        let Some(h) = (c < chambers.len() && i < s.n())
            .then(|| s.plane[i])
            .flatten()
        else {
            return Err(s.fail(format!(
                "empty[{e}]: needs a listed chamber and a point on a hyperplane"
            )));
        };
        let flipped = flip(&chambers[c].signs, &s.planes[h]);
        if let Some(listed) = index.get(flipped.as_slice()) {
            return Err(s.fail(format!(
                "empty[{e}]: the flip of chamber {c} on the hyperplane of point {i} is chamber {listed}"
            )));
        }
        check_gordan(s, e, &flipped, &entry.farkas)?;
        if let Some(first) = shown.insert((c, h), e) {
            return Err(s.fail(format!(
                "empty[{first}] and empty[{e}] prove the same flip of chamber {c}"
            )));
        }
    }
    for (c, ch) in chambers.iter().enumerate() {
        deadline.check()?;
        for (h, points) in s.planes.iter().enumerate() {
            let flipped = flip(&ch.signs, points);
            if !index.contains_key(flipped.as_slice()) && !shown.contains_key(&(c, h)) {
                return Err(s.fail(format!(
                    "flip closure: chamber {c} flipped on the hyperplane of point {} is neither listed nor shown empty",
                    points[0]
                )));
            }
        }
    }
    Ok(())
}

//! The pieces of the loss around the point, and the flatness stage.
//!
//! Owns: which completions of the signature's zero entries are enumerated
//! (`PieceSides`: the live zero entries, every completion up to
//! `--max-pieces`, else a deterministic sample used only to propose arcs),
//! building each piece's polynomial (`cellpoly::loss_poly`), and the
//! `local-min` verdict by flatness (every piece is the constant `L(theta*)`,
//! `flat` evidence).
//!
//! Must not: call the loss flat unless every completion was enumerated and
//! every piece is exactly the constant; a sample only proposes.

use super::certificate::{decided, undecided};
use super::{completions, Outcome, VerifyError};
use crate::cellpoly::loss_poly;
use crate::instance::Instance;
use crate::network::{Evaluation, Problem, Side, Signature, ZeroEntry};
use crate::number::{fmt_q, Q};
use crate::poly::Poly;
use num_traits::Signed;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;
use std::ops::ControlFlow;

/// The side choices of the pieces around the point.
pub(super) struct PieceSides {
    /// How many zero entries are live (enumerated).
    pub(super) live: usize,
    /// Whether `all` is every completion (not a sample above the cap).
    pub(super) complete: bool,
    /// A side for every zero entry of the signature, per piece.
    pub(super) all: Vec<Vec<Side>>,
    /// Prefix of the final `undecided` reason when the pieces were capped.
    pub(super) note: String,
}

/// The completions to examine: every one if there are at most
/// `max_pieces`, else a deterministic sample of 256.
pub(super) fn piece_sides(
    ev: &Evaluation,
    sig: &Signature,
    regression: bool,
    max_pieces: usize,
) -> PieceSides {
    let all_zeros = sig.zero_entries();
    // a kink on a point whose hinge arguments are all < 0 changes no term of
    // the loss near the point (only that point's outputs depend on it): its
    // side is fixed to +, not enumerated
    // (hinge losses only: a regression point's loss always depends on its
    // output)
    let live = |z: &ZeroEntry| match z {
        ZeroEntry::PreActivation { .. } if regression => true,
        ZeroEntry::PreActivation { point, .. } => ev.points[*point]
            .terms
            .iter()
            .any(|h| !h.argument.is_negative()),
        _ => true,
    };
    let zeros: Vec<ZeroEntry> = all_zeros.iter().filter(|z| live(z)).cloned().collect();
    // too many completions: skip the flatness test and the per-piece arc
    // proposals, but still try the (cheaper) second-order analysis
    let capped = completions(&zeros, max_pieces).map(|list| {
        list.into_iter()
            .map(|sides| {
                let mut it = sides.into_iter();
                all_zeros
                    .iter()
                    .map(|z| {
                        if live(z) {
                            it.next().unwrap_or(Side::Pos)
                        } else {
                            Side::Pos
                        }
                    })
                    .collect::<Vec<Side>>()
            })
            .collect::<Vec<_>>()
    });
    // above the cap, arcs are still proposed from a deterministic sample
    // of completions (proposals only: every arc is checked exactly)
    let complete = capped.is_some();
    let all = capped.unwrap_or_else(|| {
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        (0..256u64)
            .map(|s| {
                all_zeros
                    .iter()
                    .map(|z| match z {
                        ZeroEntry::Tie { classes, .. } => Side::Class(rng.pick(classes)),
                        _ if !live(z) => Side::Pos,
                        _ if s == 0 => Side::Pos,
                        _ if s == 1 => Side::Neg,
                        _ if rng.chance(1, 2) => Side::Pos,
                        _ => Side::Neg,
                    })
                    .collect()
            })
            .collect()
    });
    let note = if !complete {
        format!(
            "{} zero entries give more than {} pieces (--max-pieces), so flatness and per-piece arcs were not examined; ",
            zeros.len(),
            max_pieces
        )
    } else {
        String::new()
    };
    PieceSides {
        live: zeros.len(),
        complete,
        all,
        note,
    }
}

/// The polynomial of every piece in `sides`; `Break` with `undecided` if
/// the time limit is reached first.
pub(super) fn pieces(
    problem: &Problem,
    sig: &Signature,
    sides: &PieceSides,
    loss: &Q,
    deadline: &Deadline,
) -> Result<ControlFlow<Outcome, Vec<Poly>>, VerifyError> {
    let mut pieces: Vec<Poly> = Vec::with_capacity(sides.all.len());
    for sides in &sides.all {
        if deadline.expired() {
            return Ok(ControlFlow::Break(undecided(
                loss.clone(),
                "the time limit (--timeout) was reached while building pieces".to_string(),
            )));
        }
        let pattern = sig
            .complete(sides)
            .map_err(|e| VerifyError::Internal(e.to_string()))?;
        pieces.push(loss_poly(problem, &pattern));
    }
    Ok(ControlFlow::Continue(pieces))
}

/// The stage: `local-min` if every completion was enumerated and every
/// piece is the constant `loss`.
pub(super) fn decide(
    inst: &Instance,
    loss: &Q,
    sides: &PieceSides,
    pieces: &[Poly],
) -> Option<Outcome> {
    let constant = Poly::constant(loss.clone());
    if sides.complete && pieces.iter().all(|p| *p == constant) {
        return Some(decided(
            inst,
            loss.clone(),
            Evidence::Flat {
                zero_entries: sides.live,
                pieces: pieces.len(),
            },
            format!(
                "flat: {} of the loss around the point {} the constant {}",
                if pieces.len() == 1 {
                    "the only piece".to_string()
                } else {
                    format!("all {} pieces", pieces.len())
                },
                if pieces.len() == 1 { "is" } else { "are" },
                fmt_q(&pieces[0].constant_term())
            ),
        ));
    }
    None
}

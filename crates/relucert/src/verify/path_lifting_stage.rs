//! The path-lifting stage: `local-min` when every completion's convex
//! relaxation over free path products bounds the loss by `L(theta*)`
//! (`crate::path_lifting`; certificate kind `path-lifting-bound`).
//!
//! Owns: calling the bound with the verifier's piece cap and deadline,
//! turning an equality into the verdict and its evidence, and saying when
//! the bound is cheap enough to run before the piecewise searches
//! ([`few_completions`]).
//!
//! Must not: claim anything when a completion's bound is below the loss,
//! or when the caps or the deadline stopped the bound.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::network::{Evaluation, Params, Problem};
use crate::number::Q;
use crate::path_lifting::{path_lifting_bound, tie_groups, zero_preactivations};
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// Most zero pre-activations for which `verify` runs the bound before the
/// pieces, the arcs and the second-order proof: at most `2^4 = 16`
/// completions, so at most 16 LPs (one per distinct feature matrix).
pub(super) const EARLY_KINKS: usize = 4;

/// The bound is cheap at this point: at most [`EARLY_KINKS`] tie groups of
/// zero pre-activations of hidden units (none for linear activation; hinge
/// corners and ties need no completion).
pub(super) fn few_completions(problem: &Problem, ev: &Evaluation) -> bool {
    let pre: Vec<Vec<Vec<Q>>> = ev.traces.iter().map(|t| t.pre.clone()).collect();
    let zeros = zero_preactivations(problem, &pre);
    if zeros.len() <= EARLY_KINKS {
        return true;
    }
    let groups = tie_groups(problem, &pre, &zeros);
    groups.iter().max().is_none_or(|g| *g < EARLY_KINKS)
}

/// The stage (see the module documentation).
pub(super) fn decide(
    inst: &Instance,
    params: &Params,
    loss: &Q,
    max_pieces: usize,
    deadline: &Deadline,
) -> Option<Outcome> {
    let b = path_lifting_bound(&inst.problem, params, max_pieces, Some(loss), deadline)?;
    if b.min_value < *loss || deadline.expired() {
        return None;
    }
    let reason = format!(
        "path lifting: on each of the {} completions of the {} zero pre-activations that can change a feature ({} tie groups: entries whose inputs are identical near the point take one side), the loss is at least its optimum over free path products ({} distinct feature matrices; the multipliers are the certificate), which equals the loss here",
        b.pieces,
        b.zeros,
        b.kinks,
        b.duals.len()
    );
    Some(decided(
        inst,
        loss.clone(),
        Evidence::PathLiftingBound {
            kinks: b.kinks,
            pieces: b.pieces,
            duals: b.duals,
        },
        reason,
    ))
}

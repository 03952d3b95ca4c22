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
use crate::path_lifting::path_lifting_bound;
use num_traits::Zero;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// Most zero pre-activations for which `verify` runs the bound before the
/// pieces, the arcs and the second-order proof: at most `2^4 = 16`
/// completions, so at most 16 LPs (one per distinct feature matrix).
pub(super) const EARLY_KINKS: usize = 4;

/// The bound is cheap at this point: at most [`EARLY_KINKS`] zero
/// pre-activations of hidden units (none for linear activation; hinge
/// corners and ties need no completion).
pub(super) fn few_completions(problem: &Problem, ev: &Evaluation) -> bool {
    if !problem.arch.activation.has_kink() {
        return true;
    }
    let hidden = problem.arch.hidden_layers();
    let mut kinks = 0usize;
    for t in &ev.traces {
        for layer in t.pre.iter().take(hidden) {
            kinks += layer.iter().filter(|z| z.is_zero()).count();
            if kinks > EARLY_KINKS {
                return false;
            }
        }
    }
    true
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
        "path lifting: on each of the {} completions of the {} zero pre-activations ({} tie groups: entries whose inputs are identical near the point take one side), the loss is at least its optimum over free path products ({} distinct feature matrices; the multipliers are the certificate), which equals the loss here",
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

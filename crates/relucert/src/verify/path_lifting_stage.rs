//! The path-lifting stage: `local-min` when every completion's convex
//! relaxation over free path products bounds the loss by `L(theta*)`
//! (`crate::path_lifting`; certificate kind `path-lifting-bound`).
//!
//! Owns: calling the bound with the verifier's piece cap and deadline, and
//! turning an equality into the verdict and its evidence.
//!
//! Must not: claim anything when a completion's bound is below the loss,
//! or when the caps or the deadline stopped the bound.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::network::Params;
use crate::number::Q;
use crate::path_lifting::path_lifting_bound;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

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

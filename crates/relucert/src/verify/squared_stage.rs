//! The squared-loss stage: `local-min` by the second-order sufficient
//! condition on the gauge slice (`squared::prove`), the descent arcs its
//! failures propose, and the final `undecided` for the squared loss.
//!
//! Owns: calling the proof on the pieces `verify` built, checking each
//! proposed direction exactly as an arc (`descent::try_arc`), and the
//! reason of the last `undecided`.
//!
//! Must not: run the proof itself, or claim anything without evidence: a
//! proposed direction becomes `not-local-min` only through the exact arc
//! check.

use super::arcs::Tried;
use super::certificate::{decided, descended, undecided};
use super::descent::try_arc;
use super::flat::PieceSides;
use super::Outcome;
use crate::arc::Arc;
use crate::instance::Instance;
use crate::network::Signature;
use crate::number::Q;
use crate::poly::Poly;
use crate::squared::{prove, Sosc};
use relucert_core::Deadline;

/// The last stage for the squared loss.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    inst: &Instance,
    theta: &[Q],
    sig: &Signature,
    sides: &PieceSides,
    pieces: &[Poly],
    loss: &Q,
    tried: Tried,
    deadline: &Deadline,
) -> Outcome {
    let problem = &inst.problem;
    let zeros = sig.zero_entries();
    match prove(
        problem,
        theta,
        &zeros,
        &sides.all,
        pieces,
        sides.complete,
        deadline,
    ) {
        Sosc::Proof { evidence, summary } => decided(inst, loss.clone(), *evidence, summary),
        Sosc::Failed { reason, candidates } => {
            let extra = candidates.len();
            for d in candidates {
                if deadline.expired() {
                    break;
                }
                let arc = Arc {
                    point: theta.to_vec(),
                    dirs: vec![d],
                };
                if let Some(found) = try_arc(problem, &arc, loss, deadline) {
                    return descended(inst, loss.clone(), found);
                }
            }
            undecided(
                loss.clone(),
                format!(
                    "{}no descent found ({} candidate arcs, {} from the second-order analysis), and the second-order sufficient condition on the gauge slice fails: {reason}",
                    sides.note,
                    tried.tried + extra,
                    extra
                ),
            )
        }
    }
}

//! The deep second-order stage: `local-min` for a hinge-type loss with two
//! or more hidden layers by the second-order sufficient condition on the
//! gauge slice (`deep_second_order::prove`), or the descent arcs its
//! failures propose.
//!
//! Owns: when the proof is tried (after the arcs, where the piecewise
//! second-order proof refuses depth >= 2), checking each proposed
//! direction exactly as an arc (`descent::try_arc`), and the note that
//! joins the final `undecided` reason.
//!
//! Must not: run the proof itself, or claim anything without evidence: a
//! proposed direction becomes `not-local-min` only through the exact arc
//! check.

use super::certificate::{decided, descended};
use super::descent::try_arc;
use super::Outcome;
use crate::arc::Arc;
use crate::deep_second_order::{prove, DeepSosc};
use crate::instance::Instance;
use crate::network::{Params, Signature};
use crate::number::Q;
use relucert_core::Deadline;

/// The stage: `Ok` with a decided outcome, or `Err` with the reason the
/// proof failed (for the final `undecided`).
pub(super) fn decide(
    inst: &Instance,
    params: &Params,
    sig: &Signature,
    loss: &Q,
    max_pieces: usize,
    deadline: &Deadline,
) -> Result<Outcome, String> {
    let problem = &inst.problem;
    if problem.arch.hidden_layers() < 2 || problem.loss.is_regression() {
        return Err("not applicable".into());
    }
    match prove(problem, params, sig, max_pieces, deadline) {
        DeepSosc::Proof { evidence, summary } => {
            Ok(decided(inst, loss.clone(), *evidence, summary))
        }
        DeepSosc::Failed { reason, candidates } => {
            let theta = params.flat();
            for d in candidates {
                if deadline.expired() {
                    break;
                }
                let arc = Arc {
                    point: theta.clone(),
                    dirs: vec![d],
                };
                if let Some(found) = try_arc(problem, &arc, loss, deadline) {
                    return Ok(descended(inst, loss.clone(), found));
                }
            }
            Err(reason)
        }
    }
}

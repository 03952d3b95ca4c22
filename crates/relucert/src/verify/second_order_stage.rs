//! The second-order stage: `local-min` by the piecewise second-order proof,
//! or the last candidate arcs and the final `undecided`.
//!
//! Owns: when the proof of `second_order` is tried (early, with a small
//! region budget, when there are many pieces; and last, with the full
//! budget), checking the arcs its failures propose (also with
//! second-order corrections, `second_order_arcs`), and the final
//! `undecided` reason that sums up every stage.
//!
//! Must not: run the proof itself (that is `second_order::prove`, on the
//! shared `LocalModel`), or claim `local-min` without its evidence.

use super::arcs::Tried;
use super::certificate::{decided, descended, undecided};
use super::descent::try_arc;
use super::Outcome;
use crate::instance::Instance;
use crate::number::Q;
use crate::poly::Poly;
use crate::second_order::{prove, second_order_arcs_within, LocalModel, SecondOrder};
use relucert_core::Deadline;

/// Many pieces: with one hidden layer, the second-order proof (whose
/// regions split only live kinks and kept corners) is tried before the
/// enumeration of every piece (with a small region budget: the full
/// attempt comes last, and reuses the attempts this one completed).
/// `linear_model` says that the linear-model bound applies.
pub(super) fn early(
    inst: &Instance,
    model: &LocalModel,
    loss: &Q,
    pieces: usize,
    linear_model: bool,
    max_pieces: usize,
    deadline: &Deadline,
) -> Option<Outcome> {
    if pieces > 64 && inst.problem.arch.hidden_layers() == 1 && !linear_model {
        if let SecondOrder::Proof { evidence, summary } =
            prove(model, max_pieces.min(256), deadline)
        {
            return Some(decided(inst, loss.clone(), *evidence, summary));
        }
    }
    None
}

/// The last stage: the full second-order proof; if it fails, the arcs its
/// failures propose, then `undecided` with the reason of every stage
/// (`note` is the pieces' cap note, `tried` the arcs stage's count).
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    inst: &Instance,
    model: &LocalModel,
    loss: &Q,
    max_pieces: usize,
    deadline: &Deadline,
    tried: Tried,
    pieces: &[Poly],
    note: &str,
) -> Outcome {
    let problem = &inst.problem;
    let Tried { mut tried, from_lp } = tried;
    let loss = loss.clone();
    match prove(model, max_pieces, deadline) {
        SecondOrder::Proof { evidence, summary } => decided(inst, loss, *evidence, summary),
        SecondOrder::Failed { reason, candidates } => {
            // the failures' directions, also with second-order corrections
            let dirs: Vec<Vec<Q>> = candidates
                .iter()
                .filter_map(|a| a.dirs.first().cloned())
                .collect();
            let mut candidates = candidates;
            candidates.extend(second_order_arcs_within(model, &dirs, deadline));
            let extra = candidates.len();
            for arc in candidates {
                if deadline.expired() {
                    break;
                }
                tried += 1;
                if let Some(found) = try_arc(problem, &arc, &loss, deadline) {
                    return descended(inst, loss, found);
                }
            }
            let constant = Poly::constant(loss.clone());
            let nonconst = pieces.iter().filter(|p| **p != constant).count();
            undecided(
                loss,
                format!(
                    "{note}not flat ({nonconst} of {} pieces around the point are not constant), none of {tried} candidate descent arcs descends ({from_lp} from first-order LPs and linear-model moves, {extra} from the second-order analysis), and the piecewise second-order proof fails: {reason}",
                    pieces.len()
                ),
            )
        }
    }
}

//! The pattern-star stage: a `local-min` proof by the local pattern-star
//! bound of `star` (one hidden layer, one output; binary hinge, absolute or
//! squared loss), certificate kind `pattern-star-bound`.
//!
//! Owns: calling `star::pattern_star` and wrapping its evidence into an
//! outcome, or saying why it gives no proof.
//!
//! Must not: decide anything but `local-min` (the bound equals the loss for
//! every local choice), or hide an internal error.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::number::{fmt_q, Q};
use crate::star::{pattern_star, StarError};
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// `Ok` with a `local-min` outcome, or `Err` with why the bound gives no
/// proof (`StarError::Scope` for an instance it does not cover).
pub(super) fn decide(inst: &Instance, loss: &Q, deadline: &Deadline) -> Result<Outcome, StarError> {
    let params = inst.point.as_ref().ok_or(StarError::Scope)?;
    let ev = pattern_star(&inst.problem, params, deadline)?;
    let choices: usize = ev.blocks.len();
    let reason = format!(
        "local minimum: the local pattern-star bound (every local chamber and sign of every unit, {} block{}) equals the loss {}",
        choices,
        if choices == 1 { "" } else { "s" },
        fmt_q(loss)
    );
    Ok(decided(
        inst,
        loss.clone(),
        Evidence::PatternStarBound(ev),
        reason,
    ))
}

/// A note for an `undecided` reason: why the bound did not apply, when the
/// reason is a limit or a failed bound (nothing for an instance outside its scope).
pub(super) fn note(err: &StarError) -> Option<String> {
    match err {
        StarError::Scope => None,
        e => Some(e.to_string()),
    }
}

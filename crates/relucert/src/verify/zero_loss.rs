//! The zero-loss stage: `global-min` by the lower bound 0.
//!
//! Owns: the `global-min` verdict when the exact loss at the point is 0
//! (`zero-loss` evidence): no loss of FORMAT.md is ever negative.
//!
//! Must not: decide anything for a nonzero loss.

use super::certificate::decided;
use super::Outcome;
use crate::instance::Instance;
use crate::number::Q;
use num_traits::Zero;
use relucert_core::cert::Evidence;

/// The stage: `global-min` if `loss` is exactly 0.
pub(super) fn decide(inst: &Instance, loss: &Q) -> Option<Outcome> {
    loss.is_zero().then(|| {
        decided(
            inst,
            loss.clone(),
            Evidence::ZeroLoss,
            "the loss is exactly 0, and the loss is never negative".to_string(),
        )
    })
}

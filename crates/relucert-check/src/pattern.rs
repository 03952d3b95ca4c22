//! The pattern-LP certificates: `pattern-lp`, `width-optimum`,
//! `width-optimum-shard` (docs/certificates.md, THEORY section 9).
//!
//! Owns: checking them exactly with the checker's own arithmetic.
//!
//! Must not: solve an LP or enumerate chambers (the certificate lists them
//! and proves the list complete).

use crate::CheckError;
use relucert_core::cert::{EvidenceKind, PatternLp};
use relucert_core::network::Problem;
use relucert_core::number::Q;

/// Check `p` proves that every network of width `p.width` has loss at
/// least `loss` (and, with a witness, that one attains it).
pub fn check(
    _problem: &Problem,
    kind: EvidenceKind,
    _loss: &Q,
    _p: &PatternLp,
) -> Result<(), CheckError> {
    Err(CheckError::PatternLp(
        kind,
        "not implemented yet".to_string(),
    ))
}

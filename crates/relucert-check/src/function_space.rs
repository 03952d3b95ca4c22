//! `function-space-bound`: weak LP duality with a free output per distinct
//! input (docs/certificates.md).
//!
//! Owns: checking the certificate's multipliers exactly.
//!
//! Must not: solve an LP.

use crate::CheckError;
use relucert_core::network::Problem;
use relucert_core::number::Q;

/// Check `lambda` proves that no network has loss below `loss`.
pub fn check(_problem: &Problem, _loss: &Q, _lambda: &[Vec<Q>]) -> Result<(), CheckError> {
    Err(CheckError::FunctionSpaceBound(
        "not implemented yet".to_string(),
    ))
}

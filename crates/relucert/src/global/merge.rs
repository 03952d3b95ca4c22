//! Merging the shard certificates of one `relucert global` run.
//!
//! Owns: [`merge`]: checking that the parts are the shards 1..N of one run
//! (same instance, width, chambers), each exactly once, and combining them
//! into one `width-optimum` certificate.
//!
//! Must not: decide the optimum itself; the merged certificate is checked by
//! the independent checker like any other.

use super::GlobalError;
use crate::cert::Certificate;

/// Combine the `width-optimum-shard` certificates `parts` into one
/// `width-optimum` certificate.
pub fn merge(parts: &[Certificate]) -> Result<Certificate, GlobalError> {
    let _ = parts;
    Err(GlobalError::Internal("not implemented yet".to_string()))
}

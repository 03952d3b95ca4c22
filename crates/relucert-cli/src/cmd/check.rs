//! `relucert check FILE CERT`: re-verify a certificate written by `verify`
//! with the independent checker.
//!
//! Owns: reading the certificate file and wording the checker's answer; a
//! rejection is an error (exit 1) naming the reason.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! judgement is `relucert_check::check`'s.

use super::output::{load, CliError, Output};
use serde_json::Value;
use std::path::Path;

/// `relucert check FILE CERT`.
pub fn run(path: &Path, cert_path: &Path) -> Result<Output, CliError> {
    let inst = load(path)?;
    let cert_file = cert_path.display();
    let text = std::fs::read_to_string(cert_path)
        .map_err(|e| CliError::at(&cert_file, format_args!("cannot read the certificate: {e}")))?;
    let cert: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::at(
            &cert_file,
            format_args!("line {}: the certificate is not JSON: {e}", e.line()),
        )
    })?;
    match relucert_check::check(&inst, &cert) {
        Ok(accepted) => Ok(Output::ok(format!(
            "certificate accepted: {}\n",
            accepted.claim
        ))),
        Err(reason) => Err(CliError::at(
            &cert_file,
            format_args!("certificate rejected: {reason}"),
        )),
    }
}

//! `relucert smtlib FILE --radius R [--out F.smt2]`: "is there lower loss
//! within radius R of the point?" as SMT-LIB 2 (QF_NRA).
//!
//! Owns: handing the arguments to `relucert::smtlib::command` and its
//! one-line errors to the exit-status convention.
//!
//! Must not: compute anything (argument parsing and formatting only).

use super::output::{CliError, Output};
use std::path::Path;

/// `relucert smtlib FILE --radius R [--out F.smt2]`.
pub fn run(path: &Path, radius: &str, out: Option<&Path>) -> Result<Output, CliError> {
    let stdout = relucert::smtlib::command(path, radius, out)
        .map_err(|e| CliError::BadInput(e.to_string()))?;
    Ok(Output::ok(stdout))
}

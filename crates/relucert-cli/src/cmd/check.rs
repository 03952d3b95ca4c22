//! `relucert check FILE CERT [--timeout S]`: re-verify a certificate
//! written by `verify` with the independent checker.
//!
//! Owns: reading the certificate file (under the default input limits),
//! the deadline of `--timeout` (started before the instance is read), and
//! wording the checker's answer (with the value and width for the
//! `global-optimum` and `shard-optimum` claims, which need no `[point]`); a
//! rejection is an error (exit 1) naming the reason; a certificate not
//! checked in time is the one line `CERT: not checked: the time limit (S s)
//! was reached` (exit 1), never an acceptance.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! judgement is `relucert_check::check_within`'s.

use super::global::with_decimal;
use super::output::{load, CliError, Output};
use relucert::cert::{Certificate, Evidence};
use relucert_check::{CheckError, Deadline};
use relucert_core::input::cert_max_digits;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// `relucert check FILE CERT [--timeout S]`.
pub fn run(path: &Path, cert_path: &Path, timeout: Option<Duration>) -> Result<Output, CliError> {
    let deadline = Deadline::from_timeout(timeout);
    let inst = load(path)?;
    let cert_file = cert_path.display();
    let text = super::output::read_input(cert_path)?;
    let cert: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::at(
            &cert_file,
            format_args!("line {}: the certificate is not JSON: {e}", e.line()),
        )
    })?;
    // A certificate's numbers may be ten times longer than the instance's.
    let digits = cert_max_digits(super::output::input_settings().limits.max_digits);
    let parsed = Certificate::from_json_with(&cert, digits)
        .map_err(|e| CliError::at(&cert_file, format_args!("certificate rejected: {e}")))?;
    match relucert_check::check_certificate_within(&inst, &parsed, &deadline) {
        Ok(accepted) => Ok(Output::ok(format!(
            "certificate accepted: {}{}\n",
            accepted.claim,
            optimum_text(&parsed)
        ))),
        Err(CheckError::TimeLimit) => Err(CliError::at(
            &cert_file,
            format_args!(
                "not checked: the time limit ({} s) was reached",
                timeout.unwrap_or_default().as_secs_f64()
            ),
        )),
        Err(reason) => Err(CliError::at(
            &cert_file,
            format_args!("certificate rejected: {reason}"),
        )),
    }
}

/// For the claims about a width's optimum (which need no `[point]`): what
/// was proven, `: L* = p/q (d) over width m` (or `over shard K/N of width
/// m`); empty for the claims about a point.
fn optimum_text(c: &Certificate) -> String {
    let loss = with_decimal(&c.header.loss);
    match &c.evidence {
        Evidence::WidthOptimum(p) => format!(": L* = {loss} over width {}", p.width),
        Evidence::WidthOptimumShard(p) => match p.shard {
            Some(s) => format!(
                ": L = {loss}, the least over shard {}/{} of width {}",
                s.index, s.count, p.width
            ),
            None => format!(": L = {loss} over a shard of width {}", p.width),
        },
        _ => String::new(),
    }
}

//! `relucert check FILE CERT [--json] [--timeout S]`: re-verify a
//! certificate written by `verify` with the independent checker.
//!
//! Owns: reading the certificate file (under the default input limits),
//! the deadline of `--timeout` (started before the instance is read), and
//! wording the checker's answer (with the value and width for the
//! `global-optimum` and `shard-optimum` claims, which need no `[point]`); a
//! rejection is an error (exit 1) naming the reason; a certificate not
//! checked in time is the one line `CERT: not checked: the time limit (S s)
//! was reached` (exit 1), never an acceptance. With `--json` the answer is
//! one object on stdout (`accepted` true or false) and the exit statuses
//! are the same (a rejection or a time limit still exits 1, with its line
//! on stderr).
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! judgement is `relucert_check::check_within`'s.

use super::output::{load, qs, with_decimal, CliError, Output, EXIT_BAD_INPUT, EXIT_OK};
use relucert::cert::{Certificate, Claim, Evidence};
use relucert_check::{CheckError, Deadline};
use relucert_core::input::cert_max_digits;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Why a certificate was not accepted: rejected (it is wrong) or not
/// checked (the time limit).
enum NotAccepted {
    Rejected(String),
    NotChecked(String),
}

/// `relucert check FILE CERT [--json] [--timeout S]`.
pub fn run(
    path: &Path,
    cert_path: &Path,
    timeout: Option<Duration>,
    as_json: bool,
) -> Result<Output, CliError> {
    let deadline = Deadline::from_timeout(timeout);
    let inst = load(path)?;
    let cert_file = cert_path.display().to_string();
    let text = super::output::read_input(cert_path)?;
    let parsed = match relucert_core::json::parse_strict(&text) {
        Err(e) => Err(format!(
            "line {}: the certificate is not JSON: {e}",
            e.line()
        )),
        Ok(cert) => {
            // A certificate's numbers may be ten times longer than the instance's.
            let digits = cert_max_digits(super::output::input_settings().limits.max_digits);
            Certificate::from_json_with(&cert, digits)
                .map_err(|e| format!("certificate rejected: {e}"))
        }
    };
    let cert = match parsed {
        Ok(c) => c,
        Err(m) => {
            return report(
                path,
                &cert_file,
                None,
                Err(NotAccepted::Rejected(m)),
                as_json,
            )
        }
    };
    let result = match relucert_check::check_certificate_within(&inst, &cert, &deadline) {
        Ok(accepted) => Ok(accepted.claim),
        Err(CheckError::TimeLimit) => Err(NotAccepted::NotChecked(format!(
            "not checked: the time limit ({} s) was reached",
            timeout.unwrap_or_default().as_secs_f64()
        ))),
        Err(reason) => Err(NotAccepted::Rejected(format!(
            "certificate rejected: {reason}"
        ))),
    };
    report(path, &cert_file, Some(&cert), result, as_json)
}

/// The answer as text (acceptance on stdout, else an error) or as one
/// JSON object (and, when not accepted, the error line on stderr too).
fn report(
    path: &Path,
    cert_file: &str,
    cert: Option<&Certificate>,
    result: Result<Claim, NotAccepted>,
    as_json: bool,
) -> Result<Output, CliError> {
    if !as_json {
        return match result {
            Ok(claim) => Ok(Output::ok(format!(
                "certificate accepted: {claim}{}\n",
                cert.map(optimum_text).unwrap_or_default()
            ))),
            Err(NotAccepted::Rejected(m) | NotAccepted::NotChecked(m)) => {
                Err(CliError::at(cert_file, m))
            }
        };
    }
    let mut v = json!({
        "file": path.display().to_string(),
        "cert": cert_file,
        "accepted": result.is_ok(),
        "claim": cert.map(|c| c.header.claim.name()),
        "loss": cert.map(|c| qs(&c.header.loss)),
    });
    let status = match &result {
        Ok(_) => EXIT_OK,
        Err(NotAccepted::Rejected(m)) => {
            v["reason"] = Value::String(m.clone());
            eprintln!("error: {cert_file}: {m}");
            EXIT_BAD_INPUT
        }
        Err(NotAccepted::NotChecked(m)) => {
            v["error"] = Value::String(m.clone());
            eprintln!("error: {cert_file}: {m}");
            EXIT_BAD_INPUT
        }
    };
    Ok(Output {
        stdout: format!("{v:#}\n"),
        status,
    })
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

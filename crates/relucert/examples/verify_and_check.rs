//! Verify an instance file's point and re-check the certificate with the
//! independent checker, as `relucert verify FILE --cert OUT` followed by
//! `relucert check FILE OUT` would.
//!
//! `cargo run --release --example verify_and_check -p relucert -- fixtures/relu-dead-points-hinge.toml`

use relucert::{instance, verify, Limits};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: verify_and_check FILE.toml");
        return ExitCode::from(1);
    };
    let inst = match instance::load(path.as_ref()) {
        Ok(inst) => inst,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let out = match verify(&inst, &Limits::default()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "verdict: {} (loss {})",
        out.verdict.name(),
        relucert::number::fmt_q(&out.loss)
    );
    println!("reason: {}", out.reason);
    let Some(cert) = out.certificate else {
        println!("no certificate (undecided)");
        return ExitCode::SUCCESS;
    };
    match relucert_check::check_certificate(&inst, &cert) {
        Ok(accepted) => {
            println!(
                "independent check: accepted ({} by {})",
                accepted.claim, accepted.kind
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("independent check: REJECTED: {e}");
            ExitCode::from(2)
        }
    }
}

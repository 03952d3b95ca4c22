//! Outcomes and the certificate envelope.
//!
//! Owns: turning a stage's evidence into an `Outcome`: the certificate
//! header (format, version, instance hash, claim, loss) around the evidence
//! for a decided verdict, and the certificate-less `undecided` outcome.
//!
//! Must not: build evidence itself or change a byte of the JSON it wraps;
//! a verdict other than `undecided` always carries its certificate.

use super::descent::Found;
use super::{Outcome, Verdict, CERT_VERSION};
use crate::instance::{canonical_hash, Instance};
use crate::number::{fmt_q, Q};
use serde_json::{json, Value};

/// A rational as a JSON string (`fmt_q`).
pub(super) fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

/// The certificate: the envelope around a stage's evidence.
fn header(inst: &Instance, claim: Verdict, loss: &Q, evidence: Value) -> Value {
    json!({
        "format": "relucert-certificate",
        "version": CERT_VERSION,
        "instance_sha256": canonical_hash(inst),
        "claim": claim.name(),
        "loss": qs(loss),
        "evidence": evidence,
    })
}

/// A decided verdict with its certificate.
pub(super) fn decided(
    inst: &Instance,
    verdict: Verdict,
    loss: Q,
    evidence: Value,
    reason: String,
) -> Outcome {
    let certificate = Some(header(inst, verdict, &loss, evidence));
    Outcome {
        verdict,
        loss,
        reason,
        certificate,
    }
}

/// A `not-local-min` verdict from a descent direction or arc.
pub(super) fn descended(inst: &Instance, loss: Q, found: Found) -> Outcome {
    decided(
        inst,
        Verdict::NotLocalMin,
        loss,
        found.evidence,
        found.reason,
    )
}

/// An `undecided` outcome: no certificate, only the reason.
pub(super) fn undecided(loss: Q, reason: String) -> Outcome {
    Outcome {
        verdict: Verdict::Undecided,
        loss,
        reason,
        certificate: None,
    }
}

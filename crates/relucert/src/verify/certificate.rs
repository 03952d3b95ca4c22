//! Outcomes and the certificate envelope.
//!
//! Owns: turning a stage's evidence into an `Outcome`: the certificate
//! [`Header`] (instance hash, claim, loss) around the typed [`Evidence`] for
//! a decided verdict, and the certificate-less `undecided` outcome.
//!
//! Must not: build evidence itself, or write JSON: the certificate stays a
//! typed [`Certificate`] until a caller prints or writes it
//! (`Certificate::to_json`, the one place certificate JSON is produced); a
//! verdict other than `undecided` always carries its certificate.

use super::descent::Found;
use super::{Outcome, Verdict};
use crate::instance::{canonical_hash, Instance};
use crate::number::Q;
use relucert_core::cert::{Certificate, Claim, Evidence, Header};

/// The verdict a claim states.
fn verdict_of(claim: Claim) -> Verdict {
    match claim {
        Claim::GlobalMin => Verdict::GlobalMin,
        Claim::LocalMin => Verdict::LocalMin,
        Claim::NotLocalMin => Verdict::NotLocalMin,
        // Claims about a width's optimum, not about the point: `verify`
        // never builds their evidence (`relucert global` does).
        Claim::GlobalOptimum | Claim::ShardOptimum => Verdict::Undecided,
    }
}

/// A decided verdict with its certificate: the claim (and the verdict) is
/// the one the evidence's kind proves (`EvidenceKind::proves`), so a
/// certificate never claims what its evidence cannot prove.
pub(super) fn decided(inst: &Instance, loss: Q, evidence: Evidence, reason: String) -> Outcome {
    let claim = evidence.kind().proves();
    let certificate = Some(Certificate {
        header: Header {
            instance_sha256: canonical_hash(inst),
            claim,
            loss: loss.clone(),
        },
        evidence,
    });
    Outcome {
        verdict: verdict_of(claim),
        loss,
        reason,
        certificate,
        global: None,
    }
}

/// A `not-local-min` verdict from a descent direction or arc.
pub(super) fn descended(inst: &Instance, loss: Q, found: Found) -> Outcome {
    decided(inst, loss, found.evidence, found.reason)
}

/// An `undecided` outcome: no certificate, only the reason.
pub(super) fn undecided(loss: Q, reason: String) -> Outcome {
    Outcome {
        verdict: Verdict::Undecided,
        loss,
        reason,
        certificate: None,
        global: None,
    }
}

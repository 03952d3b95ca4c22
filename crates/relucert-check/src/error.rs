//! Why the checker rejects: the error type and its one-line messages.
//!
//! Owns: [`CheckError`], its `Display` text (the messages `relucert check`
//! prints) and its conversion from the certificate reader's error.
//!
//! Must not: decide anything. This code runs only once a check has failed,
//! so it cannot make the checker accept: it is outside the trusted base.

use relucert_core::cert::{CertFormatError, Claim, EvidenceKind};
use relucert_core::number::{fmt_q, Q};

/// Why the checker rejected a certificate. The proof variants carry the
/// detail; `Display` prefixes it with the evidence kind (`flat: ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The JSON is not a version-1 certificate.
    Format(CertFormatError),
    /// The instance has no `[point]`.
    NoPoint,
    /// The deadline passed before the check finished (never an acceptance).
    TimeLimit,
    /// The certificate is for another instance; carries this instance's hash.
    HashMismatch {
        /// The instance's canonical hash.
        expected: String,
    },
    /// The certificate's loss is not the exact loss.
    LossMismatch {
        /// The certificate's loss.
        claimed: Box<Q>,
        /// The exact loss.
        exact: Box<Q>,
    },
    /// The evidence kind does not prove the claim.
    ClaimMismatch {
        /// The certificate's claim.
        claim: Claim,
        /// The certificate's evidence kind.
        kind: EvidenceKind,
    },
    /// `zero-loss`: the loss is not 0.
    ZeroLoss {
        /// The exact loss.
        loss: Q,
    },
    /// A `flat` proof failed.
    Flat(String),
    /// A `descent-arc` proof failed.
    DescentArc(String),
    /// A `descent-direction` proof failed.
    DescentDirection(String),
    /// A `linear-lp-bound` proof failed.
    LinearLpBound(String),
    /// A `multiclass-lp-bound` proof failed.
    MulticlassLpBound(String),
    /// A `piecewise-second-order` proof failed.
    PiecewiseSecondOrder(String),
    /// A `function-space-bound` proof failed.
    FunctionSpaceBound(String),
    /// A `pattern-lp`, `width-optimum` or `width-optimum-shard` proof failed.
    PatternLp(EvidenceKind, String),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, detail) = match self {
            CheckError::Format(e) => return write!(f, "{e}"),
            CheckError::NoPoint => {
                return write!(f, "instance: the certificate needs the instance's [point]")
            }
            CheckError::TimeLimit => {
                return write!(
                    f,
                    "not checked: the time limit (--timeout) was reached before the check finished"
                )
            }
            CheckError::HashMismatch { expected } => {
                return write!(
                f,
                "certificate: instance hash mismatch: the instance's canonical hash is {expected}"
            )
            }
            CheckError::LossMismatch { claimed, exact } => {
                return write!(
                    f,
                    "certificate: loss {} differs from the exact loss {}",
                    fmt_q(claimed),
                    fmt_q(exact)
                )
            }
            CheckError::ClaimMismatch { claim, kind } => {
                return write!(
                    f,
                    "certificate: evidence kind `{kind}` does not prove claim `{claim}`"
                )
            }
            CheckError::ZeroLoss { loss } => {
                return write!(f, "zero-loss: the loss is {}, not 0", fmt_q(loss))
            }
            CheckError::Flat(d) => (EvidenceKind::Flat, d),
            CheckError::DescentArc(d) => (EvidenceKind::DescentArc, d),
            CheckError::DescentDirection(d) => (EvidenceKind::DescentDirection, d),
            CheckError::LinearLpBound(d) => (EvidenceKind::LinearLpBound, d),
            CheckError::MulticlassLpBound(d) => (EvidenceKind::MulticlassLpBound, d),
            CheckError::PiecewiseSecondOrder(d) => (EvidenceKind::PiecewiseSecondOrder, d),
            CheckError::FunctionSpaceBound(d) => (EvidenceKind::FunctionSpaceBound, d),
            CheckError::PatternLp(kind, d) => (*kind, d),
        };
        write!(f, "{kind}: {detail}")
    }
}

impl std::error::Error for CheckError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckError::Format(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CertFormatError> for CheckError {
    fn from(e: CertFormatError) -> CheckError {
        CheckError::Format(e)
    }
}

//! Why the checker rejects: the error type and its one-line messages.
//!
//! Owns: [`CheckError`], its `Display` text (the messages `relucert check`
//! prints), its conversions from the certificate reader's error and the
//! deadline's `Expired`, and the crate's inner stop reason `Stop`.
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
    /// A `squared-second-order` proof failed.
    SquaredSecondOrder(String),
    /// A `deep-second-order` proof failed.
    DeepSecondOrder(String),
    /// A `pattern-lp`, `width-optimum` or `width-optimum-shard` proof failed.
    PatternLp(EvidenceKind, String),
    /// A `linear-regression-bound` proof failed.
    LinearRegressionBound(String),
    /// A `path-lifting-bound` proof failed.
    PathLiftingBound(String),
    /// A `pattern-star-bound` proof failed.
    PatternStar(String),
}

/// Longest run of digits a message shows in full; longer ones are shown
/// by their ends and length.
const MAX_SHOWN_DIGITS: usize = 24;

/// Longest message, in characters (a longer one is cut, marked `...`).
const MAX_MESSAGE_CHARS: usize = 240;

/// `s` on one line, each run of more than [`MAX_SHOWN_DIGITS`] digits shown
/// as `12345678...12345678 (N digits)`, and at most [`MAX_MESSAGE_CHARS`]
/// characters.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_MESSAGE_CHARS + 8));
    let chars: Vec<char> = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run > MAX_SHOWN_DIGITS {
            out.extend(&chars[i..i + 8]);
            out.push_str("...");
            out.extend(&chars[i + run - 8..i + run]);
            out.push_str(&format!(" ({run} digits)"));
            i += run;
        } else if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    if out.chars().count() > MAX_MESSAGE_CHARS {
        out = out.chars().take(MAX_MESSAGE_CHARS - 3).collect();
        out.push_str("...");
    }
    out
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&one_line(&self.full_text()))
    }
}

impl CheckError {
    /// The message before it is made short ([`one_line`]).
    fn full_text(&self) -> String {
        let (kind, detail) = match self {
            CheckError::Format(e) => return format!("{e}"),
            CheckError::NoPoint => {
                return "instance: the certificate needs the instance's [point]".to_string()
            }
            CheckError::TimeLimit => {
                return "not checked: the time limit (--timeout) was reached before the check finished"
                    .to_string()
            }
            CheckError::HashMismatch { expected } => {
                return format!(
                "certificate: instance hash mismatch: the instance's canonical hash is {expected}"
            )
            }
            CheckError::LossMismatch { claimed, exact } => {
                return format!(
                    "certificate: loss {} differs from the exact loss {}",
                    fmt_q(claimed),
                    fmt_q(exact)
                )
            }
            CheckError::ClaimMismatch { claim, kind } => {
                return format!(
                    "certificate: evidence kind `{kind}` does not prove claim `{claim}`"
                )
            }
            CheckError::ZeroLoss { loss } => {
                return format!("zero-loss: the loss is {}, not 0", fmt_q(loss))
            }
            CheckError::Flat(d) => (EvidenceKind::Flat, d),
            CheckError::DescentArc(d) => (EvidenceKind::DescentArc, d),
            CheckError::DescentDirection(d) => (EvidenceKind::DescentDirection, d),
            CheckError::LinearLpBound(d) => (EvidenceKind::LinearLpBound, d),
            CheckError::MulticlassLpBound(d) => (EvidenceKind::MulticlassLpBound, d),
            CheckError::PiecewiseSecondOrder(d) => (EvidenceKind::PiecewiseSecondOrder, d),
            CheckError::FunctionSpaceBound(d) => (EvidenceKind::FunctionSpaceBound, d),
            CheckError::SquaredSecondOrder(d) => (EvidenceKind::SquaredSecondOrder, d),
            CheckError::DeepSecondOrder(d) => (EvidenceKind::DeepSecondOrder, d),
            CheckError::PatternLp(kind, d) => (*kind, d),
            CheckError::LinearRegressionBound(d) => (EvidenceKind::LinearRegressionBound, d),
            CheckError::PathLiftingBound(d) => (EvidenceKind::PathLiftingBound, d),
            CheckError::PatternStar(d) => (EvidenceKind::PatternStarBound, d),
        };
        format!("{kind}: {detail}")
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

/// Why an inner step of a proof stopped: a failed check (its detail) or
/// the deadline. Turned into a [`CheckError`] by the evidence's module.
pub(crate) enum Stop {
    /// The detail of a failed check.
    Fail(String),
    /// The deadline passed.
    Time,
}

impl Stop {
    /// The [`CheckError`]: `kind` wraps a failure's detail; the deadline is
    /// [`CheckError::TimeLimit`].
    pub(crate) fn into_error(self, kind: impl FnOnce(String) -> CheckError) -> CheckError {
        match self {
            Stop::Fail(s) => kind(s),
            Stop::Time => CheckError::TimeLimit,
        }
    }
}

impl From<String> for Stop {
    fn from(s: String) -> Stop {
        Stop::Fail(s)
    }
}

impl From<relucert_core::Expired> for Stop {
    fn from(_: relucert_core::Expired) -> Stop {
        Stop::Time
    }
}

impl From<relucert_core::Expired> for CheckError {
    fn from(_: relucert_core::Expired) -> CheckError {
        CheckError::TimeLimit
    }
}

impl From<CertFormatError> for CheckError {
    fn from(e: CertFormatError) -> CheckError {
        CheckError::Format(e)
    }
}

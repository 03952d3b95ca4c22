//! The certificate checker: re-verifies a certificate written by `verify`
//! from the instance alone, trusting nothing in the certificate and sharing
//! no arithmetic with the verifier.
//!
//! Owns: the checker's entry points ([`check`] on certificate JSON,
//! [`check_certificate`] on a parsed [`Certificate`]), their typed result
//! ([`Accepted`] / [`CheckError`]), recomputing the instance hash and the
//! exact loss, and dispatching each evidence kind to the module that
//! re-proves it:
//! - `zero-loss` (claim `global-min`): the exact loss is 0 (here);
//! - `flat` (claim `local-min`): `flat`;
//! - `descent-arc`, `descent-direction` (claim `not-local-min`): `arc`;
//! - `linear-lp-bound`, `multiclass-lp-bound` (claim `global-min`): `bounds`;
//! - `piecewise-second-order` (claim `local-min`): `second_order`, with
//!   the linear algebra of `linalg`;
//! - `linear-regression-bound` (claim `global-min`): `regression_bounds`;
//! - `path-lifting-bound` (claim `local-min`): `path_lifting`.
//! - `squared-second-order` (claim `local-min`): `squared`.
//! - `pattern-star-bound` (claim `local-min`): `star`.
//! - `deep-second-order` (claim `local-min`): `deep`.
//!
//! Everything is recomputed with the checker's own exact arithmetic: its
//! forward pass ([`forward`]), its polynomials ([`poly`]) and symbolic
//! forward pass per piece ([`cell`]).
//!
//! Must not: depend on the LP crate or the decision library, or call the
//! core's evaluation (`Problem::loss`, `evaluate`, `signature`,
//! `network::int`), `cellpoly` or `poly`. From `relucert-core` it uses the
//! instance types, `canonical_hash`, the number type with its spellings, and
//! the certificate model `cert` (reading only). It fails closed: anything
//! unexpected is a rejection with a reason.
//!
//! # Example
//!
//! ```
//! use relucert_core::cert::{Claim, EvidenceKind};
//! use relucert_core::instance::{canonical_hash, load};
//! use std::path::Path;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/relu-hinge-zero-loss.toml");
//! let inst = load(Path::new(path))?;
//! let cert: serde_json::Value = serde_json::from_str(&format!(
//!     r#"{{"format": "relucert-certificate", "version": 1, "instance_sha256": "{}",
//!         "claim": "global-min", "loss": "0", "evidence": {{"kind": "zero-loss"}}}}"#,
//!     canonical_hash(&inst)
//! ))?;
//! let accepted = relucert_check::check(&inst, &cert)?;
//! assert_eq!(accepted.claim, Claim::GlobalMin);
//! assert_eq!(accepted.kind, EvidenceKind::ZeroLoss);
//!
//! // a wrong loss is rejected, with the reason
//! let mut wrong = cert.clone();
//! wrong["loss"] = "1/2".into();
//! let err = relucert_check::check(&inst, &wrong).unwrap_err();
//! assert_eq!(err.to_string(), "certificate: loss 1/2 differs from the exact loss 0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arc;
mod bounds;
pub mod cell;
mod deep;
mod error;
mod flat;
pub mod forward;
mod function_space;
mod linalg;
mod path_lifting;
mod pattern;
pub mod poly;
mod regression_bounds;
mod second_order;
mod squared;
mod star;

pub use arc::{MAX_ARC_DEGREE, MAX_ARC_DIRECTIONS};
pub use deep::MAX_DEEP_REGIONS;
pub use error::CheckError;
pub use flat::MAX_FLAT_PIECES;
pub use linalg::MAX_COPOSITIVE_ORDER;
pub use path_lifting::{MAX_LIFTING_PATHS, MAX_LIFTING_PIECES};
pub use pattern::MAX_SETS;
pub use relucert_core::Deadline;
pub use second_order::MAX_REGIONS;
pub use squared::{MAX_SQUARED_KINKS, MAX_STRICT_ORDER};
pub use star::{MAX_STAR_CHOICES, MAX_STAR_ZERO};

use num_traits::Zero;
use relucert_core::cert::{Certificate, Claim, Evidence, EvidenceKind};
use relucert_core::instance::{canonical_hash, Instance};
use serde_json::Value;

/// What the checker accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The claim, now proven.
    pub claim: Claim,
    /// The kind of evidence that proved it.
    pub kind: EvidenceKind,
}

/// Read `cert` (certificate JSON) and check it against `inst`.
pub fn check(inst: &Instance, cert: &Value) -> Result<Accepted, CheckError> {
    check_within(inst, cert, &Deadline::never())
}

/// [`check`], stopped with [`CheckError::TimeLimit`] once `deadline`
/// passes: a certificate not checked in time is never accepted. The
/// deadline is tested inside every long loop (arc expansion, pieces,
/// regions, eliminations and copositivity tests, chambers, duals, the cover
/// of sets), so the overshoot is one loop iteration. Given time, the answer
/// is the one [`check`] gives: the deadline decides nothing else.
pub fn check_within(
    inst: &Instance,
    cert: &Value,
    deadline: &Deadline,
) -> Result<Accepted, CheckError> {
    deadline.check()?;
    let cert = Certificate::from_json(cert)?;
    check_certificate_within(inst, &cert, deadline)
}

/// Check a parsed certificate against `inst`.
pub fn check_certificate(inst: &Instance, cert: &Certificate) -> Result<Accepted, CheckError> {
    check_certificate_within(inst, cert, &Deadline::never())
}

/// [`check_certificate`] with a deadline, as [`check_within`].
pub fn check_certificate_within(
    inst: &Instance,
    cert: &Certificate,
    deadline: &Deadline,
) -> Result<Accepted, CheckError> {
    deadline.check()?;
    let hash = canonical_hash(inst);
    if cert.header.instance_sha256 != hash {
        return Err(CheckError::HashMismatch { expected: hash });
    }
    let problem = &inst.problem;
    let claim = cert.header.claim;
    let kind = cert.evidence.kind();
    if kind.proves() != claim {
        return Err(CheckError::ClaimMismatch { claim, kind });
    }
    // Claims about a width's optimum need no point.
    if let Evidence::WidthOptimum(p) | Evidence::WidthOptimumShard(p) = &cert.evidence {
        pattern::check(problem, kind, &cert.header.loss, p, deadline)?;
        return Ok(Accepted { claim, kind });
    }
    let params = inst.point.as_ref().ok_or(CheckError::NoPoint)?;
    let theta = params.flat();
    deadline.check()?;
    let ev = forward::evaluate(problem, &theta);
    deadline.check()?;
    let loss = &ev.loss;
    if cert.header.loss != *loss {
        return Err(CheckError::LossMismatch {
            claimed: Box::new(cert.header.loss.clone()),
            exact: Box::new(loss.clone()),
        });
    }
    match &cert.evidence {
        Evidence::ZeroLoss => {
            if !loss.is_zero() {
                return Err(CheckError::ZeroLoss { loss: loss.clone() });
            }
        }
        Evidence::Flat {
            zero_entries,
            pieces,
        } => flat::check_flat(problem, &ev, *zero_entries, *pieces, deadline)?,
        Evidence::LinearLpBound { affine, lambda } => {
            bounds::check_linear(problem, loss, *affine, lambda)?
        }
        Evidence::MulticlassLpBound { affine, lambda } => {
            bounds::check_multiclass(problem, loss, *affine, lambda)?
        }
        Evidence::DescentArc {
            dirs,
            loss_polynomial,
            lower_point,
        } => arc::check_arc(
            problem,
            &theta,
            loss,
            dirs,
            loss_polynomial,
            lower_point,
            deadline,
        )?,
        Evidence::DescentDirection {
            dir,
            derivative,
            lower_point,
        } => arc::check_direction(
            problem,
            &theta,
            loss,
            dir,
            derivative,
            lower_point,
            deadline,
        )?,
        Evidence::PiecewiseSecondOrder {
            dropped,
            kinks,
            corner_terms,
            regions,
        } => {
            let parts = second_order::SecondOrder {
                dropped,
                kinks,
                corner_terms: *corner_terms,
                regions,
            };
            second_order::check_second_order(problem, &ev, &theta, &parts, deadline)?
        }
        Evidence::FunctionSpaceBound { lambda } => function_space::check(problem, loss, lambda)?,
        Evidence::LinearRegressionBound { affine, lambda } => {
            regression_bounds::check_linear_regression(problem, loss, *affine, lambda)?
        }
        Evidence::PathLiftingBound {
            kinks,
            pieces,
            duals,
        } => path_lifting::check(problem, &ev, *kinks, *pieces, duals, deadline)?,
        Evidence::SquaredSecondOrder {
            kinks,
            rescaled,
            dead,
            pieces,
        } => {
            let parts = squared::SquaredParts {
                kinks,
                rescaled,
                dead,
                pieces,
            };
            squared::check_squared(problem, &ev, &theta, &parts, deadline)?
        }
        Evidence::PatternLp(p) => {
            let width = problem.arch.widths.get(1).copied();
            if problem.arch.hidden_layers() != 1 || width != Some(p.width) {
                return Err(CheckError::PatternLp(
                    kind,
                    "`width` must be the width of the instance's one hidden layer".to_string(),
                ));
            }
            pattern::check(problem, kind, loss, p, deadline)?
        }
        Evidence::PatternStarBound(p) => star::check(problem, &ev, &theta, loss, p, deadline)?,
        Evidence::DeepSecondOrder {
            rescaled,
            dead,
            dropped,
            regions,
        } => {
            let parts = deep::DeepParts {
                rescaled,
                dead,
                dropped,
                regions,
            };
            deep::check_deep(problem, &ev, &theta, &parts, deadline)?
        }
        Evidence::WidthOptimum(p) | Evidence::WidthOptimumShard(p) => {
            // Checked above without a point; checked the same way here.
            pattern::check(problem, kind, &cert.header.loss, p, deadline)?
        }
    }
    Ok(Accepted { claim, kind })
}

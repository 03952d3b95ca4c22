//! relucert: exact, certified answers about the hinge-loss landscape of small
//! ReLU / leaky ReLU / linear networks. This is the decision library; the
//! shared model lives in `relucert-core`, exact LPs in `relucert-lp`, and the
//! independent certificate checker in `relucert-check`.
//!
//! See `docs/ARCHITECTURE.md` for the map of crates and modules and the data
//! flow from an instance file to a verdict.
//!
//! # Example
//!
//! Load an instance, decide whether its point is a local minimum, and have
//! the independent checker (`relucert-check`) re-verify the certificate:
//!
//! ```
//! use relucert::{instance, verify, Limits, Verdict};
//! use relucert::cert::Claim;
//!
//! // 1-D data with a ReLU network: the fixture's point is a hand-checked,
//! // non-flat local minimum of the hinge loss.
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/relu-kink-corner-nonflat-min.toml");
//! let inst = instance::load(path.as_ref())?;
//! let out = verify(&inst, &Limits::default())?;
//! assert_eq!(out.verdict, Verdict::LocalMin);
//!
//! // Every decided verdict carries a certificate; its JSON is what
//! // `relucert verify --cert` writes.
//! let cert = out.certificate.expect("a decided verdict has a certificate");
//! let json = cert.to_json();
//! assert_eq!(json["claim"], "local-min");
//!
//! // The checker recomputes everything with its own arithmetic.
//! let accepted = relucert_check::check(&inst, &json)?;
//! assert_eq!(accepted.claim, Claim::LocalMin);
//!
//! // A certificate for another loss value is rejected.
//! let mut forged = json.clone();
//! forged["loss"] = "0".into();
//! assert!(relucert_check::check(&inst, &forged).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use relucert_core::{cellpoly, cert, instance, network, number, poly};
pub use relucert_lp as lp;
pub use relucert_lp::linalg;

pub mod arc;
pub mod cells;
pub mod corpus;
pub mod deep_second_order;
pub mod descend;
pub mod expect;
pub mod gen;
pub mod gen_file;
pub mod global;
pub mod import;
pub mod path_lifting;
pub mod probe;
pub mod report;
pub mod rng;
pub mod second_order;
pub mod slice;
pub mod smtlib;
pub mod squared;
pub mod star;
pub mod theorems;
pub mod verify;

pub use relucert_core::{Certificate, Deadline, Expired, Instance, InstanceError, Q};
pub use verify::{verify, Limits, Outcome, Verdict, VerifyError};

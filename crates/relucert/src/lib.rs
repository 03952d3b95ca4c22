//! relucert: exact, certified answers about the hinge-loss landscape of small
//! ReLU / leaky ReLU / linear networks. This is the decision library; the
//! shared model lives in `relucert-core`, exact LPs in `relucert-lp`, and the
//! independent certificate checker in `relucert-check`.
//!
//! See `docs/ARCHITECTURE.md` for the map of crates and modules and the data
//! flow from an instance file to a verdict.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use relucert_core::{cellpoly, instance, network, number, poly};
pub use relucert_lp as lp;
pub use relucert_lp::linalg;

pub mod arc;
pub mod cells;
pub mod corpus;
pub mod descend;
pub mod expect;
pub mod gen;
pub mod gen_file;
pub mod probe;
pub mod rng;
pub mod second_order;
pub mod smtlib;
pub mod theorems;
pub mod verify;

pub use relucert_core::{Certificate, Instance, InstanceError, Q};
pub use verify::{verify, Limits, Outcome, Verdict, VerifyError};

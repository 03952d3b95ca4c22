//! relucert-core: the model every other relucert crate shares.
//!
//! Owns: exact rationals and their spellings ([`number`]), the instance
//! format with its validity rules and one-line errors ([`instance`]),
//! networks with their exact evaluation ([`network`]), sparse polynomials
//! over Q ([`poly`]) and the cell polynomial phi_S ([`cellpoly`]).
//!
//! Must not: decide anything (no verdicts, no LPs, no search) and never let a
//! float decide a value: this crate is read by the independent checker, so
//! it stays small and free of solver code.
#![forbid(unsafe_code)]

pub mod cellpoly;
pub mod cert;
pub mod instance;
pub mod network;
pub mod number;
pub mod poly;

//! relucert-core: the model every other relucert crate shares.
//!
//! Owns: exact rationals and their spellings ([`number`]), the instance
//! format with its validity rules and one-line errors ([`instance`]),
//! networks with their exact evaluation ([`network`]), sparse polynomials
//! over Q ([`poly`]), the cell polynomial phi_S ([`cellpoly`]) and the typed
//! certificate model ([`cert`]), bounded input reading ([`input`]) and
//! strict JSON, duplicate keys refused ([`json`]). The names most users need are re-exported
//! at the crate root.
//!
//! Must not: decide anything (no verdicts, no LPs, no search) and never let a
//! float decide a value: this crate is read by the independent checker, so
//! it stays small and free of solver code.
//!
//! # Example
//!
//! Parse an instance (FORMAT.md) from TOML and evaluate its exact loss:
//!
//! ```
//! use relucert_core::instance::{self, Syntax};
//! use relucert_core::number::{fmt_q, qf};
//!
//! let text = r#"
//! [network]
//! widths = [1, 1, 1]
//! activation = "relu"
//! bias = [true, true]
//!
//! [loss]
//! kind = "hinge"
//!
//! [data]
//! x = [["1"], ["-1"]]
//! y = [1, -1]
//!
//! [point]
//! W1 = [["1"]]
//! b1 = ["0"]
//! W2 = [["1"]]
//! b2 = ["0"]
//! "#;
//! let inst = instance::parse(text, Syntax::Toml, "example.toml").unwrap();
//! let point = inst.point.as_ref().unwrap();
//! // f(1) = 1 gives hinge max(0, 1 - 1) = 0; f(-1) = relu(-1) = 0 gives 1.
//! let loss = inst.problem.loss(point);
//! assert_eq!(loss, qf(1, 2));
//! assert_eq!(fmt_q(&loss), "1/2");
//!
//! // Errors are one line naming the file, the key and the line.
//! let bad = text.replace("widths = [1, 1, 1]", "widths = [1, 1.5, 1]");
//! let err = instance::parse(&bad, Syntax::Toml, "example.toml").unwrap_err();
//! assert!(err.to_string().starts_with("example.toml: network.widths"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cellpoly;
pub mod cert;
pub mod input;
pub mod instance;
pub mod json;
pub mod network;
pub mod number;
pub mod poly;

pub use cert::{CertFormatError, Certificate, Claim, Evidence, EvidenceKind, Header};
pub use instance::{load, parse, Instance, InstanceError, Syntax};
pub use network::{Architecture, LossKind, Params, Problem};
pub use number::{fmt_q, parse_rational, Q};
pub use relucert_deadline::{Deadline, Expired, Ticker};

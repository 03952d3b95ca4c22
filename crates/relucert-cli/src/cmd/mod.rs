//! The subcommands of the `relucert` binary, one file each, and the output
//! helpers they share.
//!
//! Owns: one `run` function per subcommand that returns what to print and
//! the exit status (or a typed `CliError`).
//!
//! Must not: compute anything (argument parsing and formatting only):
//! every decision, count and number comes from the `relucert` libraries.

pub mod cell;
pub mod cells;
pub mod check;
pub mod completions;
pub mod corpus;
pub mod descend;
pub mod eval;
pub mod gen;
pub mod global;
pub mod import;
pub mod lp;
pub mod output;
pub mod plot;
pub mod smtlib;
pub mod theorems;
pub mod verify;

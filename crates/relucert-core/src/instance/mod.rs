//! Instance files: reading the FORMAT.md contract from TOML or JSON, and
//! writing instances back.
//!
//! Owns: the `Instance` type (network, loss, data, optional point, optional
//! expectations), its one-line error [`InstanceError`], the entry points
//! [`load`] / [`parse`] and their limited forms [`load_with`] /
//! [`parse_with`] (input limits of `crate::input`), and the module tree: `tree` turns either syntax into
//! one small tree (`Node`) that keeps each number's original text and, for
//! TOML, its line; `validate` reads that tree against every rule of
//! FORMAT.md, so TOML and JSON obey exactly the same rules and give the same
//! messages; `canonical` produces the canonical text and its hash, `write` TOML.
//!
//! Must not: evaluate anything, or let a number pass through `f64`. TOML
//! float literals are rejected (they were rounded by whoever wrote them);
//! JSON numbers are read from their decimal text (serde_json's
//! `arbitrary_precision` keeps it). Errors are one line:
//! `FILE: KEY (line N): what was expected`, and never a panic.

mod canonical;
mod tree;
mod validate;
mod write;

use crate::input::{read_text, InputError, InputLimits};
use crate::network::{Params, Problem};
use crate::number::Q;
use std::path::Path;

pub use canonical::{canonical_hash, canonical_text};
pub use write::to_toml;

/// What a fixture asserts about its point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// `expect.local_min`: the point is (not) a local minimum.
    pub local_min: Option<bool>,
    /// `expect.global_min`: the point is (not) a global minimum.
    pub global_min: Option<bool>,
    /// `expect.loss`: the exact loss at the point.
    pub loss: Option<Q>,
}

/// A parsed, validated instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The optional `name` key.
    pub name: Option<String>,
    /// The optional `source` key (where the instance comes from).
    pub source: Option<String>,
    /// Network, loss and data.
    pub problem: Problem,
    /// The `[point]` table, if present.
    pub point: Option<Params>,
    /// The `[expect]` table, if present.
    pub expect: Option<Expect>,
}

/// A one-line error about an instance file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceError {
    /// The file as named by the caller.
    pub file: String,
    /// Dotted key path (`network.widths`, `data.x[2][1]`), if known.
    pub key: Option<String>,
    /// 1-based line (TOML only).
    pub line: Option<usize>,
    /// What was wrong / expected.
    pub message: String,
}

impl std::fmt::Display for InstanceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        match (&self.key, self.line) {
            (Some(k), Some(l)) => write!(f, ": {k} (line {l})")?,
            (Some(k), None) => write!(f, ": {k}")?,
            (None, Some(l)) => write!(f, ": line {l}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InstanceError {}

/// Syntax of an instance file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// TOML (the default).
    Toml,
    /// JSON (files ending in `.json`).
    Json,
}

impl Syntax {
    /// `.json` files are JSON; everything else is TOML.
    pub fn of_path(path: &Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Toml,
        }
    }
}

impl From<InputError> for InstanceError {
    fn from(e: InputError) -> InstanceError {
        InstanceError {
            file: e.file,
            key: None,
            line: None,
            message: e.message,
        }
    }
}

/// Read and validate an instance file (syntax chosen by extension) under
/// the default [`InputLimits`].
pub fn load(path: &Path) -> Result<Instance, InstanceError> {
    load_with(path, &InputLimits::default())
}

/// Read and validate an instance file (syntax chosen by extension; `-` is
/// stdin, read as TOML) under `limits`: file size, digits per number and
/// nesting depth, each refused with a one-line error naming the file.
pub fn load_with(path: &Path, limits: &InputLimits) -> Result<Instance, InstanceError> {
    let text = read_text(path, limits)?;
    parse_with(
        &text,
        Syntax::of_path(path),
        &path.display().to_string(),
        limits,
    )
}

/// Parse and validate instance text under the default [`InputLimits`];
/// `file` names it in errors.
pub fn parse(text: &str, syntax: Syntax, file: &str) -> Result<Instance, InstanceError> {
    parse_with(text, syntax, file, &InputLimits::default())
}

/// Parse and validate instance text under `limits` (digits per number and
/// nesting depth; the text is already read, so its size is not checked);
/// `file` names it in errors. Time linear in the text, or a fast refusal.
pub fn parse_with(
    text: &str,
    syntax: Syntax,
    file: &str,
    limits: &InputLimits,
) -> Result<Instance, InstanceError> {
    let root = match syntax {
        Syntax::Toml => tree::toml_tree(text, file, limits)?,
        Syntax::Json => tree::json_tree(text, file, limits)?,
    };
    validate::Reader {
        file,
        max_digits: limits.max_digits,
    }
    .instance(&root)
}

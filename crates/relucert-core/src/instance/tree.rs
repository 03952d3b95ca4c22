//! The common tree both instance syntaxes are read into.
//!
//! Owns: `Raw` / `Node` (a value with its original number text and, for
//! TOML, its 1-based line), the TOML and JSON readers that build it, and the
//! syntax-error messages (`TOML syntax error: ...`, `JSON syntax error: ...`).
//!
//! Must not: apply any FORMAT.md rule (that is `validate`'s job) or turn a
//! number into a float: integers stay `BigInt`, decimals stay text.

use super::InstanceError;
use crate::input::{check_nesting, InputLimits, LineIndex, Nesting};
use num_bigint::BigInt;

/// A value of either syntax, numbers kept exact.
#[derive(Debug)]
pub(super) enum Raw {
    Str(String),
    /// Exact integer (TOML integer, or a JSON number written as one).
    Int(BigInt),
    /// JSON number with fraction/exponent: its exact decimal text.
    Decimal(String),
    /// TOML float literal: always rejected where a number is expected.
    Float(String),
    /// An integer literal with more digits than the limit (their count):
    /// never turned into a `BigInt` (decimal parsing is quadratic).
    TooLong(u64),
    Bool(bool),
    Array(Vec<Node>),
    Table(Vec<(String, Node)>),
    Other(&'static str),
}

/// A value and its 1-based line (TOML only).
#[derive(Debug)]
pub(super) struct Node {
    pub(super) raw: Raw,
    pub(super) line: Option<usize>,
}

/// A syntax error's message cut to one short line.
fn short(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or("").trim();
    if first.chars().count() > 200 {
        let cut: String = first.chars().take(200).collect();
        format!("{cut}...")
    } else {
        first.to_string()
    }
}

/// Refuse nesting deeper than the limit before a parser sees the text.
fn nesting(
    text: &str,
    syntax: Nesting,
    file: &str,
    limits: &InputLimits,
) -> Result<(), InstanceError> {
    check_nesting(text, syntax, limits.max_depth).map_err(|(message, line)| InstanceError {
        file: file.to_string(),
        key: None,
        line: Some(line),
        message,
    })
}

/// Decimal digits an integer literal of this many digits in this radix
/// stands for (an upper bound).
fn decimal_digits(len: usize, radix: u32) -> u64 {
    let len = len as u64;
    match radix {
        10 => len,
        // log10(16) < 1.205, log10(8) < 0.904, log10(2) < 0.302
        16 => len * 1205 / 1000 + 1,
        8 => len * 904 / 1000 + 1,
        _ => len * 302 / 1000 + 1,
    }
}

/// An integer's digits (no sign, no prefix, no `_`) in `radix`, refused as
/// [`Raw::TooLong`] beyond the digit limit before any `BigInt` is built.
fn integer(neg: bool, body: &str, radix: u32, max_digits: usize) -> Raw {
    let body = match body.trim_start_matches('0') {
        "" if !body.is_empty() => "0",
        t => t,
    };
    let digits = decimal_digits(body.len(), radix);
    if digits > max_digits as u64 {
        return Raw::TooLong(digits);
    }
    match BigInt::parse_bytes(body.as_bytes(), radix) {
        Some(n) => Raw::Int(if neg { -n } else { n }),
        None => Raw::Other("an unreadable integer"),
    }
}

/// Read TOML text into the tree; a syntax error names its line.
pub(super) fn toml_tree(
    text: &str,
    file: &str,
    limits: &InputLimits,
) -> Result<Node, InstanceError> {
    use toml::de::{DeTable, DeValue};
    nesting(text, Nesting::Toml, file, limits)?;
    let lines = LineIndex::new(text);
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| lines.line(s.start));
        let msg = match short(e.message()) {
            m if m.is_empty() => "invalid TOML".to_string(),
            m => m,
        };
        InstanceError {
            file: file.to_string(),
            key: None,
            line,
            message: format!("TOML syntax error: {msg}"),
        }
    })?;
    fn conv(v: &toml::Spanned<DeValue<'_>>, lines: &LineIndex, max_digits: usize) -> Node {
        let line = Some(lines.line(v.span().start));
        let raw = match v.get_ref() {
            DeValue::String(s) => Raw::Str(s.to_string()),
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|&c| c != '_').collect();
                let (neg, body) = match digits.strip_prefix('-') {
                    Some(b) => (true, b.to_string()),
                    None => (false, digits.trim_start_matches('+').to_string()),
                };
                let body = match i.radix() {
                    16 => body.trim_start_matches("0x").to_string(),
                    8 => body.trim_start_matches("0o").to_string(),
                    2 => body.trim_start_matches("0b").to_string(),
                    _ => body,
                };
                integer(neg, &body, i.radix(), max_digits)
            }
            DeValue::Float(f) => Raw::Float(f.as_str().to_string()),
            DeValue::Boolean(b) => Raw::Bool(*b),
            DeValue::Datetime(_) => Raw::Other("a date-time"),
            DeValue::Array(a) => Raw::Array(a.iter().map(|e| conv(e, lines, max_digits)).collect()),
            DeValue::Table(t) => Raw::Table(
                t.iter()
                    .map(|(k, v)| (k.get_ref().to_string(), conv(v, lines, max_digits)))
                    .collect(),
            ),
        };
        Node { raw, line }
    }
    let span = doc.span();
    let table: Vec<(String, Node)> = doc
        .get_ref()
        .iter()
        .map(|(k, v)| (k.get_ref().to_string(), conv(v, &lines, limits.max_digits)))
        .collect();
    Ok(Node {
        raw: Raw::Table(table),
        line: Some(lines.line(span.start)),
    })
}

/// Read JSON text into the tree; a syntax error names its line.
pub(super) fn json_tree(
    text: &str,
    file: &str,
    limits: &InputLimits,
) -> Result<Node, InstanceError> {
    nesting(text, Nesting::Json, file, limits)?;
    let value: serde_json::Value = crate::json::parse_strict(text).map_err(|e| InstanceError {
        file: file.to_string(),
        key: None,
        line: Some(e.line()),
        message: format!(
            "JSON syntax error: {}",
            short(&strip_json_position(&e.to_string()))
        ),
    })?;
    fn conv(v: &serde_json::Value, max_digits: usize) -> Node {
        use serde_json::Value;
        let raw = match v {
            Value::Null => Raw::Other("null"),
            Value::Bool(b) => Raw::Bool(*b),
            Value::Number(n) => {
                let t = n.to_string();
                let (neg, body) = match t.strip_prefix('-') {
                    Some(b) => (true, b),
                    None => (false, t.as_str()),
                };
                if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
                    match integer(neg, body, 10, max_digits) {
                        Raw::Other(_) => Raw::Decimal(t),
                        raw => raw,
                    }
                } else {
                    Raw::Decimal(t)
                }
            }
            Value::String(s) => Raw::Str(s.clone()),
            Value::Array(a) => Raw::Array(a.iter().map(|e| conv(e, max_digits)).collect()),
            Value::Object(o) => Raw::Table(
                o.iter()
                    .map(|(k, v)| (k.clone(), conv(v, max_digits)))
                    .collect(),
            ),
        };
        Node { raw, line: None }
    }
    Ok(conv(&value, limits.max_digits))
}

fn strip_json_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(p) => msg[..p].to_string(),
        None => msg.to_string(),
    }
}

/// How a value is named in "expected X, found Y" messages.
pub(super) fn kind_name(raw: &Raw) -> &'static str {
    match raw {
        Raw::Str(_) => "a string",
        Raw::Int(_) => "an integer",
        Raw::Decimal(_) => "a number",
        Raw::Float(_) => "a float literal",
        Raw::TooLong(_) => "an integer",
        Raw::Bool(_) => "a boolean",
        Raw::Array(_) => "an array",
        Raw::Table(_) => "a table",
        Raw::Other(s) => s,
    }
}

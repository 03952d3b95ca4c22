//! The common tree both instance syntaxes are read into.
//!
//! Owns: `Raw` / `Node` (a value with its original number text and, for
//! TOML, its 1-based line), the TOML and JSON readers that build it, and the
//! syntax-error messages (`TOML syntax error: ...`, `JSON syntax error: ...`).
//!
//! Must not: apply any FORMAT.md rule (that is `validate`'s job) or turn a
//! number into a float: integers stay `BigInt`, decimals stay text.

use super::InstanceError;
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

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Read TOML text into the tree; a syntax error names its line.
pub(super) fn toml_tree(text: &str, file: &str) -> Result<Node, InstanceError> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let msg = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .trim()
            .to_string();
        InstanceError {
            file: file.to_string(),
            key: None,
            line,
            message: format!("TOML syntax error: {msg}"),
        }
    })?;
    fn conv(v: &toml::Spanned<DeValue<'_>>, text: &str) -> Node {
        let line = Some(line_of(text, v.span().start));
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
                match BigInt::parse_bytes(body.as_bytes(), i.radix()) {
                    Some(n) => Raw::Int(if neg { -n } else { n }),
                    None => Raw::Other("an unreadable integer"),
                }
            }
            DeValue::Float(f) => Raw::Float(f.as_str().to_string()),
            DeValue::Boolean(b) => Raw::Bool(*b),
            DeValue::Datetime(_) => Raw::Other("a date-time"),
            DeValue::Array(a) => Raw::Array(a.iter().map(|e| conv(e, text)).collect()),
            DeValue::Table(t) => Raw::Table(
                t.iter()
                    .map(|(k, v)| (k.get_ref().to_string(), conv(v, text)))
                    .collect(),
            ),
        };
        Node { raw, line }
    }
    let span = doc.span();
    let table: Vec<(String, Node)> = doc
        .get_ref()
        .iter()
        .map(|(k, v)| (k.get_ref().to_string(), conv(v, text)))
        .collect();
    Ok(Node {
        raw: Raw::Table(table),
        line: Some(line_of(text, span.start)),
    })
}

/// Read JSON text into the tree; a syntax error names its line.
pub(super) fn json_tree(text: &str, file: &str) -> Result<Node, InstanceError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| InstanceError {
        file: file.to_string(),
        key: None,
        line: Some(e.line()),
        message: format!("JSON syntax error: {}", strip_json_position(&e.to_string())),
    })?;
    fn conv(v: &serde_json::Value) -> Node {
        use serde_json::Value;
        let raw = match v {
            Value::Null => Raw::Other("null"),
            Value::Bool(b) => Raw::Bool(*b),
            Value::Number(n) => {
                let t = n.to_string();
                if t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    match BigInt::parse_bytes(t.as_bytes(), 10) {
                        Some(i) => Raw::Int(i),
                        None => Raw::Decimal(t),
                    }
                } else {
                    Raw::Decimal(t)
                }
            }
            Value::String(s) => Raw::Str(s.clone()),
            Value::Array(a) => Raw::Array(a.iter().map(conv).collect()),
            Value::Object(o) => Raw::Table(o.iter().map(|(k, v)| (k.clone(), conv(v))).collect()),
        };
        Node { raw, line: None }
    }
    Ok(conv(&value))
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
        Raw::Bool(_) => "a boolean",
        Raw::Array(_) => "an array",
        Raw::Table(_) => "a table",
        Raw::Other(s) => s,
    }
}

//! The LP reader's error: [`ParseError`], one variant per way a text is
//! not in the accepted CPLEX LP subset, and its one-line messages.
//!
//! Owns: the error type, its `line`/`message`/`Display`, and the cutting of
//! quoted input to a short line (`shown`).
//!
//! Must not: read text (that is `lex` and the parser in `mod.rs`).

use crate::number::NumberError;
use std::fmt;

/// Why a text is not in the accepted CPLEX LP subset. Every variant carries
/// the 1-based line ([`ParseError::line`]); [`ParseError::message`] says what
/// was expected, and `Display` writes `line N: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// A character that starts no token.
    UnexpectedChar {
        /// 1-based line.
        line: usize,
        /// The character.
        found: char,
    },
    /// A number token that is not an exact rational (e.g. a zero denominator).
    BadNumber {
        /// 1-based line.
        line: usize,
        /// The token's text.
        text: String,
        /// Why the number reader refused it.
        error: NumberError,
    },
    /// An integer, binary, semi-continuous or SOS section (not supported).
    UnsupportedSection {
        /// 1-based line.
        line: usize,
        /// The section keyword, lower-cased.
        section: String,
    },
    /// Two rows share a name.
    DuplicateRow {
        /// 1-based line of the second use.
        line: usize,
        /// The row name.
        name: String,
    },
    /// A row's right-hand side is infinite.
    InfiniteRhs {
        /// 1-based line.
        line: usize,
        /// The row name.
        row: String,
    },
    /// A bound `x = v` with an infinite `v`.
    InfiniteFixedValue {
        /// 1-based line.
        line: usize,
    },
    /// A bound that no real value satisfies: `x >= +inf` (also written
    /// `+inf <= x`) or `x <= -inf` (`-inf >= x`).
    EmptyInfiniteBound {
        /// 1-based line.
        line: usize,
        /// The bound as read, e.g. `x >= +inf`.
        bound: String,
    },
    /// The text ends without `End`.
    MissingEnd {
        /// 1-based line (the last line).
        line: usize,
    },
    /// A number with more digits than [`ParseLimits::max_digits`] (a decimal
    /// exponent counts as that many digits: `1e100000` has 100,001). Refused
    /// on its text, before any big integer is built.
    TooManyDigits {
        /// 1-based line.
        line: usize,
        /// The start of the number's text (at most 60 characters).
        text: String,
        /// Its digit count (saturating).
        digits: u64,
        /// The limit in force.
        limit: usize,
    },
    /// The deadline of [`parse_lp_within`] passed while reading (numbers
    /// of thousands of digits are slow to reduce).
    TimeLimit {
        /// 1-based line reached.
        line: usize,
    },
    /// Any other token out of place; the message says what was expected and
    /// what was found.
    Syntax {
        /// 1-based line.
        line: usize,
        /// What was expected, and what was found.
        message: String,
    },
}

impl ParseError {
    /// The 1-based line of the error.
    pub fn line(&self) -> usize {
        match self {
            ParseError::UnexpectedChar { line, .. }
            | ParseError::BadNumber { line, .. }
            | ParseError::UnsupportedSection { line, .. }
            | ParseError::DuplicateRow { line, .. }
            | ParseError::InfiniteRhs { line, .. }
            | ParseError::InfiniteFixedValue { line }
            | ParseError::EmptyInfiniteBound { line, .. }
            | ParseError::MissingEnd { line }
            | ParseError::TooManyDigits { line, .. }
            | ParseError::TimeLimit { line }
            | ParseError::Syntax { line, .. } => *line,
        }
    }

    /// What was expected, without the line. One line, quoting at most 60
    /// characters of any piece of the input.
    pub fn message(&self) -> String {
        match self {
            ParseError::UnexpectedChar { found, .. } => {
                if found.is_control() {
                    format!("unexpected character `{}`", found.escape_default())
                } else {
                    format!("unexpected character `{found}`")
                }
            }
            ParseError::BadNumber { text, error, .. } => {
                format!(
                    "expected a number, found `{}` ({})",
                    shown(text),
                    shown_n(&error.to_string(), 120)
                )
            }
            ParseError::TooManyDigits {
                text,
                digits,
                limit,
                ..
            } => format!(
                "the number `{}` has {digits} digits (a decimal exponent counts as its digits), above the limit of {limit} digits per number",
                shown(text)
            ),
            ParseError::UnsupportedSection { section, .. } => {
                format!("`{section}` sections are not supported (expected Bounds or End)")
            }
            ParseError::DuplicateRow { name, .. } => {
                format!("row name `{}` is used twice", shown(name))
            }
            ParseError::InfiniteRhs { row, .. } => {
                format!("expected a finite right-hand side in row `{}`", shown(row))
            }
            ParseError::InfiniteFixedValue { .. } => "expected a finite value in `x = v`".into(),
            ParseError::EmptyInfiniteBound { bound, .. } => format!(
                "expected a bound some real value satisfies, found `{}` (an infinite bound must be `x >= -inf` or `x <= +inf`)",
                shown(bound)
            ),
            ParseError::MissingEnd { .. } => "expected `End` at the end of the file".into(),
            ParseError::TimeLimit { .. } => {
                "the time limit was reached while reading the file".into()
            }
            ParseError::Syntax { message, .. } => shown_n(message, 240),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line(), self.message())
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ParseError::BadNumber { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// At most 60 characters of `s` (longer text is cut and marked `...`),
/// with control characters escaped, so that a message stays one short line.
pub(super) fn shown(s: &str) -> String {
    shown_n(s, 60)
}

pub(super) fn shown_n(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k + 3 >= max && s.chars().nth(max).is_some() {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

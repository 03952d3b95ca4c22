//! The LP reader's tokeniser and its limits on hostile text.
//!
//! Owns: [`ParseLimits`] (digits per number, counted on the text before
//! any big integer is built), the tokens and `tokenize` (which tests the
//! deadline while reading long numbers).
//!
//! Must not: know the LP grammar (sections, rows, bounds: `mod.rs`).

use super::error::{shown, ParseError};
use crate::number::{parse_rational, Q};
use crate::{Cmp, Deadline};

/// Limits on what the reader accepts, against hostile input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Most digits in one number (integer, fraction and exponent digits
    /// together; a decimal exponent `eK` counts as `|K|` digits). Default
    /// [`DEFAULT_MAX_DIGITS`].
    pub max_digits: usize,
}

/// Default of [`ParseLimits::max_digits`]: 10,000.
pub const DEFAULT_MAX_DIGITS: usize = 10_000;

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_digits: DEFAULT_MAX_DIGITS,
        }
    }
}

/// Digits of a number token's text: every digit of the mantissa(s) plus the
/// absolute value of each decimal exponent (saturating), read from the text
/// alone.
fn digit_count(s: &str) -> u64 {
    let mut total: u64 = 0;
    for part in s.split('/') {
        let (mantissa, exponent) = match part.find(['e', 'E']) {
            Some(pos) => (&part[..pos], Some(&part[pos + 1..])),
            None => (part, None),
        };
        let m = mantissa.bytes().filter(u8::is_ascii_digit).count() as u64;
        total = total.saturating_add(m);
        if let Some(e) = exponent {
            let e = e.trim_start_matches(['+', '-']).trim_start_matches('0');
            let ev = if e.len() > 18 {
                u64::MAX
            } else {
                e.parse::<u64>().unwrap_or(u64::MAX)
            };
            let ev = if e.is_empty() { 0 } else { ev };
            total = total.saturating_add(ev);
        }
    }
    total
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Num(Q),
    Plus,
    Minus,
    Colon,
    Op(Cmp),
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
    /// The first token of its line (section headers must be).
    pub(super) first: bool,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"#$%&()/,.;?@_'`{}|~[]^".contains(c)
}

pub(super) fn tokenize(
    text: &str,
    limits: &ParseLimits,
    deadline: &Deadline,
) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let mut ticker = deadline.ticker(4096);
    for (ln, raw) in text.lines().enumerate() {
        let line = ln + 1;
        let content = raw.split('\\').next().unwrap_or("");
        let chars: Vec<char> = content.chars().collect();
        let mut i = 0;
        let mut first = true;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let tok = if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    let mut k = i + 1;
                    if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                        k += 1;
                    }
                    if k < chars.len() && chars[k].is_ascii_digit() {
                        i = k;
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                if i + 1 < chars.len() && chars[i] == '/' && chars[i + 1].is_ascii_digit() {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let s: String = chars[start..i].iter().collect();
                let digits = digit_count(&s);
                if digits > limits.max_digits as u64 {
                    return Err(ParseError::TooManyDigits {
                        line,
                        text: shown(&s),
                        digits,
                        limit: limits.max_digits,
                    });
                }
                // Reducing a long fraction costs a big gcd: read the clock
                // before each long number, else every 4096 tokens.
                let timed = if digits > 64 {
                    deadline.check()
                } else {
                    ticker.tick()
                };
                timed.map_err(|_| ParseError::TimeLimit { line })?;
                let q = parse_rational(&s).map_err(|error| ParseError::BadNumber {
                    line,
                    text: shown(&s),
                    error,
                })?;
                Tok::Num(q)
            } else if c == '<' || c == '>' || c == '=' {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('<', Some('=')) | ('=', Some('<')) => (Cmp::Le, 2),
                    ('>', Some('=')) | ('=', Some('>')) => (Cmp::Ge, 2),
                    ('<', _) => (Cmp::Le, 1),
                    ('>', _) => (Cmp::Ge, 1),
                    _ => (Cmp::Eq, 1),
                };
                i += len;
                Tok::Op(op)
            } else if c == '+' {
                i += 1;
                Tok::Plus
            } else if c == '-' {
                i += 1;
                Tok::Minus
            } else if c == ':' {
                i += 1;
                Tok::Colon
            } else if is_name_char(c) {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().collect())
            } else {
                return Err(ParseError::UnexpectedChar { line, found: c });
            };
            out.push(Token { tok, line, first });
            first = false;
        }
    }
    Ok(out)
}

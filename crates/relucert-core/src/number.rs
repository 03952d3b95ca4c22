//! Exact rational numbers: the one number type of the project, how it is read
//! from text and how it is written back.
//!
//! Owns: the `Q` alias (`BigRational`), parsing of the spellings FORMAT.md
//! accepts (`"3"`, `"-3/4"`, `"0.125"`, `"-1.5e-3"`, `"2E4"`), and the
//! canonical `"p/q"` / `"p"` text used in every JSON output and certificate.
//!
//! Must not: go through `f64` anywhere. A decimal is read digit by digit into
//! an integer numerator and a power-of-ten denominator, so `"0.1"` is exactly
//! 1/10. Floats may appear elsewhere in the project only as *proposals* (the
//! LP engine's float path); nothing here produces or consumes one.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

use crate::input::{excerpt, fmt_count};

/// The exact rational type used for every parameter, datum and loss value.
pub type Q = BigRational;

/// Largest decimal exponent accepted in a number's text. `1e100000` is an
/// exact integer, but `1e999999999` would allocate gigabytes: refuse it with
/// a clear error instead of hanging.
pub const MAX_DECIMAL_EXPONENT: u32 = 100_000;

/// Why a piece of text is not an exact rational number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// The text is empty (or only whitespace).
    Empty,
    /// A fraction `p/0`.
    ZeroDenominator,
    /// `nan`, `inf` or `infinity` (any case, any sign).
    NotFinite(String),
    /// Not an integer, a fraction or a decimal.
    Malformed(String),
    /// A decimal exponent beyond [`MAX_DECIMAL_EXPONENT`].
    ExponentTooLarge(String),
    /// More decimal digits than the limit (numerator or denominator, a
    /// decimal exponent counted as the digits it stands for); found before
    /// any big integer is built.
    TooManyDigits {
        /// Digits the text stands for.
        digits: u64,
        /// The limit it exceeds.
        limit: usize,
    },
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::Empty => write!(f, "empty number"),
            NumberError::ZeroDenominator => write!(f, "zero denominator"),
            NumberError::NotFinite(s) => write!(f, "`{}` is not a finite number", excerpt(s)),
            NumberError::Malformed(s) => write!(
                f,
                "`{}` is not a number (expected an integer, a fraction p/q, or a decimal such as 0.125 or -1.5e-3)",
                excerpt(s)
            ),
            NumberError::ExponentTooLarge(s) => write!(
                f,
                "`{}` has an exponent beyond +/-{MAX_DECIMAL_EXPONENT}",
                excerpt(s)
            ),
            NumberError::TooManyDigits { digits, limit } => write!(
                f,
                "a number with {} digits; the limit is {} (raise it with --max-digits)",
                fmt_count(*digits),
                fmt_count(*limit as u64)
            ),
        }
    }
}

impl std::error::Error for NumberError {}

/// Parse an exact rational from its text: an integer, `p/q` (each side an
/// optionally signed integer), or a decimal with optional exponent.
///
/// Leading/trailing ASCII whitespace is ignored; `_` separators are not
/// accepted (TOML integers have their own parser, see `instance`).
pub fn parse_rational(text: &str) -> Result<Q, NumberError> {
    parse_with(text, None)
}

/// [`parse_rational`] under a limit on the digits the text stands for: the
/// numerator and the denominator may each have at most `max_digits` decimal
/// digits (leading zeros not counted; a decimal exponent counts as the
/// digits it stands for, so `1e100000` has 100,001 and `1e-100000` a
/// 100,001-digit denominator). The count is made on the text, before any
/// big integer is built, so a refusal takes time linear in the text.
/// Within the limit the value is exactly that of [`parse_rational`].
pub fn parse_rational_limited(text: &str, max_digits: usize) -> Result<Q, NumberError> {
    parse_with(text, Some(max_digits))
}

/// The decimal digits of an unsigned run of digits, leading zeros not
/// counted (zero has one digit).
fn significant(digits: &str) -> &str {
    let t = digits.trim_start_matches('0');
    if t.is_empty() && !digits.is_empty() {
        &digits[digits.len() - 1..]
    } else {
        t
    }
}

fn over_limit(digits: u64, max_digits: Option<usize>) -> Result<(), NumberError> {
    match max_digits {
        Some(limit) if digits > limit as u64 => Err(NumberError::TooManyDigits { digits, limit }),
        _ => Ok(()),
    }
}

fn parse_with(text: &str, max_digits: Option<usize>) -> Result<Q, NumberError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with("nan") || unsigned.starts_with("inf") {
        return Err(NumberError::NotFinite(s.to_string()));
    }
    if let Some((p, q)) = s.split_once('/') {
        if max_digits.is_some() {
            let count = |t: &str| significant(split_sign(t.trim()).1).len() as u64;
            over_limit(count(p).max(count(q)), max_digits)?;
        }
        let num = parse_integer(p.trim()).ok_or_else(|| NumberError::Malformed(s.to_string()))?;
        let den = parse_integer(q.trim()).ok_or_else(|| NumberError::Malformed(s.to_string()))?;
        if den.is_zero() {
            return Err(NumberError::ZeroDenominator);
        }
        return Ok(Q::new(num, den));
    }
    parse_decimal(s, max_digits)
}

/// An optionally signed run of ASCII digits.
fn parse_integer(s: &str) -> Option<BigInt> {
    let (neg, digits) = split_sign(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = BigInt::parse_bytes(significant(digits).as_bytes(), 10)?;
    Some(if neg { -v } else { v })
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    }
}

/// `[sign] digits [. digits] [(e|E) [sign] digits]`, at least one digit in
/// the mantissa.
fn parse_decimal(s: &str, max_digits: Option<usize>) -> Result<Q, NumberError> {
    let bad = || NumberError::Malformed(s.to_string());
    let (neg, rest) = split_sign(s);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(pos) => (&rest[..pos], Some(&rest[pos + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return Err(bad());
    }
    let mut digits = String::with_capacity(int_part.len() + frac_part.len());
    digits.push_str(int_part);
    digits.push_str(frac_part);
    let sig = significant(&digits);
    // value = num * 10^(exp - frac_len)
    let mut exp: i64 = -(frac_part.len() as i64);
    if let Some(e) = exponent {
        let (eneg, edigits) = split_sign(e);
        if edigits.is_empty() || !all_digits(edigits) {
            return Err(bad());
        }
        let trimmed = edigits.trim_start_matches('0');
        if trimmed.len() > 9 {
            return Err(NumberError::ExponentTooLarge(s.to_string()));
        }
        let ev: i64 = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().map_err(|_| bad())?
        };
        exp += if eneg { -ev } else { ev };
    }
    if exp.unsigned_abs() > u64::from(MAX_DECIMAL_EXPONENT) + digits.len() as u64 {
        return Err(NumberError::ExponentTooLarge(s.to_string()));
    }
    if sig == "0" {
        return Ok(Q::zero());
    }
    // numerator: the significant digits and a positive exponent's zeros;
    // denominator: 10^-exp
    let stands_for = if exp >= 0 {
        sig.len() as u64 + exp as u64
    } else {
        (sig.len() as u64).max(exp.unsigned_abs() + 1)
    };
    over_limit(stands_for, max_digits)?;
    // up to 18 digits and 18 decimals: the same reduced fraction through u64
    if sig.len() <= 18 && (-18..=0).contains(&exp) {
        if let Ok(m) = sig.parse::<u64>() {
            let d = 10u64.pow(exp.unsigned_abs() as u32);
            let g = num_integer::Integer::gcd(&m, &d);
            let num = BigInt::from(m / g);
            return Ok(Q::new_raw(
                if neg { -num } else { num },
                BigInt::from(d / g),
            ));
        }
    }
    let mut num = BigInt::parse_bytes(sig.as_bytes(), 10).ok_or_else(bad)?;
    if neg {
        num = -num;
    }
    let ten = BigInt::from(10u32);
    let value = match exp.cmp(&0) {
        Ordering::Equal => Q::from_integer(num),
        Ordering::Greater => Q::from_integer(num * Pow::pow(&ten, exp as u64)),
        Ordering::Less => Q::new(num, Pow::pow(&ten, exp.unsigned_abs())),
    };
    Ok(value)
}

/// Canonical text of a rational: `"p"` for integers, `"p/q"` otherwise
/// (q > 0, lowest terms). This is the spelling of every JSON output.
pub fn fmt_q(q: &Q) -> String {
    // the same digits through i128's formatter when they fit (BigInt's
    // radix conversion is much slower for small numbers)
    if let (Some(n), Some(d)) = (q.numer().to_i128(), q.denom().to_i128()) {
        return if d == 1 {
            n.to_string()
        } else {
            format!("{n}/{d}")
        };
    }
    if q.denom().is_one() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

/// Sign of a rational as -1, 0 or +1.
pub fn sign(q: &Q) -> i8 {
    if q.is_zero() {
        0
    } else if q.is_positive() {
        1
    } else {
        -1
    }
}

/// Shorthand for a small integer as a rational.
pub fn qi(v: i64) -> Q {
    Q::from_integer(BigInt::from(v))
}

/// Shorthand for a small fraction `p/q` (q != 0).
pub fn qf(p: i64, q: i64) -> Q {
    Q::new(BigInt::from(p), BigInt::from(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_from_format_md() {
        assert_eq!(parse_rational("3").unwrap(), qi(3));
        assert_eq!(parse_rational("-3").unwrap(), qi(-3));
        assert_eq!(parse_rational("3/4").unwrap(), qf(3, 4));
        assert_eq!(parse_rational("-3/4").unwrap(), qf(-3, 4));
        assert_eq!(parse_rational("6/-8").unwrap(), qf(-3, 4));
        assert_eq!(parse_rational("0.125").unwrap(), qf(1, 8));
        assert_eq!(parse_rational("-1.5e-3").unwrap(), qf(-3, 2000));
        assert_eq!(parse_rational("2E4").unwrap(), qi(20000));
        assert_eq!(parse_rational("0.1").unwrap(), qf(1, 10));
        assert_eq!(parse_rational(".5").unwrap(), qf(1, 2));
        assert_eq!(parse_rational("5.").unwrap(), qi(5));
        assert_eq!(parse_rational("+7").unwrap(), qi(7));
    }

    #[test]
    fn rejects() {
        for bad in [
            "", " ", "1/0", "NaN", "inf", "-inf", "abc", "1.2.3", "1e", "e5", "1/2/3", "--1", ".",
            "1e+", "0x10", "1_000",
        ] {
            assert!(parse_rational(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(parse_rational("1/0"), Err(NumberError::ZeroDenominator));
        assert!(matches!(
            parse_rational("1e999999999999"),
            Err(NumberError::ExponentTooLarge(_))
        ));
    }

    #[test]
    fn digit_limit_counts_the_text() {
        let too_many = |t: &str, limit: usize| match parse_rational_limited(t, limit) {
            Err(NumberError::TooManyDigits { digits, .. }) => Some(digits),
            _ => None,
        };
        assert_eq!(too_many("1e100000", 10_000), Some(100_001));
        assert_eq!(too_many("1e-100000", 10_000), Some(100_001));
        assert_eq!(too_many("-12345/1", 4), Some(5));
        assert_eq!(too_many("1/-12345", 4), Some(5));
        assert_eq!(too_many("0.00001", 5), Some(6));
        assert_eq!(parse_rational_limited("0.0001", 5), Ok(qf(1, 10_000)));
        assert_eq!(parse_rational_limited("0000012345", 5), Ok(qi(12345)));
        assert_eq!(parse_rational_limited("0e99999", 1), Ok(qi(0)));
        assert_eq!(parse_rational_limited("12e3", 5), Ok(qi(12_000)));
        assert_eq!(too_many("12e4", 5), Some(6));
        assert_eq!(
            parse_rational_limited("1e100000", 10_000).map_err(|e| e.to_string()),
            Err(
                "a number with 100,001 digits; the limit is 10,000 (raise it with --max-digits)"
                    .to_string()
            )
        );
    }

    #[test]
    fn canonical_text() {
        assert_eq!(fmt_q(&qf(6, -8)), "-3/4");
        assert_eq!(fmt_q(&qi(5)), "5");
        assert_eq!(fmt_q(&qi(0)), "0");
    }
}

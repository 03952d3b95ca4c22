//! `eval`'s number formatting on large data sets: the same text as
//! `output::with_decimal`, with the 4-digit decimal computed in `u128`
//! when the rational's numerator and denominator fit (a few integer
//! operations instead of a dozen big-rational ones per number).
//!
//! Must not: produce any text other than `output::with_decimal`'s (it
//! falls back to it whenever a product would overflow; the tests compare
//! the two on random rationals).

use super::super::output::{decimal, decimal_layout, with_decimal as slow_with_decimal};
use num_traits::{Signed, ToPrimitive, Zero};
use relucert::number::{fmt_q, Q};

/// `p/q (decimal)`; an integer alone (as `output::with_decimal`).
pub fn with_decimal(q: &Q) -> String {
    if q.is_integer() {
        return fmt_q(q);
    }
    match decimal_small(q) {
        Some(d) => format!("{} ({d})", fmt_q(q)),
        None => slow_with_decimal(q),
    }
}

/// `output::decimal` in `u128`; `None` when something does not fit.
fn decimal_small(q: &Q) -> Option<String> {
    const DIGITS: i64 = 4;
    if q.is_zero() {
        return Some(decimal(q));
    }
    let neg = q.is_negative();
    let n = q.numer().abs().to_u128()?;
    let d = q.denom().to_u128()?;
    let len = |v: u128| v.to_string().len() as i64;
    let pow = |k: i64| 10u128.checked_pow(u32::try_from(k).ok()?);
    // a = n / d < 10^e, exactly
    let below = |e: i64| -> Option<bool> {
        if e >= 0 {
            Some(n < d.checked_mul(pow(e)?)?)
        } else {
            Some(n.checked_mul(pow(-e)?)? < d)
        }
    };
    let mut e = len(n) - len(d);
    while below(e)? {
        e -= 1;
    }
    while !below(e + 1)? {
        e += 1;
    }
    // r = floor(a 10^(DIGITS-1-e) + 1/2)
    let k = DIGITS - 1 - e;
    let (num, den) = if k >= 0 {
        (n.checked_mul(pow(k)?)?, d)
    } else {
        (n, d.checked_mul(pow(-k)?)?)
    };
    let mut r = num.checked_mul(2)?.checked_add(den)? / den.checked_mul(2)?;
    if r >= pow(DIGITS)? {
        r /= 10;
        e += 1;
    }
    Some(decimal_layout(neg, &r.to_string(), e, DIGITS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use proptest::prelude::*;

    fn q(n: i128, d: i128) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn fixed_values_match_the_reference() {
        for (n, d) in [
            (0, 1),
            (1, 1),
            (3, 8),
            (-1, 3),
            (2, 3),
            (51, 32),
            (99995, 10000),
            (9999, 10000),
            (12345, 1),
            (1, 1000),
            (1, 7_000_000),
            (123_456_789_012, 1),
            (99_995, 1),
            (-4_290_901, 5_000_000),
            (i128::MAX, 3),
            (1, i128::MAX),
            (i128::MAX, i128::MAX - 1),
        ] {
            assert_eq!(
                with_decimal(&q(n, d)),
                slow_with_decimal(&q(n, d)),
                "{n}/{d}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn same_text_as_output_with_decimal(
            n in prop_oneof![-1_000_000i128..1_000_000, any::<i64>().prop_map(i128::from), any::<i128>()],
            d in prop_oneof![1i128..10_000, 1i128..i128::from(i64::MAX), 1i128..i128::MAX],
            scale in 0u32..30,
        ) {
            let d = d.checked_mul(10i128.pow(scale)).unwrap_or(d);
            let v = q(n, d);
            prop_assert_eq!(with_decimal(&v), slow_with_decimal(&v));
        }
    }
}

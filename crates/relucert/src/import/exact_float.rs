//! Exact values of IEEE-754 binary floating-point numbers.
//!
//! Owns: decoding the bit patterns of f64, f32, f16 (binary16) and bf16
//! (bfloat16), normal and subnormal, into exact rationals `m * 2^e` in
//! integer arithmetic (one function per format, over one decoder), and
//! the one [`NotFinite`] answer for NaN and infinities.
//!
//! Must not: pass a value through a Rust float, round, or accept NaN or an
//! infinity as a number.

use crate::number::Q;
use num_bigint::BigInt;
use num_traits::One;

/// A NaN or an infinity: no rational value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotFinite {
    /// Not a number.
    NaN,
    /// Plus or minus infinity.
    Infinite,
}

impl std::fmt::Display for NotFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotFinite::NaN => write!(f, "NaN"),
            NotFinite::Infinite => write!(f, "an infinity"),
        }
    }
}

/// The exact value of a binary interchange-format float with `exp_bits`
/// exponent bits and `mant_bits` fraction bits, its bits in the low
/// `1 + exp_bits + mant_bits` bits of `bits` (sign highest).
///
/// Normal numbers are `(2^mant_bits + m) * 2^(e - bias - mant_bits)`,
/// subnormals `m * 2^(1 - bias - mant_bits)`, with
/// `bias = 2^(exp_bits - 1) - 1`; signed zeros are 0.
fn decode_bits(bits: u64, exp_bits: u32, mant_bits: u32) -> Result<Q, NotFinite> {
    let mant_mask = (1u64 << mant_bits) - 1;
    let exp_mask = (1u64 << exp_bits) - 1;
    let m = bits & mant_mask;
    let e = (bits >> mant_bits) & exp_mask;
    let negative = (bits >> (mant_bits + exp_bits)) & 1 == 1;
    if e == exp_mask {
        return Err(if m == 0 {
            NotFinite::Infinite
        } else {
            NotFinite::NaN
        });
    }
    let bias = (1i64 << (exp_bits - 1)) - 1;
    let (significand, exponent) = if e == 0 {
        (m, 1 - bias - i64::from(mant_bits))
    } else {
        (
            m | (1u64 << mant_bits),
            e as i64 - bias - i64::from(mant_bits),
        )
    };
    let mut num = BigInt::from(significand);
    if negative {
        num = -num;
    }
    let shift = exponent.unsigned_abs() as usize;
    Ok(if exponent >= 0 {
        Q::from_integer(num << shift)
    } else {
        Q::new(num, BigInt::one() << shift)
    })
}

/// The exact value of an f64 bit pattern.
pub fn f64_bits(bits: u64) -> Result<Q, NotFinite> {
    decode_bits(bits, 11, 52)
}

/// The exact value of an f32 bit pattern.
pub fn f32_bits(bits: u32) -> Result<Q, NotFinite> {
    decode_bits(u64::from(bits), 8, 23)
}

/// The exact value of an IEEE binary16 (f16) bit pattern.
pub fn f16_bits(bits: u16) -> Result<Q, NotFinite> {
    decode_bits(u64::from(bits), 5, 10)
}

/// The exact value of a bfloat16 bit pattern (the high half of an f32).
pub fn bf16_bits(bits: u16) -> Result<Q, NotFinite> {
    decode_bits(u64::from(bits), 8, 7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::qf;

    #[test]
    fn known_values() {
        assert_eq!(f64_bits(0.5f64.to_bits()), Ok(qf(1, 2)));
        assert_eq!(f64_bits((-3.0f64).to_bits()), Ok(qf(-3, 1)));
        assert_eq!(f64_bits(0.0f64.to_bits()), Ok(qf(0, 1)));
        assert_eq!(f64_bits((-0.0f64).to_bits()), Ok(qf(0, 1)));
        // 0.1f32 = 13421773 / 2^27
        assert_eq!(f32_bits(0.1f32.to_bits()), Ok(qf(13_421_773, 1 << 27)));
        // smallest f16 subnormal 2^-24, largest f16 65504
        assert_eq!(f16_bits(1), Ok(qf(1, 1 << 24)));
        assert_eq!(f16_bits(0x7bff), Ok(qf(65504, 1)));
        // bf16 1.0 = 0x3f80
        assert_eq!(bf16_bits(0x3f80), Ok(qf(1, 1)));
        assert_eq!(f16_bits(0x7c00), Err(NotFinite::Infinite));
        assert_eq!(f16_bits(0x7e00), Err(NotFinite::NaN));
        assert_eq!(f64_bits(f64::NAN.to_bits()), Err(NotFinite::NaN));
    }
}

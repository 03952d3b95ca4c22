//! Big-integer helpers the exact path needs fast: a Lehmer gcd, rationals
//! reduced with it, and vectors of rationals over one common denominator.
//!
//! `num-integer`'s gcd for `BigInt` is Stein's binary algorithm, which
//! removes about one bit per full-length subtraction: quadratic in bits with
//! a large constant, and just as slow when one operand is small. Every
//! `BigRational` operation reduces with it, so on LP answers with
//! thousand-digit denominators the reductions, not the solve, took most of
//! the time. [`gcd`] is Lehmer's algorithm (Knuth, TAOCP 2, 4.5.2, Algorithm
//! L) on 64-bit leading digits, with one plain division first when the sizes
//! differ; [`ratio`] builds a reduced `Q` with it; [`Common`] holds a vector
//! over one common denominator, so a certificate check works in integers
//! and never reduces.
//!
//! Must not: approximate. Every result is exact; the leading digits only
//! choose cofactors, which are then applied exactly.

use crate::number::Q;
use crate::VarId;
use num_bigint::{BigInt, BigUint};
use num_traits::{One, Signed, ToPrimitive, Zero};

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Non-negative gcd of two big integers (Lehmer).
pub fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    BigInt::from(gcd_nat(a.magnitude().clone(), b.magnitude().clone()))
}

fn gcd_nat(mut u: BigUint, mut v: BigUint) -> BigUint {
    if u < v {
        std::mem::swap(&mut u, &mut v);
    }
    loop {
        if v.is_zero() {
            return u;
        }
        if let Some(vs) = v.to_u64() {
            let r = (&u % vs).to_u64().unwrap_or(0);
            return BigUint::from(gcd_u64(vs, r));
        }
        let (ub, vb) = (u.bits(), v.bits());
        if ub - vb > 32 {
            let r = &u % &v;
            u = v;
            v = r;
            continue;
        }
        // Leading 63 bits of u, and v at the same shift.
        let shift = ub.saturating_sub(63);
        let mut x = (&u >> shift).to_i128().unwrap_or(0);
        let mut y = (&v >> shift).to_i128().unwrap_or(0);
        let (mut a, mut b, mut c, mut d) = (1i128, 0i128, 0i128, 1i128);
        loop {
            if y + c == 0 || y + d == 0 {
                break;
            }
            let q = (x + a) / (y + c);
            if q != (x + b) / (y + d) {
                break;
            }
            (a, c) = (c, a - q * c);
            (b, d) = (d, b - q * d);
            (x, y) = (y, x - q * y);
        }
        if b == 0 {
            let r = &u % &v;
            u = v;
            v = r;
        } else {
            let (ui, vi) = (BigInt::from(u), BigInt::from(v));
            let nu = &ui * a + &vi * b;
            let nv = &ui * c + &vi * d;
            u = nu.magnitude().clone();
            v = nv.magnitude().clone();
            if u < v {
                std::mem::swap(&mut u, &mut v);
            }
        }
    }
}

/// `num / den` reduced, as a `Q` (`den != 0`).
pub fn ratio(num: BigInt, den: BigInt) -> Q {
    if num.is_zero() {
        return Q::zero();
    }
    let (mut num, mut den) = if den.is_negative() {
        (-num, -den)
    } else {
        (num, den)
    };
    let g = gcd(&num, &den);
    if !g.is_one() {
        num /= &g;
        den /= &g;
    }
    Q::new_raw(num, den)
}

/// The least common multiple of positive integers (denominators); one that
/// divides the running lcm costs a division, never a gcd.
pub fn lcm_of<'a>(dens: impl IntoIterator<Item = &'a BigInt>) -> BigInt {
    let mut l = BigInt::one();
    for d in dens {
        if d.is_one() || (&l % d).is_zero() {
            continue;
        }
        let g = gcd(&l, d);
        l = &l / &g * d;
    }
    l
}

/// `a * b`, reduced with cross gcds (cheap when one factor is small).
pub fn mul(a: &Q, b: &Q) -> Q {
    if a.is_zero() || b.is_zero() {
        return Q::zero();
    }
    let g1 = gcd(a.numer(), b.denom());
    let g2 = gcd(b.numer(), a.denom());
    Q::new_raw(
        (a.numer() / &g1) * (b.numer() / &g2),
        (a.denom() / &g2) * (b.denom() / &g1),
    )
}

/// `a / b` (`b != 0`), as [`mul`] by the reciprocal.
pub fn div(a: &Q, b: &Q) -> Q {
    let inv = if b.numer().is_negative() {
        Q::new_raw(-b.denom(), -b.numer())
    } else {
        Q::new_raw(b.denom().clone(), b.numer().clone())
    };
    mul(a, &inv)
}

/// A vector of rationals written over one positive common denominator.
pub struct Common {
    /// Numerators.
    pub num: Vec<BigInt>,
    /// The common denominator (> 0).
    pub den: BigInt,
}

impl Common {
    /// Over the least common denominator of `v` (reduced entries, as `Q`
    /// always is). An entry whose denominator divides the running one costs
    /// a division, never a gcd.
    pub fn of(v: &[Q]) -> Common {
        let den = lcm_of(v.iter().map(|q| q.denom()));
        let num = v
            .iter()
            .map(|q| {
                if q.denom() == &den {
                    q.numer().clone()
                } else {
                    q.numer() * (&den / q.denom())
                }
            })
            .collect();
        Common { num, den }
    }
}

/// `sum_j c_j x_j` for rational `c` (small data) and `x` over a common
/// denominator, unreduced, over `den * lcm(denominators of c)`.
pub fn dot_common(coeffs: &[(VarId, Q)], x: &Common) -> Frac {
    let l = lcm_of(coeffs.iter().map(|(_, c)| c.denom()));
    let mut s = BigInt::zero();
    for (j, c) in coeffs {
        let xj = &x.num[j.0];
        if xj.is_zero() {
            continue;
        }
        let k = if c.denom() == &l {
            c.numer().clone()
        } else {
            c.numer() * (&l / c.denom())
        };
        s += k * xj;
    }
    Frac { s, t: l * &x.den }
}

/// An unreduced fraction `s / t`, `t > 0`: sums and comparisons without
/// any gcd; [`Frac::to_q`] reduces (for messages).
#[derive(Clone, Debug)]
pub struct Frac {
    /// Numerator.
    pub s: BigInt,
    /// Denominator (> 0).
    pub t: BigInt,
}

impl Frac {
    /// The rational `q`.
    pub fn of(q: &Q) -> Frac {
        Frac {
            s: q.numer().clone(),
            t: q.denom().clone(),
        }
    }
    /// `self + o`.
    pub fn add(&self, o: &Frac) -> Frac {
        if self.t == o.t {
            return Frac {
                s: &self.s + &o.s,
                t: self.t.clone(),
            };
        }
        Frac {
            s: &self.s * &o.t + &o.s * &self.t,
            t: &self.t * &o.t,
        }
    }
    /// `-self`.
    pub fn neg(&self) -> Frac {
        Frac {
            s: -&self.s,
            t: self.t.clone(),
        }
    }
    /// Compare with `o`.
    pub fn compare(&self, o: &Frac) -> std::cmp::Ordering {
        (&self.s * &o.t).cmp(&(&o.s * &self.t))
    }
    /// Sign: -1, 0 or 1.
    pub fn signum(&self) -> i8 {
        if self.s.is_positive() {
            1
        } else if self.s.is_negative() {
            -1
        } else {
            0
        }
    }
    /// The reduced rational.
    pub fn to_q(&self) -> Q {
        ratio(self.s.clone(), self.t.clone())
    }
}

/// `sum_j k_j q_j` for big integers `k` and rationals `q` (small data), as
/// a fraction over `lcm(denominators of q)`.
pub fn int_dot(terms: &[(&BigInt, &Q)]) -> Frac {
    let l = lcm_of(terms.iter().map(|(_, q)| q.denom()));
    let mut s = BigInt::zero();
    for (k, q) in terms {
        if k.is_zero() || q.is_zero() {
            continue;
        }
        let m = if q.denom() == &l {
            q.numer().clone()
        } else {
            q.numer() * (&l / q.denom())
        };
        s += m * *k;
    }
    Frac { s, t: l }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(digits: &[u32]) -> BigInt {
        digits
            .iter()
            .fold(BigInt::zero(), |acc, d| acc * BigInt::from(1u64 << 32) + *d)
    }

    proptest! {
        #[test]
        fn lehmer_gcd_is_the_gcd(
            a in proptest::collection::vec(any::<u32>(), 0..40),
            b in proptest::collection::vec(any::<u32>(), 0..40),
            f in proptest::collection::vec(any::<u32>(), 0..20),
            neg in any::<bool>(),
        ) {
            let f = big(&f);
            let a = big(&a) * &f;
            let b = if neg { -(big(&b) * &f) } else { big(&b) * &f };
            prop_assert_eq!(gcd(&a, &b), num_integer::Integer::gcd(&a, &b));
            if !b.is_zero() && !a.is_zero() {
                let qa = Q::new(a.clone(), b.clone() + 1);
                let qb = Q::new(b.clone() * 3 - 1, a.clone());
                prop_assert_eq!(mul(&qa, &qb), &qa * &qb);
                prop_assert_eq!(div(&qa, &qb), &qa / &qb);
            }
        }

        #[test]
        fn common_denominator_keeps_values(
            v in proptest::collection::vec((any::<i64>(), 1i64..1_000_000), 0..12),
        ) {
            let q: Vec<Q> = v.iter().map(|(p, d)| Q::new((*p).into(), (*d).into())).collect();
            let c = Common::of(&q);
            for (qi, ni) in q.iter().zip(&c.num) {
                prop_assert_eq!(Q::new(ni.clone(), c.den.clone()), qi.clone());
            }
            let coeffs: Vec<(VarId, Q)> =
                (0..q.len()).map(|j| (VarId(j), Q::new((j as i64 - 3).into(), (j as i64 + 1).into()))).collect();
            let f = dot_common(&coeffs, &c);
            let direct: Q = coeffs.iter().map(|(j, cj)| cj * &q[j.0]).sum();
            prop_assert_eq!(f.to_q(), direct);
        }
    }
}

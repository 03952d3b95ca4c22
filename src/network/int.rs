//! The fraction-free forward pass: the same exact values as
//! `network::forward_rational`, computed over integers.
//!
//! Each weight layer is rescaled once to integers over one common positive
//! denominator (`W = Wn / d`, `b = bn / d`); each input row likewise. The
//! pass then carries a vector of integer numerators and one positive
//! denominator per layer, so the inner loops do integer multiply-adds with
//! no gcd. It runs in checked `i128` first and redoes a point in `BigInt`
//! when anything overflows; values are turned into reduced rationals only at
//! the end. Signs are unaffected by the positive denominators, so the
//! signature is read off the numerators exactly.
//!
//! Must not: round, or decide anything on a value that overflowed (an
//! overflow means "redo in BigInt", never "approximately").

use super::{Activation, Params, Trace};
use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Integer arithmetic the pass needs; `None` means overflow.
trait Int: Clone + Sized {
    fn zero() -> Self;
    fn from_big(b: &BigInt) -> Option<Self>;
    fn to_big(&self) -> BigInt;
    fn mul(&self, o: &Self) -> Option<Self>;
    fn add(&self, o: &Self) -> Option<Self>;
    fn is_negative(&self) -> bool;
}

impl Int for i128 {
    fn zero() -> Self {
        0
    }
    fn from_big(b: &BigInt) -> Option<Self> {
        b.to_i128()
    }
    fn to_big(&self) -> BigInt {
        BigInt::from(*self)
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        self.checked_mul(*o)
    }
    fn add(&self, o: &Self) -> Option<Self> {
        self.checked_add(*o)
    }
    fn is_negative(&self) -> bool {
        *self < 0
    }
}

impl Int for BigInt {
    fn zero() -> Self {
        Zero::zero()
    }
    fn from_big(b: &BigInt) -> Option<Self> {
        Some(b.clone())
    }
    fn to_big(&self) -> BigInt {
        self.clone()
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        Some(self * o)
    }
    fn add(&self, o: &Self) -> Option<Self> {
        Some(self + o)
    }
    fn is_negative(&self) -> bool {
        Signed::is_negative(self)
    }
}

/// Rationals over one common positive denominator: `values[i] = num[i] / den`.
#[derive(Clone, Debug)]
struct Scaled<T> {
    num: Vec<T>,
    den: T,
}

/// Rescale a list of rationals to integers over their lcm denominator.
fn scale_big<'a>(values: impl Iterator<Item = &'a Q> + Clone) -> Scaled<BigInt> {
    let den = values
        .clone()
        .fold(BigInt::one(), |acc, q| acc.lcm(q.denom()));
    let num = values.map(|q| q.numer() * (&den / q.denom())).collect();
    Scaled { num, den }
}

fn convert<T: Int>(s: &Scaled<BigInt>) -> Option<Scaled<T>> {
    Some(Scaled {
        num: s.num.iter().map(T::from_big).collect::<Option<_>>()?,
        den: T::from_big(&s.den)?,
    })
}

/// One layer over a common denominator: `w` row-major `rows x cols`.
#[derive(Clone, Debug)]
struct IntLayer<T> {
    rows: usize,
    cols: usize,
    /// numerators of W (row-major) then of b (if any), over `den`.
    w: Vec<T>,
    b: Option<Vec<T>>,
    den: T,
}

/// A parameter point prepared for repeated fraction-free forward passes.
#[derive(Clone, Debug)]
pub struct IntParams {
    big: Vec<IntLayer<BigInt>>,
    small: Option<Vec<IntLayer<i128>>>,
    /// Leaky slope as p/q (q > 0); relu: 0/1; linear: 1/1.
    slope_neg: (BigInt, BigInt),
    small_slope: Option<(i128, i128)>,
    linear: bool,
}

impl IntParams {
    /// Prepare `params` for the activation `act`.
    pub fn new(params: &Params, act: &Activation) -> IntParams {
        let big: Vec<IntLayer<BigInt>> = params
            .layers
            .iter()
            .map(|layer| {
                let rows = layer.w.len();
                let cols = layer.w.first().map_or(0, Vec::len);
                let all = layer.w.iter().flatten().chain(layer.b.iter().flatten());
                let s = scale_big(all);
                let nw = rows * cols;
                let b = layer.b.as_ref().map(|_| s.num[nw..].to_vec());
                let mut w = s.num;
                w.truncate(nw);
                IntLayer {
                    rows,
                    cols,
                    w,
                    b,
                    den: s.den,
                }
            })
            .collect();
        let small = big
            .iter()
            .map(|l| {
                Some(IntLayer {
                    rows: l.rows,
                    cols: l.cols,
                    w: l.w.iter().map(i128::from_big).collect::<Option<_>>()?,
                    b: match &l.b {
                        Some(b) => Some(b.iter().map(i128::from_big).collect::<Option<_>>()?),
                        None => None,
                    },
                    den: i128::from_big(&l.den)?,
                })
            })
            .collect::<Option<Vec<_>>>();
        let neg = act.negative_slope();
        let slope_neg = (neg.numer().clone(), neg.denom().clone());
        let small_slope = match (slope_neg.0.to_i128(), slope_neg.1.to_i128()) {
            (Some(p), Some(q)) => Some((p, q)),
            _ => None,
        };
        IntParams {
            big,
            small,
            slope_neg,
            small_slope,
            linear: matches!(act, Activation::Linear),
        }
    }

    /// Forward pass of `x`: the same `Trace` as `forward_rational`.
    pub fn forward(&self, x: &[Q]) -> Trace {
        self.pass(x, true)
    }

    /// Only the output `f(x)` (the trace's `pre` is left empty): what the
    /// loss needs, without turning hidden values into reduced rationals.
    pub fn output(&self, x: &[Q]) -> Vec<Q> {
        self.pass(x, false).output
    }

    fn pass(&self, x: &[Q], keep_pre: bool) -> Trace {
        let xs = scale_big(x.iter());
        if let (Some(layers), Some(slope), Some(xs)) =
            (&self.small, self.small_slope, convert::<i128>(&xs))
        {
            if let Some(t) = run(layers, slope, self.linear, &xs, keep_pre) {
                return t;
            }
        }
        let slope = (self.slope_neg.0.clone(), self.slope_neg.1.clone());
        // Invariant, not input-dependent: BigInt arithmetic never reports overflow.
        run(&self.big, slope, self.linear, &xs, keep_pre)
            .expect("BigInt forward pass cannot overflow")
    }
}

fn to_q<T: Int>(s: &Scaled<T>) -> Vec<Q> {
    let d = s.den.to_big();
    s.num
        .iter()
        .map(|n| Q::new(n.to_big(), d.clone()))
        .collect()
}

fn run<T: Int>(
    layers: &[IntLayer<T>],
    slope: (T, T),
    linear: bool,
    x: &Scaled<T>,
    keep_pre: bool,
) -> Option<Trace> {
    let mut a = x.clone();
    let mut pre = Vec::with_capacity(layers.len().saturating_sub(1));
    for (l, layer) in layers.iter().enumerate() {
        // z = (Wn a_num + bn a_den) / (d_W a_den)
        let mut num = Vec::with_capacity(layer.rows);
        for j in 0..layer.rows {
            let mut acc = T::zero();
            for k in 0..layer.cols {
                acc = acc.add(&layer.w[j * layer.cols + k].mul(&a.num[k])?)?;
            }
            if let Some(b) = &layer.b {
                acc = acc.add(&b[j].mul(&a.den)?)?;
            }
            num.push(acc);
        }
        let z = Scaled {
            num,
            den: layer.den.mul(&a.den)?,
        };
        if l + 1 == layers.len() {
            return Some(Trace {
                pre,
                output: to_q(&z),
            });
        }
        if keep_pre {
            pre.push(to_q(&z));
        }
        a = if linear {
            z
        } else {
            // positive side times q, negative side times p, over den * q
            let (p, q) = (&slope.0, &slope.1);
            let num = z
                .num
                .iter()
                .map(|v| if v.is_negative() { v.mul(p) } else { v.mul(q) })
                .collect::<Option<Vec<T>>>()?;
            Scaled {
                num,
                den: z.den.mul(q)?,
            }
        };
    }
    Some(Trace {
        pre,
        output: to_q(&a),
    })
}

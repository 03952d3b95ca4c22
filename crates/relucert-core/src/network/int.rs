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
//! The same pass also gives the loss as `i128` fractions (one rational at
//! the end), each point's `PointView`, and in forward mode the one-sided
//! directional derivative of the loss.
//!
//! Must not: round (except the float magnitudes of a `PointView`, which
//! are proposals' input only), or decide anything on a value that
//! overflowed (an overflow means "redo in BigInt", never "approximately").

use super::{Activation, Data, LossKind, Params, Trace};
use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use relucert_deadline::{Deadline, Expired};

mod batch;
pub use batch::PointsEvaluation;

/// Integer arithmetic the pass needs; `None` means overflow.
trait Int: Clone + Sized + Ord {
    fn zero() -> Self;
    fn to_big(&self) -> BigInt;
    fn mul(&self, o: &Self) -> Option<Self>;
    fn add(&self, o: &Self) -> Option<Self>;
    fn is_negative(&self) -> bool;
    fn is_positive(&self) -> bool;
    fn one() -> Self;
    fn sub(&self, o: &Self) -> Option<Self>;
    fn from_i64(v: i64) -> Self;
    /// `n / d` as a float (a proposal's input, never a decision's).
    fn ratio_f64(n: &Self, d: &Self) -> f64;
    /// `acc += n / d` (`d > 0`).
    fn add_to(acc: &mut Acc, n: &Self, d: &Self);
}

impl Int for i128 {
    fn zero() -> Self {
        0
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
    fn is_positive(&self) -> bool {
        *self > 0
    }
    fn one() -> Self {
        1
    }
    fn sub(&self, o: &Self) -> Option<Self> {
        self.checked_sub(*o)
    }
    fn from_i64(v: i64) -> Self {
        v as i128
    }
    fn ratio_f64(n: &Self, d: &Self) -> f64 {
        *n as f64 / *d as f64
    }
    fn add_to(acc: &mut Acc, n: &Self, d: &Self) {
        if let Acc::Small(an, ad) = *acc {
            let g = ad.gcd(d);
            let sum = (ad / g).checked_mul(*d).and_then(|l| {
                let a = an.checked_mul(l / ad)?;
                let b = n.checked_mul(l / d)?;
                Some((a.checked_add(b)?, l))
            });
            if let Some((num, den)) = sum {
                *acc = Acc::Small(num, den);
                return;
            }
        }
        acc.add_q(Q::new(BigInt::from(*n), BigInt::from(*d)));
    }
}

impl Int for BigInt {
    fn zero() -> Self {
        Zero::zero()
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
    fn is_positive(&self) -> bool {
        Signed::is_positive(self)
    }
    fn one() -> Self {
        One::one()
    }
    fn sub(&self, o: &Self) -> Option<Self> {
        Some(self - o)
    }
    fn from_i64(v: i64) -> Self {
        BigInt::from(v)
    }
    fn ratio_f64(n: &Self, d: &Self) -> f64 {
        Q::new(n.clone(), d.clone()).to_f64().unwrap_or(f64::NAN)
    }
    fn add_to(acc: &mut Acc, n: &Self, d: &Self) {
        acc.add_q(Q::new(n.clone(), d.clone()));
    }
}

/// An exact sum of fractions: in `i128` while it fits, then rational.
#[derive(Clone, Debug)]
pub enum Acc {
    Small(i128, i128),
    Big(Q),
}

impl Acc {
    fn zero() -> Acc {
        Acc::Small(0, 1)
    }

    fn add_q(&mut self, q: Q) {
        *self = match std::mem::replace(self, Acc::Small(0, 1)) {
            Acc::Small(n, d) => Acc::Big(Q::new(BigInt::from(n), BigInt::from(d)) + q),
            Acc::Big(v) => Acc::Big(v + q),
        };
    }

    /// Add another sum.
    fn merge(&mut self, other: Acc) {
        match other {
            Acc::Small(n, d) => i128::add_to(self, &n, &d),
            Acc::Big(q) => self.add_q(q),
        }
    }

    /// The sum divided by `n`, reduced.
    fn over(self, n: usize) -> Q {
        let nq = BigInt::from(n);
        match self {
            Acc::Small(a, d) => Q::new(BigInt::from(a), BigInt::from(d) * nq),
            Acc::Big(v) => v / Q::from_integer(nq),
        }
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
        .fold(<BigInt as One>::one(), |acc, q| acc.lcm(q.denom()));
    let num = values.map(|q| q.numer() * (&den / q.denom())).collect();
    Scaled { num, den }
}

/// `scale_big` straight into `i128` (None if anything does not fit).
fn scale_small(values: &[Q]) -> Option<Scaled<i128>> {
    let mut den: i128 = 1;
    for q in values {
        let d = q.denom().to_i128()?;
        den = (den / den.gcd(&d)).checked_mul(d)?;
    }
    let num = values
        .iter()
        .map(|q| q.numer().to_i128()?.checked_mul(den / q.denom().to_i128()?))
        .collect::<Option<Vec<i128>>>()?;
    Some(Scaled { num, den })
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
    /// The BigInt form: built at once when some layer does not fit `i128`,
    /// else only if a pass overflows (from `small`, the same numbers).
    big: std::sync::OnceLock<Vec<IntLayer<BigInt>>>,
    small: Option<Vec<IntLayer<i128>>>,
    /// Leaky slope as p/q (q > 0); relu: 0/1; linear: 1/1.
    slope_neg: (BigInt, BigInt),
    small_slope: Option<(i128, i128)>,
    linear: bool,
}

/// Split a layer's scaled values (weights row-major, then biases).
fn layer_of<T: Clone>(rows: usize, cols: usize, has_b: bool, s: Scaled<T>) -> IntLayer<T> {
    let nw = rows * cols;
    let b = has_b.then(|| s.num[nw..].to_vec());
    let mut w = s.num;
    w.truncate(nw);
    IntLayer {
        rows,
        cols,
        w,
        b,
        den: s.den,
    }
}

impl IntParams {
    /// Prepare `params` for the activation `act`.
    pub fn new(params: &Params, act: &Activation) -> IntParams {
        let shape =
            |layer: &super::LayerParams| (layer.w.len(), layer.w.first().map_or(0, Vec::len));
        let small = params
            .layers
            .iter()
            .map(|layer| {
                let (rows, cols) = shape(layer);
                let all: Vec<Q> = layer
                    .w
                    .iter()
                    .flatten()
                    .chain(layer.b.iter().flatten())
                    .cloned()
                    .collect();
                Some(layer_of(rows, cols, layer.b.is_some(), scale_small(&all)?))
            })
            .collect::<Option<Vec<_>>>();
        let big = std::sync::OnceLock::new();
        if small.is_none() {
            let layers: Vec<IntLayer<BigInt>> = params
                .layers
                .iter()
                .map(|layer| {
                    let (rows, cols) = shape(layer);
                    let all = layer.w.iter().flatten().chain(layer.b.iter().flatten());
                    layer_of(rows, cols, layer.b.is_some(), scale_big(all))
                })
                .collect();
            let _ = big.set(layers);
        }
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

    /// The BigInt layers (see the field).
    fn big(&self) -> &[IntLayer<BigInt>] {
        self.big.get_or_init(|| {
            self.small
                .iter()
                .flatten()
                .map(|l| IntLayer {
                    rows: l.rows,
                    cols: l.cols,
                    w: l.w.iter().map(|v| BigInt::from(*v)).collect(),
                    b: l.b
                        .as_ref()
                        .map(|b| b.iter().map(|v| BigInt::from(*v)).collect()),
                    den: BigInt::from(l.den),
                })
                .collect()
        })
    }

    /// Forward pass of `x`: the same `Trace` as `forward_rational`.
    pub fn forward(&self, x: &[Q]) -> Trace {
        if let (Some(layers), Some(slope), Some(xs)) =
            (&self.small, self.small_slope, scale_small(x))
        {
            if let Some(t) = run(layers, slope, self.linear, &xs) {
                return t;
            }
        }
        let xs = scale_big(x.iter());
        let slope = (self.slope_neg.0.clone(), self.slope_neg.1.clone());
        // Invariant, not input-dependent: BigInt arithmetic never reports overflow.
        run(self.big(), slope, self.linear, &xs).expect("BigInt forward pass cannot overflow")
    }
}

/// Values and tangents layer by layer: the output `f(x)` and its one-sided
/// directional derivative `f'(x; d) = lim_{t -> 0+} (f_{theta + t d}(x) - f_theta(x)) / t`.
/// Forward mode: `dz = dW a + W da + db`; at a hidden unit with `z != 0`
/// the tangent is multiplied by the slope of `z`'s side, and at a kink
/// (`z = 0`) by the slope of `dz`'s side (the one-sided derivative of
/// `max(z, alpha z)` is `max(dz, alpha dz)`; `dz = 0` gives 0 either way).
///
/// With `a = A / e`, `da = T / g`, `W = Wn / w`, `dW = Dn / v`:
/// `z = (Wn A + bn e) / (w e)` and
/// `dz = (Dn A (w g) + Wn T (v e) + dbn (w e g)) / (v w e g)`.
fn run_tangent<T: Int>(
    layers: &[IntLayer<T>],
    dlayers: &[IntLayer<T>],
    slope: (T, T),
    linear: bool,
    x: &Scaled<T>,
) -> Option<(Scaled<T>, Scaled<T>)> {
    let mut a = x.clone();
    let mut da = Scaled {
        num: vec![T::zero(); x.num.len()],
        den: T::one(),
    };
    for (l, (layer, dl)) in layers.iter().zip(dlayers).enumerate() {
        let wg = layer.den.mul(&da.den)?;
        let ve = dl.den.mul(&a.den)?;
        let weg = layer.den.mul(&a.den)?.mul(&da.den)?;
        let mut num = Vec::with_capacity(layer.rows);
        let mut dnum = Vec::with_capacity(layer.rows);
        for j in 0..layer.rows {
            let mut acc = T::zero();
            let mut dpart = T::zero();
            let mut wpart = T::zero();
            for k in 0..layer.cols {
                let w = &layer.w[j * layer.cols + k];
                acc = acc.add(&w.mul(&a.num[k])?)?;
                dpart = dpart.add(&dl.w[j * layer.cols + k].mul(&a.num[k])?)?;
                wpart = wpart.add(&w.mul(&da.num[k])?)?;
            }
            let mut dacc = dpart.mul(&wg)?.add(&wpart.mul(&ve)?)?;
            if let (Some(b), Some(db)) = (&layer.b, &dl.b) {
                acc = acc.add(&b[j].mul(&a.den)?)?;
                dacc = dacc.add(&db[j].mul(&weg)?)?;
            }
            num.push(acc);
            dnum.push(dacc);
        }
        let z = Scaled {
            num,
            den: layer.den.mul(&a.den)?,
        };
        let dz = Scaled {
            num: dnum,
            den: dl.den.mul(&weg)?,
        };
        if l + 1 == layers.len() || linear {
            a = z;
            da = dz;
            continue;
        }
        let (p, q) = (&slope.0, &slope.1);
        let mut an = Vec::with_capacity(z.num.len());
        let mut dan = Vec::with_capacity(z.num.len());
        for (v, dv) in z.num.iter().zip(&dz.num) {
            let positive = v.is_positive() || (!v.is_negative() && dv.is_positive());
            let s = if positive { q } else { p };
            an.push(v.mul(if v.is_negative() { p } else { q })?);
            dan.push(dv.mul(s)?);
        }
        a = Scaled {
            num: an,
            den: z.den.mul(q)?,
        };
        da = Scaled {
            num: dan,
            den: dz.den.mul(q)?,
        };
    }
    Some((a, da))
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
) -> Option<Trace> {
    let (pre, output) = run_scaled(layers, slope, linear, x, true)?;
    Some(Trace {
        pre: pre.iter().map(to_q).collect(),
        output: to_q(&output),
    })
}

/// The pass over integers: the hidden pre-activations (if `keep_pre`) and
/// the output, each over one positive denominator.
fn run_scaled<T: Int>(
    layers: &[IntLayer<T>],
    slope: (T, T),
    linear: bool,
    x: &Scaled<T>,
    keep_pre: bool,
) -> Option<(Vec<Scaled<T>>, Scaled<T>)> {
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
            return Some((pre, z));
        }
        if keep_pre {
            pre.push(z.clone());
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
    Some((pre, a))
}

/// One data point as the first-order probe sees it: exact signs, float
/// magnitudes.
#[derive(Clone, Debug)]
pub struct PointView {
    /// Hidden pre-activations per hidden layer: (value as f64, exactly 0).
    pub pre: Vec<Vec<(f64, bool)>>,
    /// Hinge arguments in `point_loss` order: (value as f64, exactly 0).
    pub terms: Vec<(f64, bool)>,
    /// Crammer-Singer: the competitor classes attaining the max.
    pub top: Option<Vec<usize>>,
}

/// A point's label as the integer pass sees it: the class or sign label,
/// and for the regression losses the target scaled to `(numerator,
/// denominator > 0)`.
struct Label<T> {
    y: i64,
    target: Option<(T, T)>,
}

impl Label<i128> {
    fn small(y: i64, target: Option<&Q>) -> Option<Label<i128>> {
        let target = match target {
            Some(t) => {
                let s = scale_small(std::slice::from_ref(t))?;
                Some((s.num[0], s.den))
            }
            None => None,
        };
        Some(Label { y, target })
    }
}

impl Label<BigInt> {
    fn big(y: i64, target: Option<&Q>) -> Label<BigInt> {
        Label {
            y,
            target: target.map(|t| (t.numer().clone(), t.denom().clone())),
        }
    }
}

/// Hinge-argument numerators over a common denominator (returned), in
/// `point_loss` order, and the Crammer-Singer arg-max set. Regression: one
/// argument, the residual `f - t`, for both regression losses.
fn hinge_numerators<T: Int>(
    kind: LossKind,
    out: &Scaled<T>,
    label: &Label<T>,
) -> Option<(Vec<T>, T, Option<Vec<usize>>)> {
    let f = &out.num;
    let den = &out.den;
    let y = label.y;
    match kind {
        LossKind::Hinge => Some((
            vec![den.sub(&f[0].mul(&T::from_i64(y))?)?],
            den.clone(),
            None,
        )),
        LossKind::MulticlassHinge => {
            let yc = y as usize;
            let args = (0..f.len())
                .filter(|&k| k != yc)
                .map(|k| den.add(&f[k])?.sub(&f[yc]))
                .collect::<Option<Vec<T>>>()?;
            Some((args, den.clone(), None))
        }
        LossKind::CrammerSinger => {
            let yc = y as usize;
            let best = (0..f.len()).filter(|&k| k != yc).map(|k| &f[k]).max()?;
            let top: Vec<usize> = (0..f.len()).filter(|&k| k != yc && &f[k] == best).collect();
            Some((vec![den.add(best)?.sub(&f[yc])?], den.clone(), Some(top)))
        }
        LossKind::Absolute | LossKind::Squared => {
            // f / den - tn / td = (f td - tn den) / (den td)
            let (tn, td) = label.target.as_ref()?;
            let r = f[0].mul(td)?.sub(&tn.mul(den)?)?;
            Some((vec![r], den.mul(td)?, None))
        }
    }
}

fn abs_int<T: Int>(a: &T) -> Option<T> {
    if a.is_negative() {
        T::zero().sub(a)
    } else {
        Some(a.clone())
    }
}

/// One point: `(its loss's numerator, denominator, view)`.
fn point_eval<T: Int>(
    layers: &[IntLayer<T>],
    slope: (T, T),
    linear: bool,
    x: &Scaled<T>,
    kind: LossKind,
    label: &Label<T>,
    view: bool,
) -> Option<(T, T, Option<PointView>)> {
    let (pre, out) = run_scaled(layers, slope, linear, x, view)?;
    let (mut args, den, top) = hinge_numerators(kind, &out, label)?;
    let (sum, loss_den) = match kind {
        LossKind::Absolute => (abs_int(&args[0])?, den.clone()),
        LossKind::Squared => (args[0].mul(&args[0])?, den.mul(&den)?),
        _ => {
            let mut sum = T::zero();
            for a in args.iter().filter(|a| a.is_positive()) {
                sum = sum.add(a)?;
            }
            (sum, den.clone())
        }
    };
    if kind == LossKind::Squared {
        // the squared loss has no hinge terms (no corner)
        args.clear();
    }
    let view = view.then(|| PointView {
        pre: pre
            .iter()
            .map(|z| {
                z.num
                    .iter()
                    .map(|v| {
                        (
                            T::ratio_f64(v, &z.den),
                            !v.is_positive() && !v.is_negative(),
                        )
                    })
                    .collect()
            })
            .collect(),
        terms: args
            .iter()
            .map(|a| (T::ratio_f64(a, &den), !a.is_positive() && !a.is_negative()))
            .collect(),
        top,
    });
    Some((sum, loss_den, view))
}

/// One point's contribution to the directional derivative: numerator over
/// the tangent's denominator.
fn point_derivative<T: Int>(
    layers: &[IntLayer<T>],
    dlayers: &[IntLayer<T>],
    slope: (T, T),
    linear: bool,
    x: &Scaled<T>,
    kind: LossKind,
    label: &Label<T>,
) -> Option<(T, T)> {
    let (f, df) = run_tangent(layers, dlayers, slope, linear, x)?;
    let (args, den, top) = hinge_numerators(kind, &f, label)?;
    let d = &df.num;
    let y = label.y;
    let yc = y as usize;
    let dargs: Vec<T> = match kind {
        LossKind::Squared => {
            // d (f - t)^2 = 2 (f - t) df: 2 r d0 over den * df.den
            let two = T::from_i64(2);
            return Some((two.mul(&args[0])?.mul(&d[0])?, den.mul(&df.den)?));
        }
        LossKind::Absolute => {
            // d |r| = sign(r) df, and |df| at r = 0
            let d0 = &d[0];
            let v = if args[0].is_positive() {
                d0.clone()
            } else if args[0].is_negative() {
                T::zero().sub(d0)?
            } else {
                abs_int(d0)?
            };
            return Some((v, df.den));
        }
        LossKind::Hinge => vec![T::zero().sub(&d[0].mul(&T::from_i64(y))?)?],
        LossKind::MulticlassHinge => (0..d.len())
            .filter(|&k| k != yc)
            .map(|k| d[k].sub(&d[yc]))
            .collect::<Option<Vec<T>>>()?,
        LossKind::CrammerSinger => {
            let best = top.as_ref()?.iter().map(|&k| &d[k]).max()?;
            vec![best.sub(&d[yc])?]
        }
    };
    let mut sum = T::zero();
    for (a, da) in args.iter().zip(&dargs) {
        if a.is_positive() || (!a.is_negative() && da.is_positive()) {
            sum = sum.add(da)?;
        }
    }
    Some((sum, df.den))
}

impl IntParams {
    /// The exact loss `(1/N) sum_i loss_i` and, if `views`, each point's
    /// `PointView`, in one pass (`i128` per point while it fits).
    pub fn loss_and_views(&self, kind: LossKind, data: &Data, views: bool) -> (Q, Vec<PointView>) {
        match self.loss_and_views_within(kind, data, views, &Deadline::never()) {
            Ok(r) => r,
            // Invariant: a deadline that never expires never stops the loop.
            Err(Expired) => unreachable!("Deadline::never() expired"),
        }
    }

    /// [`IntParams::loss_and_views`], stopped with [`Expired`] once
    /// `deadline` passes (tested before each data point: with numbers of
    /// thousands of digits one point can take a noticeable time).
    pub fn loss_and_views_within(
        &self,
        kind: LossKind,
        data: &Data,
        views: bool,
        deadline: &Deadline,
    ) -> Result<(Q, Vec<PointView>), Expired> {
        let mut acc = Acc::zero();
        let mut out = Vec::new();
        for (i, (x, &y)) in data.x.iter().zip(&data.y).enumerate() {
            deadline.check()?;
            let target = kind.is_regression().then(|| data.target(i));
            let small = match (
                &self.small,
                self.small_slope,
                scale_small(x),
                Label::small(y, target.as_ref()),
            ) {
                (Some(layers), Some(slope), Some(xs), Some(label)) => {
                    point_eval(layers, slope, self.linear, &xs, kind, &label, views)
                }
                _ => None,
            };
            let view = match small {
                Some((n, d, view)) => {
                    i128::add_to(&mut acc, &n, &d);
                    view
                }
                None => {
                    let slope = (self.slope_neg.0.clone(), self.slope_neg.1.clone());
                    let xs = scale_big(x.iter());
                    // Invariant: BigInt arithmetic never reports overflow.
                    let label = Label::big(y, target.as_ref());
                    let (n, d, view) =
                        point_eval(self.big(), slope, self.linear, &xs, kind, &label, views)
                            .expect("BigInt pass cannot overflow");
                    BigInt::add_to(&mut acc, &n, &d);
                    view
                }
            };
            out.extend(view);
        }
        Ok((acc.over(data.len()), out))
    }

    /// The one-sided directional derivative of the loss along `dir`
    /// (prepared the same way); see `Problem::directional_derivative`.
    pub fn directional_derivative(&self, dir: &IntParams, kind: LossKind, data: &Data) -> Q {
        let mut acc = Acc::zero();
        for (i, (x, &y)) in data.x.iter().zip(&data.y).enumerate() {
            let target = kind.is_regression().then(|| data.target(i));
            let small = match (
                &self.small,
                &dir.small,
                self.small_slope,
                scale_small(x),
                Label::small(y, target.as_ref()),
            ) {
                (Some(layers), Some(dlayers), Some(slope), Some(xs), Some(label)) => {
                    point_derivative(layers, dlayers, slope, self.linear, &xs, kind, &label)
                }
                _ => None,
            };
            match small {
                Some((n, d)) => i128::add_to(&mut acc, &n, &d),
                None => {
                    let slope = (self.slope_neg.0.clone(), self.slope_neg.1.clone());
                    let xs = scale_big(x.iter());
                    // Invariant: BigInt arithmetic never reports overflow.
                    let label = Label::big(y, target.as_ref());
                    let (n, d) = point_derivative(
                        self.big(),
                        dir.big(),
                        slope,
                        self.linear,
                        &xs,
                        kind,
                        &label,
                    )
                    .expect("BigInt pass cannot overflow");
                    BigInt::add_to(&mut acc, &n, &d);
                }
            }
        }
        acc.over(data.len())
    }
}

//! Polynomial arcs through parameter space, and the loss along them.
//!
//! Owns: evaluating the network and the loss exactly along an arc
//! `theta(t) = theta* + t d_1 + t^2 d_2 + ... + t^k d_k` (rational `d_i`)
//! for all small `t > 0` at once. Every pre-activation, output and hinge
//! argument is then a polynomial in `t`, and for small `t > 0` the sign of a
//! polynomial is the sign of its lowest-order nonzero coefficient (the zero
//! polynomial stays zero), so the activation slopes, active hinge terms and
//! Crammer-Singer maxima are fixed, and the loss along the arc is one
//! polynomial `L(t)` on an interval `(0, t0)`. `t0` is computed explicitly
//! and rigorously: for a polynomial with lowest nonzero coefficient `a_m`,
//! `|sum_{i>m} a_i t^i| < |a_m| t^m` whenever
//! `0 < t < min(1, |a_m| / sum_{i>m} |a_i|)`.
//!
//! This is the format of a "not a local minimum" proof (a descent arc:
//! the lowest-order nonzero coefficient of `L(t) - L(0)` is negative), and
//! the tool for probing claimed minima exactly.
//!
//! Must not: decide by evaluating at sample points, or use floats: every
//! sign is read from exact coefficients.

use crate::network::{LossKind, Params, Problem};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::{Deadline, Expired};

/// A univariate polynomial in `t`, dense, lowest degree first, no trailing
/// zeros (the zero polynomial is empty).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UPoly(pub Vec<Q>);

impl UPoly {
    /// The zero polynomial.
    pub fn zero() -> Self {
        UPoly(Vec::new())
    }

    /// The constant `c`.
    pub fn constant(c: Q) -> Self {
        UPoly(vec![c]).trimmed()
    }

    fn trimmed(mut self) -> Self {
        while self.0.last().is_some_and(Zero::is_zero) {
            self.0.pop();
        }
        self
    }

    /// Whether this is the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// The sum `self + o`.
    pub fn add(&self, o: &UPoly) -> UPoly {
        let n = self.0.len().max(o.0.len());
        UPoly(
            (0..n)
                .map(|i| match (self.0.get(i), o.0.get(i)) {
                    (Some(a), Some(b)) => a + b,
                    (Some(a), None) => a.clone(),
                    (None, Some(b)) => b.clone(),
                    (None, None) => Q::zero(),
                })
                .collect(),
        )
        .trimmed()
    }

    /// The difference `self - o`.
    pub fn sub(&self, o: &UPoly) -> UPoly {
        self.add(&o.scale(&-Q::one()))
    }

    /// The multiple `c self`.
    pub fn scale(&self, c: &Q) -> UPoly {
        if c.is_zero() {
            return UPoly::zero();
        }
        UPoly(self.0.iter().map(|a| a * c).collect())
    }

    /// The product `self o`.
    pub fn mul(&self, o: &UPoly) -> UPoly {
        if self.is_zero() || o.is_zero() {
            return UPoly::zero();
        }
        let mut out = vec![Q::zero(); self.0.len() + o.0.len() - 1];
        for (i, a) in self.0.iter().enumerate() {
            if a.is_zero() {
                continue;
            }
            for (j, b) in o.0.iter().enumerate() {
                out[i + j] += a * b;
            }
        }
        UPoly(out).trimmed()
    }

    /// Value at `t`.
    pub fn eval(&self, t: &Q) -> Q {
        self.0.iter().rev().fold(Q::zero(), |acc, a| acc * t + a)
    }

    /// Lowest order with a nonzero coefficient, and that coefficient.
    pub fn lowest(&self) -> Option<(usize, &Q)> {
        self.0.iter().enumerate().find(|(_, a)| !a.is_zero())
    }

    /// Sign for all small `t > 0`: the sign of the lowest nonzero coefficient.
    pub fn germ_sign(&self) -> i8 {
        match self.lowest() {
            None => 0,
            Some((_, a)) => {
                if a.is_positive() {
                    1
                } else {
                    -1
                }
            }
        }
    }

    /// A `t0 > 0` such that the polynomial has the sign `germ_sign()` on
    /// all of `(0, t0)` (1 for the zero polynomial and for monomials).
    pub fn sign_radius(&self) -> Q {
        let Some((m, am)) = self.lowest() else {
            return Q::one();
        };
        let tail: Q = self.0[m + 1..]
            .iter()
            .fold(Q::zero(), |acc, a| acc + a.abs());
        if tail.is_zero() {
            return Q::one();
        }
        let r = am.abs() / tail;
        if r < Q::one() {
            r
        } else {
            Q::one()
        }
    }
}

/// An arc `theta* + sum_m t^m d_m`: `point` is `theta*` (flat), `dirs[m-1]`
/// is `d_m` (flat, FORMAT.md order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arc {
    /// The point `theta*` the arc starts from (flat).
    pub point: Vec<Q>,
    /// The directions `d_1, ..., d_k` (flat), lowest order first.
    pub dirs: Vec<Vec<Q>>,
}

impl Arc {
    /// The parameters at `t` (flat).
    pub fn at(&self, t: &Q) -> Vec<Q> {
        let mut out = self.point.clone();
        let mut tm = Q::one();
        for d in &self.dirs {
            tm *= t;
            for (o, di) in out.iter_mut().zip(d) {
                *o += di * &tm;
            }
        }
        out
    }

    /// Each parameter as a polynomial in `t`.
    pub(crate) fn param_polys(&self) -> Vec<UPoly> {
        (0..self.point.len())
            .map(|i| {
                let mut c = vec![self.point[i].clone()];
                c.extend(
                    self.dirs
                        .iter()
                        .map(|d| d.get(i).cloned().unwrap_or_else(Q::zero)),
                );
                UPoly(c).trimmed()
            })
            .collect()
    }
}

/// The loss along an arc for small `t > 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArcLoss {
    /// `L(t)`: the exact loss at `theta(t)` for every `t` in `(0, t0)`.
    pub loss: UPoly,
    /// The interval's end, a positive rational (at most 1).
    pub t0: Q,
    /// Positive rational roots of the pre-activations, outputs' competitor
    /// differences and hinge arguments along the arc's first piece (those of
    /// degree <= 2 after removing powers of t): where the arc may cross a
    /// kink or hinge corner. Candidates for a line search only: beyond
    /// `t0` the piece may have changed, so nothing is decided from them.
    pub breakpoints: Vec<Q>,
}

impl ArcLoss {
    /// `Some(true)` if the arc descends (`L(t) < L(0+)` for small t:
    /// the lowest nonconstant coefficient is negative), `Some(false)` if
    /// it ascends, `None` if `L` is constant.
    pub fn descends(&self) -> Option<bool> {
        let nonconst = self
            .loss
            .0
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, a)| !a.is_zero());
        nonconst.map(|(_, a)| a.is_negative())
    }
}

/// Exact loss along `arc` on `(0, t0)`. The arc's vectors must have the
/// problem's parameter count (`None` otherwise).
pub fn loss_along(problem: &Problem, arc: &Arc) -> Option<ArcLoss> {
    loss_along_within(problem, arc, &Deadline::never()).unwrap_or(None)
}

/// [`loss_along`], stopped with [`Expired`] once `deadline` passes (tested
/// per unit of every data point: with numbers of thousands of digits one
/// arc can take seconds).
pub fn loss_along_within(
    problem: &Problem,
    arc: &Arc,
    deadline: &Deadline,
) -> Result<Option<ArcLoss>, Expired> {
    let arch = &problem.arch;
    let n = arch.num_params();
    if arc.point.len() != n || arc.dirs.iter().any(|d| d.len() != n) {
        return Ok(None);
    }
    if Params::from_flat(arch, &arc.point).is_none() {
        return Ok(None);
    }
    let theta = arc.param_polys();
    let mut t0 = Q::one();
    let mut breakpoints: Vec<Q> = Vec::new();
    let mut note = |p: &UPoly| {
        let r = p.sign_radius();
        if r < t0 {
            t0 = r;
        }
        breakpoints.extend(positive_rational_roots(p));
    };
    let mut total = UPoly::zero();
    let one = UPoly::constant(Q::one());
    for (point, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let mut a: Vec<UPoly> = x.iter().map(|v| UPoly::constant(v.clone())).collect();
        for l in 1..=arch.depth() {
            let mut z = Vec::with_capacity(arch.widths[l]);
            for j in 0..arch.widths[l] {
                deadline.check()?;
                let mut acc = UPoly::zero();
                for (k, ak) in a.iter().enumerate() {
                    acc = acc.add(&theta[arch.weight_index(l, j, k)].mul(ak));
                }
                if let Some(b) = arch.bias_index(l, j) {
                    acc = acc.add(&theta[b]);
                }
                z.push(acc);
            }
            if l == arch.depth() {
                a = z;
                break;
            }
            let mut next = Vec::with_capacity(z.len());
            for zj in z {
                // the roots of a pre-activation (a square root of its
                // discriminant) cost the most with long numbers
                deadline.check()?;
                note(&zj);
                let slope = arch.activation.slope(zj.germ_sign() >= 0);
                next.push(zj.scale(&slope));
            }
            a = next;
        }
        let f = a;
        let mut args: Vec<UPoly> = Vec::new();
        match problem.loss {
            LossKind::Absolute => {
                // |f - t|: the residual or its negative by its germ's sign
                let r = f[0].sub(&UPoly::constant(problem.data.target(point)));
                deadline.check()?;
                note(&r);
                let s = Q::from_integer(r.germ_sign().into());
                total = total.add(&r.scale(&s));
            }
            LossKind::Squared => {
                let r = f[0].sub(&UPoly::constant(problem.data.target(point)));
                total = total.add(&r.mul(&r));
            }
            LossKind::Hinge => args.push(one.sub(&f[0].scale(&Q::from_integer(y.into())))),
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..f.len()).filter(|&k| k != yc) {
                    args.push(one.add(&f[k]).sub(&f[yc]));
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                // the competitor that is largest for all small t (identical
                // polynomials are equal, either will do)
                let competitors: Vec<usize> = (0..f.len()).filter(|&k| k != yc).collect();
                let mut best = competitors[0];
                for &k in &competitors[1..] {
                    if f[k].sub(&f[best]).germ_sign() > 0 {
                        best = k;
                    }
                }
                // f_best - f_k keeps its sign (>= 0) on (0, t0) for every k
                for &k in &competitors {
                    deadline.check()?;
                    note(&f[best].sub(&f[k]));
                }
                args.push(one.add(&f[best]).sub(&f[yc]));
            }
        }
        for arg in args {
            deadline.check()?;
            note(&arg);
            if arg.germ_sign() > 0 {
                total = total.add(&arg);
            }
        }
    }
    let nq = Q::from_integer((problem.data.len() as i64).into());
    breakpoints.sort();
    breakpoints.dedup();
    Ok(Some(ArcLoss {
        loss: total.scale(&(Q::one() / nq)),
        t0,
        breakpoints,
    }))
}

/// Positive rational roots of `p` after dividing out its lowest power of t,
/// when what remains has degree 1 or 2 (quadratics only when the
/// discriminant is the square of a rational).
pub fn positive_rational_roots(p: &UPoly) -> Vec<Q> {
    let Some((m, _)) = p.lowest() else {
        return Vec::new();
    };
    let q = &p.0[m..];
    let mut out = Vec::new();
    match q.len() {
        2 => out.push(-&q[0] / &q[1]),
        3 => {
            let disc = &q[1] * &q[1] - Q::from_integer(4.into()) * &q[0] * &q[2];
            if !disc.is_negative() {
                let (n, d) = (disc.numer().clone(), disc.denom().clone());
                let (rn, rd) = (n.sqrt(), d.sqrt());
                if &rn * &rn == n && &rd * &rd == d {
                    let root = Q::new(rn, rd);
                    let two_a = Q::from_integer(2.into()) * &q[2];
                    out.push((-&q[1] + &root) / &two_a);
                    out.push((-&q[1] - &root) / &two_a);
                }
            }
        }
        _ => {}
    }
    out.retain(|t| t.is_positive());
    out
}

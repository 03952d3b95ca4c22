//! Integer form of an LP for the fast path: every row and every finite bound
//! becomes one integer constraint `g . x  (>= | <= | =)  h` (the rational
//! original scaled by a positive factor), and the objective is turned into an
//! integer vector to be *minimised*.
//!
//! Must not: lose exactness. The f64 copies made here (for the float simplex) are
//! proposals only.

use super::{Cmp, Lp, Sense};
use crate::linalg::{integerize_until, Ring, Stop};
use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ge,
    Le,
    Eq,
}

/// Where a constraint of the integer form comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Row `i` of the LP.
    Row(usize),
    /// `x_j >= lower_j`.
    Lower(usize),
    /// `x_j <= upper_j`.
    Upper(usize),
    /// `x_j = value`, a pseudo-constraint fixing a variable that no active
    /// constraint determines (its multiplier must be zero).
    Unit(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Con<T> {
    pub coef: Vec<T>,
    pub rhs: T,
    pub kind: Kind,
    pub origin: Origin,
    /// This constraint = `scale` x the original one (scale > 0; `None` = 1).
    pub scale: Option<Q>,
}

/// Integer LP: minimise `c . x` subject to `cons`. `T` is `i64` when all
/// scaled data fit (the common case: no `BigInt` is allocated), else `BigInt`.
#[derive(Clone, Debug)]
pub(crate) struct IntLp<T> {
    pub n: usize,
    pub cons: Vec<Con<T>>,
    pub c: Vec<T>,
    /// `c = cscale * c_min` where `c_min` is the LP objective (negated when
    /// maximising); cscale > 0.
    pub cscale: Option<Q>,
}

/// The integer form in the narrowest storage that holds it.
pub(crate) enum AnyIntLp {
    Small(IntLp<i64>),
    Big(IntLp<BigInt>),
}

fn kind_of(c: Cmp) -> Kind {
    match c {
        Cmp::Le => Kind::Le,
        Cmp::Ge => Kind::Ge,
        Cmp::Eq => Kind::Eq,
    }
}

/// Scale `[coefs..., rhs]` to coprime integers; returns them and the factor.
/// The deadline is read before each big-number step (lcm, gcd); `None`
/// once it has passed.
pub(crate) fn int_row_until(
    coefs: &[Q],
    rhs: &Q,
    stop: &Stop<'_>,
) -> Option<(Vec<BigInt>, BigInt, Q)> {
    let mut full: Vec<Q> = coefs.to_vec();
    full.push(rhs.clone());
    let (mut ints, l) = integerize_until(&full, stop)?;
    let mut g = BigInt::zero();
    for v in &ints {
        if !v.is_zero() {
            if v.bits() > 256 {
                stop.go()?;
            }
            g = if g.is_zero() {
                v.abs()
            } else {
                Integer::gcd(&g, v)
            };
            if g.is_one() {
                break;
            }
        }
    }
    let mut scale = Q::from_integer(l);
    if !g.is_zero() && !g.is_one() {
        for v in &mut ints {
            *v /= &g;
        }
        scale /= Q::from_integer(g);
    }
    let rhs = ints.pop().unwrap_or_default();
    Some((ints, rhs, scale))
}

fn opt_scale(q: Q) -> Option<Q> {
    if q.is_one() {
        None
    } else {
        Some(q)
    }
}

/// Integer value of a rational that is an integer fitting `i64`.
fn small(q: &Q) -> Option<i64> {
    if q.denom().is_one() {
        ToPrimitive::to_i64(q.numer()).filter(|v| v.unsigned_abs() < (1u64 << 62))
    } else {
        None
    }
}

/// Coprime small integer row from integer-valued sparse data.
fn small_row(
    n: usize,
    coeffs: &[(super::VarId, Q)],
    rhs: &Q,
) -> Option<(Vec<i64>, i64, Option<Q>)> {
    let mut a = vec![0i64; n];
    for (v, c) in coeffs {
        let slot = a.get_mut(v.0)?;
        *slot = slot.checked_add(small(c)?)?;
    }
    let mut b = small(rhs)?;
    let mut g = b.unsigned_abs();
    for v in &a {
        g = num_integer::gcd(g, v.unsigned_abs());
    }
    if g > 1 {
        let g = g as i64;
        for v in &mut a {
            *v /= g;
        }
        b /= g;
        return Some((a, b, Some(Q::new(BigInt::one(), BigInt::from(g)))));
    }
    Some((a, b, None))
}

impl IntLp<i64> {
    /// The integer form without any `BigInt`, when every coefficient, bound
    /// and right-hand side is an integer of moderate size.
    fn from_lp_small(lp: &Lp) -> Option<IntLp<i64>> {
        let n = lp.vars.len();
        let mut cons = Vec::with_capacity(lp.rows.len() + n);
        for (i, row) in lp.rows.iter().enumerate() {
            let (coef, rhs, scale) = small_row(n, &row.coeffs, &row.rhs)?;
            cons.push(Con {
                coef,
                rhs,
                kind: kind_of(row.cmp),
                origin: Origin::Row(i),
                scale,
            });
        }
        for (j, v) in lp.vars.iter().enumerate() {
            for (b, kind, origin) in [
                (&v.lower, Kind::Ge, Origin::Lower(j)),
                (&v.upper, Kind::Le, Origin::Upper(j)),
            ] {
                if let Some(b) = b {
                    let mut coef = vec![0i64; n];
                    coef[j] = 1;
                    cons.push(Con {
                        coef,
                        rhs: small(b)?,
                        kind,
                        origin,
                        scale: None,
                    });
                }
            }
        }
        let neg = lp.sense == Sense::Maximize;
        let (mut c, _, cscale) = small_row(n, &lp.objective, &Q::zero())?;
        if neg {
            for v in &mut c {
                *v = -*v;
            }
        }
        Some(IntLp { n, cons, c, cscale })
    }
}

impl IntLp<BigInt> {
    fn from_lp_big(lp: &Lp, stop: &Stop<'_>) -> Option<IntLp<BigInt>> {
        let n = lp.vars.len();
        let mut cons = Vec::with_capacity(lp.rows.len() + n);
        for (i, row) in lp.rows.iter().enumerate() {
            stop.go()?;
            let (coef, rhs, scale) = int_row_until(&lp.row_dense(i), &row.rhs, stop)?;
            cons.push(Con {
                coef,
                rhs,
                kind: kind_of(row.cmp),
                origin: Origin::Row(i),
                scale: opt_scale(scale),
            });
        }
        for (j, v) in lp.vars.iter().enumerate() {
            for (b, kind, origin) in [
                (&v.lower, Kind::Ge, Origin::Lower(j)),
                (&v.upper, Kind::Le, Origin::Upper(j)),
            ] {
                if let Some(b) = b {
                    let mut coef = vec![BigInt::zero(); n];
                    coef[j] = b.denom().clone();
                    let scale = opt_scale(Q::from_integer(b.denom().clone()));
                    cons.push(Con {
                        coef,
                        rhs: b.numer().clone(),
                        kind,
                        origin,
                        scale,
                    });
                }
            }
        }
        let mut cmin = lp.objective_dense();
        if lp.sense == Sense::Maximize {
            for q in &mut cmin {
                *q = -q.clone();
            }
        }
        let (c, _, cscale) = int_row_until(&cmin, &Q::zero(), stop)?;
        let cscale = if cscale.is_zero() {
            None
        } else {
            opt_scale(cscale)
        };
        Some(IntLp { n, cons, c, cscale })
    }
}

impl AnyIntLp {
    /// The integer form in the narrowest storage; `None` only once `stop`'s
    /// deadline passed.
    pub fn from_lp_until(lp: &Lp, stop: &Stop<'_>) -> Option<AnyIntLp> {
        stop.go()?;
        match IntLp::from_lp_small(lp) {
            Some(s) => Some(AnyIntLp::Small(s)),
            None => Some(AnyIntLp::Big(IntLp::from_lp_big(lp, stop)?)),
        }
    }
}

impl<T: Ring> IntLp<T> {
    /// The elastic feasibility LP: minimise the total violation of the LP
    /// rows (bounds stay hard). Variables: the original ones, then one
    /// (inequality rows) or two (equality rows) elastic variables per row.
    /// Its optimal row multipliers are a Farkas certificate when the optimum
    /// is positive.
    pub fn elastic(&self) -> Option<IntLp<T>> {
        let one = T::one_r();
        let rows = self
            .cons
            .iter()
            .filter(|c| matches!(c.origin, Origin::Row(_)));
        let extra: usize = rows.map(|c| if c.kind == Kind::Eq { 2 } else { 1 }).sum();
        let n2 = self.n + extra;
        let mut cons = Vec::with_capacity(self.cons.len() + extra);
        let mut e = self.n;
        let mut c = vec![T::zero_r(); n2];
        for con in &self.cons {
            let mut coef = con.coef.clone();
            coef.resize(n2, T::zero_r());
            if matches!(con.origin, Origin::Row(_)) {
                // The violation's coefficient is the row's largest entry, so
                // that the column is as well scaled as the row for the float
                // proposal (any positive coefficient gives a valid Farkas
                // certificate; 1 would be ~1e-12 of a row with 12-digit data).
                let mut big = one.clone();
                for v in &con.coef {
                    let a = if v.signum() < 0 {
                        v.c_neg()?
                    } else {
                        v.clone()
                    };
                    if a > big {
                        big = a;
                    }
                }
                let neg = big.c_neg()?;
                match con.kind {
                    Kind::Ge => {
                        coef[e] = big;
                        e += 1;
                    }
                    Kind::Le => {
                        coef[e] = neg;
                        e += 1;
                    }
                    Kind::Eq => {
                        coef[e] = big;
                        coef[e + 1] = neg;
                        e += 2;
                    }
                }
            }
            cons.push(Con {
                coef,
                rhs: con.rhs.clone(),
                kind: con.kind,
                origin: con.origin,
                scale: con.scale.clone(),
            });
        }
        for (j, cj) in c.iter_mut().enumerate().skip(self.n) {
            let mut coef = vec![T::zero_r(); n2];
            coef[j] = one.clone();
            *cj = one.clone();
            cons.push(Con {
                coef,
                rhs: T::zero_r(),
                kind: Kind::Ge,
                origin: Origin::Lower(j),
                scale: None,
            });
        }
        Some(IntLp {
            n: n2,
            cons,
            c,
            cscale: None,
        })
    }
}

//! Integer form of an LP for the fast path: every row and every finite bound
//! becomes one integer constraint `g . x  (>= | <= | =)  h` (the rational
//! original scaled by a positive factor), and the objective is turned into an
//! integer vector to be *minimised*.
//!
//! Must not: lose exactness. The f64 copies made here (for microlp) are
//! proposals only.

use super::{Cmp, Lp, Sense};
use crate::linalg::integerize;
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
pub(crate) struct Con {
    pub coef: Vec<BigInt>,
    pub rhs: BigInt,
    pub kind: Kind,
    pub origin: Origin,
    /// This constraint = `scale` x the original one (scale > 0).
    pub scale: Q,
}

/// Integer LP: minimise `c . x` subject to `cons`.
#[derive(Clone, Debug)]
pub(crate) struct IntLp {
    pub n: usize,
    pub cons: Vec<Con>,
    pub c: Vec<BigInt>,
    /// `c = cscale * c_min` where `c_min` is the LP objective (negated when
    /// maximising); cscale > 0.
    pub cscale: Q,
}

pub(crate) fn big_to_f64(b: &BigInt) -> f64 {
    b.to_f64().unwrap_or(0.0)
}

fn kind_of(c: Cmp) -> Kind {
    match c {
        Cmp::Le => Kind::Le,
        Cmp::Ge => Kind::Ge,
        Cmp::Eq => Kind::Eq,
    }
}

/// Scale `[coefs..., rhs]` to coprime integers; returns them and the factor.
pub(crate) fn int_row(coefs: &[Q], rhs: &Q) -> (Vec<BigInt>, BigInt, Q) {
    let mut full: Vec<Q> = coefs.to_vec();
    full.push(rhs.clone());
    let (mut ints, l) = integerize(&full);
    let mut g = BigInt::zero();
    for v in &ints {
        if !v.is_zero() {
            g = if g.is_zero() { v.abs() } else { g.gcd(v) };
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
    (ints, rhs, scale)
}

impl IntLp {
    pub fn from_lp(lp: &Lp) -> IntLp {
        let n = lp.vars.len();
        let mut cons = Vec::with_capacity(lp.rows.len() + n);
        for (i, row) in lp.rows.iter().enumerate() {
            let (coef, rhs, scale) = int_row(&lp.row_dense(i), &row.rhs);
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
                    let mut coef = vec![BigInt::zero(); n];
                    coef[j] = b.denom().clone();
                    cons.push(Con {
                        coef,
                        rhs: b.numer().clone(),
                        kind,
                        origin,
                        scale: Q::from_integer(b.denom().clone()),
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
        let (c, _, cscale) = int_row(&cmin, &Q::zero());
        let cscale = if cscale.is_zero() { Q::one() } else { cscale };
        IntLp { n, cons, c, cscale }
    }

    /// The elastic feasibility LP: minimise the total violation of the LP
    /// rows (bounds stay hard). Variables: the original ones, then one
    /// (inequality rows) or two (equality rows) elastic variables per row.
    /// Its optimal row multipliers are a Farkas certificate when the optimum
    /// is positive.
    pub fn elastic(&self) -> IntLp {
        let rows: Vec<usize> = (0..self.cons.len())
            .filter(|&k| matches!(self.cons[k].origin, Origin::Row(_)))
            .collect();
        let extra: usize = rows
            .iter()
            .map(|&k| if self.cons[k].kind == Kind::Eq { 2 } else { 1 })
            .sum();
        let n2 = self.n + extra;
        let mut cons = Vec::with_capacity(self.cons.len() + extra);
        let mut e = self.n;
        let mut c = vec![BigInt::zero(); n2];
        for con in &self.cons {
            let mut coef = con.coef.clone();
            coef.resize(n2, BigInt::zero());
            if matches!(con.origin, Origin::Row(_)) {
                match con.kind {
                    Kind::Ge => {
                        coef[e] = BigInt::one();
                        e += 1;
                    }
                    Kind::Le => {
                        coef[e] = -BigInt::one();
                        e += 1;
                    }
                    Kind::Eq => {
                        coef[e] = BigInt::one();
                        coef[e + 1] = -BigInt::one();
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
        for j in self.n..n2 {
            let mut coef = vec![BigInt::zero(); n2];
            coef[j] = BigInt::one();
            c[j] = BigInt::one();
            cons.push(Con {
                coef,
                rhs: BigInt::zero(),
                kind: Kind::Ge,
                origin: Origin::Lower(j),
                scale: Q::one(),
            });
        }
        IntLp {
            n: n2,
            cons,
            c,
            cscale: Q::one(),
        }
    }
}

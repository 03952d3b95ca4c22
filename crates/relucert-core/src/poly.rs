//! Exact sparse multivariate polynomials over Q.
//!
//! Owns: the `Poly` type (a map from monomials to nonzero rational
//! coefficients) and its algebra: sums, products, scaling, evaluation at a
//! rational point, substitution of a polynomial for a variable, partial
//! derivatives, degrees, homogeneous parts, and printing with variable names.
//!
//! Must not: know anything about networks or losses (the cell polynomial is
//! built in `cellpoly`), or approximate: every coefficient is an exact
//! rational and a stored coefficient is never zero, so structural questions
//! ("is this polynomial constant?", "is it zero?") are exact.

use crate::number::{fmt_q, Q};
use num_traits::{One, Signed, Zero};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Index of a variable. In cell polynomials this is the position in the flat
/// parameter vector of FORMAT.md (`W1` row-major, `b1`, `W2`, `b2`, ...).
pub type Var = u32;

/// A monomial: `(variable, exponent)` pairs, sorted by variable, exponents
/// positive. The empty monomial is the constant 1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Monomial(Vec<(Var, u32)>);

impl Monomial {
    /// The constant monomial 1.
    pub fn one() -> Self {
        Monomial(Vec::new())
    }

    /// The monomial `x_v`.
    pub fn var(v: Var) -> Self {
        Monomial(vec![(v, 1)])
    }

    /// Build from arbitrary pairs (merged, zero exponents dropped).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Var, u32)>) -> Self {
        let mut map: BTreeMap<Var, u32> = BTreeMap::new();
        for (v, e) in pairs {
            *map.entry(v).or_insert(0) += e;
        }
        Monomial(map.into_iter().filter(|&(_, e)| e > 0).collect())
    }

    /// The `(variable, exponent)` pairs, sorted by variable.
    pub fn pairs(&self) -> &[(Var, u32)] {
        &self.0
    }

    /// Total degree.
    pub fn degree(&self) -> u32 {
        self.0.iter().map(|&(_, e)| e).sum()
    }

    /// Exponent of `v` (0 if absent).
    pub fn exponent(&self, v: Var) -> u32 {
        match self.0.binary_search_by_key(&v, |&(w, _)| w) {
            Ok(i) => self.0[i].1,
            Err(_) => 0,
        }
    }

    /// Product of two monomials.
    pub fn mul(&self, other: &Monomial) -> Monomial {
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    out.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push((a[i].0, a[i].1 + b[j].1));
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Monomial(out)
    }

    /// Remove `v` entirely, returning its exponent and the rest.
    fn split_var(&self, v: Var) -> (u32, Monomial) {
        let e = self.exponent(v);
        let rest = Monomial(self.0.iter().copied().filter(|&(w, _)| w != v).collect());
        (e, rest)
    }
}

/// A polynomial with exact rational coefficients. Invariant: no stored
/// coefficient is zero, so the zero polynomial is the empty map.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Poly {
    terms: BTreeMap<Monomial, Q>,
}

impl Poly {
    /// The zero polynomial.
    pub fn zero() -> Self {
        Poly::default()
    }

    /// A constant polynomial.
    pub fn constant(c: Q) -> Self {
        let mut p = Poly::zero();
        p.add_term(Monomial::one(), c);
        p
    }

    /// The polynomial `x_v`.
    pub fn var(v: Var) -> Self {
        let mut p = Poly::zero();
        p.add_term(Monomial::var(v), Q::one());
        p
    }

    /// `c * m` as a polynomial.
    pub fn term(m: Monomial, c: Q) -> Self {
        let mut p = Poly::zero();
        p.add_term(m, c);
        p
    }

    /// Add `c * m` in place, keeping the no-zero-coefficient invariant.
    pub fn add_term(&mut self, m: Monomial, c: Q) {
        if c.is_zero() {
            return;
        }
        match self.terms.entry(m) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(c);
            }
            std::collections::btree_map::Entry::Occupied(mut e) => {
                *e.get_mut() += c;
                if e.get().is_zero() {
                    e.remove();
                }
            }
        }
    }

    /// Add `c * other` in place.
    pub fn add_scaled(&mut self, other: &Poly, c: &Q) {
        if c.is_zero() {
            return;
        }
        for (m, a) in &other.terms {
            self.add_term(m.clone(), a * c);
        }
    }

    /// Iterate over `(monomial, coefficient)` in a fixed (sorted) order.
    pub fn terms(&self) -> impl Iterator<Item = (&Monomial, &Q)> {
        self.terms.iter()
    }

    /// Number of terms with nonzero coefficient.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True iff this is the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// True iff there are no terms (the zero polynomial); same as `is_zero`.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True iff no variable occurs (zero counts as constant).
    pub fn is_constant(&self) -> bool {
        self.terms.keys().all(|m| m.degree() == 0)
    }

    /// The coefficient of `m` (zero if absent).
    pub fn coefficient(&self, m: &Monomial) -> Q {
        self.terms.get(m).cloned().unwrap_or_else(Q::zero)
    }

    /// The constant term.
    pub fn constant_term(&self) -> Q {
        self.coefficient(&Monomial::one())
    }

    /// Multiply every coefficient by `c`.
    pub fn scale(&self, c: &Q) -> Poly {
        if c.is_zero() {
            return Poly::zero();
        }
        Poly {
            terms: self.terms.iter().map(|(m, a)| (m.clone(), a * c)).collect(),
        }
    }

    /// Multiply by the variable `x_v` (cheap: no coefficient arithmetic).
    pub fn mul_var(&self, v: Var) -> Poly {
        let x = Monomial::var(v);
        Poly {
            terms: self
                .terms
                .iter()
                .map(|(m, a)| (m.mul(&x), a.clone()))
                .collect(),
        }
    }

    /// Product of two polynomials.
    pub fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::zero();
        for (m1, a1) in &self.terms {
            for (m2, a2) in &other.terms {
                out.add_term(m1.mul(m2), a1 * a2);
            }
        }
        out
    }

    /// Value at a rational point (`point[v]` is the value of `x_v`).
    /// Variables beyond the end of `point` are an error of the caller and
    /// are treated as 0, which `evaluate_checked` reports instead.
    pub fn evaluate(&self, point: &[Q]) -> Q {
        let mut acc = Q::zero();
        for (m, a) in &self.terms {
            let mut t = a.clone();
            for &(v, e) in m.pairs() {
                let x = point.get(v as usize).cloned().unwrap_or_else(Q::zero);
                for _ in 0..e {
                    t *= &x;
                }
            }
            acc += t;
        }
        acc
    }

    /// Like `evaluate`, but `None` if some variable has no value in `point`.
    pub fn evaluate_checked(&self, point: &[Q]) -> Option<Q> {
        if self.max_var().is_some_and(|v| v as usize >= point.len()) {
            return None;
        }
        Some(self.evaluate(point))
    }

    /// Largest variable index that occurs, if any.
    pub fn max_var(&self) -> Option<Var> {
        self.terms
            .keys()
            .filter_map(|m| m.pairs().last().map(|&(v, _)| v))
            .max()
    }

    /// Replace `x_v` by the polynomial `q`.
    pub fn substitute(&self, v: Var, q: &Poly) -> Poly {
        let mut out = Poly::zero();
        // cache powers of q
        let mut powers: Vec<Poly> = vec![Poly::constant(Q::one())];
        for (m, a) in &self.terms {
            let (e, rest) = m.split_var(v);
            while powers.len() <= e as usize {
                let next = powers[powers.len() - 1].mul(q);
                powers.push(next);
            }
            let base = Poly::term(rest, a.clone());
            out = out.add(&base.mul(&powers[e as usize]));
        }
        out
    }

    /// Partial derivative with respect to `x_v`.
    pub fn partial(&self, v: Var) -> Poly {
        let mut out = Poly::zero();
        for (m, a) in &self.terms {
            let (e, rest) = m.split_var(v);
            if e == 0 {
                continue;
            }
            let m2 = if e > 1 {
                rest.mul(&Monomial(vec![(v, e - 1)]))
            } else {
                rest
            };
            out.add_term(m2, a * Q::from_integer(e.into()));
        }
        out
    }

    /// Highest exponent of `x_v` in any term (0 if absent).
    pub fn degree_in(&self, v: Var) -> u32 {
        self.terms.keys().map(|m| m.exponent(v)).max().unwrap_or(0)
    }

    /// Total degree (0 for constants and for the zero polynomial).
    pub fn total_degree(&self) -> u32 {
        self.terms.keys().map(Monomial::degree).max().unwrap_or(0)
    }

    /// The terms of total degree exactly `k`.
    pub fn homogeneous_part(&self, k: u32) -> Poly {
        Poly {
            terms: self
                .terms
                .iter()
                .filter(|(m, _)| m.degree() == k)
                .map(|(m, a)| (m.clone(), a.clone()))
                .collect(),
        }
    }

    /// True iff every variable occurs with exponent at most 1 in every term.
    pub fn is_multilinear(&self) -> bool {
        self.terms
            .keys()
            .all(|m| m.pairs().iter().all(|&(_, e)| e <= 1))
    }

    /// Sum.
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (m, a) in &other.terms {
            out.add_term(m.clone(), a.clone());
        }
        out
    }

    /// Difference.
    pub fn sub(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (m, a) in &other.terms {
            out.add_term(m.clone(), -a.clone());
        }
        out
    }

    /// Readable text, variables named by `name(v)`; terms in the sorted
    /// monomial order (constant first).
    pub fn to_text(&self, name: &dyn Fn(Var) -> String) -> String {
        if self.terms.is_empty() {
            return "0".to_string();
        }
        let mut s = String::new();
        for (i, (m, a)) in self.terms.iter().enumerate() {
            let neg = a.is_negative();
            let abs = a.abs();
            if i == 0 {
                if neg {
                    s.push('-');
                }
            } else {
                s.push_str(if neg { " - " } else { " + " });
            }
            let vars: Vec<String> = m
                .pairs()
                .iter()
                .map(|&(v, e)| {
                    if e == 1 {
                        name(v)
                    } else {
                        format!("{}^{}", name(v), e)
                    }
                })
                .collect();
            if vars.is_empty() {
                s.push_str(&fmt_q(&abs));
            } else {
                if !abs.is_one() {
                    let _ = write!(s, "{}*", paren_if_fraction(&abs));
                }
                s.push_str(&vars.join("*"));
            }
        }
        s
    }
}

fn paren_if_fraction(q: &Q) -> String {
    if q.denom().is_one() {
        fmt_q(q)
    } else {
        format!("({})", fmt_q(q))
    }
}

impl std::fmt::Display for Poly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text(&|v| format!("x{v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::{qf, qi};

    #[test]
    fn algebra_basics() {
        let x = Poly::var(0);
        let y = Poly::var(1);
        let p = x.add(&y).mul(&x.sub(&y)); // x^2 - y^2
        assert_eq!(p.len(), 2);
        assert_eq!(p.degree_in(0), 2);
        assert_eq!(p.total_degree(), 2);
        assert!(!p.is_multilinear());
        assert_eq!(p.evaluate(&[qi(3), qi(2)]), qi(5));
        assert_eq!(p.partial(0), x.scale(&qi(2)));
        assert_eq!(p.partial(0).partial(0), Poly::constant(qi(2)));
        // substitute y := x gives 0
        assert!(p.substitute(1, &x).is_zero());
        // substitute x := y + 1 gives 2y + 1
        let q = p.substitute(0, &y.add(&Poly::constant(qi(1))));
        assert_eq!(q, y.scale(&qi(2)).add(&Poly::constant(qi(1))));
        assert_eq!(p.homogeneous_part(2), p);
        assert!(p.homogeneous_part(1).is_zero());
        assert_eq!(p.to_string(), "x0^2 - x1^2");
        let r = x.scale(&qf(-1, 2)).add(&Poly::constant(qi(3)));
        assert_eq!(r.to_string(), "3 - (1/2)*x0");
    }
}

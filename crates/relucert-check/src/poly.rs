//! The checker's own sparse multivariate polynomials over Q.
//!
//! Owns: `Poly`, a map from monomials (a sorted list of variable indices,
//! repeated for powers) to nonzero rational coefficients, with just what the
//! checker needs: constants, variables, sum, difference, scaling, product,
//! evaluation, and the degree-2 Taylor jet (gradient and Hessian at a point)
//! of a polynomial of total degree at most 2.
//!
//! Must not: use the library's `poly` module (the checker recomputes
//! independently), or approximate: every coefficient is exact and a zero
//! coefficient is never stored, so `==` is equality of polynomials.

use num_traits::Zero;
use relucert_core::number::Q;
use std::collections::btree_map::{BTreeMap, Entry};

/// A polynomial: monomial (sorted variables, with repetition) -> coefficient.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poly(BTreeMap<Vec<u32>, Q>);

/// Gradient and Hessian at a point.
pub type Jet2 = (Vec<Q>, Vec<Vec<Q>>);

impl Poly {
    /// The zero polynomial.
    pub fn zero() -> Poly {
        Poly::default()
    }

    /// The constant `c`.
    pub fn constant(c: Q) -> Poly {
        let mut p = Poly::zero();
        p.add_term(Vec::new(), c);
        p
    }

    /// The variable `v`.
    pub fn var(v: u32) -> Poly {
        let mut p = Poly::zero();
        p.add_term(vec![v], Q::from_integer(1.into()));
        p
    }

    /// The terms: monomial (sorted variables, repeated for powers) and coefficient.
    pub fn terms(&self) -> impl Iterator<Item = (&[u32], &Q)> {
        self.0.iter().map(|(m, c)| (m.as_slice(), c))
    }

    fn add_term(&mut self, m: Vec<u32>, c: Q) {
        if c.is_zero() {
            return;
        }
        match self.0.entry(m) {
            Entry::Vacant(e) => {
                e.insert(c);
            }
            Entry::Occupied(mut e) => {
                *e.get_mut() += c;
                if e.get().is_zero() {
                    e.remove();
                }
            }
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (m, c) in &other.0 {
            out.add_term(m.clone(), c.clone());
        }
        out
    }

    /// `self - other`.
    pub fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.scale(&-Q::from_integer(1.into())))
    }

    /// `c * self`.
    pub fn scale(&self, c: &Q) -> Poly {
        if c.is_zero() {
            return Poly::zero();
        }
        Poly(self.0.iter().map(|(m, x)| (m.clone(), x * c)).collect())
    }

    /// `self * other`.
    pub fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::zero();
        for (ma, ca) in &self.0 {
            for (mb, cb) in &other.0 {
                let mut m: Vec<u32> = ma.iter().chain(mb).copied().collect();
                m.sort_unstable();
                out.add_term(m, ca * cb);
            }
        }
        out
    }

    /// The value at `point` (indexed by variable).
    pub fn evaluate(&self, point: &[Q]) -> Q {
        self.0.iter().fold(Q::zero(), |acc, (m, c)| {
            acc + m.iter().fold(c.clone(), |p, &v| p * &point[v as usize])
        })
    }

    /// Gradient and (constant) Hessian at `point` over `n` variables; `None`
    /// if the total degree exceeds 2.
    pub fn jet2(&self, point: &[Q], n: usize) -> Option<Jet2> {
        let mut grad = vec![Q::zero(); n];
        let mut hess = vec![vec![Q::zero(); n]; n];
        for (m, c) in &self.0 {
            match m.as_slice() {
                [] => {}
                [a] => grad[*a as usize] += c,
                [a, b] => {
                    let (a, b) = (*a as usize, *b as usize);
                    grad[a] += c * &point[b];
                    grad[b] += c * &point[a];
                    hess[a][b] += c;
                    hess[b][a] += c;
                }
                _ => return None,
            }
        }
        Some((grad, hess))
    }
}

//! Property tests of the polynomial algebra against exact evaluation: each
//! operation must commute with evaluating at a random rational point.

mod common;

use common::small_q;
use proptest::prelude::*;
use relucert::number::Q;
use relucert::poly::{Monomial, Poly, Var};

const VARS: u32 = 4;

/// Random polynomial in 4 variables: up to 6 terms, exponents up to 2.
fn poly() -> impl Strategy<Value = Poly> {
    prop::collection::vec(
        (prop::collection::vec((0..VARS, 1u32..=2), 0..=3), small_q()),
        0..=6,
    )
    .prop_map(|terms| {
        let mut p = Poly::zero();
        for (pairs, c) in terms {
            p.add_term(Monomial::from_pairs(pairs), c);
        }
        p
    })
}

fn point() -> impl Strategy<Value = Vec<Q>> {
    prop::collection::vec(small_q(), VARS as usize)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn ring_operations_commute_with_evaluation(p in poly(), q in poly(), x in point()) {
        let (px, qx) = (p.evaluate(&x), q.evaluate(&x));
        prop_assert_eq!(p.add(&q).evaluate(&x), &px + &qx);
        prop_assert_eq!(p.sub(&q).evaluate(&x), &px - &qx);
        prop_assert_eq!(p.mul(&q).evaluate(&x), &px * &qx);
        prop_assert_eq!(p.scale(&qx).evaluate(&x), &px * &qx);
        prop_assert_eq!(p.mul_var(2).evaluate(&x), &px * &x[2]);
        prop_assert!(p.sub(&p).is_zero());
        prop_assert_eq!(p.mul(&q), q.mul(&p));
    }

    #[test]
    fn substitution_is_composition(p in poly(), q in poly(), v in 0..VARS, x in point()) {
        let mut y = x.clone();
        y[v as usize] = q.evaluate(&x);
        prop_assert_eq!(p.substitute(v, &q).evaluate(&x), p.evaluate(&y));
    }

    /// Derivatives: product rule, and exactness of the Taylor expansion in
    /// one variable (p(x + h e_v) = sum_k h^k/k! d^k p / dx_v^k, finite for polynomials).
    #[test]
    fn derivatives(p in poly(), q in poly(), v in 0..VARS, x in point(), h in small_q()) {
        let lhs = p.mul(&q).partial(v);
        let rhs = p.partial(v).mul(&q).add(&p.mul(&q.partial(v)));
        prop_assert_eq!(lhs, rhs);
        let mut shifted = x.clone();
        shifted[v as usize] += &h;
        let mut taylor = Q::from_integer(0.into());
        let mut d = p.clone();
        let mut hk_over_fact = Q::from_integer(1.into());
        for k in 0..=p.degree_in(v) {
            taylor += &hk_over_fact * d.evaluate(&x);
            d = d.partial(v);
            hk_over_fact = hk_over_fact * &h / Q::from_integer((k + 1).into());
        }
        prop_assert!(d.is_zero(), "derivative beyond the degree vanishes");
        prop_assert_eq!(taylor, p.evaluate(&shifted));
    }

    /// The homogeneous parts add up to the polynomial, and part k scales like t^k.
    #[test]
    fn homogeneous_parts(p in poly(), x in point(), t in small_q()) {
        let mut sum = Poly::zero();
        for k in 0..=p.total_degree() {
            let part = p.homogeneous_part(k);
            let tx: Vec<Q> = x.iter().map(|a| a * &t).collect();
            let mut tk = Q::from_integer(1.into());
            for _ in 0..k { tk *= &t; }
            prop_assert_eq!(part.evaluate(&tx), tk * part.evaluate(&x));
            sum = sum.add(&part);
        }
        prop_assert_eq!(sum, p);
    }

    #[test]
    fn degrees(p in poly(), v in 0..VARS) {
        let dv = p.degree_in(v);
        // x_v^dv appears, x_v^(dv+1) does not: differentiate dv times -> nonzero, once more -> zero
        let mut d = p.clone();
        for _ in 0..dv { d = d.partial(v); }
        prop_assert_eq!(d.is_zero(), p.is_zero());
        prop_assert!(d.partial(v).is_zero());
        prop_assert_eq!(p.is_constant(), (0..VARS).all(|w: Var| p.degree_in(w) == 0));
    }
}

//! Cells of central arrangements against independent oracles: the
//! Zaslavsky/Whitney count (computed here from scratch with its own exact
//! rank routine and its own detection of repeated hyperplanes), Cover's
//! closed form in general position, and a direct re-check of every witness.

mod common;

use common::{distinct_planes, q, rank, zaslavsky};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use relucert::cells::Arrangement;
use relucert::network::Sign;
use relucert::number::Q;
use std::collections::HashSet;

fn binom(n: i64, k: i64) -> i64 {
    if k < 0 || k > n {
        return 0;
    }
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

/// Check every witness directly and that no sign vector repeats.
fn check_cells(arr: &Arrangement, normals: &[Vec<Q>]) -> Result<usize, TestCaseError> {
    let cells = arr
        .cells()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut seen = HashSet::new();
    for c in &cells {
        prop_assert_eq!(c.witness.len(), arr.dim);
        for (n, s) in normals.iter().zip(&c.signs) {
            let v = n.iter().zip(&c.witness).fold(Q::zero(), |acc, (a, w)| {
                acc + a * Q::from_integer(w.clone())
            });
            let want = if v.is_zero() {
                Sign::Zero
            } else if v.is_positive() {
                Sign::Pos
            } else {
                Sign::Neg
            };
            prop_assert_eq!(want, *s);
            // only identically-zero normals may have sign 0 in an open cell
            prop_assert_eq!(*s == Sign::Zero, n.iter().all(Zero::is_zero));
        }
        prop_assert!(seen.insert(c.signs.clone()), "sign vector listed twice");
    }
    Ok(cells.len())
}

/// Random normals in dimension 1..=4, with deliberate degeneracies: repeated
/// and opposite normals, multiples, zero vectors, and points drawn from a
/// small grid (so collinear and dependent sets are common).
fn degenerate_normals() -> impl Strategy<Value = (usize, Vec<Vec<Q>>)> {
    (1usize..=4).prop_flat_map(|dim| {
        let entry = (-2i64..=2, 1i64..=2).prop_map(|(p, d)| q(p, d));
        let base = prop::collection::vec(prop::collection::vec(entry, dim), 1..=7);
        (
            Just(dim),
            base,
            prop::collection::vec((0usize..7, -2i64..=2), 0..=4),
        )
            .prop_map(|(dim, mut normals, copies)| {
                for (i, c) in copies {
                    let src = normals[i % normals.len()].clone();
                    normals.push(src.iter().map(|x| x * Q::from_integer(c.into())).collect());
                }
                (dim, normals)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn count_equals_zaslavsky_in_any_position((dim, normals) in degenerate_normals()) {
        let arr = Arrangement::new(dim, normals.clone());
        let n = check_cells(&arr, &normals)?;
        prop_assert_eq!(n as i64, zaslavsky(&normals));
    }

    /// The i128 fast path and the rational path find the same sign vectors.
    #[test]
    fn fast_and_rational_paths_agree((dim, normals) in degenerate_normals()) {
        let arr = Arrangement::new(dim, normals.clone());
        let fast: HashSet<Vec<Sign>> = arr.cells().unwrap().into_iter().map(|c| c.signs).collect();
        let slow = arr.cells_rational().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for c in &slow {
            arr.check(c).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let slow: HashSet<Vec<Sign>> = slow.into_iter().map(|c| c.signs).collect();
        prop_assert_eq!(fast, slow);
    }

    /// Affine data in R^d lifted to (x, 1): in general position the count is
    /// Cover's 2 * sum_{k=0}^{d} C(N-1, k).
    #[test]
    fn count_equals_cover_in_general_position(
        d in 1usize..=3,
        pts in prop::collection::vec(prop::collection::vec(-50i64..=50, 3), 1..=9),
    ) {
        let normals: Vec<Vec<Q>> = pts
            .iter()
            .map(|p| p[..d].iter().map(|&v| q(v, 1)).chain(std::iter::once(q(1, 1))).collect())
            .collect();
        // general position of the lifted points: every subset of size <= d+1 independent
        let n = normals.len();
        let general = (1u32..(1 << n)).all(|mask| {
            let sub: Vec<Vec<Q>> = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| normals[i].clone()).collect();
            sub.len() > d + 1 || rank(&sub) == sub.len()
        });
        prop_assume!(general);
        let arr = Arrangement::new(d + 1, normals.clone());
        let count = check_cells(&arr, &normals)?;
        let cover = 2 * (0..=d as i64).map(|k| binom(n as i64 - 1, k)).sum::<i64>();
        prop_assert_eq!(count as i64, cover);
    }

    /// Independent normals: all 2^M sign vectors are cells, and the orthant
    /// rays are dual to the normals.
    #[test]
    fn independent_normals_give_orthants((dim, normals) in degenerate_normals()) {
        let arr = Arrangement::new(dim, normals.clone());
        let planes = distinct_planes(&normals);
        if rank(&planes) == planes.len() {
            let o = arr.orthant().expect("independent normals have an orthant structure");
            prop_assert_eq!(check_cells(&arr, &normals)?, 1usize << planes.len());
            for (i, r) in o.rays.iter().enumerate() {
                for (k, n) in arr.distinct.iter().enumerate() {
                    let v = n.iter().zip(r).fold(Q::zero(), |acc, (a, b)| acc + a * b);
                    prop_assert_eq!(v, if i == k { q(1, 1) } else { q(0, 1) });
                }
            }
            prop_assert_eq!(o.lineality.len(), dim - planes.len());
        } else {
            prop_assert!(arr.orthant().is_none());
        }
    }
}

/// Huge coordinates overflow i128 in the fast path; the rational fallback
/// still gives the Zaslavsky count and valid witnesses.
#[test]
fn huge_coordinates_fall_back_exactly() {
    let big = |k: i64| {
        Q::from_integer(BigInt::from(10).pow(30) * BigInt::from(k) + BigInt::from(k * k + 1))
    };
    let normals: Vec<Vec<Q>> = (1..=6).map(|i| vec![big(i), big(7 - i), q(1, 1)]).collect();
    let arr = Arrangement::new(3, normals.clone());
    let n = check_cells(&arr, &normals).unwrap();
    assert_eq!(n as i64, zaslavsky(&normals));
}

#[test]
fn hand_checked_small_arrangements() {
    // Two lines through the origin in the plane: 4 cells.
    let arr = Arrangement::new(2, vec![vec![q(1, 1), q(0, 1)], vec![q(0, 1), q(1, 1)]]);
    assert_eq!(arr.cells().unwrap().len(), 4);
    // The same line three times (once reversed, once scaled) and a zero normal: 2 cells.
    let arr = Arrangement::new(
        2,
        vec![
            vec![q(1, 1), q(2, 1)],
            vec![q(-1, 1), q(-2, 1)],
            vec![q(1, 2), q(1, 1)],
            vec![q(0, 1), q(0, 1)],
        ],
    );
    let cells = arr.cells().unwrap();
    assert_eq!(cells.len(), 2);
    for c in &cells {
        assert_eq!(
            c.signs[0],
            if c.signs[1] == Sign::Pos {
                Sign::Neg
            } else {
                Sign::Pos
            }
        );
        assert_eq!(c.signs[0], c.signs[2]);
        assert_eq!(c.signs[3], Sign::Zero);
    }
    // Three lines through the origin in the plane: 6 cells; in R^3 (planes with independent normals): 8.
    let n3 = vec![
        vec![q(1, 1), q(0, 1)],
        vec![q(0, 1), q(1, 1)],
        vec![q(1, 1), q(1, 1)],
    ];
    assert_eq!(Arrangement::new(2, n3).cells().unwrap().len(), 6);
    let e3 = vec![
        vec![q(1, 1), q(0, 1), q(0, 1)],
        vec![q(0, 1), q(1, 1), q(0, 1)],
        vec![q(0, 1), q(0, 1), q(1, 1)],
    ];
    assert_eq!(Arrangement::new(3, e3).cells().unwrap().len(), 8);
    // No hyperplane: one cell.
    assert_eq!(Arrangement::new(3, vec![]).cells().unwrap().len(), 1);
    // Witnesses are primitive integer vectors.
    let arr = Arrangement::new(2, vec![vec![q(1, 3), q(2, 7)]]);
    for c in arr.cells().unwrap() {
        let g = c
            .witness
            .iter()
            .fold(BigInt::zero(), |a, b| num_integer::Integer::gcd(&a, b));
        assert_eq!(g, BigInt::from(1));
    }
}

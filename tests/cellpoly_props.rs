//! Property tests of the cell polynomial phi_S against the exact numeric
//! forward pass (two independent code paths: symbolic `cellpoly` versus
//! numeric `network::forward`), and of its multilinear structure.

mod common;

use common::{problem_and_point, q};
use proptest::prelude::*;
use relucert::cellpoly::loss_poly;
use relucert::network::{Params, Problem, Side, Sign, Signature, ZeroEntry};
use relucert::number::Q;
use relucert::poly::Var;

/// Turn arbitrary selector bytes into one valid side choice per zero entry.
fn choices(zeros: &[ZeroEntry], sel: &[u8]) -> Vec<Side> {
    zeros
        .iter()
        .enumerate()
        .map(|(n, e)| {
            let b = sel.get(n).copied().unwrap_or(0) as usize;
            match e {
                ZeroEntry::Tie { classes, .. } => Side::Class(classes[b % classes.len()]),
                _ if b % 2 == 0 => Side::Pos,
                _ => Side::Neg,
            }
        })
        .collect()
}

fn shifted(p: &Params, problem: &Problem, dir: &[Q], eps: &Q) -> Params {
    let flat: Vec<Q> = p.flat().iter().zip(dir).map(|(a, d)| a + d * eps).collect();
    Params::from_flat(&problem.arch, &flat).unwrap()
}

/// `fine` keeps every nonzero sign of `coarse` (and picks from its ties):
/// then the segment from the coarse point to the fine one stays in the
/// closure of the fine point's cell for small enough steps.
fn refines(fine: &Signature, coarse: &Signature) -> bool {
    let keep = |f: &Sign, c: &Sign| *c == Sign::Zero || f == c;
    fine.hidden
        .iter()
        .flatten()
        .flatten()
        .zip(coarse.hidden.iter().flatten().flatten())
        .all(|(f, c)| keep(f, c))
        && fine
            .hinge
            .iter()
            .flatten()
            .zip(coarse.hinge.iter().flatten())
            .all(|((_, f), (_, c))| keep(f, c))
        && fine
            .argmax
            .iter()
            .zip(&coarse.argmax)
            .all(|(f, c)| match (f, c) {
                (Some(f), Some(c)) => f.iter().all(|k| c.contains(k)),
                _ => true,
            })
}

fn direction(len: usize) -> impl Strategy<Value = Vec<Q>> {
    prop::collection::vec((-7i64..=7, 1i64..=5), len)
        .prop_map(|v| v.into_iter().map(|(a, b)| q(a, b)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// phi_S of every completion of the point's signature equals the loss at
    /// the point (on a boundary every adjacent piece agrees there).
    #[test]
    fn phi_at_point_equals_loss((problem, p) in problem_and_point(2), sel in prop::collection::vec(any::<u8>(), 64)) {
        let sig = problem.signature(&p);
        let zeros = sig.zero_entries();
        let pattern = sig.complete(&choices(&zeros, &sel)).unwrap();
        let phi = loss_poly(&problem, &pattern);
        prop_assert_eq!(phi.evaluate(&p.flat()), problem.loss(&p));
    }

    /// Every variable has degree <= 1, every pure second derivative is the
    /// zero polynomial, and the total degree is at most the depth.
    #[test]
    fn phi_is_multilinear((problem, p) in problem_and_point(2), sel in prop::collection::vec(any::<u8>(), 64)) {
        let sig = problem.signature(&p);
        let pattern = sig.complete(&choices(&sig.zero_entries(), &sel)).unwrap();
        let phi = loss_poly(&problem, &pattern);
        prop_assert!(phi.total_degree() as usize <= problem.arch.depth());
        for v in 0..problem.arch.num_params() as Var {
            prop_assert!(phi.degree_in(v) <= 1, "degree of {} is {}", problem.arch.param_name(v as usize), phi.degree_in(v));
            prop_assert!(phi.partial(v).partial(v).is_zero());
        }
        prop_assert!(phi.is_multilinear());
    }

    /// Move the point a small rational step along a random direction until
    /// the signature of the moved point has no zero entry, is the same at
    /// the step and at half of it, and keeps every nonzero sign of the
    /// original point (so the moved points lie in one open cell whose
    /// closure contains the original point). That cell's polynomial equals
    /// the loss at both moved points and, by continuity on the closed cell,
    /// at the original point. When the original point is inside a cell this
    /// is "perturbing inside the cell keeps phi_S == loss", and the cell
    /// found is the point's own.
    #[test]
    fn phi_matches_loss_after_small_steps((problem, p) in problem_and_point(2), dir in direction(64)) {
        step_check(&problem, &p, &dir)?;
    }
}

/// The body of `phi_matches_loss_after_small_steps`; `Ok(false)` when the
/// direction keeps some entry exactly zero at every step tried (nothing to
/// check), `Ok(true)` when the check ran.
fn step_check(problem: &Problem, p: &Params, dir_seed: &[Q]) -> Result<bool, TestCaseError> {
    let n = problem.arch.num_params();
    let dir = &dir_seed[..n];
    let own = problem.signature(p);
    let mut eps = q(1, 4);
    for _ in 0..40 {
        let a = shifted(p, problem, dir, &eps);
        let b = shifted(p, problem, dir, &(&eps / Q::from_integer(2.into())));
        let (sa, sb) = (problem.signature(&a), problem.signature(&b));
        if sa == sb && refines(&sa, &own) {
            if let Some(pattern) = sa.pattern() {
                let phi = loss_poly(problem, &pattern);
                prop_assert_eq!(phi.evaluate(&a.flat()), problem.loss(&a));
                prop_assert_eq!(phi.evaluate(&b.flat()), problem.loss(&b));
                prop_assert_eq!(phi.evaluate(&p.flat()), problem.loss(p));
                if let Some(own_pattern) = own.pattern() {
                    prop_assert_eq!(&own_pattern, &pattern);
                }
                return Ok(true);
            }
        }
        eps /= Q::from_integer(4.into());
    }
    Ok(false)
}

/// The step property must not pass vacuously: on most random cases a step
/// into an open cell is found and the check really runs.
#[test]
fn step_check_is_not_vacuous() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (problem_and_point(2), direction(64));
    let (mut ran, total) = (0, 300);
    for _ in 0..total {
        let ((problem, p), dir) = strategy.new_tree(&mut runner).unwrap().current();
        if step_check(&problem, &p, &dir).unwrap() {
            ran += 1;
        }
    }
    assert!(
        ran * 10 >= total * 8,
        "the check ran on only {ran} of {total} cases"
    );
}

/// Large numerators force the fraction-free pass off its i128 fast path.
fn huge_q() -> impl Strategy<Value = Q> {
    (-3i64..=3, 1i64..=3, 0u32..=40).prop_map(|(p, d, e)| {
        let big = num_bigint::BigInt::from(10u32).pow(e);
        Q::new(
            num_bigint::BigInt::from(p) * big,
            num_bigint::BigInt::from(d),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// The fraction-free forward pass (i128 fast path, BigInt fallback)
    /// equals the plain rational forward pass, small and huge values alike.
    #[test]
    fn fraction_free_forward_equals_rational_forward(
        (problem, p) in problem_and_point(2),
        scale in prop::collection::vec(huge_q(), 64),
    ) {
        use relucert::network::{forward, forward_rational};
        let flat: Vec<Q> = p.flat().iter().zip(&scale).map(|(a, s)| a * s).collect();
        for params in [p.clone(), Params::from_flat(&problem.arch, &flat).unwrap()] {
            let mut total = Q::from_integer(0.into());
            for (x, &y) in problem.data.x.iter().zip(&problem.data.y) {
                let out = forward_rational(&problem.arch, &params, x).output;
                total += relucert::network::point_loss(problem.loss, &out, y, &Default::default()).loss;
            }
            prop_assert_eq!(problem.loss(&params), total / Q::from_integer((problem.data.len() as i64).into()));
            for x in &problem.data.x {
                let bigx: Vec<Q> = x.iter().zip(&scale).map(|(a, s)| a * s).collect();
                prop_assert_eq!(forward(&problem.arch, &params, x), forward_rational(&problem.arch, &params, x));
                prop_assert_eq!(forward(&problem.arch, &params, &bigx), forward_rational(&problem.arch, &params, &bigx));
            }
        }
    }
}

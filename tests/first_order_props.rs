//! The fast exact paths behind the first-order probe, against independent
//! oracles:
//! - `Problem::directional_derivative` (fraction-free forward mode with the
//!   one-sided kink, corner and tie rules) must equal the first-order
//!   coefficient of the loss polynomial along the ray, computed by
//!   `arc::loss_along` (rational polynomial arithmetic, germ signs);
//! - `Problem::loss` (i128 fraction sums, BigInt fallback) must equal the
//!   average of `point_loss` over the plain rational forward pass;
//! - `Problem::loss_and_views` must report exactly the zero entries, the
//!   hinge-argument signs and the Crammer-Singer arg-max sets of the exact
//!   evaluation.
//!
//! Points on kinks, hinge corners and ties come from the `gen` families
//! (a counter makes sure they are really exercised); huge numbers force
//! the BigInt fallbacks.

mod common;

use common::{problem_and_point, q};
use num_traits::Zero;
use proptest::prelude::*;
use relucert::arc::{loss_along, Arc};
use relucert::gen::{generate, Family};
use relucert::network::{forward_rational, point_loss, Params, Problem};
use relucert::number::Q;

/// The oracle: the t^1 coefficient of the exact loss polynomial along the ray.
fn ray_slope(problem: &Problem, p: &Params, d: &[Q]) -> Q {
    let arc = Arc {
        point: p.flat(),
        dirs: vec![d.to_vec()],
    };
    let al = loss_along(problem, &arc).expect("shapes fit");
    al.loss.0.get(1).cloned().unwrap_or_else(Q::zero)
}

fn reference_loss(problem: &Problem, p: &Params) -> Q {
    let total = problem
        .data
        .x
        .iter()
        .zip(&problem.data.y)
        .enumerate()
        .map(|(i, (x, &y))| {
            point_loss(
                problem.loss,
                &forward_rational(&problem.arch, p, x).output,
                y,
                &problem.data.target(i),
            )
            .loss
        })
        .fold(Q::zero(), |a, b| a + b);
    total / Q::from_integer((problem.data.len() as i64).into())
}

/// Multiply the inputs by a huge factor and the first layer's weights by
/// its inverse: the same function values through numbers far outside i128
/// (the BigInt fallbacks).
fn huge(problem: &Problem, p: &Params) -> (Problem, Params) {
    let big = Q::from_integer(num_bigint::BigInt::from(10u8).pow(40)) + q(1, 3);
    let mut problem = problem.clone();
    for row in &mut problem.data.x {
        for v in row.iter_mut() {
            *v = &*v * &big;
        }
    }
    let mut p = p.clone();
    for w in p.layers[0].w.iter_mut().flatten() {
        *w = &*w / &big;
    }
    (problem, p)
}

fn dir_strategy(n: usize) -> impl Strategy<Value = Vec<Q>> {
    prop::collection::vec((-4i64..=4, 1i64..=3).prop_map(|(a, b)| q(a, b)), n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn directional_derivative_is_the_rays_first_order_coefficient(
        (problem, p) in problem_and_point(2),
        raw in dir_strategy(64),
        make_huge in prop::bool::weighted(0.2),
    ) {
        let (problem, p) = if make_huge { huge(&problem, &p) } else { (problem, p) };
        let n = problem.arch.num_params();
        let d = raw[..n].to_vec();
        let dp = Params::from_flat(&problem.arch, &d).unwrap();
        prop_assert_eq!(problem.directional_derivative(&p, &dp), ray_slope(&problem, &p, &d));
    }

    #[test]
    fn loss_and_views_match_the_rational_evaluation(
        (problem, p) in problem_and_point(2),
        make_huge in prop::bool::weighted(0.3),
    ) {
        let (problem, p) = if make_huge { huge(&problem, &p) } else { (problem, p) };
        let reference = reference_loss(&problem, &p);
        prop_assert_eq!(&problem.loss(&p), &reference);
        let (loss, views) = problem.loss_and_views(&p);
        prop_assert_eq!(&loss, &reference);
        let ev = problem.evaluate(&p);
        prop_assert_eq!(views.len(), ev.points.len());
        for ((view, trace), pl) in views.iter().zip(&ev.traces).zip(&ev.points) {
            let zeros: Vec<Vec<bool>> = view.pre.iter().map(|l| l.iter().map(|v| v.1).collect()).collect();
            let exact: Vec<Vec<bool>> = trace.pre.iter().map(|l| l.iter().map(Q::is_zero).collect()).collect();
            prop_assert_eq!(zeros, exact);
            let tz: Vec<bool> = view.terms.iter().map(|t| t.1).collect();
            let te: Vec<bool> = pl.terms.iter().map(|t| t.argument.is_zero()).collect();
            prop_assert_eq!(tz, te);
            prop_assert_eq!(&view.top, &pl.argmax);
        }
    }
}

/// Points on kinks, hinge corners and ties (every `gen` family), with
/// directions that are zero, axis-aligned or random: the derivative must
/// match the oracle, and the kink/corner/tie rules must really be hit.
#[test]
fn directional_derivative_on_generated_boundary_points() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut cases, mut on_boundary) = (0usize, 0usize);
    for family in Family::ALL {
        for index in 0..12 {
            let g = generate(family, 11, index);
            let inst = g.instance;
            let Some(p) = inst.point.clone() else {
                continue;
            };
            let problem = &inst.problem;
            let n = problem.arch.num_params();
            let boundary = !problem.signature(&p).zero_entries().is_empty();
            for k in 0..6 {
                let d: Vec<Q> = (0..n)
                    .map(|i| match k {
                        0 => Q::zero(),
                        1 => q(i64::from(i == index as usize % n), 1),
                        _ => q((next() % 7) as i64 - 3, 1 + (next() % 2) as i64),
                    })
                    .collect();
                let dp = Params::from_flat(&problem.arch, &d).unwrap();
                assert_eq!(
                    problem.directional_derivative(&p, &dp),
                    ray_slope(problem, &p, &d),
                    "{family:?} index {index} direction {k}"
                );
                cases += 1;
                on_boundary += usize::from(boundary);
            }
        }
    }
    assert!(
        on_boundary * 2 >= cases,
        "only {on_boundary} of {cases} cases at points with zero entries"
    );
}

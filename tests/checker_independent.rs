//! The checker's own arithmetic agrees with the library's: its plain
//! rational forward pass gives the loss of `Problem::loss` and the zero
//! entries of `Signature::zero_entries` (same order: certificates refer to
//! them by index), and its symbolic forward pass gives the outputs and cell
//! polynomial of `cellpoly` on random patterns; on random instances and on
//! every fixture. The two implementations share no code, so agreement is
//! evidence for both.

mod common;

use common::problem_and_point;
use proptest::prelude::*;
use relucert::cellpoly;
use relucert::network::{LossKind, Params, Pattern as LibPattern, Problem, ZeroEntry};
use relucert::number::Q;
use relucert::poly::Poly as LibPoly;
use relucert_check::cell::{loss_poly, output_polys, Pattern};
use relucert_check::forward::{evaluate, Zero};
use relucert_check::poly::Poly;
use std::collections::BTreeMap;

fn as_lib(z: &Zero) -> ZeroEntry {
    match z.clone() {
        Zero::Kink { point, layer, unit } => ZeroEntry::PreActivation { point, layer, unit },
        Zero::Hinge { point, class } => ZeroEntry::Hinge { point, class },
        Zero::Tie { point, classes } => ZeroEntry::Tie { point, classes },
    }
}

/// Both polynomials as maps from sorted variable lists to coefficients.
fn terms_lib(p: &LibPoly) -> BTreeMap<Vec<u32>, Q> {
    p.terms()
        .map(|(m, c)| {
            let mut vars: Vec<u32> = m
                .pairs()
                .iter()
                .flat_map(|&(v, e)| std::iter::repeat_n(v, e as usize))
                .collect();
            vars.sort_unstable();
            (vars, c.clone())
        })
        .collect()
}

fn terms_own(p: &Poly) -> BTreeMap<Vec<u32>, Q> {
    p.terms().map(|(m, c)| (m.to_vec(), c.clone())).collect()
}

fn agree_at_point(problem: &Problem, params: &Params) -> Result<(), TestCaseError> {
    let ev = evaluate(problem, &params.flat());
    prop_assert_eq!(&ev.loss, &problem.loss(params));
    let own: Vec<ZeroEntry> = ev.zero_entries().iter().map(as_lib).collect();
    prop_assert_eq!(own, problem.signature(params).zero_entries());
    Ok(())
}

/// A pattern with every flag drawn from `bits` (and a competitor per
/// point for Crammer-Singer), in both types.
fn patterns(problem: &Problem, bits: &[bool], picks: &[usize]) -> (Pattern, LibPattern) {
    let arch = &problem.arch;
    let n = problem.data.len();
    let mut b = bits.iter().cycle();
    let mut flag = || *b.next().unwrap_or(&true);
    let active: Vec<Vec<Vec<bool>>> = (1..arch.depth())
        .map(|l| {
            (0..n)
                .map(|_| (0..arch.widths[l]).map(|_| flag()).collect())
                .collect()
        })
        .collect();
    let terms = match problem.loss {
        LossKind::MulticlassHinge => arch.output_width() - 1,
        _ => 1,
    };
    let hinge_active: Vec<Vec<bool>> = (0..n)
        .map(|_| (0..terms).map(|_| flag()).collect())
        .collect();
    let competitor: Vec<Option<usize>> = (0..n)
        .map(|i| {
            (problem.loss == LossKind::CrammerSinger).then(|| {
                let y = problem.data.y[i] as usize;
                let others: Vec<usize> = (0..arch.output_width()).filter(|&k| k != y).collect();
                others[picks[i % picks.len()] % others.len()]
            })
        })
        .collect();
    (
        Pattern {
            active: active.clone(),
            hinge_active: hinge_active.clone(),
            competitor: competitor.clone(),
        },
        LibPattern {
            active,
            hinge_active,
            competitor,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn forward_pass_loss_and_zero_entries_agree((problem, params) in problem_and_point(2)) {
        agree_at_point(&problem, &params)?;
    }

    #[test]
    fn cell_polynomials_agree(
        (problem, _params) in problem_and_point(2),
        bits in prop::collection::vec(any::<bool>(), 1..40),
        picks in prop::collection::vec(0usize..8, 1..5),
    ) {
        let (own, lib) = patterns(&problem, &bits, &picks);
        for i in 0..problem.data.len() {
            let a: Vec<_> = output_polys(&problem, &own, i).iter().map(terms_own).collect();
            let b: Vec<_> = cellpoly::output_polys(&problem, &lib, i).iter().map(terms_lib).collect();
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(
            terms_own(&loss_poly(&problem, &own)),
            terms_lib(&cellpoly::loss_poly(&problem, &lib))
        );
    }
}

#[test]
fn fixtures_forward_pass_and_cell_polynomials_agree() {
    for path in common::fixture_paths() {
        let inst = relucert::instance::load(&path).unwrap();
        let Some(params) = &inst.point else { continue };
        let problem = &inst.problem;
        agree_at_point(problem, params).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // the point's own pattern, every zero entry on its + side / first class
        let ev = evaluate(problem, &params.flat());
        let sig = problem.signature(params);
        let sides: Vec<_> = ev
            .zero_entries()
            .into_iter()
            .map(|z| {
                let side = match &z {
                    Zero::Tie { classes, .. } => relucert_check::cell::Side::Class(classes[0]),
                    _ => relucert_check::cell::Side::Pos,
                };
                (z, side)
            })
            .collect();
        let lib_sides: Vec<_> = sig
            .zero_entries()
            .iter()
            .map(|z| match z {
                ZeroEntry::Tie { classes, .. } => relucert::network::Side::Class(classes[0]),
                _ => relucert::network::Side::Pos,
            })
            .collect();
        let own = Pattern::complete(&ev, &sides);
        let lib = sig.complete(&lib_sides).unwrap();
        assert_eq!(own.active, lib.active, "{}", path.display());
        assert_eq!(own.hinge_active, lib.hinge_active, "{}", path.display());
        assert_eq!(own.competitor, lib.competitor, "{}", path.display());
        assert_eq!(
            terms_own(&loss_poly(problem, &own)),
            terms_lib(&cellpoly::loss_poly(problem, &lib)),
            "{}",
            path.display()
        );
    }
}

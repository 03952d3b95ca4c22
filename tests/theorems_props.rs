//! The source paper's theorems against the verifier: from random starting
//! points on random one-hidden-layer networks, `descend` reaches certified
//! minima, and every theorem predicate must hold (or not apply) there. A
//! violation fails with the instance written out as a FORMAT.md file.
//! Case counts are bounded for CI; set RELUCERT_CASES for more.

mod common;

use num_traits::Signed;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use relucert::descend::{descend, random_point};
use relucert::instance::{to_toml, Instance};
use relucert::network::LossKind;
use relucert::theorems::{evaluate, PredicateOutcome};
use relucert::verify::{verify, Limits, Verdict};
use std::time::Duration;

fn cases(default: usize) -> usize {
    std::env::var("RELUCERT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_repro(inst: &Instance, tag: &str) -> String {
    let dir = std::env::temp_dir().join("relucert-theorem-violations");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{tag}.toml"));
    let _ = std::fs::write(&path, to_toml(inst));
    path.display().to_string()
}

fn assert_theorems(inst: &Instance, tag: &str) {
    let out = verify(inst, &Limits::default()).unwrap();
    for r in evaluate(inst, &out).unwrap() {
        if r.theorem {
            if let PredicateOutcome::Violated(e) = &r.outcome {
                let path = write_repro(inst, tag);
                panic!(
                    "{} violated on a {} verdict: {e}; instance written to {path}",
                    r.predicate,
                    out.verdict.name()
                );
            }
        }
    }
}

#[test]
fn theorems_hold_at_descended_minima() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = common::problem_and_point(1);
    let total = cases(40);
    let (mut minima, mut with_loss) = (0, 0);
    for case in 0..total {
        let (problem, _) = strategy.new_tree(&mut runner).unwrap().current();
        if problem.arch.hidden_layers() != 1 {
            continue;
        }
        let start = Instance {
            name: Some(format!("random case {case}")),
            source: Some("tests/theorems_props.rs".to_string()),
            point: Some(random_point(&problem.arch, case as u64 + 1)),
            problem,
            expect: None,
        };
        // one deadline for the whole descent (it was 2 s per step of 25)
        let limits = Limits {
            deadline: relucert::Deadline::after(Duration::from_secs(20)),
            ..Limits::default()
        };
        let d = descend(&start, 25, &limits).unwrap();
        // the loss strictly decreases along the descent
        for w in d.losses.windows(2) {
            assert!(
                w[1] < w[0],
                "case {case}: loss did not decrease: {} then {}",
                w[0],
                w[1]
            );
        }
        if matches!(d.outcome.verdict, Verdict::LocalMin | Verdict::GlobalMin) {
            minima += 1;
            if d.outcome.loss > relucert::number::qi(0) {
                with_loss += 1;
            }
            assert_theorems(&d.end, &format!("descended-{case}"));
        }
    }
    eprintln!(
        "{minima} certified minima ({with_loss} with positive loss) from {total} random starts"
    );
    assert!(
        minima * 4 >= total,
        "too few certified minima ({minima} of {total}) for the test to mean much"
    );
}

#[test]
fn theorems_hold_on_every_fixture() {
    for path in common::fixture_paths() {
        let inst = relucert::instance::load(&path).unwrap();
        assert_theorems(&inst, path.file_stem().unwrap().to_str().unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(60) as u32, ..ProptestConfig::default() })]

    /// Random points (mostly not minima): predicates never report a
    /// violation, and P3/P4 apply only to their settings.
    #[test]
    fn predicates_on_random_points((problem, p) in common::problem_and_point(1)) {
        let binary = problem.loss == LossKind::Hinge;
        let inst = Instance { name: None, source: None, problem, point: Some(p), expect: None };
        let out = verify(&inst, &Limits::default()).unwrap();
        for r in evaluate(&inst, &out).unwrap() {
            if r.theorem {
                prop_assert!(!matches!(r.outcome, PredicateOutcome::Violated(_)), "{}: {:?}", r.predicate, r.outcome);
            }
            if !binary && r.predicate.starts_with("P3") {
                prop_assert!(matches!(r.outcome, PredicateOutcome::NotApplicable(_)));
            }
        }
    }
}

/// A 1-2-1 ReLU network with both units dead on every point and output bias
/// `b2`, on 1-D data `x = 0..N-1` with the given targets.
fn dead_regression(kind: &str, targets: &[i64], b2: &str) -> Instance {
    let xs: Vec<String> = (0..targets.len()).map(|i| format!("[\"{i}\"]")).collect();
    let ys: Vec<String> = targets.iter().map(|t| format!("\"{t}\"")).collect();
    let text = format!(
        "[network]\nwidths = [1, 2, 1]\nactivation = \"relu\"\nbias = true\n[loss]\nkind = \"{kind}\"\n\
         [data]\nx = [{}]\ny = [{}]\n[point]\nW1 = [[\"-1\"], [\"-2\"]]\nb1 = [\"-1\", \"-1\"]\n\
         W2 = [[\"1\", \"-1\"]]\nb2 = [\"{b2}\"]\n",
        xs.join(", "),
        ys.join(", ")
    );
    relucert::instance::parse(&text, relucert::instance::Syntax::Toml, "dead.toml").unwrap()
}

/// Regression: P2..P4 are hinge-only (not applicable, saying so); P1 is not
/// applicable to the squared loss (interior minima need not be flat) and
/// holds for the absolute loss at a dead-unit minimum strictly between the
/// two middle targets (hand proof: the loss there is the constant mean
/// absolute deviation, computed here independently of the library).
#[test]
fn theorems_on_regression_dead_minima() {
    for (targets, b2) in [
        (vec![0i64, 1, 3, 5], "2"),
        (vec![-4, 7, 1, 3, 9, -1], "5/2"),
        (vec![3, -3], "0"),
    ] {
        let inst = dead_regression("absolute", &targets, b2);
        let out = verify(&inst, &Limits::default()).unwrap();
        assert_eq!(out.verdict, Verdict::LocalMin, "absolute {targets:?}");
        let b = relucert::number::parse_rational(b2).unwrap();
        let mad = targets
            .iter()
            .map(|&t| (relucert::number::qi(t) - &b).abs())
            .fold(relucert::number::qi(0), |a, x| a + x)
            / relucert::number::qi(targets.len() as i64);
        for r in evaluate(&inst, &out).unwrap() {
            if r.predicate == "P1-flat-interior-minima" {
                assert_eq!(
                    r.outcome,
                    PredicateOutcome::Holds(format!(
                        "phi_S is the constant {}",
                        relucert::number::fmt_q(&mad)
                    ))
                );
            } else if r.predicate != "P2-deep-linear-local-is-global" {
                assert!(
                    matches!(&r.outcome, PredicateOutcome::NotApplicable(e) if e.contains("hinge-only")),
                    "{}: {:?}",
                    r.predicate,
                    r.outcome
                );
            }
        }
        let sq = dead_regression("squared", &targets, b2);
        let out = verify(&sq, &Limits::default()).unwrap();
        for r in evaluate(&sq, &out).unwrap() {
            assert!(
                matches!(r.outcome, PredicateOutcome::NotApplicable(_)),
                "squared {}: {:?}",
                r.predicate,
                r.outcome
            );
            if r.predicate == "P1-flat-interior-minima" {
                assert!(r.outcome.evidence().contains("squared loss"));
            }
        }
    }
    // a deep linear squared-loss network: P2 (Laurent & von Brecht 2018,
    // convex differentiable losses) holds at the least-squares fit, whose
    // slope (1*1 + 2*3) / (1*1 + 2*2) = 7/5 and loss ((7/5 - 1)^2 +
    // (14/5 - 3)^2) / 2 = 1/10 are computed by hand
    let text = "[network]\nwidths = [1, 1, 1]\nactivation = \"linear\"\nbias = false\n[loss]\nkind = \"squared\"\n\
                [data]\nx = [[\"1\"], [\"2\"]]\ny = [\"1\", \"3\"]\n[point]\nW1 = [[\"1\"]]\nW2 = [[\"7/5\"]]\n";
    let inst =
        relucert::instance::parse(text, relucert::instance::Syntax::Toml, "lin.toml").unwrap();
    let out = verify(&inst, &Limits::default()).unwrap();
    let p2 = evaluate(&inst, &out)
        .unwrap()
        .into_iter()
        .find(|r| r.predicate == "P2-deep-linear-local-is-global")
        .unwrap();
    assert_eq!(
        p2.outcome,
        PredicateOutcome::Holds(
            "loss 1/10 equals the least-squares optimum over linear maps".to_string()
        ),
        "{p2:?}"
    );
    // the absolute loss: not applicable, saying why
    let abs = relucert::instance::parse(
        &text.replace("squared", "absolute"),
        relucert::instance::Syntax::Toml,
        "lin.toml",
    )
    .unwrap();
    let out = verify(&abs, &Limits::default()).unwrap();
    let p2 = evaluate(&abs, &out)
        .unwrap()
        .into_iter()
        .find(|r| r.predicate == "P2-deep-linear-local-is-global")
        .unwrap();
    assert!(
        matches!(&p2.outcome, PredicateOutcome::NotApplicable(e) if e.contains("absolute loss")),
        "{p2:?}"
    );
}

//! `theorems` never reports a theorem `violated` on a certified verdict:
//! on every `gen` family (a few instances per family, fixed seeds) through
//! the library, and on every fixture through the CLI (`theorems --json`,
//! exit status 0). Then the encoding of P3a / P3b itself: fed a (fake)
//! local-minimum verdict that contradicts them, each reports `violated`;
//! fed the real verdicts, P3a holds at the constant-output minima of
//! `leaky-constant` and of THEORY 6's fixture, and P3b is not applicable
//! there (output bias) while it holds at a leaky zero-loss minimum without
//! output bias.

mod common;

use relucert::gen::{generate, Family};
use relucert::instance::{to_toml, Instance};
use relucert::network::{Activation, LossKind};
use relucert::number::{qi, Q};
use relucert::theorems::{evaluate, PredicateOutcome, Report};
use relucert::verify::{verify, Limits, Outcome, Verdict};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

const SEEDS: [u64; 2] = [1, 2];
const PER_SEED: u64 = 10;

fn limits() -> Limits {
    Limits {
        deadline: relucert::Deadline::after(Duration::from_secs(5)),
        ..Limits::default()
    }
}

fn outcome<'a>(reports: &'a [Report], name: &str) -> &'a PredicateOutcome {
    &reports
        .iter()
        .find(|r| r.predicate == name)
        .unwrap_or_else(|| panic!("no predicate {name}"))
        .outcome
}

#[test]
fn no_theorem_violated_on_any_family() {
    // (family, predicate, outcome) -> count, printed for the record
    let mut tally: BTreeMap<(String, &'static str, &'static str), usize> = BTreeMap::new();
    let mut certified = 0;
    for family in Family::ALL {
        for seed in SEEDS {
            for index in 0..PER_SEED {
                let inst = generate(family, seed, index).instance;
                let out = verify(&inst, &limits()).unwrap();
                if matches!(out.verdict, Verdict::LocalMin | Verdict::GlobalMin) {
                    certified += 1;
                    let cert = out
                        .certificate
                        .as_ref()
                        .expect("a minimum has a certificate");
                    assert!(
                        relucert_check::check_certificate(&inst, cert).is_ok(),
                        "{}: certificate refused",
                        family.name()
                    );
                }
                for r in evaluate(&inst, &out).unwrap() {
                    *tally
                        .entry((family.name().to_string(), r.predicate, r.outcome.name()))
                        .or_default() += 1;
                    if r.theorem {
                        assert!(
                            !matches!(r.outcome, PredicateOutcome::Violated(_)),
                            "{} violated on a {} verdict at {} {seed} {index}: {}\n{}",
                            r.predicate,
                            out.verdict.name(),
                            family.name(),
                            r.outcome.evidence(),
                            to_toml(&inst)
                        );
                    }
                }
            }
        }
    }
    for ((f, p, o), n) in &tally {
        if *o != "not-applicable" {
            eprintln!("{f:>20} {p:<40} {o:<10} {n}");
        }
    }
    let holds = |p: &str| {
        tally
            .iter()
            .filter(|((_, q, o), _)| *q == p && *o == "holds")
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    assert!(
        certified >= 40,
        "only {certified} certified minima: too few to mean much"
    );
    // the sample exercises every theorem's `holds` branch
    for p in [
        "P1-flat-interior-minima",
        "P2-deep-linear-local-is-global",
        "P3a-leaky-separable-constant-output",
        "P4-relu-separable-dead-points",
    ] {
        assert!(holds(p) > 0, "{p} never holds in the sample");
    }
}

#[test]
fn no_theorem_violated_on_any_fixture_through_the_cli() {
    for path in common::fixture_paths() {
        let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
            .args(["theorems", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        let shown = path.display();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{shown}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["predicate"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"P3a-leaky-separable-constant-output")
                && names.contains(&"P3b-leaky-separable-no-bias-zero-loss")
                && !names.contains(&"P3-leaky-separable-zero-loss"),
            "{shown}: {names:?}"
        );
        for r in v.as_array().unwrap() {
            if r["theorem"] == true {
                assert_ne!(r["outcome"], "violated", "{shown}: {r}");
            }
        }
    }
}

/// THEORY 6's counterexample: P3a holds (loss 2/3, constant output), P3b
/// is not applicable because of the output bias, and nothing is violated.
#[test]
fn the_counterexample_fixture_is_p3a_not_p3b() {
    let path = common::fixture_paths()
        .into_iter()
        .find(|p| p.ends_with("leaky-separable-output-bias-positive-loss-min.toml"))
        .expect("the fixture exists");
    let inst = relucert::instance::load(&path).unwrap();
    let out = verify(&inst, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::LocalMin);
    assert_eq!(out.loss, Q::new(2.into(), 3.into()));
    let reports = evaluate(&inst, &out).unwrap();
    assert_eq!(
        outcome(&reports, "P3a-leaky-separable-constant-output"),
        &PredicateOutcome::Holds(
            "a local minimum with loss 2/3 > 0 and every outgoing weight 0 (constant output)"
                .to_string()
        )
    );
    let p3b = outcome(&reports, "P3b-leaky-separable-no-bias-zero-loss");
    assert!(
        matches!(p3b, PredicateOutcome::NotApplicable(e) if e.contains("output bias")),
        "{p3b:?}"
    );
}

/// A fake verdict: the verifier's real outcome with the verdict replaced.
fn claimed_min(real: &Outcome) -> Outcome {
    Outcome {
        verdict: Verdict::LocalMin,
        loss: real.loss.clone(),
        reason: "test: a claimed minimum".to_string(),
        certificate: None,
        global: None,
    }
}

/// The predicates' own encoding: a claimed positive-loss minimum with a
/// nonzero outgoing weight violates P3a; without an output bias it
/// violates P3b (with one, P3b does not apply). These verdicts are false
/// (the points are not minima): only the predicates are under test.
#[test]
fn p3a_and_p3b_report_contradicting_claims() {
    let text = |bias: &str, v: &str| {
        format!(
            "[network]\nwidths = [2, 1, 1]\nactivation = \"leaky\"\nalpha = \"1/2\"\nbias = {bias}\n\
             [loss]\nkind = \"hinge\"\n[data]\nx = [[\"1\", \"0\"], [\"-1\", \"0\"], [\"1/2\", \"5\"]]\n\
             y = [1, 1, -1]\n[point]\nW1 = [[\"1\", \"0\"]]\nb1 = [\"0\"]\nW2 = [[\"{v}\"]]\n{}",
            if bias == "true" { "b2 = [\"1\"]\n" } else { "" }
        )
    };
    let parse =
        |t: &str| relucert::instance::parse(t, relucert::instance::Syntax::Toml, "t.toml").unwrap();
    // output bias, v = 1/4: positive loss, a nonzero outgoing weight
    let inst = parse(&text("true", "1/4"));
    let real = verify(&inst, &Limits::default()).unwrap();
    assert_ne!(real.verdict, Verdict::LocalMin, "P3a's descent ray exists");
    let reports = evaluate(&inst, &claimed_min(&real)).unwrap();
    let p3a = outcome(&reports, "P3a-leaky-separable-constant-output");
    assert!(
        matches!(p3a, PredicateOutcome::Violated(e) if e.contains("v_0 = 1/4")),
        "{p3a:?}"
    );
    assert!(matches!(
        outcome(&reports, "P3b-leaky-separable-no-bias-zero-loss"),
        PredicateOutcome::NotApplicable(_)
    ));
    // no output bias, v = 0: output 0, loss 1, every outgoing weight 0
    let inst = parse(&text("[true, false]", "0"));
    let real = verify(&inst, &Limits::default()).unwrap();
    assert_eq!(real.loss, qi(1));
    assert_ne!(real.verdict, Verdict::LocalMin, "P3b: not a minimum");
    let reports = evaluate(&inst, &claimed_min(&real)).unwrap();
    assert!(matches!(
        outcome(&reports, "P3a-leaky-separable-constant-output"),
        PredicateOutcome::Holds(_)
    ));
    let p3b = outcome(&reports, "P3b-leaky-separable-no-bias-zero-loss");
    assert!(
        matches!(p3b, PredicateOutcome::Violated(e) if e.contains("loss 1 > 0")),
        "{p3b:?}"
    );
}

/// P3b holds at a zero-loss minimum of a leaky network without output bias
/// (found in the `zero-loss` family: leaky, binary hinge, no output bias).
#[test]
fn p3b_holds_at_a_leaky_zero_loss_minimum_without_output_bias() {
    let found: Option<Instance> = (0..400)
        .map(|i| generate(Family::ZeroLoss, 1, i).instance)
        .find(|inst| {
            let a = &inst.problem.arch;
            matches!(a.activation, Activation::Leaky(_))
                && !a.bias[1]
                && inst.problem.loss == LossKind::Hinge
        });
    let inst = found.expect("the zero-loss family has such an instance in 400");
    let out = verify(&inst, &Limits::default()).unwrap();
    assert_eq!(out.loss, qi(0));
    let reports = evaluate(&inst, &out).unwrap();
    let p3b = outcome(&reports, "P3b-leaky-separable-no-bias-zero-loss");
    assert!(matches!(p3b, PredicateOutcome::Holds(_)), "{p3b:?}");
}

//! `relucert global` against the rest of relucert and the checker:
//! - every complete run's `width-optimum` certificate is accepted by the
//!   independent checker, and a sample of its single-number mutations is
//!   rejected unless the mutant still claims the same (true) optimum;
//! - the optimal network, written as an instance, is verified `global-min`
//!   by `verify` (the local analysis must never find a descent there: that
//!   would contradict the optimum), with a `pattern-lp` certificate the
//!   checker accepts;
//! - shards: every shard's certificate is accepted, and the least shard
//!   optimum is the optimum;
//! - the fixtures that show both outcomes of the comparison in `verify`.
//!
//! The brute-force oracles (grid search and exact descent, monotonicity in
//! the width, separable and linear cases) are in `tests/global_oracle.rs`.

mod common;

use proptest::prelude::*;
use relucert::cert::{Certificate, Claim, Evidence, Header, Shard};
use relucert::global::{solve, witness_instance, Options};
use relucert::instance::{self, canonical_hash, Instance};
use relucert::network::{Activation, Architecture, Data, LossKind, Problem};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use serde_json::Value;

fn tiny_problem() -> impl Strategy<Value = Problem> {
    (
        1usize..=2,
        3usize..=6,
        0usize..3,
        any::<(bool, bool)>(),
        1usize..=2,
    )
        .prop_flat_map(|(dim, n, act, (hb, ob), width)| {
            let activation = match act {
                0 => Activation::Relu,
                1 => Activation::Leaky(common::q(1, 2)),
                _ => Activation::Linear,
            };
            let x = proptest::collection::vec(
                proptest::collection::vec((-6i64..=6).prop_map(|v| common::q(v, 2)), dim),
                n,
            );
            let y = proptest::collection::vec(prop_oneof![Just(1i64), Just(-1i64)], n);
            (x, y).prop_map(move |(x, y)| Problem {
                arch: Architecture {
                    widths: vec![dim, width, 1],
                    activation: activation.clone(),
                    bias: vec![hb, ob],
                },
                loss: LossKind::Hinge,
                data: Data::labelled(x, y),
            })
        })
}

fn bare(problem: Problem) -> Instance {
    Instance {
        name: Some("tiny".into()),
        source: None,
        problem,
        point: None,
        expect: None,
    }
}

/// Every number of a JSON value (rational strings and integers) as a path.
fn numbers(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "format" || k == "version" || k == "instance_sha256" {
                    continue;
                }
                path.push(PathStep::Key(k.clone()));
                numbers(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                numbers(x, path, out);
                path.pop();
            }
        }
        Value::String(s) if relucert::number::parse_rational(s).is_ok() => out.push(path.clone()),
        Value::Number(_) => out.push(path.clone()),
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

fn bump(v: &mut Value) {
    *v = match &*v {
        Value::String(s) => {
            let q = relucert::number::parse_rational(s).unwrap() + Q::from_integer(1.into());
            Value::String(relucert::number::fmt_q(&q))
        }
        Value::Number(n) => Value::from(n.as_u64().unwrap() + 1),
        other => other.clone(),
    };
}

fn width_certificate(inst: &Instance, value: &Q, ev: Evidence, claim: Claim) -> Value {
    Certificate {
        header: Header {
            instance_sha256: canonical_hash(inst),
            claim,
            loss: value.clone(),
        },
        evidence: ev,
    }
    .to_json()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn optimum_certificates_check_and_the_optimal_network_is_a_global_min(problem in tiny_problem()) {
        let inst = bare(problem.clone());
        let m = problem.arch.widths[1];
        let opt = solve(&problem, &Options::new(m)).unwrap();
        prop_assert!(opt.complete);
        let body = opt.certificate.clone().unwrap();
        let cert = width_certificate(&inst, &opt.value, Evidence::WidthOptimum(body), Claim::GlobalOptimum);
        let toml = instance::to_toml(&inst);
        prop_assert!(relucert_check::check(&inst, &cert).is_ok(), "{toml}: {:?}", relucert_check::check(&inst, &cert));

        // a sample of single-number mutations: rejected, or still the same claim
        let mut paths = Vec::new();
        numbers(&cert, &mut Vec::new(), &mut paths);
        let step = (paths.len() / 25).max(1);
        for path in paths.iter().step_by(step).chain(paths.iter().take(1)) {
            let mut mutant = cert.clone();
            bump(at(&mut mutant, path));
            if let Ok(acc) = relucert_check::check(&inst, &mutant) {
                prop_assert_eq!(acc.claim, Claim::GlobalOptimum);
                prop_assert_eq!(&mutant["loss"], &cert["loss"], "{}: mutant {:?} accepted", toml, path);
            }
        }

        // the optimal network is a global minimum for verify, with a checked certificate
        let w = witness_instance(&inst, &opt.arch, &opt.witness, &opt.value, "test").unwrap();
        let out = verify(&w, &Limits::default()).unwrap();
        prop_assert_eq!(out.verdict, Verdict::GlobalMin, "{}: {}", instance::to_toml(&w), out.reason);
        let c = out.certificate.unwrap().to_json();
        prop_assert!(relucert_check::check(&w, &c).is_ok(), "{}", instance::to_toml(&w));
    }

    #[test]
    fn shards_cover_the_run_and_each_checks(problem in tiny_problem()) {
        let inst = bare(problem.clone());
        let m = problem.arch.widths[1];
        let full = solve(&problem, &Options::new(m)).unwrap();
        let mut least: Option<Q> = None;
        let mut sets = 0u128;
        for index in 1..=3 {
            let opts = Options { shard: Some(Shard { index, count: 3 }), ..Options::new(m) };
            let part = solve(&problem, &opts).unwrap();
            sets += part.sets_total;
            let cert = width_certificate(&inst, &part.value, Evidence::WidthOptimumShard(part.certificate.unwrap()), Claim::ShardOptimum);
            prop_assert!(relucert_check::check(&inst, &cert).is_ok(), "{}", instance::to_toml(&inst));
            if part.sets_total > 0 {
                least = Some(match least { Some(l) if l < part.value => l, _ => part.value });
            }
        }
        prop_assert_eq!(sets, full.sets_total);
        prop_assert_eq!(least, Some(full.value));
    }
}

fn fixture(name: &str) -> Instance {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    instance::load(format!("{path}{name}").as_ref()).unwrap()
}

#[test]
fn verify_reports_a_spurious_minimum_and_a_positive_global_one() {
    let spurious = fixture("relu-xor-width1-spurious-dead.toml");
    let out = verify(&spurious, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::LocalMin, "{}", out.reason);
    let g = out.global.expect("compared with the optimum");
    assert!(g.spurious);
    assert_eq!(g.optimum, common::q(1, 2));

    let global = fixture("relu-xor-width1-global-optimum.toml");
    let out = verify(&global, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::GlobalMin, "{}", out.reason);
    let cert = out.certificate.expect("certified").to_json();
    assert_eq!(cert["evidence"]["kind"], "pattern-lp");
    assert!(relucert_check::check(&global, &cert).is_ok());
    // the same point at another loss is not accepted
    let mut forged = cert.clone();
    forged["loss"] = "1/4".into();
    assert!(relucert_check::check(&global, &forged).is_err());

    // with the comparison off, the local analysis alone decides
    let off = Limits {
        global_budget: 0,
        ..Limits::default()
    };
    let out = verify(&spurious, &off).unwrap();
    assert!(out.global.is_none());
    assert_eq!(out.verdict, Verdict::LocalMin);
}

#[test]
fn out_of_scope_instances_get_the_scope_message() {
    let deep = fixture("relu-two-hidden-layers-hinge.toml");
    let err = solve(&deep.problem, &Options::new(2)).unwrap_err();
    assert!(err.to_string().starts_with(relucert::global::SCOPE_MESSAGE));
    let multi = fixture("relu-multiclass-hinge-k3.toml");
    let err = solve(&multi.problem, &Options::new(2)).unwrap_err();
    assert!(err.to_string().contains("multiclass-hinge"), "{err}");
    let xor = fixture("relu-xor-width1-global-optimum.toml");
    let too_many = Options {
        max_sets: Some(1),
        ..Options::new(2)
    };
    let err = solve(&xor.problem, &too_many).unwrap_err();
    assert!(err.to_string().contains("378 sets"), "{err}");
    assert!(solve(&xor.problem, &Options::new(0)).is_err());
    let wide = solve(&xor.problem, &Options::new(relucert::global::MAX_WIDTH + 1)).unwrap_err();
    assert!(wide.to_string().contains("4096"), "{wide}");

    // 70 points in R^4 (with the bias, R^5): up to 2 (C(69,0) + ... +
    // C(69,4)) = 1,838,622 chambers, refused before listing any.
    let mut big = xor.problem.clone();
    big.arch.widths = vec![4, 1, 1];
    big.data.x = (1..=70i64)
        .map(|i| {
            (1..=4)
                .map(|k| Q::from_integer((i.pow(k) % 97).into()))
                .collect()
        })
        .collect();
    big.data.y = (0..70).map(|i| if i % 3 == 0 { 1 } else { -1 }).collect();
    let err = solve(&big, &Options::new(1)).unwrap_err();
    assert!(err.to_string().contains("1838622 chambers"), "{err}");
    assert!(err
        .to_string()
        .contains(&relucert::global::MAX_CHAMBERS.to_string()));
}

//! The verifier and the independent checker: every certificate the verifier
//! emits passes the checker; corrupting any number in it makes the checker
//! reject it; `local-min` verdicts survive exact probing at tiny radii;
//! verdicts agree with the fixtures' hand-derived expectations.

mod common;

use common::{problem_and_point, q};
use proptest::prelude::*;
use relucert::instance::Instance;
use relucert::network::{Params, Problem};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use relucert_check::check;
use serde_json::Value;
use std::process::Command;

fn instance(problem: Problem, p: Params) -> Instance {
    Instance {
        name: None,
        source: None,
        problem,
        point: Some(p),
        expect: None,
    }
}

/// Every way to corrupt one number (or the hash) of a certificate.
fn mutations(cert: &Value) -> Vec<Value> {
    common::mutate::mutations(cert)
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

fn probe_dirs(n: usize) -> impl Strategy<Value = Vec<(Vec<Q>, Vec<Q>)>> {
    let v = prop::collection::vec((-5i64..=5, 1i64..=3).prop_map(|(a, b)| q(a, b)), n);
    prop::collection::vec((v.clone(), v), 4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn certificates_pass_the_checker_and_mutants_fail(
        (problem, p) in problem_and_point(1),
        probes in probe_dirs(64),
    ) {
        let inst = instance(problem.clone(), p.clone());
        let limits = Limits { max_pieces: 256, deadline: relucert::Deadline::never(), probe: true, global_budget: 0, local_bounds: true };
        let out = verify(&inst, &limits).unwrap();
        prop_assert_eq!(&out.loss, &problem.loss(&p));
        let Some(cert) = out.certificate.as_ref().map(|c| c.to_json()) else {
            prop_assert_eq!(out.verdict, Verdict::Undecided);
            return Ok(());
        };
        prop_assert_eq!(check(&inst, &cert).map(|a| a.claim.name().to_string()), Ok(out.verdict.name().to_string()));
        for m in mutations(&cert) {
            prop_assert!(check(&inst, &m).is_err(), "mutant accepted: {}", m);
        }
        if out.verdict == Verdict::LocalMin || out.verdict == Verdict::GlobalMin {
            // exact probing along rays and parabolic arcs at radii 1e-4 .. 1e-30
            let n = problem.arch.num_params();
            let theta = p.flat();
            for (d, e) in &probes {
                for k in [4u32, 10, 20, 30] {
                    let r = Q::new(1.into(), num_bigint::BigInt::from(10u32).pow(k));
                    let at: Vec<Q> = (0..n).map(|i| &theta[i] + &r * &d[i] + &r * &r * &e[i]).collect();
                    let l = problem.loss(&Params::from_flat(&problem.arch, &at).unwrap());
                    prop_assert!(l >= out.loss, "lower loss {} < {} at radius 1e-{}", l, out.loss, k);
                }
            }
        }
    }
}

#[test]
fn fixtures_verify_and_their_certificates_check() {
    let tmp = std::env::temp_dir().join(format!("relucert-verify-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for path in common::fixture_paths() {
        // with the first-order probe, and without it (the arc search alone
        // must reach the same verdict, with an arc certificate)
        let mut verdicts = Vec::new();
        for no_probe in [false, true] {
            let cert = tmp.join("cert.json");
            let _ = std::fs::remove_file(&cert);
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_relucert"));
            cmd.args(["verify", "--json", "--cert"])
                .arg(&cert)
                .arg(&path);
            if no_probe {
                cmd.arg("--no-probe");
            }
            let out = cmd.output().unwrap();
            // exit 3 would mean a decided verdict contradicts the hand-derived [expect]
            assert_eq!(
                out.status.code(),
                Some(0),
                "{} (no probe: {no_probe}): {}",
                path.display(),
                String::from_utf8_lossy(&out.stdout)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            verdicts.push(v["verdict"].clone());
            if v["verdict"] == "undecided" {
                assert!(v["certificate"].is_null());
                continue;
            }
            if no_probe {
                let c: Value =
                    serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
                assert_ne!(
                    c["evidence"]["kind"],
                    "descent-direction",
                    "{}",
                    path.display()
                );
            }
            let chk = Command::new(env!("CARGO_BIN_EXE_relucert"))
                .arg("check")
                .arg(&path)
                .arg(&cert)
                .output()
                .unwrap();
            assert_eq!(
                chk.status.code(),
                Some(0),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&chk.stderr)
            );
        }
        assert_eq!(
            verdicts[0],
            verdicts[1],
            "{}: probe on / off",
            path.display()
        );
    }
}

/// The property above must not pass vacuously: on random instances the
/// verifier must actually produce certificates of the main kinds.
#[test]
fn random_instances_yield_certificates_of_each_kind() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = problem_and_point(1);
    let mut counts = std::collections::HashMap::new();
    let total = 300;
    for _ in 0..total {
        let (problem, p) = strategy.new_tree(&mut runner).unwrap().current();
        let out = verify(
            &instance(problem, p),
            &Limits {
                max_pieces: 256,
                deadline: relucert::Deadline::never(),
                probe: true,
                global_budget: 0,
                local_bounds: true,
            },
        )
        .unwrap();
        *counts.entry(out.verdict.name()).or_insert(0) += 1;
    }
    eprintln!("verdicts on {total} random instances: {counts:?}");
    assert!(
        counts.get("not-local-min").copied().unwrap_or(0) >= total / 5,
        "{counts:?}"
    );
    assert!(
        counts.get("global-min").copied().unwrap_or(0) >= 1,
        "{counts:?}"
    );
    assert!(
        counts.get("local-min").copied().unwrap_or(0) >= 1,
        "{counts:?}"
    );
}

/// Deep linear networks with the binary hinge loss (depth 1-4, widths <= 3,
/// random and zero points): the source paper's theorem says every local
/// minimum is global, so a correct verifier never reports a merely local
/// minimum there; every certificate checks; undecided stays rare.
#[test]
fn deep_linear_binary_hinge_follows_the_theorem() {
    use proptest::strategy::ValueTree;
    use relucert::network::{Activation, Architecture, Data, LossKind};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strat = (
        1usize..=3,
        prop::collection::vec(1usize..=3, 0..=3),
        prop::collection::vec(any::<bool>(), 4),
        prop::collection::vec(
            (
                prop::collection::vec((-2i64..=2, 1i64..=2), 3),
                any::<bool>(),
            ),
            1..=5,
        ),
        prop::collection::vec((-2i64..=2, 1i64..=2), 64),
        0u8..4,
    );
    let (mut undecided, total) = (0, 200);
    for _ in 0..total {
        let (d, hidden, bias, pts, raw, zero) = strat.new_tree(&mut runner).unwrap().current();
        let mut widths = vec![d];
        widths.extend(hidden);
        widths.push(1);
        let depth = widths.len() - 1;
        let arch = Architecture {
            widths,
            activation: Activation::Linear,
            bias: bias[..depth].to_vec(),
        };
        let x = pts
            .iter()
            .map(|(v, _)| v[..d].iter().map(|&(a, b)| q(a, b)).collect())
            .collect();
        let y = pts.iter().map(|(_, s)| if *s { 1 } else { -1 }).collect();
        let problem = Problem {
            arch: arch.clone(),
            loss: LossKind::Hinge,
            data: Data::labelled(x, y),
        };
        // a quarter of the points are the origin (the hardest case)
        let flat: Vec<Q> = (0..arch.num_params())
            .map(|i| {
                if zero == 0 {
                    q(0, 1)
                } else {
                    q(raw[i].0, raw[i].1)
                }
            })
            .collect();
        let p = Params::from_flat(&arch, &flat).unwrap();
        let inst = instance(problem, p);
        let out = verify(&inst, &Limits::default()).unwrap();
        assert_ne!(
            out.verdict,
            Verdict::LocalMin,
            "a non-global local minimum of a deep linear network: {}",
            out.reason
        );
        match &out.certificate {
            Some(c) => assert_eq!(
                check(&inst, &c.to_json()).map(|a| a.claim.name().to_string()),
                Ok(out.verdict.name().to_string())
            ),
            None => undecided += 1,
        }
    }
    eprintln!("deep linear: {undecided} undecided of {total}");
    assert!(undecided * 10 <= total, "{undecided} undecided of {total}");
}

/// Over the generated corpora (every `relucert gen` family): every
/// certificate passes the checker, every single-number corruption of it is
/// rejected, and no decided verdict contradicts the generator's
/// `[expect]` (which the generator derives by construction, not from the
/// verifier). `RELUCERT_CASES=N` sets instances per family (default 12).
#[test]
fn generated_corpus_certificates_check_and_mutants_fail() {
    use relucert::gen::{generate, Family};
    let per_family: u64 = std::env::var("RELUCERT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut kinds = std::collections::BTreeMap::new();
    for family in Family::ALL {
        for index in 0..per_family {
            // 2 s per verification, as before the one deadline
            let limits = Limits {
                max_pieces: 512,
                deadline: relucert::Deadline::after(std::time::Duration::from_secs(2)),
                probe: true,
                global_budget: 0,
                // every other instance without the local bounds, so that the
                // flatness and second-order proofs they preempt are exercised too
                local_bounds: index % 2 == 0,
            };
            let inst = generate(family, 3, index).instance;
            let out = verify(&inst, &limits).unwrap();
            let (local, global) = out.verdict.implies();
            if let Some(e) = &inst.expect {
                if let (Some(a), Some(b)) = (e.local_min, local) {
                    assert_eq!(a, b, "{family:?} {index}: local_min");
                }
                if let (Some(a), Some(b)) = (e.global_min, global) {
                    assert_eq!(a, b, "{family:?} {index}: global_min");
                }
            }
            let Some(typed) = out.certificate else {
                continue;
            };
            // the typed certificate the verifier built is the one its JSON reads back as
            let cert = typed.to_json();
            assert_eq!(
                relucert_core::cert::Certificate::from_json(&cert).as_ref(),
                Ok(&typed),
                "{family:?} {index}: from_json(to_json(c)) != c"
            );
            assert_eq!(typed.header.claim.name(), out.verdict.name());
            *kinds
                .entry(cert["evidence"]["kind"].as_str().unwrap_or("?").to_string())
                .or_insert(0) += 1;
            assert_eq!(
                check(&inst, &cert).map(|a| a.claim.name().to_string()),
                Ok(out.verdict.name().to_string()),
                "{family:?} {index}"
            );
            // every mutation of a certificate with at most 150; an evenly
            // spaced 150 of a larger one (a 24 KB second-order certificate
            // has ~1,500 numbers at ~0.1 s per check)
            let all = mutations(&cert);
            let step = all.len().div_ceil(150).max(1);
            for m in all.iter().step_by(step) {
                assert!(
                    check(&inst, m).is_err(),
                    "{family:?} {index}: mutant accepted: {m}"
                );
            }
        }
    }
    eprintln!("certificate kinds over the generated corpora: {kinds:?}");
    for kind in [
        "zero-loss",
        "linear-lp-bound",
        "multiclass-lp-bound",
        "flat",
        "piecewise-second-order",
        "path-lifting-bound",
        "descent-arc",
        "descent-direction",
    ] {
        assert!(
            kinds.contains_key(kind),
            "no `{kind}` certificate: {kinds:?}"
        );
    }
}

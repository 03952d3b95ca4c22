//! The one deadline (`relucert_core::Deadline`, `--timeout`) through the
//! decision library: an expired deadline gives `undecided` with the time
//! reason (never a verdict), a far deadline changes nothing (same verdict,
//! reason and certificate bytes: nothing in the search depends on the
//! clock), and the CLI's `--timeout` accepts decimals and reports the
//! time reason. No assertion here depends on how long anything takes.

mod common;

use proptest::prelude::*;
use relucert::descend::descend;
use relucert::instance::{self, Instance};
use relucert::verify::{verify, Limits, Verdict};
use relucert::Deadline;
use std::process::Command;
use std::time::Duration;

const TIME_REASON: &str = "the time limit (--timeout) was reached";

fn expired() -> Deadline {
    Deadline::after(Duration::ZERO)
}

fn far() -> Deadline {
    Deadline::after(Duration::from_secs(24 * 3600))
}

fn limits(deadline: Deadline) -> Limits {
    Limits {
        deadline,
        ..Limits::default()
    }
}

fn fixtures_with_point() -> Vec<(String, Instance)> {
    common::fixture_paths()
        .into_iter()
        .filter_map(|p| {
            let inst = instance::load(&p).ok()?;
            inst.point.as_ref()?;
            Some((p.display().to_string(), inst))
        })
        .collect()
}

/// An already-expired deadline never gives a verdict: every fixture is
/// `undecided` with the time reason and no certificate.
#[test]
fn expired_deadline_gives_undecided_with_the_time_reason() {
    let all = fixtures_with_point();
    assert!(all.len() > 10, "fixtures found: {}", all.len());
    for (name, inst) in &all {
        let out = verify(inst, &limits(expired())).expect("verify runs");
        assert_eq!(out.verdict, Verdict::Undecided, "{name}: {}", out.reason);
        assert!(out.certificate.is_none(), "{name}");
        assert!(
            out.reason.starts_with(TIME_REASON),
            "{name}: {}",
            out.reason
        );
        // the loss is still the exact loss at the point
        let exact = inst.problem.loss(inst.point.as_ref().expect("point"));
        assert_eq!(out.loss, exact, "{name}");
    }
}

/// A cancel flag set before the run acts like an expired deadline.
#[test]
fn cancelled_deadline_gives_undecided() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (name, inst) = &fixtures_with_point()[0];
    let out = verify(inst, &limits(Deadline::never().with_cancel(flag))).expect("runs");
    assert_eq!(out.verdict, Verdict::Undecided, "{name}");
    assert!(
        out.reason.starts_with(TIME_REASON),
        "{name}: {}",
        out.reason
    );
}

/// Determinism: every fixture gives the same verdict, reason and
/// certificate JSON (byte for byte) with a far deadline as without one.
#[test]
fn a_far_deadline_changes_nothing_on_the_fixtures() {
    for (name, inst) in &fixtures_with_point() {
        let a = verify(inst, &limits(Deadline::never())).expect("verify runs");
        let b = verify(inst, &limits(far())).expect("verify runs");
        assert_eq!(a.verdict, b.verdict, "{name}");
        assert_eq!(a.reason, b.reason, "{name}");
        assert_eq!(a.loss, b.loss, "{name}");
        let ja = a.certificate.as_ref().map(|c| c.to_json().to_string());
        let jb = b.certificate.as_ref().map(|c| c.to_json().to_string());
        assert_eq!(ja, jb, "{name}: certificate bytes differ");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Generated instances (small, at most one hidden layer): a far
    /// deadline gives what no deadline gives, byte for byte.
    #[test]
    fn a_far_deadline_changes_nothing_on_generated_instances(
        (problem, point) in common::problem_and_point(1)
    ) {
        let inst = Instance { name: None, source: None, point: Some(point), problem, expect: None };
        let quick = |deadline| Limits { max_pieces: 256, deadline, probe: true, global_budget: 0, local_bounds: true };
        let a = verify(&inst, &quick(Deadline::never())).expect("runs");
        let b = verify(&inst, &quick(far())).expect("runs");
        prop_assert_eq!(a.verdict, b.verdict);
        prop_assert_eq!(&a.reason, &b.reason);
        prop_assert_eq!(
            a.certificate.as_ref().map(|c| c.to_json().to_string()),
            b.certificate.as_ref().map(|c| c.to_json().to_string())
        );
        // and an expired one decides nothing
        let c = verify(&inst, &quick(expired())).expect("runs");
        prop_assert_eq!(c.verdict, Verdict::Undecided);
        prop_assert!(c.reason.starts_with(TIME_REASON));
    }
}

/// `descend` under an expired deadline takes no step and says why.
#[test]
fn descend_with_an_expired_deadline_takes_no_step() {
    for (name, inst) in fixtures_with_point().iter().take(8) {
        let d = descend(inst, 50, &limits(expired())).expect("descend runs");
        assert_eq!(d.steps, 0, "{name}");
        assert_eq!(d.stop, "time limit reached", "{name}");
        assert_eq!(d.outcome.verdict, Verdict::Undecided, "{name}");
    }
}

/// `global::solve` under an expired deadline is incomplete, with no
/// certificate.
#[test]
fn global_with_an_expired_deadline_is_incomplete() {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures/relu-kink-descent.toml");
    let inst = instance::load(&path).expect("fixture loads");
    let mut opts = relucert::global::Options::new(inst.problem.arch.widths[1]);
    opts.deadline = expired();
    match relucert::global::solve(&inst.problem, &opts) {
        Ok(opt) => {
            assert!(!opt.complete);
            assert!(opt.certificate.is_none());
        }
        // out of the solver's scope: nothing to say about deadlines
        Err(e) => eprintln!("global out of scope: {e}"),
    }
}

/// The CLI: `--timeout 0` gives `undecided` with the time reason, and a
/// decimal timeout is accepted.
#[test]
fn cli_timeout_zero_is_undecided_and_decimals_parse() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let fixture = root.join("fixtures/relu-kink-descent.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--json", "--timeout", "0"])
        .arg(&fixture)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["verdict"], "undecided", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with(TIME_REASON)),
        "{v}"
    );
    let a = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--json", "--timeout", "3600.5"])
        .arg(&fixture)
        .output()
        .expect("runs");
    let b = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--json"])
        .arg(&fixture)
        .output()
        .expect("runs");
    assert_eq!(a.status.code(), b.status.code());
    assert_eq!(a.stdout, b.stdout, "a far --timeout changes the output");
    let bad = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--timeout", "-1"])
        .arg(&fixture)
        .output()
        .expect("runs");
    assert!(!bad.status.success());
}

/// `check` and `lp` with `--timeout 0`: one line naming the file and the
/// time limit, exit 1, nothing on stdout: a certificate not checked in time
/// is never accepted. (Either the cooperative deadline or the hard stop may
/// end the run; both say so in one line.)
#[test]
fn cli_check_and_lp_at_timeout_zero_are_not_answers() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let fixture = root.join("fixtures/relu-kink-descent.toml");
    let cert = std::env::temp_dir().join(format!("relucert-deadline-{}.json", std::process::id()));
    let made = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--cert"])
        .arg(&cert)
        .arg(&fixture)
        .output()
        .expect("runs");
    assert!(made.status.success(), "{made:?}");
    let accepted = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .arg("check")
        .arg(&fixture)
        .arg(&cert)
        .args(["--timeout", "3600"])
        .output()
        .expect("runs");
    assert!(accepted.status.success(), "{accepted:?}");
    let lp = root.join("tests/data/lp/small_max.lp");
    let runs = [
        vec![
            "check".to_string(),
            fixture.display().to_string(),
            cert.display().to_string(),
        ],
        vec!["lp".to_string(), lp.display().to_string()],
    ];
    for args in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
            .args(&args)
            .args(["--timeout", "0"])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("time limit (0 s)"), "{args:?}: {err}");
        assert!(
            err.contains(args[args.len() - 1].as_str()),
            "{args:?}: {err}"
        );
        assert!(!err.contains("accepted"), "{args:?}: {err}");
    }
    let _ = std::fs::remove_file(&cert);
}

//! Descent that does not creep (issue 18): `relucert descend` on the
//! bifurcation data ends at a certified answer, not at its step limit, and
//! what it reports about its end points is true.
//!
//! Oracles, none of them the descent or the verifier:
//! - the tests' own forward pass and loss (`tests/common/oracle.rs`, from
//!   FORMAT.md alone) recomputes the start's and the end's exact loss: the
//!   end's is never above the start's, and equals what the descent reports;
//! - this file's own hidden pre-activations (FORMAT.md's flat layout) and
//!   the oracle's output give every zero pre-activation and hinge margin of
//!   an end point: the descent's `end_zeros` must list exactly those (a
//!   claimed kink really is one, and none is left out);
//! - the number of runs ending at a limit on a fixed set of starts is
//!   bounded by what was measured (0 of 16 per file, see
//!   docs/benchmarks.md "Descent limits (issue 18)") with margin: before
//!   the piecewise line search about half of them hit the step limit.
//! - the clock and the tests' own bit count: leaky start 56 once hung
//!   (its numbers doubled at every step, one exact evaluation took
//!   minutes and never read the deadline); it must now return within a
//!   short deadline, its end point's numbers short, its loss the oracle's.

mod common;

use common::oracle;
use num_traits::{One, Zero};
use relucert::descend::{descend, random_point, Stop};
use relucert::instance::{load, Instance};
use relucert::number::Q;
use relucert::verify::{Limits, Verdict};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bifurcation(kind: &str) -> Instance {
    load(&root().join(format!("benches/data/bifurcation-{kind}.toml"))).expect("bundled file")
}

/// Hidden pre-activations of a one-hidden-layer network (W1 by rows,
/// then b1 when the layer has a bias), from FORMAT.md alone.
fn hidden_pre(inst: &Instance, theta: &[Q], x: &[Q]) -> Vec<Q> {
    let arch = &inst.problem.arch;
    assert_eq!(arch.widths.len(), 3, "one hidden layer");
    let (win, wout) = (arch.widths[0], arch.widths[1]);
    (0..wout)
        .map(|j| {
            let mut z = (0..win).fold(Q::zero(), |s, c| s + &theta[j * win + c] * &x[c]);
            if arch.bias[0] {
                z += &theta[win * wout + j];
            }
            z
        })
        .collect()
}

/// Every zero of an end point: `(point, 1, unit)` for a zero hidden
/// pre-activation, `(point, 2, 0)` for a zero hinge margin `1 - y f`.
fn oracle_zeros(inst: &Instance, theta: &[Q]) -> Vec<(usize, usize, usize)> {
    let data = &inst.problem.data;
    let mut out = Vec::new();
    for (i, x) in data.x.iter().enumerate() {
        for (j, z) in hidden_pre(inst, theta, x).iter().enumerate() {
            if z.is_zero() {
                out.push((i, 1, j));
            }
        }
        let f = oracle::output(inst, theta, x);
        if (Q::one() - Q::from_integer(data.y[i].into()) * &f[0]).is_zero() {
            out.push((i, 2, 0));
        }
    }
    out
}

/// Descents from the fixed starts `1..=16` of both bifurcation files.
#[test]
fn bifurcation_descents_end_certified_lower_and_report_true_kinks() {
    let seeds = 1..=16u64;
    for kind in ["relu", "leaky"] {
        let inst = bifurcation(kind);
        let mut at_limit = 0;
        let mut certified = 0;
        let mut with_kinks = 0;
        for seed in seeds.clone() {
            let mut start = inst.clone();
            let p0 = random_point(&inst.problem.arch, seed);
            start.point = Some(p0.clone());
            let d = descend(&start, 200, &Limits::default()).expect("descent runs");
            let end = d.end.point.as_ref().expect("an end point").flat();
            // the loss never rises, and the reported losses are the oracle's
            let l0 = oracle::loss(&inst, &p0.flat());
            let l1 = oracle::loss(&inst, &end);
            assert_eq!(d.losses[0], l0, "{kind} seed {seed}: start loss");
            assert_eq!(d.outcome.loss, l1, "{kind} seed {seed}: end loss");
            assert!(l1 <= l0, "{kind} seed {seed}: {l1} > {l0}");
            assert!(
                d.losses.windows(2).all(|w| w[1] < w[0]),
                "{kind} seed {seed}: every step lowers the loss"
            );
            assert_eq!(d.losses.len(), d.steps + 1);
            // the stop kind agrees with the verdict
            match d.stop_kind {
                Stop::GlobalMin => assert_eq!(d.outcome.verdict, Verdict::GlobalMin),
                Stop::LocalMin => assert_eq!(d.outcome.verdict, Verdict::LocalMin),
                Stop::Undecided => assert_eq!(d.outcome.verdict, Verdict::Undecided),
                Stop::StepLimit => assert_eq!(d.steps, 200),
                // a stall stops a creeping descent, still not-local-min
                Stop::Stall => assert_eq!(d.outcome.verdict, Verdict::NotLocalMin),
                Stop::TimeLimit => panic!("{kind} seed {seed}: no deadline"),
            }
            if d.stop_kind.is_limit() {
                at_limit += 1;
            }
            if matches!(d.stop_kind, Stop::GlobalMin | Stop::LocalMin) {
                certified += 1;
                // a global minimum of the hinge loss on separable data
                // with a network that separates it has loss 0
                if d.stop_kind == Stop::GlobalMin {
                    assert!(l1.is_zero(), "{kind} seed {seed}: global-min {l1}");
                }
            }
            // the zeros the descent reports are exactly the oracle's
            let claimed: Vec<(usize, usize, usize)> = d
                .end_zeros
                .iter()
                .map(|k| (k.point, k.layer, k.unit))
                .collect();
            assert_eq!(claimed, oracle_zeros(&inst, &end), "{kind} seed {seed}");
            if !claimed.is_empty() {
                with_kinks += 1;
            }
        }
        eprintln!(
            "{kind}: {certified} of 16 certified, {at_limit} at a limit, {with_kinks} end on a kink"
        );
        assert!(at_limit <= 3, "{kind}: {at_limit} of 16 runs at a limit");
        assert!(certified >= 12, "{kind}: only {certified} of 16 certified");
    }
}

/// `descend --json` reports a stop kind and the time of each run, and each
/// run's end point has the loss it reports (oracle), no higher than its
/// start's.
#[test]
fn starts_json_has_stop_kind_and_seconds() {
    let file = root().join("benches/data/bifurcation-leaky.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["descend", "--starts", "4", "--seed", "3", "--json"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let inst = bifurcation("leaky");
    let names = [
        "global-min",
        "local-min",
        "undecided",
        "step-limit",
        "time-limit",
        "stall",
    ];
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 4);
    let mut limits = 0;
    for r in runs {
        let stop = r["stop"].as_str().expect("stop");
        assert!(names.contains(&stop), "{stop}");
        assert!(r["stop_reason"].is_string());
        assert!(r["seconds"].as_f64().expect("seconds") >= 0.0);
        if stop.ends_with("-limit") {
            limits += 1;
        }
        if stop == "global-min" || stop == "local-min" {
            assert_eq!(r["verdict"], stop);
        }
        let seed = r["seed"].as_u64().expect("seed");
        let p0 = random_point(&inst.problem.arch, seed).flat();
        let w = |k: &str| -> Vec<Q> {
            let m = &r["point"][k];
            let rows: Vec<&serde_json::Value> = match m.as_array() {
                Some(a) if a.first().is_some_and(|x| x.is_array()) => a
                    .iter()
                    .flat_map(|row| row.as_array().expect("row"))
                    .collect(),
                Some(a) => a.iter().collect(),
                None => panic!("{k}"),
            };
            rows.iter()
                .map(|s| relucert::number::parse_rational(s.as_str().expect("text")).expect("q"))
                .collect()
        };
        let end: Vec<Q> = ["W1", "b1", "W2", "b2"].iter().flat_map(|k| w(k)).collect();
        let loss = relucert::number::parse_rational(r["loss"].as_str().expect("loss")).expect("q");
        assert_eq!(oracle::loss(&inst, &end), loss, "seed {seed}");
        assert!(loss <= oracle::loss(&inst, &p0), "seed {seed}");
    }
    assert_eq!(v["stopped_at_limit"], limits);
}

/// The bits of the longest number of `flat` (numerator plus denominator).
fn longest(flat: &[Q]) -> u64 {
    flat.iter()
        .map(|q| q.numer().bits() + q.denom().bits())
        .max()
        .unwrap_or(0)
}

/// The hang of leaky start 56 (issue 18): a descent creeping towards a
/// corner whose numbers doubled at every step. With no deadline it must
/// stop by itself, quickly, with short numbers, still `not-local-min` or
/// certified, and under a short deadline it must return within it.
#[test]
fn the_leaky_start_that_hung_returns_in_time() {
    let inst = bifurcation("leaky");
    let mut start = inst.clone();
    let p0 = random_point(&inst.problem.arch, 56);
    start.point = Some(p0.clone());
    // no deadline (a generous one only guards the test): it stops by itself
    let limits = Limits {
        deadline: relucert::Deadline::after(std::time::Duration::from_secs(60)),
        ..Limits::default()
    };
    let clock = std::time::Instant::now();
    let d = descend(&start, 200, &limits).expect("descent runs");
    let secs = clock.elapsed().as_secs_f64();
    assert!(secs < 10.0, "took {secs} s ({:?})", d.stop_kind);
    assert_ne!(d.stop_kind, Stop::TimeLimit, "{}", d.stop);
    let end = d.end.point.as_ref().expect("an end point").flat();
    assert!(longest(&end) <= 1200, "a number of {} bits", longest(&end));
    assert_eq!(d.outcome.loss, oracle::loss(&inst, &end));
    assert!(d.outcome.loss < oracle::loss(&inst, &p0.flat()));
    match d.stop_kind {
        Stop::GlobalMin | Stop::LocalMin => {}
        _ => assert_eq!(d.outcome.verdict, Verdict::NotLocalMin, "{}", d.stop),
    }
    // both slow starts (49, 56) now reach the corner they crept towards
    // and end at loss 0 (the oracle's loss of their end points)
    for seed in [49u64, 56] {
        let mut start = inst.clone();
        start.point = Some(random_point(&inst.problem.arch, seed));
        let d = descend(&start, 200, &limits).expect("descent runs");
        let end = d.end.point.as_ref().expect("an end point").flat();
        assert!(
            oracle::loss(&inst, &end).is_zero(),
            "seed {seed}: {}",
            d.stop
        );
    }
    // a short deadline, through the command line: it ends in about that
    // time and prints its JSON with a stop kind for every run
    for timeout in ["0.3", "1.5"] {
        let file = root().join("benches/data/bifurcation-leaky.toml");
        let clock = std::time::Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_relucert"))
            .args(["descend", "--starts", "100", "--seed", "1", "--json"])
            .args(["--timeout", timeout])
            .arg(&file)
            .output()
            .expect("runs");
        let secs = clock.elapsed().as_secs_f64();
        let t: f64 = timeout.parse().expect("a number");
        // +10% and the process's start-up and output
        assert!(secs <= t * 1.1 + 0.3, "--timeout {timeout}: {secs} s");
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let runs = v["runs"].as_array().expect("runs");
        assert_eq!(runs.len(), 100);
        assert!(runs.iter().all(|r| r["stop"].is_string()));
    }
}

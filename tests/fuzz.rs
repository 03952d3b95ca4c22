//! The fuzz harness of issue 17: proptest-driven byte mutations and
//! structure-aware mutations of the fixtures (TOML and JSON), LP files and
//! certificates, run through the library entry points and the CLI. Every
//! case must end with a verdict or a one-line error (at most 300
//! characters, naming the file), never a panic; with
//! `RELUCERT_FUZZ_TIMING=1`, library calls given a deadline of 1 s must
//! return within 1.5 s (max(10%, 0.5 s) over it); an
//! LP answer must hold exactly; a verdict's certificate must be accepted by
//! the independent checker; an accepted certificate must agree with the
//! fixture's hand-computed facts.
//!
//! Deterministic by default (seed below); `RELUCERT_FUZZ_SEED=N` changes
//! the seed and `RELUCERT_FUZZ_CASES=N` the number of cases of every
//! property (long runs). A failure prints the property, the cases run, the
//! seed and the shrunk input (seed file and mutation list).
//! `RELUCERT_FUZZ_SURVEY=1` runs every case without stopping and prints the
//! failures grouped by message (what fails today, not only the first).
//!
//! Owns: the properties, the proptest runner set-up (seed, case counts,
//! survey mode) and the CLI runner with its wall-clock limit.
//!
//! Must not: weaken a property to make it pass on today's code (a failing
//! property is a bug report), or fix inputs up before feeding them.

#[path = "fuzz/corpus.rs"]
mod corpus;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/oracle.rs"]
mod oracle;

use corpus::corpus;
use mutate::{apply, mutations, Mutation};
use oracle::{claim_consistent, guarded, lp_answer_holds, one_line};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use relucert::instance::{self, Syntax};
use relucert::verify::{verify, Limits, Verdict};
use relucert_core::Deadline;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Default seed of every property.
const DEFAULT_SEED: u64 = 0x5eed_0017;
/// The deadline given to library calls.
const DEADLINE: Duration = Duration::from_secs(1);
/// `--timeout` given to the CLI.
const CLI_TIMEOUT_SECS: u64 = 2;

/// The wall-time targets of issue 17 are asserted only with
/// `RELUCERT_FUZZ_TIMING=1` (the long run of docs/robustness.md): in the
/// default CI run, on a loaded machine, time is not a test oracle, and the
/// limits below are hang guards, far above any expected time.
fn timing_strict() -> bool {
    std::env::var("RELUCERT_FUZZ_TIMING").is_ok_and(|v| v.trim() == "1")
}

/// How long a call with [`DEADLINE`] may take: max(10%, 0.5 s) over it.
fn deadline_slack() -> Duration {
    if timing_strict() {
        Duration::from_millis(1500)
    } else {
        Duration::from_secs(30)
    }
}

/// Wall time allowed for a CLI command with `--timeout 2`.
fn cli_timeout_wall() -> Duration {
    if timing_strict() {
        Duration::from_millis(2500)
    } else {
        Duration::from_secs(30)
    }
}

/// Wall time allowed for a CLI command without `--timeout` (issue 17: no
/// run above 10 s).
fn cli_wall() -> Duration {
    if timing_strict() {
        Duration::from_secs(10)
    } else {
        Duration::from_secs(60)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Run `test` on `cases` values of `strategy` (deterministic seed, with
/// shrinking); panic with a reproducible report on failure.
fn run<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let cases = env_u64("RELUCERT_FUZZ_CASES").map_or(default_cases, |n| n as u32);
    let seed = env_u64("RELUCERT_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        max_shrink_time: 30_000,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let ran = AtomicUsize::new(0);
    let survey = std::env::var_os("RELUCERT_FUZZ_SURVEY").is_some();
    let found: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let result = runner.run(&strategy, |v| {
        ran.fetch_add(1, Ordering::Relaxed);
        let shown = format!("{v:?}");
        match test(v) {
            Err(TestCaseError::Fail(msg)) if survey => {
                if let Ok(mut f) = found.lock() {
                    f.push((msg.to_string(), shown));
                }
                Ok(())
            }
            r => r,
        }
    });
    if survey {
        report_survey(
            name,
            cases,
            seed,
            &found.lock().map(|f| f.clone()).unwrap_or_default(),
        );
        return;
    }
    if let Err(e) = result {
        panic!(
            "fuzz property `{name}` failed (cases: {cases}, values tried with shrinking: {}, \
             seed: RELUCERT_FUZZ_SEED={seed}):\n{e}",
            ran.load(Ordering::Relaxed)
        );
    }
    eprintln!("fuzz property `{name}`: {cases} cases passed (seed {seed})");
}

/// `RELUCERT_FUZZ_SURVEY=1`: run every case without stopping or shrinking
/// at a failure, and print the failures grouped by the start of their
/// message (with one input each), to list what fails today.
fn report_survey(name: &str, cases: u32, seed: u64, found: &[(String, String)]) {
    let mut groups: std::collections::BTreeMap<String, (usize, &str, &str)> = Default::default();
    for (msg, input) in found {
        // The group: the message up to its first digit or quote, so cases that differ
        // only in the file, line or number fall together.
        let mut key = String::new();
        let mut last = (' ', 0usize);
        for c in msg.chars() {
            let c = if c.is_ascii_digit() { '#' } else { c };
            last = if c == last.0 { (c, last.1 + 1) } else { (c, 1) };
            if last.1 <= 2 {
                key.push(c);
            }
            if key.len() >= 90 {
                break;
            }
        }
        let e = groups.entry(key).or_insert((0, msg, input));
        e.0 += 1;
    }
    eprintln!(
        "survey `{name}` (seed {seed}, {cases} cases): {} failures",
        found.len()
    );
    for (key, (n, msg, input)) in groups {
        let short: String = msg.chars().take(220).collect();
        let inp: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
        eprintln!("  {n:4} x {key}\n       e.g. {short}\n       input {inp}");
    }
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

/// (seed index, mutations): shrinks towards the first seed and no mutation.
fn case(max_mutations: usize) -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (0usize..10_000, mutations(max_mutations))
}

/// The small budget every verification gets.
fn limits() -> Limits {
    Limits {
        max_pieces: 16,
        deadline: Deadline::after(DEADLINE),
        global_budget: 0,
        ..Limits::default()
    }
}

/// Parse (and, with a point, verify and check) one mutated instance text.
fn instance_case(text: String, syntax: Syntax, file: &'static str) -> Result<(), TestCaseError> {
    let parsed = guarded(cli_wall(), move || instance::parse(&text, syntax, file))
        .map_err(|e| fail(format!("instance::parse {e}")))?;
    let inst = match parsed.0 {
        Err(e) => return one_line(&e.to_string(), Some(file)).map_err(fail),
        Ok(inst) => inst,
    };
    if inst.point.is_none() {
        return Ok(());
    }
    let inst2 = inst.clone();
    let (out, took) = guarded(cli_wall(), move || verify(&inst2, &limits()))
        .map_err(|e| fail(format!("verify (timeout 1 s) {e}")))?;
    if took > deadline_slack() {
        return Err(fail(format!(
            "verify with a 1 s timeout took {:.2} s",
            took.as_secs_f64()
        )));
    }
    let out = match out {
        Err(e) => return one_line(&e.to_string(), None).map_err(fail),
        Ok(o) => o,
    };
    let decided = matches!(
        out.verdict,
        Verdict::LocalMin | Verdict::NotLocalMin | Verdict::GlobalMin
    );
    if let (true, Some(cert)) = (decided, out.certificate) {
        let json = cert.to_json();
        let (checked, _) = guarded(cli_wall(), move || relucert_check::check(&inst, &json))
            .map_err(|e| fail(format!("check of verify's certificate {e}")))?;
        match checked {
            Ok(acc) if acc.claim.name() == out.verdict.name() => {}
            Ok(acc) => {
                return Err(fail(format!(
                    "verify says {} but its certificate proves {}",
                    out.verdict.name(),
                    acc.claim.name()
                )))
            }
            Err(e) => {
                return Err(fail(format!(
                    "verify says {} but check rejects its certificate: {e}",
                    out.verdict.name()
                )))
            }
        }
    }
    Ok(())
}

#[test]
fn fuzz_instances_library() {
    let c = corpus();
    let others: Vec<&[u8]> = c.instances.iter().map(|s| s.text.as_bytes()).collect();
    run(
        "instances through parse/verify/check",
        400,
        case(3),
        |(i, ms)| {
            let seed = &c.instances[i % c.instances.len()];
            let bytes = apply(seed.text.as_bytes(), &ms, &others);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let file = match seed.syntax {
                Syntax::Toml => "fuzz-case.toml",
                Syntax::Json => "fuzz-case.json",
            };
            instance_case(text, seed.syntax, file)
        },
    );
}

#[test]
fn fuzz_lp_library() {
    let c = corpus();
    let others: Vec<&[u8]> = c.lps.iter().map(|(_, t)| t.as_bytes()).collect();
    run(
        "LP files through parse_lp/solve_within",
        800,
        case(3),
        |(i, ms)| {
            let (_, seed) = &c.lps[i % c.lps.len()];
            let text = String::from_utf8_lossy(&apply(seed.as_bytes(), &ms, &others)).into_owned();
            let (parsed, _) = guarded(cli_wall(), move || relucert_lp::parse::parse_lp(&text))
                .map_err(|e| fail(format!("parse_lp {e}")))?;
            let lp = match parsed {
                Err(e) => return one_line(&e.to_string(), None).map_err(fail),
                Ok(lp) => lp,
            };
            let lp2 = lp.clone();
            let (solved, took) = guarded(cli_wall(), move || {
                relucert_lp::solve_within(&lp2, &Deadline::after(DEADLINE))
            })
            .map_err(|e| fail(format!("solve_within {e}")))?;
            if took > deadline_slack() {
                return Err(fail(format!(
                    "solve_within with a 1 s deadline took {:.2} s",
                    took.as_secs_f64()
                )));
            }
            match solved {
                Err(_expired) => Ok(()),
                Ok(res) => lp_answer_holds(&lp, &res)
                    .map_err(|e| fail(format!("wrong LP answer `{}`: {e}", res.status()))),
            }
        },
    );
}

#[test]
fn fuzz_certificates_library() {
    let c = corpus();
    assert!(
        c.certs.len() >= 5,
        "only {} fixtures gave certificates",
        c.certs.len()
    );
    let others: Vec<&[u8]> = c.certs.iter().map(|s| s.cert_text.as_bytes()).collect();
    run(
        "certificates through check_within",
        600,
        case(3),
        |(i, ms)| {
            let seed = &c.certs[i % c.certs.len()];
            let bytes = apply(seed.cert_text.as_bytes(), &ms, &others);
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                return Ok(()); // not JSON: the CLI property covers the message
            };
            let inst = seed.instance.clone();
            let (checked, took) = guarded(cli_wall(), move || {
                relucert_check::check_within(&inst, &value, &Deadline::after(DEADLINE))
            })
            .map_err(|e| fail(format!("check_within {e}")))?;
            if took > deadline_slack() {
                return Err(fail(format!(
                    "check_within with a 1 s deadline took {:.2} s",
                    took.as_secs_f64()
                )));
            }
            match checked {
                Err(e) => one_line(&e.to_string(), None).map_err(fail),
                Ok(acc) => claim_consistent(acc.claim, seed.expect.as_ref()).map_err(|e| {
                    fail(format!(
                        "{} (fixture {}, verify said {})",
                        e,
                        seed.name,
                        seed.verdict.name()
                    ))
                }),
            }
        },
    );
}

fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "fuzz-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Does `relucert CMD --help` list `--timeout`?
fn has_timeout(cmd: &str) -> bool {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args([cmd, "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("--timeout"))
        .unwrap_or(false)
}

/// Run the binary with `args`; kill it after `wall`. The run must end
/// with status 0, 1 or 3, no panic, and on status 1 one line of at most
/// 300 characters naming one of `files`.
fn cli(args: &[&str], files: &[&Path], wall: Duration) -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start relucert: {e}"))?;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > wall => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`relucert {}` still running after {:.1} s (killed)",
                    args.join(" "),
                    wall.as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for relucert: {e}")),
        }
    };
    let err = reader.join().unwrap_or_default();
    let what = format!("`relucert {}`", args.join(" "));
    if err.contains("panicked") {
        return Err(format!("{what} panicked: {err}"));
    }
    match status.code() {
        Some(0) | Some(3) => Ok(()),
        Some(1) => {
            let line = err.strip_prefix("error: ").unwrap_or(&err);
            one_line(line, None).map_err(|e| format!("{what}: {e}"))?;
            if !files.iter().any(|f| {
                f.file_name()
                    .is_some_and(|n| err.contains(n.to_string_lossy().as_ref()))
            }) {
                return Err(format!("{what}: error names none of the files: {err:?}"));
            }
            Ok(())
        }
        other => Err(format!("{what} exited with {other:?}; stderr: {err:?}")),
    }
}

/// What the CLI property feeds: which seed family, which seed, mutations.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Instance,
    Lp,
    Certificate,
}

#[test]
fn fuzz_cli() {
    let c = corpus();
    let dir = scratch();
    let (lp_timeout, check_timeout) = (has_timeout("lp"), has_timeout("check"));
    let inst_others: Vec<&[u8]> = c.instances.iter().map(|s| s.text.as_bytes()).collect();
    let lp_others: Vec<&[u8]> = c.lps.iter().map(|(_, t)| t.as_bytes()).collect();
    let cert_others: Vec<&[u8]> = c.certs.iter().map(|s| s.cert_text.as_bytes()).collect();
    let kind = prop_oneof![
        2 => Just(Kind::Instance),
        1 => Just(Kind::Lp),
        1 => Just(Kind::Certificate)
    ];
    let n = AtomicUsize::new(0);
    run(
        "CLI eval/verify/lp/check",
        120,
        (kind, case(3)),
        |(kind, (i, ms))| {
            let k = n.fetch_add(1, Ordering::Relaxed);
            let t = CLI_TIMEOUT_SECS.to_string();
            match kind {
                Kind::Instance => {
                    let seed = &c.instances[i % c.instances.len()];
                    let ext = if seed.syntax == Syntax::Json {
                        "json"
                    } else {
                        "toml"
                    };
                    let f = dir.join(format!("case-{k}.{ext}"));
                    std::fs::write(&f, apply(seed.text.as_bytes(), &ms, &inst_others))
                        .map_err(|e| fail(e.to_string()))?;
                    let fs = f.to_string_lossy().into_owned();
                    cli(&["eval", &fs], &[&f], cli_wall()).map_err(fail)?;
                    cli(
                        &[
                            "verify",
                            &fs,
                            "--timeout",
                            &t,
                            "--max-pieces",
                            "16",
                            "--global-budget",
                            "0",
                        ],
                        &[&f],
                        cli_timeout_wall(),
                    )
                    .map_err(fail)
                }
                Kind::Lp => {
                    let (_, seed) = &c.lps[i % c.lps.len()];
                    let f = dir.join(format!("case-{k}.lp"));
                    std::fs::write(&f, apply(seed.as_bytes(), &ms, &lp_others))
                        .map_err(|e| fail(e.to_string()))?;
                    let fs = f.to_string_lossy().into_owned();
                    if lp_timeout {
                        cli(&["lp", &fs, "--timeout", &t], &[&f], cli_timeout_wall()).map_err(fail)
                    } else {
                        cli(&["lp", &fs], &[&f], cli_wall()).map_err(fail)
                    }
                }
                Kind::Certificate => {
                    let seed = &c.certs[i % c.certs.len()];
                    let ext = if seed.syntax == Syntax::Json {
                        "json"
                    } else {
                        "toml"
                    };
                    let inst = dir.join(format!("inst-{k}.{ext}"));
                    let cert = dir.join(format!("cert-{k}.json"));
                    std::fs::write(&inst, &seed.instance_text).map_err(|e| fail(e.to_string()))?;
                    std::fs::write(&cert, apply(seed.cert_text.as_bytes(), &ms, &cert_others))
                        .map_err(|e| fail(e.to_string()))?;
                    let (is, cs) = (inst.to_string_lossy(), cert.to_string_lossy());
                    if check_timeout {
                        cli(
                            &["check", &is, &cs, "--timeout", &t],
                            &[&inst, &cert],
                            cli_timeout_wall(),
                        )
                        .map_err(fail)
                    } else {
                        cli(&["check", &is, &cs], &[&inst, &cert], cli_wall()).map_err(fail)
                    }
                }
            }
        },
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mutations themselves: applying any list to any seed never panics
/// and every structure-aware edit is reproducible (same input, same bytes).
#[test]
fn mutations_are_total_and_deterministic() {
    let c = corpus();
    let others: Vec<&[u8]> = c.instances.iter().map(|s| s.text.as_bytes()).collect();
    run(
        "mutations total and deterministic",
        300,
        case(6),
        |(i, ms)| {
            let seed = c.instances[i % c.instances.len()].text.as_bytes();
            let a = apply(seed, &ms, &others);
            let b = apply(seed, &ms, &others);
            prop_assert_eq!(a, b);
            Ok(())
        },
    );
}

//! A second opinion on every fixture from the SMT solvers that are installed
//! (Z3, cvc5: a binary on PATH, or the `z3-solver` / `cvc5` Python package
//! driven by benches/peers/solve.py). Skipped, with a message saying so, when
//! none is found.
//!
//! By default only the first solver found is asked (Z3 before cvc5); set
//! `RELUCERT_SMT_SOLVERS=z3,cvc5` to ask both.
//!
//! Agreement rules (the `relucert smtlib` question: lower loss in the box?):
//! `not-local-min` needs `sat` at radii 1/100, 1/10, 1; `local-min` and
//! `global-min` need `unsat` at radius 1/1000. A timeout (10 s per query) is
//! recorded, not a failure; after one timeout the solver is not asked the
//! remaining radii of that instance, and the whole test keeps to a budget of
//! about 100 s. Every `sat` model with rational values is re-checked exactly:
//! inside the box, and relucert's exact loss there strictly below L*.

mod common;

use common::fixture_paths as fixtures;
use relucert::instance;
use relucert::network::Params;
use relucert::number::{fmt_q, parse_rational, Q};
use relucert::smtlib::smtlib;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const QUERY_LIMIT_S: u64 = 10;
const BUDGET: Duration = Duration::from_secs(100);

#[derive(Debug)]
enum How {
    Binary(String),
    Python(String),
}

#[derive(Debug)]
struct Solver {
    name: &'static str,
    how: How,
}

fn runs(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The solvers to ask: `RELUCERT_SMT_SOLVERS` (e.g. `z3,cvc5`) if set, else
/// the first one found (Z3 before cvc5), so that the test keeps to its budget.
fn find_solvers() -> Vec<Solver> {
    let wanted = std::env::var("RELUCERT_SMT_SOLVERS").ok();
    let mut out = Vec::new();
    for (name, version_flag) in [("z3", "-version"), ("cvc5", "--version")] {
        if let Some(w) = &wanted {
            if !w.split(',').any(|x| x.trim() == name) {
                continue;
            }
        } else if !out.is_empty() {
            break;
        }
        if runs(name, &[version_flag]) {
            out.push(Solver {
                name,
                how: How::Binary(name.to_string()),
            });
            continue;
        }
        for py in ["python3", "python"] {
            if runs(py, &["-c", &format!("import {name}")]) {
                out.push(Solver {
                    name,
                    how: How::Python(py.to_string()),
                });
                break;
            }
        }
    }
    out
}

/// Run with a wall-clock limit: (stdout, finished in time).
fn run_limited(mut cmd: Command, limit: Duration) -> (String, bool) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the solver");
    let start = Instant::now();
    let finished = loop {
        if child.try_wait().expect("wait").is_some() {
            break true;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut s = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut s);
    }
    (s, finished)
}

#[derive(Debug, PartialEq)]
enum Answer {
    Sat(Option<Vec<Option<Q>>>),
    Unsat,
    Timeout,
    Error(String),
}

// --- reading a solver's (get-value ...) answer -----------------------------

#[derive(Debug)]
enum Sx {
    Atom(String),
    List(Vec<Sx>),
}

fn parse_sx(text: &str) -> Option<Sx> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    fn one(t: &[&str], pos: &mut usize) -> Option<Sx> {
        let tok = *t.get(*pos)?;
        *pos += 1;
        if tok == "(" {
            let mut items = Vec::new();
            while *t.get(*pos)? != ")" {
                items.push(one(t, pos)?);
            }
            *pos += 1;
            Some(Sx::List(items))
        } else {
            Some(Sx::Atom(tok.to_string()))
        }
    }
    one(&tokens, &mut 0)
}

/// An exact rational from a value term; None for algebraic numbers.
fn value(e: &Sx) -> Option<Q> {
    match e {
        Sx::Atom(a) => parse_rational(a).ok(),
        Sx::List(items) => match items.as_slice() {
            [Sx::Atom(op), x] if op == "-" => value(x).map(|v| -v),
            [Sx::Atom(op), x, y] if op == "/" => {
                let (a, b) = (value(x)?, value(y)?);
                (b != Q::from_integer(0.into())).then(|| a / b)
            }
            _ => None,
        },
    }
}

fn model_from_get_value(text: &str, n: usize) -> Option<Vec<Option<Q>>> {
    let Sx::List(pairs) = parse_sx(text)? else {
        return None;
    };
    let mut m = vec![None; n];
    for p in pairs {
        if let Sx::List(kv) = p {
            if let [Sx::Atom(name), v] = kv.as_slice() {
                if let Some(i) = name.strip_prefix('p').and_then(|d| d.parse::<usize>().ok()) {
                    if i < n {
                        m[i] = value(v);
                    }
                }
            }
        }
    }
    Some(m)
}

fn query(s: &Solver, file: &Path, n: usize) -> Answer {
    query_within(s, file, n, QUERY_LIMIT_S)
}

/// `query` with a time limit of `secs` seconds.
fn query_within(s: &Solver, file: &Path, n: usize, secs: u64) -> Answer {
    let limit = Duration::from_secs(secs + 3);
    match &s.how {
        How::Binary(bin) => {
            let mut cmd = Command::new(bin);
            if s.name == "z3" {
                cmd.arg(format!("-T:{secs}"));
            } else {
                cmd.arg(format!("--tlimit-per={}", secs * 1000));
            }
            cmd.arg(file);
            let (out, finished) = run_limited(cmd, limit);
            let first = out.lines().next().unwrap_or("").trim().to_string();
            match first.as_str() {
                "sat" => {
                    let rest: String = out.lines().skip(1).collect::<Vec<_>>().join("\n");
                    Answer::Sat(model_from_get_value(&rest, n))
                }
                "unsat" => Answer::Unsat,
                "timeout" | "unknown" => Answer::Timeout,
                _ if !finished => Answer::Timeout,
                _ => Answer::Error(out.chars().take(300).collect()),
            }
        }
        How::Python(py) => {
            let script = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
                .join("benches/peers/solve.py");
            let mut cmd = Command::new(py);
            cmd.arg(script)
                .arg(s.name)
                .arg(file)
                .arg("--timeout")
                .arg(secs.to_string());
            let (out, finished) = run_limited(cmd, limit);
            if !finished {
                return Answer::Timeout;
            }
            let Ok(v) = serde_json::from_str::<Value>(out.lines().last().unwrap_or("")) else {
                return Answer::Error(out.chars().take(300).collect());
            };
            match v["answer"].as_str() {
                Some("sat") => Answer::Sat(v["model"].as_object().map(|m| {
                    (0..n)
                        .map(|i| {
                            m.get(&format!("p{i}"))
                                .and_then(Value::as_str)
                                .and_then(|t| parse_rational(t).ok())
                        })
                        .collect()
                })),
                Some("unsat") => Answer::Unsat,
                Some("timeout") | Some("unknown") => Answer::Timeout,
                _ => Answer::Error(v.to_string()),
            }
        }
    }
}

fn verdict(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["verify", "--json"])
        .arg(path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("verify --json");
    v["verdict"].as_str().unwrap().to_string()
}

#[test]
fn solvers_agree_with_relucert_on_fixtures() {
    let solvers = find_solvers();
    if solvers.is_empty() {
        // Written to the stderr handle itself, which the test harness does
        // not capture, so that the skip shows in a plain `cargo test`.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED smtlib_solvers: no SMT solver found (neither `z3` nor `cvc5` on PATH, \
             nor their Python packages); install one with `pip install z3-solver cvc5`"
        );
        return;
    }
    println!("solvers: {solvers:?}");
    let dir = std::env::temp_dir().join(format!("relucert-smt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let start = Instant::now();
    let mut problems = Vec::new();
    let mut answered = vec![0usize; solvers.len()];
    let (mut timeouts, mut skipped, mut models_checked) = (0, 0, 0);
    for path in fixtures() {
        let inst = instance::load(&path).unwrap();
        let point = inst.point.clone().unwrap();
        let c = point.flat();
        let lstar = inst.problem.loss(&point);
        let v = verdict(&path);
        let (radii, expect_sat): (&[&str], bool) = match v.as_str() {
            // Small boxes first: they are the easier questions for the solvers.
            "not-local-min" => (&["1/100", "1/10", "1"], true),
            "local-min" | "global-min" => (&["1/1000"], false),
            _ => (&[], false),
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for (si, s) in solvers.iter().enumerate() {
            let mut line = Vec::new();
            for r in radii {
                if start.elapsed() > BUDGET {
                    skipped += 1;
                    line.push(format!("{r}:skipped (time budget)"));
                    continue;
                }
                let radius = parse_rational(r).unwrap();
                let file = dir.join(format!("{name}-{}.smt2", r.replace('/', "_")));
                std::fs::write(&file, smtlib(&inst, &radius).unwrap()).unwrap();
                let ans = query(s, &file, c.len());
                let word = match &ans {
                    Answer::Sat(_) => "sat",
                    Answer::Unsat => "unsat",
                    Answer::Timeout => "timeout",
                    Answer::Error(_) => "error",
                };
                line.push(format!("{r}:{word}"));
                match ans {
                    Answer::Timeout => {
                        timeouts += 1;
                        break;
                    }
                    Answer::Error(e) => problems.push(format!("{name}: {} error: {e}", s.name)),
                    Answer::Unsat => {
                        answered[si] += 1;
                        if expect_sat {
                            problems.push(format!(
                                "{name}: relucert says {v}, {} says unsat at radius {r}",
                                s.name
                            ));
                        }
                    }
                    Answer::Sat(model) => {
                        answered[si] += 1;
                        if !expect_sat {
                            problems.push(format!(
                                "{name}: relucert says {v}, {} says sat at radius {r}",
                                s.name
                            ));
                        }
                        // The model, exactly: inside the box, lower loss.
                        let vals = model.and_then(|m| m.into_iter().collect::<Option<Vec<Q>>>());
                        if vals.is_none() {
                            // Algebraic (irrational) values, or no model.
                            line.push("(model not rational: unchecked)".to_string());
                        }
                        if let Some(vals) = vals {
                            models_checked += 1;
                            let inside = vals
                                .iter()
                                .zip(&c)
                                .all(|(a, b)| (a - b) <= radius && (b - a) <= radius);
                            let p = Params::from_flat(&inst.problem.arch, &vals).unwrap();
                            let l = inst.problem.loss(&p);
                            if !inside || l >= lstar {
                                problems.push(format!(
                                    "{name}: {} model at radius {r} is wrong: inside box {inside}, loss {} vs L* {}",
                                    s.name,
                                    fmt_q(&l),
                                    fmt_q(&lstar)
                                ));
                            }
                        }
                    }
                }
            }
            println!("{name:45} {v:14} {:5} {}", s.name, line.join(" "));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    let names: Vec<&str> = solvers.iter().map(|s| s.name).collect();
    let _ = writeln!(
        std::io::stderr(),
        "smtlib_solvers: {names:?}: queries answered {answered:?}; timeouts {timeouts}; \
         skipped for the budget {skipped}; sat models re-checked exactly {models_checked}; \
         {:.1} s",
        start.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems.join("\n")
    );
    for (s, a) in solvers.iter().zip(&answered) {
        assert!(
            *a > 0,
            "{} answered no query at all: is it installed correctly?",
            s.name
        );
    }
}

/// Regression (squared and absolute): generated dead-unit instances, whose
/// construction settles local minimality independently of relucert (units
/// dead on a margin far wider than the box, so near the point the loss is a
/// convex function of the output bias alone), and not-local-min verdicts of
/// the kinks families. A claimed minimum needs `unsat` at radii 1/1000 and
/// 1/10000 (two radii); a claimed non-minimum (by construction or by
/// relucert) needs `sat` at 1/100, with its model re-checked exactly.
#[test]
fn solvers_agree_on_regression_instances() {
    use relucert::gen::{generate, Family};
    use relucert::network::LossKind;
    use relucert::verify::{verify, Limits, Verdict};
    let Some(s) = find_solvers().into_iter().next() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED smtlib_solvers (regression): no SMT solver found"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("relucert-smt-reg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let start = Instant::now();
    let (mut problems, mut asked, mut timeouts, mut squared_unsat) = (Vec::new(), 0, 0, 0);
    let mut cases: Vec<(String, instance::Instance, bool)> = Vec::new();
    for name in ["squared-dead", "absolute-dead"] {
        for i in 0..6 {
            let inst = generate(Family::parse(name).unwrap(), 1, i).instance;
            let min = inst.expect.as_ref().and_then(|e| e.local_min).unwrap();
            cases.push((format!("{name}-{i}"), inst, min));
        }
    }
    for name in ["squared-kinks", "absolute-kinks"] {
        let mut found = 0;
        for i in 0..20 {
            let inst = generate(Family::parse(name).unwrap(), 1, i).instance;
            if found < 3
                && verify(&inst, &Limits::default()).unwrap().verdict == Verdict::NotLocalMin
            {
                found += 1;
                cases.push((format!("{name}-{i}"), inst, false));
            }
        }
    }
    for (name, inst, min) in &cases {
        let point = inst.point.clone().unwrap();
        let c = point.flat();
        let lstar = inst.problem.loss(&point);
        let out = verify(inst, &Limits::default()).unwrap();
        let decided = match out.verdict {
            Verdict::LocalMin | Verdict::GlobalMin => Some(true),
            Verdict::NotLocalMin => Some(false),
            _ => None,
        };
        if decided.is_some_and(|d| d != *min) {
            problems.push(format!(
                "{name}: construction says {min}, relucert {:?}",
                out.verdict
            ));
        }
        let radii: &[&str] = if *min {
            &["1/1000", "1/10000"]
        } else {
            &["1/100"]
        };
        for r in radii {
            if start.elapsed() > Duration::from_secs(25) {
                break;
            }
            let radius = parse_rational(r).unwrap();
            let file = dir.join(format!("{name}-{}.smt2", r.replace('/', "_")));
            std::fs::write(&file, smtlib(inst, &radius).unwrap()).unwrap();
            let ans = query_within(&s, &file, c.len(), 3);
            asked += 1;
            let (timed_out, unsat) = (matches!(ans, Answer::Timeout), matches!(ans, Answer::Unsat));
            match ans {
                Answer::Unsat if !*min => problems.push(format!("{name}: unsat at {r}")),
                Answer::Sat(_) if *min => problems.push(format!("{name}: sat at {r}")),
                Answer::Sat(Some(model)) => {
                    if let Some(vals) = model.into_iter().collect::<Option<Vec<Q>>>() {
                        let inside = vals
                            .iter()
                            .zip(&c)
                            .all(|(a, b)| (a - b) <= radius && (b - a) <= radius);
                        let p = Params::from_flat(&inst.problem.arch, &vals).unwrap();
                        if !inside || inst.problem.loss(&p) >= lstar {
                            problems.push(format!("{name}: model at {r} does not lower the loss"));
                        }
                    }
                }
                Answer::Error(e) => problems.push(format!("{name}: {} error: {e}", s.name)),
                _ => {}
            }
            if unsat && inst.problem.loss == LossKind::Squared {
                squared_unsat += 1;
            }
            if timed_out {
                timeouts += 1;
                break;
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    let _ = writeln!(
        std::io::stderr(),
        "smtlib_solvers (regression): {} cases, {asked} queries to {} ({timeouts} timeouts at 3 s, \
         {squared_unsat} squared unsat), {:.1} s",
        cases.len(),
        s.name,
        start.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems.join("\n")
    );
    assert!(asked >= 15, "only {asked} queries");
    assert!(squared_unsat >= 1, "no squared-loss minimum confirmed");
}

//! In-process deciding time of `relucert verify` on the SMT-peer instances
//! (benches/peers/README.md): each instance file is read and parsed once,
//! then `relucert::verify::verify(&inst, &Limits::default())` is timed alone
//! with `std::time::Instant`, no process start-up, no file reading, no JSON.
//! A second figure times parse (from the file's text already in memory) plus
//! verify, for a comparison with the solvers' parse + check-sat.
//!
//! Per instance: one untimed warm-up call, then repetitions until
//! `--budget-ms` (default 300) of measured time is spent, at least
//! `--min-reps` (5) and at most `--max-reps` (51); the median is reported.
//!
//! Run (harness = false, plain `main`):
//!
//! ```text
//! cargo bench --bench peers_inproc                        # every fixture
//! cargo bench --bench peers_inproc -- --list FILES.txt    # one path a line
//! cargo bench --bench peers_inproc -- --dir DIR
//! ```
//!
//! `benches/peers/run.py --inproc` writes the list of its instances and runs
//! this itself. Output: one JSON object per instance on stdout
//! (`file`, `verdict`, `loss`, `reps`, `verify_ns_median`, `verify_ns_min`,
//! `parse_verify_ns_median`), a summary on stderr.

use relucert::instance::{self, Syntax};
use relucert::number::fmt_q;
use relucert::verify::{verify, Limits};
use serde_json::json;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Options {
    files: Vec<PathBuf>,
    budget: Duration,
    min_reps: usize,
    max_reps: usize,
}

fn instance_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml") | Some("json")
            )
        })
        .collect();
    out.sort();
    out
}

fn options() -> Options {
    let mut files = Vec::new();
    let mut budget = Duration::from_millis(300);
    let (mut min_reps, mut max_reps) = (5usize, 51usize);
    let mut args = std::env::args().skip(1);
    let value = |args: &mut dyn Iterator<Item = String>, flag: &str| -> String {
        args.next()
            .unwrap_or_else(|| panic!("{flag} needs a value"))
    };
    let number = |s: String, flag: &str| -> u64 {
        s.parse()
            .unwrap_or_else(|_| panic!("{flag}: not a number: {s}"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => {
                let list = value(&mut args, "--list");
                let text = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{list}: {e}"));
                files.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(PathBuf::from),
                );
            }
            "--dir" => files.extend(instance_files(Path::new(&value(&mut args, "--dir")))),
            "--budget-ms" => {
                budget = Duration::from_millis(number(value(&mut args, &a), "--budget-ms"))
            }
            "--min-reps" => min_reps = number(value(&mut args, &a), "--min-reps") as usize,
            "--max-reps" => max_reps = number(value(&mut args, &a), "--max-reps") as usize,
            // what `cargo bench` passes to every bench target
            "--bench" => {}
            other => panic!(
                "unknown argument {other}; usage: [--list FILE | --dir DIR] [--budget-ms N] [--min-reps N] [--max-reps N]"
            ),
        }
    }
    if files.is_empty() {
        files = instance_files(
            &Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("fixtures"),
        );
    }
    Options {
        files,
        budget,
        min_reps: min_reps.max(1),
        max_reps: max_reps.max(min_reps.max(1)),
    }
}

/// Warm-up once, then time `f` until the budget is spent (within the
/// repetition bounds); the sorted samples in nanoseconds.
fn sample(opts: &Options, mut f: impl FnMut()) -> Vec<u128> {
    f();
    let mut ns = Vec::new();
    let mut spent = Duration::ZERO;
    while ns.len() < opts.max_reps && (ns.len() < opts.min_reps || spent < opts.budget) {
        let t0 = Instant::now();
        f();
        let dt = t0.elapsed();
        spent += dt;
        ns.push(dt.as_nanos());
    }
    ns.sort_unstable();
    ns
}

fn median(sorted: &[u128]) -> u128 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

fn main() {
    let opts = options();
    let limits = Limits::default();
    let mut medians = Vec::new();
    for path in &opts.files {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.display().to_string();
        let syntax = Syntax::of_path(path);
        let inst = match instance::parse(&text, syntax, &name) {
            Ok(i) => i,
            Err(e) => {
                println!("{}", json!({"file": name, "error": e.to_string()}));
                continue;
            }
        };
        let out = match verify(&inst, &limits) {
            Ok(o) => o,
            Err(e) => {
                println!("{}", json!({"file": name, "error": e.to_string()}));
                continue;
            }
        };
        let verify_ns = sample(&opts, || {
            black_box(verify(black_box(&inst), &limits).ok());
        });
        let parse_verify_ns = sample(&opts, || {
            let i = instance::parse(black_box(&text), syntax, &name).expect("parsed once already");
            black_box(verify(&i, &limits).ok());
        });
        let m = median(&verify_ns);
        medians.push(m);
        println!(
            "{}",
            json!({
                "file": name,
                "verdict": out.verdict.name(),
                "loss": fmt_q(&out.loss),
                "reps": verify_ns.len(),
                "verify_ns_median": m as u64,
                "verify_ns_min": verify_ns[0] as u64,
                "parse_verify_ns_median": median(&parse_verify_ns) as u64,
            })
        );
    }
    medians.sort_unstable();
    if !medians.is_empty() {
        eprintln!(
            "peers_inproc: {} instances; median over instances of the per-instance median verify time: {:.1} us (max {:.1} us)",
            medians.len(),
            median(&medians) as f64 / 1e3,
            *medians.last().expect("nonempty") as f64 / 1e3
        );
    }
}

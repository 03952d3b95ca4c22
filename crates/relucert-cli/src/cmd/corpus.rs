//! `relucert corpus [--family F,...] [--seed S] [--count N] [--timeout SECS]
//! [--json] [--write-undecided DIR]`: verify a generated corpus and
//! summarise the verdicts, times and undecided reasons.
//!
//! Owns: checking the arguments, the progress bar, the text and JSON
//! shapes of the summary, and exit status 3 when an `[expect]` disagrees
//! with a verdict (or the verifier failed on an instance).
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! run, its summaries, reason groups and disagreements (`expect::compare`)
//! come from `relucert::corpus`.

use super::output::{qs, CliError, Output, EXIT_DISAGREE, EXIT_OK};
use relucert::corpus::{run as run_corpus, Options as RunOptions, Summary};
use relucert::gen::{source_line, Family};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options of `relucert corpus`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Comma-separated families (default: the default corpus).
    pub families: Option<String>,
    /// Seed of every family's stream.
    pub seed: u64,
    /// Instances per family.
    pub count: u64,
    /// Time limit of each verification in seconds.
    pub timeout_secs: u64,
    /// JSON output.
    pub json: bool,
    /// Write every undecided instance into this directory.
    pub write_undecided: Option<PathBuf>,
}

fn pct(f: f64) -> String {
    format!("{:.1}%", 100.0 * f)
}

fn summary_json(s: &Summary) -> Value {
    json!({
        "family": s.family.map(|f| f.name()),
        "instances": s.instances,
        "verdicts": {
            "global-min": s.global_min,
            "local-min": s.local_min,
            "not-local-min": s.not_local_min,
            "undecided": s.undecided,
        },
        "failed": s.failed,
        "undecided_fraction": s.undecided_fraction(),
        "median_secs": s.median_secs,
        "max_secs": s.max_secs,
    })
}

/// `relucert corpus ...`.
pub fn run(opts: &Options) -> Result<Output, CliError> {
    let families = match &opts.families {
        Some(list) => Family::parse_list(list).map_err(|e| CliError::at("--family", e))?,
        None => Family::DEFAULT_CORPUS.to_vec(),
    };
    if opts.count == 0 {
        return Err(CliError::at(
            "--count",
            "expected a positive number of instances per family, found 0",
        ));
    }
    if opts.timeout_secs == 0 {
        return Err(CliError::at(
            "--timeout",
            "expected a positive number of seconds, found 0",
        ));
    }
    let run_opts = RunOptions {
        families,
        seed: opts.seed,
        count: opts.count,
        timeout_secs: opts.timeout_secs,
        write_undecided: opts.write_undecided.clone(),
        deadline: relucert::Deadline::never(),
    };
    let total = run_opts.count * run_opts.families.len() as u64;
    let bar = {
        use std::io::IsTerminal;
        std::io::stderr()
            .is_terminal()
            .then(|| indicatif::ProgressBar::new(total))
    };
    let report = run_corpus(&run_opts, &mut |done, _| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report.map_err(|e| CliError::BadInput(e.to_string()))?;
    let per = report.per_family();
    let all = report.overall();
    let reasons = report.reasons();
    let problems = report.problems();
    let status = if problems.is_empty() {
        EXIT_OK
    } else {
        EXIT_DISAGREE
    };
    let command = run_opts.command_line();
    let known = report.undecided_with_expectation();
    if opts.json {
        let v = json!({
            "command": command,
            "seed": run_opts.seed,
            "count": run_opts.count,
            "timeout_secs": run_opts.timeout_secs,
            "families": run_opts.families.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "per_family": per.iter().map(summary_json).collect::<Vec<_>>(),
            "overall": summary_json(&all),
            "undecided_with_expectation": {
                "local_min_true": known.0,
                "local_min_false": known.1,
                "only_global_min_false": known.2,
            },
            "undecided_reasons": reasons.iter().map(|g| json!({
                "reason": g.reason,
                "count": g.count,
                "families": g.families.iter().map(|(f, c)| (f.name().to_string(), json!(c))).collect::<serde_json::Map<String, Value>>(),
            })).collect::<Vec<_>>(),
            "problems": problems.iter().map(|r| json!({
                "family": r.family.name(),
                "index": r.index,
                "source": source_line(r.family, run_opts.seed, r.index),
                "problems": r.problems,
            })).collect::<Vec<_>>(),
            "instances": report.records.iter().map(|r| json!({
                "family": r.family.name(),
                "index": r.index,
                "name": r.name,
                "verdict": r.verdict.map(|v| v.name()),
                "loss": r.loss.as_ref().map(qs),
                "reason": r.reason,
                "seconds": r.seconds,
                "written": r.written.as_ref().map(|p| p.display().to_string()),
            })).collect::<Vec<_>>(),
        });
        return Ok(Output {
            stdout: format!("{v:#}\n"),
            status,
        });
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "corpus: {} famil{} x {} instances, seed {}, time limit {} s per instance",
        run_opts.families.len(),
        if run_opts.families.len() == 1 {
            "y"
        } else {
            "ies"
        },
        run_opts.count,
        run_opts.seed,
        run_opts.timeout_secs
    );
    let _ = writeln!(s, "reproduce: {command}\n");
    let _ = writeln!(
        s,
        "| family | instances | global-min | local-min | not-local-min | undecided | undecided % | median ms | max ms |"
    );
    let _ = writeln!(
        s,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for sm in per.iter().chain(std::iter::once(&all)) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.1} |",
            sm.family.map_or("all", |f| f.name()),
            sm.instances,
            sm.global_min,
            sm.local_min,
            sm.not_local_min,
            sm.undecided,
            pct(sm.undecided_fraction()),
            1000.0 * sm.median_secs,
            1000.0 * sm.max_secs
        );
    }
    if all.failed > 0 {
        let _ = writeln!(s, "\nverifier failures (error or panic): {}", all.failed);
    }
    if reasons.is_empty() {
        let _ = writeln!(s, "\nundecided reasons: none");
    } else {
        let _ = writeln!(
            s,
            "\nundecided reasons (first clause, numbers as N):\n\n| reason | count | families |\n| --- | ---: | --- |"
        );
        for g in &reasons {
            let fams: Vec<String> = g
                .families
                .iter()
                .map(|(f, c)| format!("{} {c}", f.name()))
                .collect();
            let _ = writeln!(s, "| {} | {} | {} |", g.reason, g.count, fams.join(", "));
        }
    }
    let (known_min, known_not, known_not_global) = known;
    if known_min + known_not + known_not_global > 0 {
        let _ = writeln!(
            s,
            "\nundecided although [expect] states the answer: {known_min} with local_min = true, {known_not} with local_min = false, {known_not_global} with only global_min = false"
        );
    }
    if let Some(dir) = &run_opts.write_undecided {
        let written = report.written_count();
        let _ = writeln!(
            s,
            "\nwrote {written} undecided instance{} to {}",
            if written == 1 { "" } else { "s" },
            dir.display()
        );
    }
    if problems.is_empty() {
        let _ = writeln!(s, "\nexpectation disagreements: none");
    } else {
        let _ = writeln!(
            s,
            "\nEXPECTATION DISAGREEMENTS (a bug in the verifier or the generator; reproduce each with its command):"
        );
        for r in &problems {
            for p in &r.problems {
                let _ = writeln!(
                    s,
                    "  {}: {p}",
                    source_line(r.family, run_opts.seed, r.index)
                );
            }
        }
    }
    Ok(Output { stdout: s, status })
}

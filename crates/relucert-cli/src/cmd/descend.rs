//! `relucert descend FILE [--out OUT.toml] [--json] [--max-steps N]
//! [--timeout S]`, or with `--starts K [--seed S]` the statistic over K
//! random starts.
//!
//! Owns: the text and JSON shapes of `descend` and writing the final
//! point's instance file.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! descent, the end instance and the multi-start counts come from
//! `relucert::descend`.

use super::output::{load, qs, CliError, Output};
use relucert::descend::{descend, random_starts, End};
use relucert::instance::{self, Instance};
use relucert::number::fmt_q;
use relucert::verify::Limits;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `relucert descend`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// JSON output.
    pub json: bool,
    /// Write the final point as an instance file.
    pub out: Option<PathBuf>,
    /// Stop after this many steps.
    pub max_steps: usize,
    /// Descend from this many random starts instead.
    pub starts: Option<usize>,
    /// Seed of the first random start.
    pub seed: u64,
    /// Stop the whole command (every start) at this deadline.
    pub deadline: relucert::Deadline,
}

/// `relucert descend ...`.
pub fn run(path: &Path, opts: &Options) -> Result<Output, CliError> {
    let file = path.display().to_string();
    let inst = load(path)?;
    let limits = Limits {
        deadline: opts.deadline.clone(),
        ..Limits::default()
    };
    if let Some(k) = opts.starts {
        return starts(&file, &inst, k, opts, &limits);
    }
    if inst.point.is_none() {
        return Err(CliError::at(
            &file,
            "point: missing table: descend needs a [point] to start from (or use --starts K)",
        ));
    }
    let d = descend(&inst, opts.max_steps, &limits).map_err(|e| CliError::at(&file, e))?;
    if let Some(out) = &opts.out {
        std::fs::write(out, instance::to_toml(&d.end_instance(&file)))
            .map_err(|e| CliError::at(out.display(), format_args!("cannot write: {e}")))?;
    }
    if opts.json {
        let v = json!({
            "file": file,
            "loss": qs(&d.outcome.loss),
            "verdict": d.outcome.verdict.name(),
            "steps": d.steps,
            "start_loss": qs(&d.losses[0]),
            "losses": d.losses.iter().map(qs).collect::<Vec<_>>(),
            "stop": d.stop,
            "out": opts.out.as_ref().map(|p| p.display().to_string()),
        });
        return Ok(Output::ok(format!("{v:#}\n")));
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    let _ = writeln!(s, "start loss: {}", fmt_q(&d.losses[0]));
    let _ = writeln!(s, "steps: {}", d.steps);
    let _ = writeln!(s, "loss: {}", fmt_q(&d.outcome.loss));
    let _ = writeln!(s, "verdict: {}", d.outcome.verdict.name());
    let _ = writeln!(s, "stopped: {}", d.stop);
    if let Some(out) = &opts.out {
        let _ = writeln!(s, "final point written to {}", out.display());
    }
    Ok(Output::ok(s))
}

/// The statistic over `k` random starts.
fn starts(
    file: &str,
    inst: &Instance,
    k: usize,
    opts: &Options,
    limits: &Limits,
) -> Result<Output, CliError> {
    let st = random_starts(inst, k, opts.seed, opts.max_steps, limits, &mut |_, _| {})
        .map_err(|e| CliError::at(file, e))?;
    let zero = st.count(End::MinZeroLoss);
    let positive_min = st.count(End::MinPositiveLoss);
    let undecided = st.count(End::Undecided);
    let limit = st.count(End::StepOrTimeLimit);
    if opts.json {
        let rows: Vec<Value> = st
            .runs
            .iter()
            .map(|r| {
                json!({
                    "seed": r.seed,
                    "loss": qs(&r.loss),
                    "verdict": r.verdict.name(),
                    "steps": r.steps,
                })
            })
            .collect();
        let v = json!({
            "file": file,
            "starts": k,
            "seed": opts.seed,
            "certified_min_zero_loss": zero,
            "certified_min_positive_loss": positive_min,
            "undecided": undecided,
            "step_or_time_limit": limit,
            "runs": rows,
        });
        return Ok(Output::ok(format!("{v:#}\n")));
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "instance: {file} ({} random starts, seed {}, at most {} steps each)",
        k, opts.seed, opts.max_steps
    );
    let _ = writeln!(s, "| ended at | runs |\n| --- | --- |");
    let _ = writeln!(s, "| certified minimum, loss 0 | {zero} |");
    let _ = writeln!(
        s,
        "| certified minimum, loss > 0 (sub-optimal) | {positive_min} |"
    );
    let _ = writeln!(s, "| undecided | {undecided} |");
    let _ = writeln!(s, "| step or time limit | {limit} |");
    Ok(Output::ok(s))
}

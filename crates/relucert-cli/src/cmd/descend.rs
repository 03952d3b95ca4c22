//! `relucert descend FILE [--out OUT.toml] [--json] [--max-steps N]
//! [--timeout S]`, or with `--starts K [--seed S] [--out DIR]` the
//! statistic over K random starts.
//!
//! Owns: the text and JSON shapes of `descend`, writing the final point's
//! instance file (or, with `--starts`, one file per certified minimum in
//! `DIR`), and the progress bar of `--starts` on a terminal.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! descent, the end instance and the multi-start counts come from
//! `relucert::descend`.

use super::output::{load, params_json, qs, with_decimal, CliError, Output};
use relucert::descend::{descend, random_starts, End};
use relucert::instance::{self, Instance};
use relucert::verify::Limits;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `relucert descend`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// JSON output.
    pub json: bool,
    /// Write the final point as an instance file (with `starts`: the
    /// directory for the certified minima).
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
    let clock = std::time::Instant::now();
    let d = descend(&inst, opts.max_steps, &limits).map_err(|e| CliError::at(&file, e))?;
    let seconds = clock.elapsed().as_secs_f64();
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
            "stop": d.stop_kind.name(),
            "stop_reason": d.stop,
            "seconds": seconds,
            "kink_steps": d.kink_steps,
            "end_zeros": zeros_json(&d.end_zeros),
            "point": d.end.point.as_ref().map(params_json),
            "out": opts.out.as_ref().map(|p| p.display().to_string()),
        });
        return Ok(Output::ok(format!("{v:#}\n")));
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    let _ = writeln!(s, "start loss: {}", with_decimal(&d.losses[0]));
    let _ = writeln!(s, "steps: {}", d.steps);
    let _ = writeln!(s, "loss: {}", with_decimal(&d.outcome.loss));
    let _ = writeln!(s, "verdict: {}", d.outcome.verdict.name());
    let _ = writeln!(s, "stopped: {}", d.stop);
    if let Some(out) = &opts.out {
        let _ = writeln!(s, "final point written to {}", out.display());
    }
    Ok(Output::ok(s))
}

/// The zero pre-activations and loss arguments of an end point, as
/// `[point, layer, unit]` triples (0-based point and unit, 1-based layer;
/// the last layer is the loss's argument).
fn zeros_json(z: &[relucert::descend::linesearch::Kink]) -> Value {
    Value::Array(
        z.iter()
            .map(|k| json!([k.point, k.layer, k.unit]))
            .collect(),
    )
}

/// The directory of `--starts K --out DIR`: created if missing; a file,
/// or a name ending in `.toml` / `.json`, is refused (one file cannot hold
/// the minima of several runs).
fn out_dir(out: &Path) -> Result<(), CliError> {
    let ext = out.extension().and_then(|e| e.to_str());
    if matches!(ext, Some("toml") | Some("json")) || out.is_file() {
        return Err(CliError::at(
            out.display(),
            "--out with --starts is a directory for the certified minima (one file per run), not a file",
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| {
        CliError::at(
            out.display(),
            format_args!("cannot create the directory: {e}"),
        )
    })
}

/// A progress bar on stderr for `--starts`, only when stderr is a terminal.
fn progress_bar(k: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(k as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("descend: {bar:30} {pos}/{len} starts ({elapsed})")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// The statistic over `k` random starts.
fn starts(
    file: &str,
    inst: &Instance,
    k: usize,
    opts: &Options,
    limits: &Limits,
) -> Result<Output, CliError> {
    if let Some(dir) = &opts.out {
        out_dir(dir)?;
    }
    let bar = progress_bar(k);
    let st = random_starts(
        inst,
        k,
        opts.seed,
        opts.max_steps,
        limits,
        &mut |done, _| {
            if let Some(b) = &bar {
                b.set_position(done as u64);
            }
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let st = st.map_err(|e| CliError::at(file, e))?;
    // one instance file per run that ended at a certified minimum
    let mut written: Vec<Option<String>> = Vec::with_capacity(st.runs.len());
    for r in &st.runs {
        let path = match (&opts.out, r.end_instance(inst, file, opts.max_steps)) {
            (Some(dir), Some(end)) => {
                let p = dir.join(format!("start-{}.toml", r.seed));
                std::fs::write(&p, instance::to_toml(&end))
                    .map_err(|e| CliError::at(p.display(), format_args!("cannot write: {e}")))?;
                Some(p.display().to_string())
            }
            _ => None,
        };
        written.push(path);
    }
    let zero = st.count(End::MinZeroLoss);
    let positive_min = st.count(End::MinPositiveLoss);
    let undecided = st.count(End::Undecided);
    let limit = st.count(End::StepOrTimeLimit);
    let at_limit = st.runs.iter().filter(|r| r.stop_kind.is_limit()).count();
    let mut stops = serde_json::Map::new();
    for r in &st.runs {
        let n = stops
            .get(r.stop_kind.name())
            .and_then(Value::as_u64)
            .unwrap_or(0);
        stops.insert(r.stop_kind.name().to_string(), json!(n + 1));
    }
    if opts.json {
        let rows: Vec<Value> = st
            .runs
            .iter()
            .zip(&written)
            .map(|(r, w)| {
                json!({
                    "seed": r.seed,
                    "loss": qs(&r.loss),
                    "verdict": r.verdict.name(),
                    "steps": r.steps,
                    "stop": r.stop_kind.name(),
                    "stop_reason": r.stop,
                    "seconds": r.elapsed.as_secs_f64(),
                    "kink_steps": r.kink_steps,
                    "end_zeros": zeros_json(&r.end_zeros),
                    "point": params_json(&r.point),
                    "out": w,
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
            "stopped_at_limit": at_limit,
            "stops": stops,
            "out": opts.out.as_ref().map(|p| p.display().to_string()),
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
    if let Some(dir) = &opts.out {
        let n = written.iter().flatten().count();
        let _ = writeln!(
            s,
            "certified minima written: {n} (as {}/start-SEED.toml)",
            dir.display()
        );
    }
    Ok(Output::ok(s))
}

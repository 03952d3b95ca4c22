//! `relucert global FILE [--width M] [--json] [--cert OUT] [--out OPT.toml]
//! [--timeout S] [--max-sets N] [--shard K/N]`: the least hinge loss `L*_m`
//! over all one-hidden-layer networks of width `m`, with a network attaining
//! it and a `width-optimum` certificate; and `relucert global --merge
//! PART... --cert OUT [FILE] [--json]`: combining shard certificates.
//!
//! Owns: the text and JSON shapes of `global`, the announcement of a run's
//! size and its progress bar on stderr, the honest partial answer of an
//! incomplete run, writing the certificate and the optimum's instance file
//! (after re-evaluating its exact loss).
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! optimum, bounds and counts come from `relucert::global`, the merge from
//! `relucert::global::merge`, the merged certificate's judgement from
//! `relucert_check`.

use super::output::{
    input_settings, load, params_json, qs, read_input, with_decimal, CliError, Output,
};
use relucert::cert::{Certificate, Claim, Evidence, Header, Shard};
use relucert::global::{self, merge::merge, Optimum, Options as SolveOptions};
use relucert::instance::{self, canonical_hash, Expect, Instance};
use relucert::network::{Activation, Params, Problem};
use relucert::number::{fmt_q, Q};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `relucert global`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The hidden width (default: the instance's).
    pub width: Option<usize>,
    /// JSON output.
    pub json: bool,
    /// Write the certificate here.
    pub cert: Option<PathBuf>,
    /// Write the optimum as an instance file here.
    pub out: Option<PathBuf>,
    /// Stop at this deadline (an incomplete, honest answer).
    pub deadline: relucert::Deadline,
    /// Refuse runs with more sets than this.
    pub max_sets: Option<u128>,
    /// Only this shard (`K/N`).
    pub shard: Option<String>,
    /// Merge these shard certificates instead of solving.
    pub merge: Vec<PathBuf>,
}

/// `relucert global ...`.
pub fn run(file: Option<&Path>, opts: &Options) -> Result<Output, CliError> {
    if !opts.merge.is_empty() {
        return run_merge(file, opts);
    }
    let Some(path) = file else {
        return Err(CliError::BadInput(
            "global: an instance FILE is needed (or --merge PART... --cert OUT)".to_string(),
        ));
    };
    let file = path.display().to_string();
    let inst = load(path)?;
    let arch = &inst.problem.arch;
    let width = match opts.width {
        Some(w) => w,
        // The scope test is the solver's; with no hidden layer it answers
        // that, whatever the width.
        None if arch.hidden_layers() >= 1 => arch.widths[1],
        None => 1,
    };
    let shard = opts.shard.as_deref().map(parse_shard).transpose()?;
    let mut solve_opts = SolveOptions::new(width);
    solve_opts.shard = shard;
    solve_opts.max_sets = opts.max_sets;
    solve_opts.deadline = opts.deadline.clone();
    // at the deadline already while listing the chambers: `solve` then
    // gives the honest incomplete answer
    let plan = match global::plan(&inst.problem, &solve_opts) {
        Err(global::GlobalError::TimeLimit) => global::Plan {
            chambers: 0,
            pairs: 0,
            sets_total: 0,
        },
        r => r.map_err(|e| CliError::at(&file, e))?,
    };
    eprintln!(
        "global: {} chambers, {} pairs, {} sets of pairs to solve{}",
        plan.chambers,
        plan.pairs,
        plan.sets_total,
        shard
            .map(|s| format!(" (shard {}/{})", s.index, s.count))
            .unwrap_or_default()
    );
    let bar = {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal().then(|| {
            indicatif::ProgressBar::new(u64::try_from(plan.sets_total).unwrap_or(u64::MAX))
        })
    };
    let progress = |done: u128, total: u128| {
        if let Some(b) = &bar {
            b.set_length(u64::try_from(total).unwrap_or(u64::MAX));
            b.set_position(u64::try_from(done).unwrap_or(u64::MAX));
        }
    };
    if bar.is_some() {
        solve_opts.progress = Some(&progress);
    }
    let result = global::solve(&inst.problem, &solve_opts);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let opt = result.map_err(|e| CliError::at(&file, e))?;
    let cert_path = write_certificate(&inst, &opt, shard, opts.cert.as_deref())?;
    let out_path = match (&opts.out, opt.complete) {
        (Some(out), true) => {
            write_optimum(&inst, &file, &opt, out)?;
            Some(out.clone())
        }
        _ => None,
    };
    let shard_text = shard.map(|s| format!("{}/{}", s.index, s.count));
    if opts.json {
        let v = json!({
            "file": file,
            "name": inst.name,
            "width": opt.arch.widths.get(1).copied().unwrap_or(width),
            "activation": activation_name(&opt.arch.activation),
            "bias": opt.arch.bias,
            "complete": opt.complete,
            "optimum": if opt.complete { qs(&opt.value) } else { Value::Null },
            "best": qs(&opt.value),
            "lower_bound": qs(&opt.lower_bound),
            "chambers": opt.chambers,
            "pairs": opt.pairs,
            "sets": opt.sets_done.to_string().parse::<Value>().unwrap_or(Value::Null),
            "sets_total": opt.sets_total.to_string().parse::<Value>().unwrap_or(Value::Null),
            "fraction_done": fraction(opt.sets_done, opt.sets_total),
            "lps": opt.lps,
            "shard": shard_text,
            "network": params_json(&opt.witness),
            "certificate": cert_path.as_ref().map(|p| p.display().to_string()),
            "out": out_path.as_ref().map(|p| p.display().to_string()),
        });
        return Ok(Output::ok(format!("{v:#}\n")));
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "instance: {file}{}",
        inst.name
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "width: {}, activation: {}, biases: hidden {}, output {}",
        opt.arch.widths.get(1).copied().unwrap_or(width),
        activation_name(&opt.arch.activation),
        yes_no(opt.arch.bias.first()),
        yes_no(opt.arch.bias.get(1)),
    );
    if let Some(k) = &shard_text {
        let _ = writeln!(
            s,
            "shard: {k} (the least loss over this shard's sets of pairs only)"
        );
    }
    let lhs = match &shard_text {
        Some(k) => format!("L*(shard {k})"),
        None => "L*".to_string(),
    };
    if opt.complete {
        let _ = writeln!(s, "{lhs} = {}", with_decimal(&opt.value));
    } else {
        let _ = writeln!(
            s,
            "incomplete: stopped at the time limit after {} of {} sets ({:.1}% done)",
            opt.sets_done,
            opt.sets_total,
            100.0 * fraction(opt.sets_done, opt.sets_total)
        );
        let _ = writeln!(
            s,
            "best loss found: {} (an upper bound on {lhs}, attained by the network below)",
            with_decimal(&opt.value)
        );
        let _ = writeln!(
            s,
            "lower bound: {} ({lhs} is in [lower bound, best loss found])",
            with_decimal(&opt.lower_bound)
        );
    }
    let _ = writeln!(s, "chambers: {}", opt.chambers);
    let _ = writeln!(s, "pairs: {}", opt.pairs);
    let _ = writeln!(s, "sets: {} of {}", opt.sets_done, opt.sets_total);
    let _ = writeln!(s, "LPs solved: {}", opt.lps);
    let _ = writeln!(s, "network (exact loss {}):", with_decimal(&opt.value));
    s.push_str(&params_text(&opt.witness));
    match (&opts.cert, &cert_path) {
        (_, Some(p)) => {
            let _ = writeln!(
                s,
                "certificate: written to {} (re-check: relucert check {file} {})",
                p.display(),
                p.display()
            );
        }
        (Some(_), None) => {
            let _ = writeln!(s, "certificate: not written (the run is incomplete)");
        }
        (None, None) => {}
    }
    match (&opts.out, &out_path) {
        (_, Some(p)) => {
            let _ = writeln!(s, "optimum instance: written to {}", p.display());
        }
        (Some(_), None) => {
            let _ = writeln!(s, "optimum instance: not written (the run is incomplete)");
        }
        (None, None) => {}
    }
    Ok(Output::ok(s))
}

/// `K/N` with `1 <= K <= N`.
fn parse_shard(text: &str) -> Result<Shard, CliError> {
    let bad = || {
        CliError::BadInput(format!(
            "--shard {text}: expected K/N with 1 <= K <= N (e.g. --shard 3/8)"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let index: usize = k.trim().parse().map_err(|_| bad())?;
    let count: usize = n.trim().parse().map_err(|_| bad())?;
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// Write the certificate of a complete run (nothing for an incomplete
/// one); the path written.
fn write_certificate(
    inst: &Instance,
    opt: &Optimum,
    shard: Option<Shard>,
    path: Option<&Path>,
) -> Result<Option<PathBuf>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    if !opt.complete {
        return Ok(None);
    }
    let Some(body) = opt.certificate.clone() else {
        return Err(CliError::BadInput(
            "internal error: a complete run without a certificate".to_string(),
        ));
    };
    let (claim, evidence) = match shard {
        Some(_) => (Claim::ShardOptimum, Evidence::WidthOptimumShard(body)),
        None => (Claim::GlobalOptimum, Evidence::WidthOptimum(body)),
    };
    let cert = Certificate {
        header: Header {
            instance_sha256: canonical_hash(inst),
            claim,
            loss: opt.value.clone(),
        },
        evidence,
    };
    write_json(path, &cert.to_json())?;
    Ok(Some(path.to_path_buf()))
}

fn write_json(path: &Path, v: &Value) -> Result<(), CliError> {
    std::fs::write(path, format!("{v:#}\n")).map_err(|e| {
        CliError::at(
            path.display(),
            format_args!("cannot write the certificate: {e}"),
        )
    })
}

/// Write the optimum as an instance of width `m` whose point is the
/// witness, after re-evaluating the witness's exact loss.
fn write_optimum(inst: &Instance, file: &str, opt: &Optimum, out: &Path) -> Result<(), CliError> {
    let m = opt.arch.widths.get(1).copied().unwrap_or(0);
    let problem = Problem {
        arch: opt.arch.clone(),
        loss: inst.problem.loss,
        data: inst.problem.data.clone(),
    };
    let exact = problem.loss(&opt.witness);
    if exact != opt.value {
        return Err(CliError::BadInput(format!(
            "internal error: the optimum's network has exact loss {}, not the claimed {}; {} not written",
            fmt_q(&exact),
            fmt_q(&opt.value),
            out.display()
        )));
    }
    let base = inst.name.clone().unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "instance".to_string())
    });
    let written = Instance {
        name: Some(format!("{base}-optimum-w{m}")),
        source: Some(format!("relucert global {file} --width {m}")),
        problem,
        point: Some(opt.witness.clone()),
        expect: Some(Expect {
            local_min: Some(true),
            global_min: Some(true),
            loss: Some(opt.value.clone()),
        }),
    };
    std::fs::write(out, instance::to_toml(&written))
        .map_err(|e| CliError::at(out.display(), format_args!("cannot write: {e}")))
}

/// `relucert global --merge PART... --cert OUT [FILE] [--json]`.
fn run_merge(file: Option<&Path>, opts: &Options) -> Result<Output, CliError> {
    let Some(out) = &opts.cert else {
        return Err(CliError::BadInput(
            "global --merge: --cert OUT is needed (where to write the merged certificate)"
                .to_string(),
        ));
    };
    let mut parts = Vec::with_capacity(opts.merge.len());
    for p in &opts.merge {
        let shown = p.display();
        let text = read_input(p)?;
        let v: Value = relucert_core::json::parse_strict(&text).map_err(|e| {
            CliError::at(
                &shown,
                format_args!("line {}: the certificate is not JSON: {e}", e.line()),
            )
        })?;
        parts.push(
            Certificate::from_json_with(
                &v,
                relucert_core::input::cert_max_digits(input_settings().limits.max_digits),
            )
            .map_err(|e| CliError::at(&shown, e))?,
        );
    }
    let merged = merge(&parts).map_err(|e| {
        let files: Vec<String> = opts
            .merge
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{} = {}", i + 1, p.display()))
            .collect();
        CliError::BadInput(format!("{e} (parts: {})", files.join(", ")))
    })?;
    let checked = match file {
        Some(path) => {
            let inst = load(path)?;
            relucert_check::check_certificate(&inst, &merged).map_err(|e| {
                CliError::at(
                    path.display(),
                    format_args!(
                        "the merged certificate is rejected by the checker: {e}; {} not written",
                        out.display()
                    ),
                )
            })?;
            true
        }
        None => false,
    };
    write_json(out, &merged.to_json())?;
    let (width, duals) = match &merged.evidence {
        Evidence::WidthOptimum(p) => (p.width, p.duals.len()),
        _ => (0, 0),
    };
    if opts.json {
        let v = json!({
            "optimum": qs(&merged.header.loss),
            "width": width,
            "shards": parts.len(),
            "duals": duals,
            "certificate": out.display().to_string(),
            "checked": checked,
        });
        return Ok(Output::ok(format!("{v:#}\n")));
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "merged {} shards: L* = {} over width {width} ({duals} duals)",
        parts.len(),
        with_decimal(&merged.header.loss)
    );
    match file {
        Some(path) => {
            let _ = writeln!(
                s,
                "certificate: checked against {} and written to {}",
                path.display(),
                out.display()
            );
        }
        None => {
            let _ = writeln!(
                s,
                "certificate: written to {} (not checked; re-check: relucert check FILE {})",
                out.display(),
                out.display()
            );
        }
    }
    Ok(Output::ok(s))
}

fn activation_name(a: &Activation) -> String {
    match a {
        Activation::Leaky(alpha) => format!("leaky (alpha = {})", fmt_q(alpha)),
        other => other.name().to_string(),
    }
}

fn yes_no(b: Option<&bool>) -> &'static str {
    if b.copied().unwrap_or(false) {
        "yes"
    } else {
        "no"
    }
}

/// `done / total` (1 when there is nothing to do), for display only.
fn fraction(done: u128, total: u128) -> f64 {
    if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    }
}

/// The network's parameters as `W1`, `b1`, ... lines.
fn params_text(p: &Params) -> String {
    let mut s = String::new();
    let vec = |v: &[Q]| format!("[{}]", v.iter().map(fmt_q).collect::<Vec<_>>().join(", "));
    for (l, layer) in p.layers.iter().enumerate() {
        let rows: Vec<String> = layer.w.iter().map(|r| vec(r)).collect();
        let _ = writeln!(s, "  W{} = [{}]", l + 1, rows.join(", "));
        if let Some(b) = &layer.b {
            let _ = writeln!(s, "  b{} = {}", l + 1, vec(b));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("3/8").unwrap(), Shard { index: 3, count: 8 });
        for bad in ["0/4", "5/4", "3", "a/b", "1/0", ""] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}

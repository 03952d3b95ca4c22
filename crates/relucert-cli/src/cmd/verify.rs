//! `relucert verify FILE [--json] [--cert OUT.json] [--max-pieces N]
//! [--timeout S] [--no-probe]`: is the point a local minimum, with a
//! certificate.
//!
//! Owns: the text and JSON shapes of `verify` (the instance's name, and a
//! descent direction or arc listed by parameter name), writing the
//! certificate file, and exit status 3 when the `[expect]` table
//! disagrees.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! verdict comes from `relucert::verify`, the `[expect]` comparison from
//! `relucert::expect`.

use super::output::{
    agreement_word, load, named_entries, named_json, qs, with_decimal, CliError, Output,
    EXIT_DISAGREE, EXIT_OK,
};
use relucert::cert::{Certificate, Evidence, LowerPoint};
use relucert::expect::{self, Computed, Entry};
use relucert::global::witness_instance;
use relucert::instance::to_toml;
use relucert::network::Architecture;
use relucert::number::Q;
use relucert::verify::{verify, Limits};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `relucert verify`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// JSON output.
    pub json: bool,
    /// Write the certificate to this file.
    pub cert: Option<PathBuf>,
    /// Examine at most this many pieces.
    pub max_pieces: Option<usize>,
    /// Stop the search at this deadline (`--timeout`; built by `main`
    /// before the input is read).
    pub deadline: relucert::Deadline,
    /// Try the first-order probe first (`--no-probe` turns it off).
    pub probe: bool,
    /// Try the local lower bounds (`--no-local-bounds` turns them off).
    pub local_bounds: bool,
    /// `--global-budget` (default [`relucert::verify::DEFAULT_GLOBAL_BUDGET`]).
    pub global_budget: Option<u128>,
    /// `--global-out`: write the width's optimal network here.
    pub global_out: Option<PathBuf>,
}

/// `relucert verify ...`.
pub fn run(path: &Path, opts: &Options) -> Result<Output, CliError> {
    let file = path.display().to_string();
    let inst = load(path)?;
    let mut limits = Limits {
        probe: opts.probe,
        local_bounds: opts.local_bounds,
        ..Limits::default()
    };
    if let Some(m) = opts.max_pieces {
        limits.max_pieces = m;
    }
    limits.deadline = opts.deadline.clone();
    if let Some(b) = opts.global_budget {
        limits.global_budget = b;
    }
    let out = verify(&inst, &limits).map_err(|e| CliError::at(&file, e))?;
    let arch = &inst.problem.arch;
    let global_written = match (&out.global, &opts.global_out) {
        (Some(g), Some(p)) => {
            let how = format!(
                "relucert verify {file} --global-out (exact optimum over the instance's width)"
            );
            let opt = witness_instance(&inst, &g.arch, &g.witness, &g.optimum, &how)
                .map_err(|e| CliError::at(&file, e))?;
            std::fs::write(p, to_toml(&opt)).map_err(|e| {
                CliError::at(
                    p.display(),
                    format_args!("cannot write the optimal network: {e}"),
                )
            })?;
            Some(p.display().to_string())
        }
        _ => None,
    };
    let cmp = expect::compare(
        inst.expect.as_ref(),
        &Computed {
            verdict: Some(out.verdict),
            loss: &out.loss,
            global_min: out.global.as_ref().map(|g| g.optimum == out.loss),
        },
    );
    let status = if cmp.disagrees() {
        EXIT_DISAGREE
    } else {
        EXIT_OK
    };
    // the certificate's JSON, written or embedded (`Certificate::to_json`)
    let descent = out.certificate.as_ref().and_then(descent_of);
    let cert_value = match (out.certificate.as_ref().map(|c| c.to_json()), &opts.cert) {
        (Some(c), Some(p)) => {
            std::fs::write(p, format!("{c:#}\n")).map_err(|e| {
                CliError::at(
                    p.display(),
                    format_args!("cannot write the certificate: {e}"),
                )
            })?;
            Value::String(p.display().to_string())
        }
        (Some(c), None) => c,
        (None, _) => Value::Null,
    };
    fn agrees<T>(e: &Option<Entry<T>>) -> Option<bool> {
        e.as_ref().and_then(|e| e.agreement.as_option())
    }
    if opts.json {
        let v = json!({
            "file": file,
            "name": inst.name,
            "verdict": out.verdict.name(),
            "loss": qs(&out.loss),
            "reason": out.reason,
            "certificate": cert_value,
            "direction": descent.map(|(dirs, _)| named_json(arch, &dirs[0])),
            "arc_directions": descent.map(|(dirs, _)| {
                dirs.iter().map(|d| named_json(arch, d)).collect::<Vec<_>>()
            }),
            "lower_point": descent.map(|(_, lp)| json!({"t": qs(&lp.t), "loss": qs(&lp.loss)})),
            "global_optimum": out.global.as_ref().map(|g| qs(&g.optimum)),
            "spurious": out.global.as_ref().map(|g| g.spurious),
            "global_out": global_written,
            "expect": {
                "local_min": cmp.local_min.as_ref().map(|e| e.expected),
                "local_min_agrees": agrees(&cmp.local_min),
                "global_min": cmp.global_min.as_ref().map(|e| e.expected),
                "global_min_agrees": agrees(&cmp.global_min),
                "loss": cmp.loss.as_ref().map(|e| qs(&e.expected)),
                "loss_agrees": agrees(&cmp.loss),
            },
        });
        return Ok(Output {
            stdout: format!("{v:#}\n"),
            status,
        });
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    if let Some(n) = &inst.name {
        let _ = writeln!(s, "name: {n}");
    }
    let _ = writeln!(s, "loss: {}", with_decimal(&out.loss));
    let _ = writeln!(s, "verdict: {}", out.verdict.name());
    let _ = writeln!(s, "reason: {}", out.reason);
    if let Some((dirs, lp)) = descent {
        s.push_str(&descent_text(arch, dirs, lp));
    }
    if let Some(g) = &out.global {
        let width = g.arch.widths.get(1).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "global optimum over width {width}: {}{}",
            with_decimal(&g.optimum),
            if g.spurious {
                format!(
                    "; this local minimum is spurious (loss above the optimum by {})",
                    with_decimal(&(&out.loss - &g.optimum))
                )
            } else if g.optimum == out.loss {
                String::new()
            } else {
                "; the point's loss is above it".to_string()
            }
        );
        match &global_written {
            Some(p) => {
                let _ = writeln!(s, "optimal network: written to {p}");
            }
            None if g.optimum != out.loss => {
                let _ = writeln!(
                    s,
                    "optimal network: not written (use --global-out OPT.toml)"
                );
            }
            None => {}
        }
    }
    match (&out.certificate, &opts.cert) {
        (Some(_), Some(p)) => {
            let _ = writeln!(
                s,
                "certificate: written to {} (re-check: relucert check {file} {})",
                p.display(),
                p.display()
            );
        }
        (Some(_), None) => {
            let _ = writeln!(s, "certificate: not written (use --cert OUT.json)");
        }
        (None, _) => {}
    }
    if let Some(e) = &cmp.local_min {
        let _ = writeln!(
            s,
            "expect.local_min = {}: {}",
            e.expected,
            agreement_word(e.agreement)
        );
    }
    if let Some(e) = &cmp.global_min {
        let _ = writeln!(
            s,
            "expect.global_min = {}: {}",
            e.expected,
            agreement_word(e.agreement)
        );
    }
    if let Some(e) = &cmp.loss {
        let _ = writeln!(
            s,
            "expect.loss = {}: {}",
            with_decimal(&e.expected),
            agreement_word(e.agreement)
        );
    }
    Ok(Output { stdout: s, status })
}

/// The directions `d_1, ..., d_k` and the lower point of a descent
/// certificate (a ray has one direction); `None` for other evidence.
fn descent_of(c: &Certificate) -> Option<(&[Vec<Q>], &LowerPoint)> {
    match &c.evidence {
        Evidence::DescentArc {
            dirs, lower_point, ..
        } if !dirs.is_empty() => Some((dirs.as_slice(), lower_point)),
        Evidence::DescentDirection {
            dir, lower_point, ..
        } => Some((std::slice::from_ref(dir), lower_point)),
        _ => None,
    }
}

/// The descent direction (or each direction of an arc) by parameter name,
/// nonzero entries only, and the certified point of lower loss.
fn descent_text(arch: &Architecture, dirs: &[Vec<Q>], lp: &LowerPoint) -> String {
    let mut s = String::new();
    if dirs.len() == 1 {
        let _ = writeln!(
            s,
            "descent direction d (the loss falls along theta + t d for small t > 0), nonzero entries:"
        );
        for (n, v) in named_entries(arch, &dirs[0]) {
            let _ = writeln!(s, "  {n} = {}", with_decimal(&v));
        }
    } else {
        let terms: Vec<String> = (1..=dirs.len())
            .map(|k| match k {
                1 => "t d1".to_string(),
                _ => format!("t^{k} d{k}"),
            })
            .collect();
        let _ = writeln!(
            s,
            "descent arc theta + {} (the loss falls along it for small t > 0), nonzero entries:",
            terms.join(" + ")
        );
        for (k, d) in dirs.iter().enumerate() {
            let entries = named_entries(arch, d);
            if entries.is_empty() {
                let _ = writeln!(s, "  d{}: 0", k + 1);
            }
            for (n, v) in entries {
                let _ = writeln!(s, "  d{}: {n} = {}", k + 1, with_decimal(&v));
            }
        }
    }
    let _ = writeln!(
        s,
        "lower point: loss {} at t = {}",
        with_decimal(&lp.loss),
        with_decimal(&lp.t)
    );
    s
}

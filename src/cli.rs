//! The subcommands behind the `relucert` binary, as library functions that
//! return the text to print, so the binary stays a thin argument parser.
//!
//! Owns: the text and JSON shapes of `eval` and `cell` (documented in
//! docs/cli.md; the JSON is a stable interface: add fields, never rename or
//! remove them) and the exit-status convention (0 fine, 1 bad input, 3 an
//! `[expect]` entry disagrees).
//!
//! Must not: compute anything itself. Every number it prints comes from
//! `network`, `cellpoly` or `poly`; it only formats.

use crate::cellpoly;
use crate::instance::{self, Instance};
use crate::network::{Evaluation, Params, Side, Signature, ZeroEntry};
use crate::number::{fmt_q, Q};
use crate::poly::Poly;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: bad input (unreadable or invalid file, bad arguments).
pub const EXIT_BAD_INPUT: u8 = 1;
/// Exit status: the instance's `[expect]` table disagrees with the result.
pub const EXIT_DISAGREE: u8 = 3;

/// What a subcommand produced: text for stdout and the exit status.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub status: u8,
}

/// A one-line error for stderr; the exit status is `EXIT_BAD_INPUT`.
pub type CliError = String;

fn load_with_point(path: &Path, command: &str) -> Result<(Instance, Params), CliError> {
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    match inst.point.clone() {
        Some(p) => Ok((inst, p)),
        None => Err(format!(
            "{}: point: missing table: `relucert {command}` needs a [point] table with the parameters to study",
            path.display()
        )),
    }
}

fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

fn entry_json(e: &ZeroEntry) -> Value {
    match e {
        ZeroEntry::PreActivation { point, layer, unit } => {
            json!({"kind": "pre-activation", "point": point, "layer": layer, "unit": unit})
        }
        ZeroEntry::Hinge { point, class } => {
            json!({"kind": "hinge", "point": point, "class": class})
        }
        ZeroEntry::Tie { point, classes } => {
            json!({"kind": "tie", "point": point, "classes": classes})
        }
    }
}

/// Human-readable description of a zero entry.
pub fn entry_text(e: &ZeroEntry) -> String {
    match e {
        ZeroEntry::PreActivation { point, layer, unit } => {
            format!("pre-activation of layer {layer} unit {unit} is 0 on point {point}")
        }
        ZeroEntry::Hinge { point, class: None } => {
            format!("hinge argument of point {point} is 0 (margin exactly 1)")
        }
        ZeroEntry::Hinge {
            point,
            class: Some(k),
        } => {
            format!("hinge argument of point {point} against class {k} is 0")
        }
        ZeroEntry::Tie { point, classes } => {
            format!("competitor classes {classes:?} tie for the max on point {point}")
        }
    }
}

fn signs_string(signs: &[crate::network::Sign]) -> String {
    signs.iter().map(|s| s.symbol()).collect()
}

/// `relucert eval FILE [--json]`.
pub fn eval(path: &Path, as_json: bool) -> Result<Outcome, CliError> {
    let (inst, params) = load_with_point(path, "eval")?;
    let problem = &inst.problem;
    let ev: Evaluation = problem.evaluate(&params);
    let sig = Signature::of(problem, &ev);
    let zeros = sig.zero_entries();
    let (zp, zh, zt) = sig.zero_counts();
    let (np, nh) = sig.sizes();
    let expected = inst.expect.as_ref().and_then(|e| e.loss.clone());
    let agrees = expected.as_ref().map(|e| *e == ev.loss);
    let status = if agrees == Some(false) {
        EXIT_DISAGREE
    } else {
        EXIT_OK
    };

    if as_json {
        let points: Vec<Value> = ev
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                json!({
                    "index": i,
                    "label": problem.data.y[i],
                    "output": p.output.iter().map(qs).collect::<Vec<_>>(),
                    "margin": qs(&p.margin),
                    "loss": qs(&p.loss),
                    "hinge_arguments": p.terms.iter().map(|t| json!({"class": t.class, "value": qs(&t.argument)})).collect::<Vec<_>>(),
                    "argmax": p.argmax,
                })
            })
            .collect();
        let hidden: Vec<Vec<String>> = sig
            .hidden
            .iter()
            .map(|layer| layer.iter().map(|u| signs_string(u)).collect())
            .collect();
        let hinge: Vec<String> = sig
            .hinge
            .iter()
            .map(|t| t.iter().map(|(_, s)| s.symbol()).collect())
            .collect();
        let out = json!({
            "file": path.display().to_string(),
            "name": inst.name,
            "loss": qs(&ev.loss),
            "points": points,
            "signature": {
                "pre_activations": np,
                "hinge_arguments": nh,
                "zero_pre_activations": zp,
                "zero_hinge_arguments": zh,
                "ties": zt,
                "hidden": hidden,
                "hinge": hinge,
            },
            "zero_entries": zeros.iter().map(entry_json).collect::<Vec<_>>(),
            "expect": {
                "loss": expected.as_ref().map(qs),
                "loss_agrees": agrees,
            },
        });
        return Ok(Outcome {
            stdout: format!("{out:#}\n"),
            status,
        });
    }

    let mut s = String::new();
    let title = inst
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let _ = writeln!(s, "instance: {}{title}", path.display());
    let _ = writeln!(s, "loss: {}", fmt_q(&ev.loss));
    let _ = writeln!(s, "points: {}", ev.points.len());
    for (i, p) in ev.points.iter().enumerate() {
        let out: Vec<String> = p.output.iter().map(fmt_q).collect();
        let _ = write!(
            s,
            "  #{i}: y = {}  f = [{}]  margin = {}  loss = {}",
            problem.data.y[i],
            out.join(", "),
            fmt_q(&p.margin),
            fmt_q(&p.loss)
        );
        if let Some(a) = &p.argmax {
            let _ = write!(s, "  argmax = {a:?}");
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "signature: {np} pre-activations ({zp} zero), {nh} hinge arguments ({zh} zero), {zt} ties"
    );
    for (l, layer) in sig.hidden.iter().enumerate() {
        let row: Vec<String> = layer.iter().map(|u| signs_string(u)).collect();
        let _ = writeln!(s, "  layer {} signs by point: {}", l + 1, row.join(" "));
    }
    let hinge: Vec<String> = sig
        .hinge
        .iter()
        .map(|t| t.iter().map(|(_, s)| s.symbol()).collect())
        .collect();
    let _ = writeln!(s, "  hinge signs by point: {}", hinge.join(" "));
    if zeros.is_empty() {
        let _ = writeln!(s, "zero entries: none (the point is inside a cell)");
    } else {
        let _ = writeln!(
            s,
            "zero entries: {} (the point is on a cell boundary)",
            zeros.len()
        );
        for (n, e) in zeros.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", n + 1, entry_text(e));
        }
    }
    if let (Some(e), Some(ok)) = (&expected, agrees) {
        let _ = writeln!(
            s,
            "expect.loss: {} ({})",
            fmt_q(e),
            if ok { "agrees" } else { "DISAGREES" }
        );
    }
    Ok(Outcome { stdout: s, status })
}

/// Parse a `--side` list: comma-separated `+`, `-` or class indices.
pub fn parse_sides(spec: &str) -> Result<Vec<Side>, CliError> {
    if spec.trim().is_empty() {
        return Ok(Vec::new());
    }
    spec.split(',')
        .enumerate()
        .map(|(i, t)| {
            t.parse::<Side>()
                .map_err(|e| format!("--side entry {}: {e}", i + 1))
        })
        .collect()
}

fn side_symbol(s: &Side) -> String {
    match s {
        Side::Pos => "+".to_string(),
        Side::Neg => "-".to_string(),
        Side::Class(k) => k.to_string(),
    }
}

/// JSON form of a polynomial over the flat parameters.
pub fn poly_json(p: &Poly, name: &dyn Fn(u32) -> String) -> Value {
    let terms: Vec<Value> = p
        .terms()
        .map(|(m, c)| {
            let mono: serde_json::Map<String, Value> = m
                .pairs()
                .iter()
                .map(|&(v, e)| (name(v), json!(e)))
                .collect();
            json!({"coefficient": qs(c), "monomial": mono})
        })
        .collect();
    json!({"text": p.to_text(name), "degree": p.total_degree(), "terms": terms})
}

/// `relucert cell FILE [--side LIST] [--json]`.
pub fn cell(path: &Path, sides: Option<&str>, as_json: bool) -> Result<Outcome, CliError> {
    let (inst, params) = load_with_point(path, "cell")?;
    let problem = &inst.problem;
    let ev = problem.evaluate(&params);
    let sig = Signature::of(problem, &ev);
    let zeros = sig.zero_entries();
    let arch = &problem.arch;
    let name = |v: u32| arch.param_name(v as usize);

    let choices = match sides {
        Some(spec) => Some(parse_sides(spec).map_err(|e| format!("{}: {e}", path.display()))?),
        None => None,
    };
    if choices.is_none() && !zeros.is_empty() {
        if as_json {
            let out = json!({
                "file": path.display().to_string(),
                "boundary": true,
                "zero_entries": zeros.iter().map(entry_json).collect::<Vec<_>>(),
                "polynomial": Value::Null,
            });
            return Ok(Outcome {
                stdout: format!("{out:#}\n"),
                status: EXIT_OK,
            });
        }
        let mut s = format!(
            "the point lies on a cell boundary: {} zero entr{}\n",
            zeros.len(),
            if zeros.len() == 1 { "y" } else { "ies" }
        );
        for (n, e) in zeros.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", n + 1, entry_text(e));
        }
        let example: Vec<String> = zeros
            .iter()
            .map(|e| match e {
                ZeroEntry::Tie { classes, .. } => classes[0].to_string(),
                _ => "+".to_string(),
            })
            .collect();
        let _ = writeln!(
            s,
            "choose a side for each, in this order, with --side (e.g. --side={}): + or - for a pre-activation or hinge argument, a class index for a tie",
            example.join(",")
        );
        return Ok(Outcome {
            stdout: s,
            status: EXIT_OK,
        });
    }
    let choices = choices.unwrap_or_default();
    let pattern = sig
        .complete(&choices)
        .map_err(|e| format!("{}: --side: {e}", path.display()))?;
    let phi = cellpoly::loss_poly(problem, &pattern);
    let flat = params.flat();
    let value = phi.evaluate(&flat);
    if as_json {
        let variables: Vec<String> = (0..arch.num_params()).map(|v| arch.param_name(v)).collect();
        let out = json!({
            "file": path.display().to_string(),
            "boundary": !zeros.is_empty(),
            "zero_entries": zeros.iter().map(entry_json).collect::<Vec<_>>(),
            "sides": choices.iter().map(side_symbol).collect::<Vec<_>>(),
            "variables": variables,
            "polynomial": poly_json(&phi, &name),
            "value_at_point": qs(&value),
            "loss": qs(&ev.loss),
        });
        return Ok(Outcome {
            stdout: format!("{out:#}\n"),
            status: EXIT_OK,
        });
    }
    let mut s = String::new();
    if !zeros.is_empty() {
        let picked: Vec<String> = choices.iter().map(side_symbol).collect();
        let _ = writeln!(
            s,
            "cell next to the point chosen by --side={}",
            picked.join(",")
        );
    }
    let _ = writeln!(
        s,
        "phi_S ({} terms, total degree {}):",
        phi.len(),
        phi.total_degree()
    );
    let _ = writeln!(s, "  {}", phi.to_text(&name));
    let _ = writeln!(
        s,
        "value at the point: {} (loss: {})",
        fmt_q(&value),
        fmt_q(&ev.loss)
    );
    Ok(Outcome {
        stdout: s,
        status: EXIT_OK,
    })
}

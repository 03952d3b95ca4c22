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

use relucert::cellpoly;
use relucert::instance::{self, Instance};
use relucert::network::{Evaluation, Params, Side, Signature, ZeroEntry};
use relucert::number::{fmt_q, Q};
use relucert::poly::Poly;
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

fn signs_string(signs: &[relucert::network::Sign]) -> String {
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

/// Largest number of distinct hyperplanes for which `cells --count`
/// recounts the cells independently with the Zaslavsky formula (2^n ranks).
pub const ZASLAVSKY_MAX: usize = 12;

/// Options of `relucert cells`.
#[derive(Clone, Debug, Default)]
pub struct CellsOptions {
    pub count: bool,
    pub json: bool,
    pub limit: Option<u64>,
    pub at_point: bool,
    pub unit: bool,
}

fn int_json(n: &num_bigint::BigInt) -> Value {
    // serde_json's arbitrary_precision keeps integers of any size exact
    serde_json::from_str(&n.to_string()).unwrap_or_else(|_| Value::String(n.to_string()))
}

fn signs_of(cell: &relucert::cells::Cell) -> String {
    cell.signs.iter().map(|s| s.symbol()).collect()
}

/// Split a unit's witness `(w, b)` into JSON.
fn unit_witness_json(w: &[num_bigint::BigInt], input_dim: usize, bias: bool) -> (Value, Value) {
    let ws: Vec<Value> = w[..input_dim]
        .iter()
        .map(|x| Value::String(x.to_string()))
        .collect();
    let b = if bias {
        Value::String(w[input_dim].to_string())
    } else {
        Value::Null
    };
    (Value::Array(ws), b)
}

fn ints_text(v: &[num_bigint::BigInt]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(total: u64) -> Progress {
        use std::io::IsTerminal;
        if total < 10_000 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        Progress(Some(indicatif::ProgressBar::new(total)))
    }
    fn inc(&self) {
        if let Some(p) = &self.0 {
            p.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(p) = &self.0 {
            p.finish_and_clear();
        }
    }
}

/// `relucert cells FILE [--count] [--json] [--limit N] [--at-point] [--unit]`.
/// Streams to `out`; returns the exit status. A `--limit` that cuts the
/// stream short says so on stderr.
pub fn cells(
    path: &Path,
    opts: &CellsOptions,
    out: &mut dyn std::io::Write,
) -> Result<u8, CliError> {
    use num_bigint::BigInt;
    use relucert::cells::{first_layer_arrangement, local_first_layer, search_deep_patterns};
    let file = path.display().to_string();
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    let problem = &inst.problem;
    let arch = &problem.arch;
    if arch.hidden_layers() == 0 || !arch.activation.has_kink() {
        return Err(format!(
            "{file}: network: the network has no hidden layer with kinks (activation \"{}\", {} hidden layers), so it has one activation pattern and no cells to enumerate",
            arch.activation.name(),
            arch.hidden_layers()
        ));
    }
    let io = |e: std::io::Error| format!("writing output: {e}");
    let d = arch.input_dim();
    let bias = arch.bias[0];
    let units = arch.widths[1];
    let limit = opts.limit.unwrap_or(u64::MAX);
    let mut emitted: u64 = 0;

    if opts.at_point {
        let Some(params) = inst.point.as_ref() else {
            return Err(format!(
                "{file}: point: missing table: --at-point needs a [point] table"
            ));
        };
        let local = local_first_layer(problem, params);
        let mut per_unit = Vec::with_capacity(local.len());
        for lu in &local {
            per_unit.push(lu.arrangement.cells().map_err(|e| format!("{file}: {e}"))?);
        }
        let total = per_unit
            .iter()
            .fold(BigInt::from(1), |acc, c| acc * BigInt::from(c.len()));
        if opts.count {
            let units_json: Vec<Value> = local
                .iter()
                .zip(&per_unit)
                .map(|(lu, cells)| {
                    let orth = lu.arrangement.orthant();
                    json!({
                        "unit": lu.unit,
                        "points": lu.points,
                        "hyperplanes": lu.arrangement.distinct.len(),
                        "rank": lu.arrangement.rank(),
                        "independent": orth.is_some(),
                        "cells": cells.len(),
                        "rays": orth.map(|o| o.rays.iter().map(|r| r.iter().map(qs).collect::<Vec<_>>()).collect::<Vec<_>>()),
                    })
                })
                .collect();
            if opts.json {
                let v = json!({
                    "file": file,
                    "mode": "at-point",
                    "units": units_json,
                    "local_cells": int_json(&total),
                    "scope": "zero pre-activations of the first hidden layer",
                });
                writeln!(out, "{v:#}").map_err(io)?;
            } else {
                writeln!(out, "local arrangement at the point (zero pre-activations of the first hidden layer):").map_err(io)?;
                if local.is_empty() {
                    writeln!(
                        out,
                        "  no zero pre-activation in the first hidden layer: one local cell"
                    )
                    .map_err(io)?;
                }
                for (lu, cells) in local.iter().zip(&per_unit) {
                    let ind = if lu.arrangement.orthant().is_some() {
                        ", independent normals: orthant structure"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "  unit {}: zero on points {:?}; {} hyperplanes, rank {}{}; {} cells",
                        lu.unit,
                        lu.points,
                        lu.arrangement.distinct.len(),
                        lu.arrangement.rank(),
                        ind,
                        cells.len()
                    )
                    .map_err(io)?;
                }
                writeln!(out, "local cells (product over units): {total}").map_err(io)?;
            }
            return Ok(EXIT_OK);
        }
        'outer: for (lu, cells) in local.iter().zip(&per_unit) {
            for c in cells {
                if emitted >= limit {
                    break 'outer;
                }
                let (w, b) = unit_witness_json(&c.witness, d, bias);
                if opts.json {
                    let v = json!({"unit": lu.unit, "points": lu.points, "pattern": signs_of(c), "direction": {"dW": w, "db": b}});
                    writeln!(out, "{v}").map_err(io)?;
                } else {
                    writeln!(
                        out,
                        "unit {} points {:?}: {}  direction dW = {}  db = {}",
                        lu.unit,
                        lu.points,
                        signs_of(c),
                        ints_text(&c.witness[..d]),
                        if bias {
                            c.witness[d].to_string()
                        } else {
                            "(no bias)".to_string()
                        }
                    )
                    .map_err(io)?;
                }
                emitted += 1;
            }
        }
        let all: u64 = per_unit.iter().map(|c| c.len() as u64).sum();
        if emitted < all {
            eprintln!("stopped after {emitted} of {all} unit cells (--limit {limit})");
        }
        return Ok(EXIT_OK);
    }

    let arr = first_layer_arrangement(problem);
    let unit_cells = arr.cells().map_err(|e| format!("{file}: {e}"))?;
    let layer_total = BigInt::from(unit_cells.len()).pow(units as u32);
    let deep = if arch.hidden_layers() > 1 {
        Some(search_deep_patterns(problem, 400).map_err(|e| format!("{file}: {e}"))?)
    } else {
        None
    };
    if opts.count {
        let always_zero: Vec<usize> = arr
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == relucert::cells::Role::Zero)
            .map(|(i, _)| i)
            .collect();
        // An independent recount by the Zaslavsky/Whitney formula (exponential:
        // only for small arrangements); a mismatch is an internal error.
        let zaslavsky = (arr.distinct.len() <= ZASLAVSKY_MAX).then(|| arr.zaslavsky_count());
        if let Some(z) = &zaslavsky {
            if *z != BigInt::from(unit_cells.len()) {
                return Err(format!(
                    "{file}: internal error: {} cells enumerated but the Zaslavsky count is {z}; please report this instance",
                    unit_cells.len()
                ));
            }
        }
        if opts.json {
            let v = json!({
                "file": file,
                "mode": "data-set",
                "layer": 1,
                "units": units,
                "unit_cells": unit_cells.len(),
                "layer_cells": int_json(&layer_total),
                "hyperplanes": arr.distinct.len(),
                "dimension": arr.dim,
                "rank": arr.rank(),
                "always_zero_points": always_zero,
                "complete": true,
                "zaslavsky": zaslavsky.as_ref().map(int_json),
                "deeper_layers": deep.as_ref().map(|f| json!({
                    "complete": false,
                    "patterns_found": f.len(),
                    "note": "patterns of all hidden layers found at 400 sampled parameter points, each with a witness; the list may be incomplete",
                })),
            });
            writeln!(out, "{v:#}").map_err(io)?;
        } else {
            writeln!(
                out,
                "first hidden layer: {units} units; one unit's arrangement: {} data points, {} distinct hyperplanes in dimension {} (rank {})",
                problem.data.len(),
                arr.distinct.len(),
                arr.dim,
                arr.rank()
            )
            .map_err(io)?;
            if !always_zero.is_empty() {
                writeln!(out, "points {always_zero:?} are the zero vector with no bias: their pre-activations are always 0").map_err(io)?;
            }
            writeln!(
                out,
                "unit_cells: {} (complete, each with an exact witness)",
                unit_cells.len()
            )
            .map_err(io)?;
            writeln!(
                out,
                "layer_cells: {}^{units} = {layer_total}",
                unit_cells.len()
            )
            .map_err(io)?;
            if let Some(z) = &zaslavsky {
                writeln!(out, "Zaslavsky/Whitney recount of unit_cells: {z} (agrees)")
                    .map_err(io)?;
            }
            if let Some(f) = &deep {
                writeln!(
                    out,
                    "deeper layers: {} patterns of all hidden layers found at 400 sampled points (may be incomplete)",
                    f.len()
                )
                .map_err(io)?;
            }
        }
        return Ok(EXIT_OK);
    }

    if opts.unit {
        for c in unit_cells
            .iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
        {
            let (w, b) = unit_witness_json(&c.witness, d, bias);
            if opts.json {
                writeln!(
                    out,
                    "{}",
                    json!({"pattern": signs_of(c), "witness": {"w": w, "b": b}})
                )
                .map_err(io)?;
            } else {
                let bt = if bias {
                    c.witness[d].to_string()
                } else {
                    "(no bias)".to_string()
                };
                writeln!(
                    out,
                    "{}  w = {}  b = {bt}",
                    signs_of(c),
                    ints_text(&c.witness[..d])
                )
                .map_err(io)?;
            }
            emitted += 1;
        }
        if (emitted as usize) < unit_cells.len() {
            eprintln!(
                "stopped after {emitted} of {} unit cells (--limit {limit})",
                unit_cells.len()
            );
        }
        return Ok(EXIT_OK);
    }

    // Layer patterns: the product of unit cells, in lexicographic order.
    let total_u64 = u64::try_from(&layer_total).unwrap_or(u64::MAX);
    let progress = Progress::new(total_u64.min(limit));
    let mut idx = vec![0usize; units];
    if !unit_cells.is_empty() {
        loop {
            if emitted >= limit {
                break;
            }
            let chosen: Vec<&relucert::cells::Cell> = idx.iter().map(|&k| &unit_cells[k]).collect();
            let pattern: Vec<String> = chosen.iter().map(|c| signs_of(c)).collect();
            if opts.json {
                let w1: Vec<Value> = chosen
                    .iter()
                    .map(|c| unit_witness_json(&c.witness, d, bias).0)
                    .collect();
                let b1: Value = if bias {
                    Value::Array(
                        chosen
                            .iter()
                            .map(|c| unit_witness_json(&c.witness, d, bias).1)
                            .collect(),
                    )
                } else {
                    Value::Null
                };
                writeln!(
                    out,
                    "{}",
                    json!({"pattern": pattern, "witness": {"W1": w1, "b1": b1}})
                )
                .map_err(io)?;
            } else {
                let rows: Vec<String> = chosen.iter().map(|c| ints_text(&c.witness[..d])).collect();
                let mut line = format!("{}  W1 = [{}]", pattern.join(" "), rows.join(", "));
                if bias {
                    let b: Vec<String> = chosen.iter().map(|c| c.witness[d].to_string()).collect();
                    let _ = write!(line, "  b1 = [{}]", b.join(", "));
                }
                writeln!(out, "{line}").map_err(io)?;
            }
            emitted += 1;
            progress.inc();
            // next index in lexicographic order
            let mut pos = units;
            loop {
                if pos == 0 {
                    break;
                }
                pos -= 1;
                idx[pos] += 1;
                if idx[pos] < unit_cells.len() {
                    break;
                }
                idx[pos] = 0;
                if pos == 0 {
                    pos = usize::MAX;
                    break;
                }
            }
            if pos == usize::MAX {
                break;
            }
        }
    }
    progress.finish();
    if BigInt::from(emitted) < layer_total {
        eprintln!("stopped after {emitted} of {layer_total} layer patterns (--limit {limit})");
    }
    if let Some(f) = deep {
        eprintln!(
            "note: only first-layer patterns are listed (complete); {} patterns of all hidden layers were found by sampling (see --count), and that list may be incomplete",
            f.len()
        );
    }
    Ok(EXIT_OK)
}

/// Options of `relucert verify`.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    pub json: bool,
    pub cert: Option<std::path::PathBuf>,
    pub max_pieces: Option<usize>,
    pub timeout_secs: Option<u64>,
    /// Try the first-order probe first (`--no-probe` turns it off).
    pub probe: bool,
}

/// `relucert verify FILE [--json] [--cert OUT.json] [--max-pieces N] [--timeout S] [--no-probe]`.
pub fn verify(path: &Path, opts: &VerifyOptions) -> Result<Outcome, CliError> {
    use relucert::verify::{verify as run, Limits};
    let file = path.display().to_string();
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    let mut limits = Limits {
        probe: opts.probe,
        ..Limits::default()
    };
    if let Some(m) = opts.max_pieces {
        limits.max_pieces = m;
    }
    limits.timeout = opts.timeout_secs.map(std::time::Duration::from_secs);
    let out = run(&inst, &limits).map_err(|e| format!("{file}: {e}"))?;
    let (local, global) = out.verdict.implies();
    let expect = inst.expect.clone().unwrap_or_default();
    let cmp = |want: Option<bool>, got: Option<bool>| match (want, got) {
        (Some(w), Some(g)) => Some(w == g),
        _ => None,
    };
    let agree_local = cmp(expect.local_min, local);
    let agree_global = cmp(expect.global_min, global);
    let agree_loss = expect.loss.as_ref().map(|l| *l == out.loss);
    let disagree = [agree_local, agree_global, agree_loss].contains(&Some(false));
    let status = if disagree { EXIT_DISAGREE } else { EXIT_OK };
    let cert_value = match (&out.certificate, &opts.cert) {
        (Some(c), Some(p)) => {
            std::fs::write(p, format!("{c:#}\n"))
                .map_err(|e| format!("{}: cannot write the certificate: {e}", p.display()))?;
            Value::String(p.display().to_string())
        }
        (Some(c), None) => c.clone(),
        (None, _) => Value::Null,
    };
    if opts.json {
        let v = json!({
            "file": file,
            "verdict": out.verdict.name(),
            "loss": qs(&out.loss),
            "reason": out.reason,
            "certificate": cert_value,
            "expect": {
                "local_min": expect.local_min, "local_min_agrees": agree_local,
                "global_min": expect.global_min, "global_min_agrees": agree_global,
                "loss": expect.loss.as_ref().map(qs), "loss_agrees": agree_loss,
            },
        });
        return Ok(Outcome {
            stdout: format!("{v:#}\n"),
            status,
        });
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    let _ = writeln!(s, "loss: {}", fmt_q(&out.loss));
    let _ = writeln!(s, "verdict: {}", out.verdict.name());
    let _ = writeln!(s, "reason: {}", out.reason);
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
    let word = |a: Option<bool>| match a {
        Some(true) => "agrees",
        Some(false) => "DISAGREES",
        None => "not decided",
    };
    if let Some(w) = expect.local_min {
        let _ = writeln!(s, "expect.local_min = {w}: {}", word(agree_local));
    }
    if let Some(w) = expect.global_min {
        let _ = writeln!(s, "expect.global_min = {w}: {}", word(agree_global));
    }
    if let Some(l) = &expect.loss {
        let _ = writeln!(s, "expect.loss = {}: {}", fmt_q(l), word(agree_loss));
    }
    Ok(Outcome { stdout: s, status })
}

/// `relucert check FILE CERT`: re-verify a certificate; a rejection is an
/// error (exit 1) naming the reason.
pub fn check(path: &Path, cert_path: &Path) -> Result<Outcome, CliError> {
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(cert_path)
        .map_err(|e| format!("{}: cannot read the certificate: {e}", cert_path.display()))?;
    let cert: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: line {}: the certificate is not JSON: {e}",
            cert_path.display(),
            e.line()
        )
    })?;
    match relucert_check::check(&inst, &cert) {
        Ok(claim) => Ok(Outcome {
            stdout: format!("certificate accepted: {claim}\n"),
            status: EXIT_OK,
        }),
        Err(reason) => Err(format!(
            "{}: certificate rejected: {reason}",
            cert_path.display()
        )),
    }
}

/// `relucert theorems FILE [--json]`: verify the point, then evaluate every
/// predicate of `theorems` at it.
pub fn theorems(path: &Path, as_json: bool) -> Result<Outcome, CliError> {
    let file = path.display().to_string();
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    let out = relucert::verify::verify(&inst, &relucert::verify::Limits::default())
        .map_err(|e| format!("{file}: {e}"))?;
    let reports = relucert::theorems::evaluate(&inst, &out).map_err(|e| format!("{file}: {e}"))?;
    let violated = reports.iter().any(|r| {
        r.theorem && matches!(r.outcome, relucert::theorems::PredicateOutcome::Violated(_))
    });
    // a violated theorem on a verified verdict is a bug somewhere: say so loudly
    let status = if violated { EXIT_DISAGREE } else { EXIT_OK };
    if as_json {
        let list: Vec<Value> = reports
            .iter()
            .map(|r| {
                json!({
                    "predicate": r.predicate,
                    "theorem": r.theorem,
                    "outcome": r.outcome.name(),
                    "evidence": r.outcome.evidence(),
                })
            })
            .collect();
        return Ok(Outcome {
            stdout: format!("{:#}\n", Value::Array(list)),
            status,
        });
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    let _ = writeln!(
        s,
        "verdict: {} (loss {})",
        out.verdict.name(),
        fmt_q(&out.loss)
    );
    for r in &reports {
        let kind = if r.theorem {
            ""
        } else {
            " [conjecture under test]"
        };
        let _ = writeln!(
            s,
            "{}{kind}: {}: {}",
            r.predicate,
            r.outcome.name(),
            r.outcome.evidence()
        );
    }
    if violated {
        let _ = writeln!(s, "A THEOREM IS VIOLATED on a verified verdict: a bug in the verifier, the predicate or its hypotheses. Please report this instance.");
    }
    Ok(Outcome { stdout: s, status })
}

/// Options of `relucert descend`.
#[derive(Clone, Debug, Default)]
pub struct DescendOptions {
    pub json: bool,
    pub out: Option<std::path::PathBuf>,
    pub max_steps: usize,
    pub starts: Option<usize>,
    pub seed: u64,
    pub timeout_secs: Option<u64>,
}

/// `relucert descend FILE [--out OUT.toml] [--json] [--max-steps N]`, or
/// with `--starts K [--seed S]` the statistic over K random starts.
pub fn descend(path: &Path, opts: &DescendOptions) -> Result<Outcome, CliError> {
    use relucert::descend::{descend as run, random_point};
    use relucert::verify::{Limits, Verdict};
    let file = path.display().to_string();
    let inst = instance::load(path).map_err(|e| e.to_string())?;
    let limits = Limits {
        timeout: opts.timeout_secs.map(std::time::Duration::from_secs),
        ..Limits::default()
    };
    if let Some(k) = opts.starts {
        let mut rows: Vec<Value> = Vec::with_capacity(k);
        let (mut zero, mut positive_min, mut undecided, mut limit) =
            (0usize, 0usize, 0usize, 0usize);
        for s in 0..k as u64 {
            let mut start = inst.clone();
            start.point = Some(random_point(&inst.problem.arch, opts.seed.wrapping_add(s)));
            let d = run(&start, opts.max_steps, &limits)
                .map_err(|e| format!("{file}: start {s}: {e}"))?;
            match d.outcome.verdict {
                Verdict::GlobalMin | Verdict::LocalMin
                    if num_traits::Zero::is_zero(&d.outcome.loss) =>
                {
                    zero += 1
                }
                Verdict::GlobalMin | Verdict::LocalMin => positive_min += 1,
                Verdict::Undecided => undecided += 1,
                Verdict::NotLocalMin => limit += 1,
            }
            rows.push(json!({
                "seed": opts.seed.wrapping_add(s),
                "loss": qs(&d.outcome.loss),
                "verdict": d.outcome.verdict.name(),
                "steps": d.steps,
            }));
        }
        if opts.json {
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
            return Ok(Outcome {
                stdout: format!("{v:#}\n"),
                status: EXIT_OK,
            });
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
        return Ok(Outcome {
            stdout: s,
            status: EXIT_OK,
        });
    }
    if inst.point.is_none() {
        return Err(format!("{file}: point: missing table: descend needs a [point] to start from (or use --starts K)"));
    }
    let d = run(&inst, opts.max_steps, &limits).map_err(|e| format!("{file}: {e}"))?;
    if let Some(out) = &opts.out {
        let mut end = d.end.clone();
        end.name = Some(format!("descended from {file}"));
        end.source = Some(format!(
            "relucert descend {file} ({} steps, {})",
            d.steps,
            d.outcome.verdict.name()
        ));
        end.expect = None;
        std::fs::write(out, instance::to_toml(&end))
            .map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
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
        return Ok(Outcome {
            stdout: format!("{v:#}\n"),
            status: EXIT_OK,
        });
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
    Ok(Outcome {
        stdout: s,
        status: EXIT_OK,
    })
}

/// Options of `relucert gen`.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub family: String,
    pub seed: u64,
    pub index: u64,
    pub count: u64,
    pub out: Option<std::path::PathBuf>,
}

/// `relucert gen --family F [--seed S] [--index I] [--count N] [--out DIR]`:
/// one instance to stdout, or N files `F-SEED-INDEX.toml` in DIR.
pub fn gen(opts: &GenOptions) -> Result<Outcome, CliError> {
    use relucert::gen::{file_name, generate, Family};
    let family = Family::parse(&opts.family).map_err(|e| format!("--family: {e}"))?;
    if opts.count == 0 {
        return Err("--count: expected a positive number of instances, found 0".to_string());
    }
    let last = opts.index.checked_add(opts.count - 1).ok_or_else(|| {
        format!(
            "--index: expected an index such that index + count fits in 64 bits, found {}",
            opts.index
        )
    })?;
    let texts = (opts.index..=last).map(|index| {
        let inst = generate(family, opts.seed, index).instance;
        let text = instance::to_toml(&inst);
        let name = file_name(family, opts.seed, index);
        // what is written must read back as the same instance
        match instance::parse(&text, instance::Syntax::Toml, &name) {
            Ok(back) if back == inst => Ok((name, text)),
            Ok(_) => Err(format!(
                "{name}: internal error: the generated instance does not read back unchanged (please report)"
            )),
            Err(e) => Err(format!(
                "internal error: the generated instance does not validate (please report): {e}"
            )),
        }
    });
    let Some(dir) = &opts.out else {
        if opts.count > 1 {
            return Err(format!(
                "--out: expected a directory to write {} files into (without --out, --count must be 1)",
                opts.count
            ));
        }
        let mut stdout = String::new();
        for t in texts {
            stdout.push_str(&t?.1);
        }
        return Ok(Outcome {
            stdout,
            status: EXIT_OK,
        });
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{}: cannot create the directory: {e}", dir.display()))?;
    for t in texts {
        let (name, text) = t?;
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(Outcome {
        stdout: format!(
            "wrote {} instance{} of family {} (seed {}, index {}..={}) to {}\n",
            opts.count,
            if opts.count == 1 { "" } else { "s" },
            family.name(),
            opts.seed,
            opts.index,
            last,
            dir.display()
        ),
        status: EXIT_OK,
    })
}

/// Options of `relucert corpus`.
#[derive(Clone, Debug)]
pub struct CorpusOptions {
    pub families: Option<String>,
    pub seed: u64,
    pub count: u64,
    pub timeout_secs: u64,
    pub json: bool,
    pub write_undecided: Option<std::path::PathBuf>,
}

fn pct(f: f64) -> String {
    format!("{:.1}%", 100.0 * f)
}

/// `relucert corpus [--family F,...] [--seed S] [--count N] [--timeout SECS]
/// [--json] [--write-undecided DIR]`: verify a generated corpus and
/// summarise. Exit 3 if an `[expect]` disagrees with a verdict (or the
/// verifier failed on an instance).
pub fn corpus(opts: &CorpusOptions) -> Result<Outcome, CliError> {
    use relucert::corpus::{run, Options};
    use relucert::gen::Family;
    let families = match &opts.families {
        Some(list) => Family::parse_list(list).map_err(|e| format!("--family: {e}"))?,
        None => Family::DEFAULT_CORPUS.to_vec(),
    };
    if opts.count == 0 {
        return Err(
            "--count: expected a positive number of instances per family, found 0".to_string(),
        );
    }
    if opts.timeout_secs == 0 {
        return Err("--timeout: expected a positive number of seconds, found 0".to_string());
    }
    let run_opts = Options {
        families,
        seed: opts.seed,
        count: opts.count,
        timeout_secs: opts.timeout_secs,
        write_undecided: opts.write_undecided.clone(),
    };
    let total = run_opts.count * run_opts.families.len() as u64;
    let bar = {
        use std::io::IsTerminal;
        std::io::stderr()
            .is_terminal()
            .then(|| indicatif::ProgressBar::new(total))
    };
    let report = run(&run_opts, &mut |done, _| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
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
    let summary_json = |s: &relucert::corpus::Summary| {
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
    };
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
                "source": relucert::gen::source_line(r.family, run_opts.seed, r.index),
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
        return Ok(Outcome {
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
    let written = report
        .records
        .iter()
        .filter(|r| r.written.is_some())
        .count();
    if let Some(dir) = &run_opts.write_undecided {
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
                    relucert::gen::source_line(r.family, run_opts.seed, r.index)
                );
            }
        }
    }
    Ok(Outcome { stdout: s, status })
}

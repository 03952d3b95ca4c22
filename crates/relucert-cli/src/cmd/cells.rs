//! `relucert cells FILE [--count] [--json] [--limit N] [--at-point]
//! [--unit]`: the activation patterns of the first hidden layer over the
//! data set, one unit's cells, or the local arrangement at the point.
//!
//! Owns: the text and JSON shapes of `cells` (listings stream one line per
//! cell; JSON listings are one object per line), the `--limit` notes on
//! stderr, and the progress bar of long listings.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! cells, their product over units, the counts and the Zaslavsky recount
//! come from `relucert::cells::layer`.

use super::output::{int_json, load, qs, signs_string, CliError, EXIT_OK};
use num_bigint::BigInt;
use relucert::cells::layer::{
    self, FirstLayer, FirstLayerCount, LayerError, LocalCells, DEEP_SAMPLES,
};
use relucert::cells::Cell;
use relucert::cells::CellsError;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// Options of `relucert cells`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Print counts instead of listing cells.
    pub count: bool,
    /// JSON output.
    pub json: bool,
    /// Stop after this many cells.
    pub limit: Option<u64>,
    /// The local arrangement at the file's point.
    pub at_point: bool,
    /// One unit's cells instead of the layer's patterns.
    pub unit: bool,
    /// `--timeout`: the enumeration and the listing stop here (the output
    /// is then partial, and stderr says so).
    pub deadline: relucert::Deadline,
}

/// The enumeration stopped by `--timeout`: nothing listed, and stderr says
/// why (exit 0: a partial, empty listing, like `--limit 0`).
fn timed_out(err: &LayerError) -> bool {
    matches!(err, LayerError::Cells(CellsError::TimeLimit))
}

fn signs_of(cell: &Cell) -> String {
    signs_string(&cell.signs)
}

/// Split a unit's witness `(w, b)` into JSON.
fn unit_witness_json(w: &[BigInt], input_dim: usize, bias: bool) -> (Value, Value) {
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

fn ints_text(v: &[BigInt]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

fn bias_text(c: &Cell, d: usize, bias: bool) -> String {
    if bias {
        c.witness[d].to_string()
    } else {
        "(no bias)".to_string()
    }
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

/// `relucert cells ...`. Streams to `out`; returns the exit status. A
/// `--limit` that cuts the stream short says so on stderr.
pub fn run(path: &Path, opts: &Options, out: &mut dyn Write) -> Result<u8, CliError> {
    let file = path.display().to_string();
    let inst = load(path)?;
    let problem = &inst.problem;
    layer::require_kinks(&problem.arch).map_err(|e| CliError::at(&file, e))?;
    if opts.at_point {
        let Some(params) = inst.point.as_ref() else {
            return Err(CliError::at(
                &file,
                "point: missing table: --at-point needs a [point] table",
            ));
        };
        let local = match layer::local_cells_within(problem, params, &opts.deadline) {
            Err(e) if timed_out(&e) => {
                eprintln!("stopped: {e}; no cell listed (--timeout)");
                return Ok(EXIT_OK);
            }
            r => r.map_err(|e| CliError::at(&file, e))?,
        };
        return at_point(&file, problem, &local, opts, out);
    }
    if opts.count {
        let counted = match layer::first_layer_count_within(problem, &opts.deadline) {
            Err(e) if timed_out(&e) => {
                eprintln!("stopped: {e}; no count (--timeout)");
                return Ok(EXIT_OK);
            }
            r => r.map_err(|e| CliError::at(&file, e))?,
        };
        return count(&file, problem, &counted, opts, out);
    }
    let first = match layer::first_layer_within(problem, &opts.deadline) {
        Err(e) if timed_out(&e) => {
            eprintln!("stopped: {e}; no cell listed (--timeout)");
            return Ok(EXIT_OK);
        }
        r => r.map_err(|e| CliError::at(&file, e))?,
    };
    if opts.unit {
        return unit(problem, &first, opts, out);
    }
    patterns(problem, &first, opts, out)
}

fn at_point(
    file: &str,
    problem: &relucert::network::Problem,
    local: &[LocalCells],
    opts: &Options,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let d = problem.arch.input_dim();
    let bias = problem.arch.bias[0];
    let limit = opts.limit.unwrap_or(u64::MAX);
    if opts.count {
        let total = layer::local_count(local);
        if opts.json {
            let units_json: Vec<Value> = local
                .iter()
                .map(|u| {
                    let lu = &u.local;
                    let orth = lu.arrangement.orthant();
                    json!({
                        "unit": lu.unit,
                        "points": lu.points,
                        "hyperplanes": lu.arrangement.distinct.len(),
                        "rank": lu.arrangement.rank(),
                        "independent": orth.is_some(),
                        "cells": u.cells.len(),
                        "rays": orth.map(|o| o.rays.iter().map(|r| r.iter().map(qs).collect::<Vec<_>>()).collect::<Vec<_>>()),
                    })
                })
                .collect();
            let v = json!({
                "file": file,
                "mode": "at-point",
                "units": units_json,
                "local_cells": int_json(&total),
                "scope": "zero pre-activations of the first hidden layer",
            });
            writeln!(out, "{v:#}")?;
        } else {
            writeln!(
                out,
                "local arrangement at the point (zero pre-activations of the first hidden layer):"
            )?;
            if local.is_empty() {
                writeln!(
                    out,
                    "  no zero pre-activation in the first hidden layer: one local cell"
                )?;
            }
            for u in local {
                let lu = &u.local;
                let ind = if lu.arrangement.orthant().is_some() {
                    ", independent normals: orthant structure"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  unit {} of layer 1: zero at points {:?}; {} hyperplanes, rank {}{}; {} cells",
                    lu.unit,
                    lu.points,
                    lu.arrangement.distinct.len(),
                    lu.arrangement.rank(),
                    ind,
                    u.cells.len()
                )?;
            }
            writeln!(out, "local cells (product over units): {total}")?;
        }
        return Ok(EXIT_OK);
    }
    let mut emitted: u64 = 0;
    'outer: for u in local {
        let lu = &u.local;
        for c in &u.cells {
            if emitted >= limit {
                break 'outer;
            }
            let (w, b) = unit_witness_json(&c.witness, d, bias);
            if opts.json {
                let v = json!({"unit": lu.unit, "points": lu.points, "pattern": signs_of(c), "direction": {"dW": w, "db": b}});
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "unit {} of layer 1, points {:?}: {}  direction dW = {}  db = {}",
                    lu.unit,
                    lu.points,
                    signs_of(c),
                    ints_text(&c.witness[..d]),
                    bias_text(c, d, bias)
                )?;
            }
            emitted += 1;
        }
    }
    let all: u64 = local.iter().map(|u| u.cells.len() as u64).sum();
    if emitted < all {
        eprintln!("stopped after {emitted} of {all} unit cells (--limit {limit})");
    }
    Ok(EXIT_OK)
}

fn count(
    file: &str,
    problem: &relucert::network::Problem,
    first: &FirstLayerCount,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let arr = &first.arrangement;
    let units = first.units;
    let n = &first.unit_cells;
    let rank = first.charpoly.rank();
    let chi: Vec<Value> = first.charpoly.coeffs.iter().map(int_json).collect();
    let always_zero = first.always_zero_points();
    // a recount that disagrees with the enumeration is an internal error
    let zaslavsky = first
        .zaslavsky_recount()
        .map_err(|e| CliError::at(file, e))?;
    if opts.json {
        let v = json!({
            "file": file,
            "mode": "data-set",
            "layer": 1,
            "units": units,
            "unit_cells": int_json(n),
            "layer_cells": int_json(&first.layer_cells),
            "hyperplanes": arr.distinct.len(),
            "dimension": arr.dim,
            "rank": rank,
            "always_zero_points": always_zero,
            "complete": true,
            "charpoly": chi,
            "enumerated": first.enumerated,
            "zaslavsky": zaslavsky.as_ref().map(int_json),
            "deeper_layers": first.deep.as_ref().map(|f| json!({
                "complete": false,
                "patterns_found": f.len(),
                "note": format!("patterns of all hidden layers found at {DEEP_SAMPLES} sampled parameter points, each with a witness; the list may be incomplete"),
            })),
        });
        writeln!(out, "{v:#}")?;
        return Ok(EXIT_OK);
    }
    writeln!(
        out,
        "first hidden layer: {units} units; one unit's arrangement: {} data points, {} distinct hyperplanes in dimension {} (rank {})",
        problem.data.len(),
        arr.distinct.len(),
        arr.dim,
        rank
    )?;
    if !always_zero.is_empty() {
        writeln!(out, "points {always_zero:?} are the zero vector with no bias: their pre-activations are always 0")?;
    }
    let how = match first.enumerated {
        Some(_) => {
            "characteristic polynomial; the enumeration agrees, each cell with an exact witness"
        }
        None => "characteristic polynomial by deletion-restriction; not enumerated",
    };
    writeln!(out, "unit_cells: {n} ({how})")?;
    writeln!(out, "layer_cells: {n}^{units} = {}", first.layer_cells)?;
    if let Some(z) = &zaslavsky {
        writeln!(out, "Zaslavsky/Whitney recount of unit_cells: {z} (agrees)")?;
    }
    if let Some(f) = &first.deep {
        writeln!(
            out,
            "deeper layers: {} patterns of all hidden layers found at {DEEP_SAMPLES} sampled points (may be incomplete)",
            f.len()
        )?;
    }
    Ok(EXIT_OK)
}

fn unit(
    problem: &relucert::network::Problem,
    first: &FirstLayer,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let d = problem.arch.input_dim();
    let bias = problem.arch.bias[0];
    let limit = opts.limit.unwrap_or(u64::MAX);
    let cells = &first.unit_cells;
    let mut emitted: u64 = 0;
    for c in cells
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
    {
        let (w, b) = unit_witness_json(&c.witness, d, bias);
        if opts.json {
            writeln!(
                out,
                "{}",
                json!({"pattern": signs_of(c), "witness": {"w": w, "b": b}})
            )?;
        } else {
            writeln!(
                out,
                "{}  w = {}  b = {}",
                signs_of(c),
                ints_text(&c.witness[..d]),
                bias_text(c, d, bias)
            )?;
        }
        emitted += 1;
    }
    if (emitted as usize) < cells.len() {
        eprintln!(
            "stopped after {emitted} of {} unit cells (--limit {limit})",
            cells.len()
        );
    }
    Ok(EXIT_OK)
}

/// The layer's patterns (the product of unit cells), in lexicographic order.
fn patterns(
    problem: &relucert::network::Problem,
    first: &FirstLayer,
    opts: &Options,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let d = problem.arch.input_dim();
    let bias = problem.arch.bias[0];
    let limit = opts.limit.unwrap_or(u64::MAX);
    let total_u64 = u64::try_from(&first.layer_cells).unwrap_or(u64::MAX);
    let progress = Progress::new(total_u64.min(limit));
    let mut emitted: u64 = 0;
    let mut out_of_time = false;
    for chosen in first.patterns() {
        if emitted >= limit {
            break;
        }
        if opts.deadline.expired() {
            out_of_time = true;
            break;
        }
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
            )?;
        } else {
            let rows: Vec<String> = chosen.iter().map(|c| ints_text(&c.witness[..d])).collect();
            let mut line = format!("{}  W1 = [{}]", pattern.join(" "), rows.join(", "));
            if bias {
                let b: Vec<String> = chosen.iter().map(|c| c.witness[d].to_string()).collect();
                let _ = write!(line, "  b1 = [{}]", b.join(", "));
            }
            writeln!(out, "{line}")?;
        }
        emitted += 1;
        progress.inc();
    }
    progress.finish();
    if out_of_time {
        eprintln!(
            "stopped after {emitted} of {} layer patterns (--timeout)",
            first.layer_cells
        );
    } else if BigInt::from(emitted) < first.layer_cells {
        eprintln!(
            "stopped after {emitted} of {} layer patterns (--limit {limit})",
            first.layer_cells
        );
    }
    if let Some(f) = &first.deep {
        eprintln!(
            "note: only first-layer patterns are listed (complete); {} patterns of all hidden layers were found by sampling (see --count), and that list may be incomplete",
            f.len()
        );
    }
    Ok(EXIT_OK)
}

//! `relucert cell FILE [--side LIST] [--json]`: the cell polynomial phi_S
//! of the point's cell, or of the cell next to a boundary point chosen by
//! `--side`.
//!
//! Owns: parsing `--side` and the text and JSON shapes of `cell`
//! (documented in docs/cli.md; the JSON is a stable interface).
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! pattern comes from `network::Signature`, the polynomial from `cellpoly`.

use super::output::{entry_json, entry_text, load_with_point, qs, with_decimal, CliError, Output};
use relucert::cellpoly;
use relucert::network::{Side, Signature, ZeroEntry};
use relucert::poly::Poly;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Parse a `--side` list: comma-separated `+`, `-` or class indices.
pub fn parse_sides(spec: &str) -> Result<Vec<Side>, String> {
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
pub fn run(path: &Path, sides: Option<&str>, as_json: bool) -> Result<Output, CliError> {
    let (inst, params) = load_with_point(path, "cell")?;
    let problem = &inst.problem;
    let ev = problem.evaluate(&params);
    let sig = Signature::of(problem, &ev);
    let zeros = sig.zero_entries();
    let arch = &problem.arch;
    let name = |v: u32| arch.param_name(v as usize);

    let choices = match sides {
        Some(spec) => Some(parse_sides(spec).map_err(|e| CliError::at(path.display(), e))?),
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
            return Ok(Output::ok(format!("{out:#}\n")));
        }
        let mut s = format!(
            "the point lies on a cell boundary: {} zero entr{}\n",
            zeros.len(),
            if zeros.len() == 1 { "y" } else { "ies" }
        );
        for (n, e) in zeros.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", n + 1, entry_text(e, problem.loss));
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
            "choose a side for each, in this order, with --side (e.g. --side={}): + or - for a pre-activation or {}, a class index for a tie",
            example.join(","),
            if problem.loss.is_regression() {
                "residual (+: f > t)"
            } else {
                "hinge argument"
            }
        );
        return Ok(Output::ok(s));
    }
    let choices = choices.unwrap_or_default();
    let pattern = sig
        .complete(&choices)
        .map_err(|e| CliError::at(path.display(), format_args!("--side: {e}")))?;
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
        return Ok(Output::ok(format!("{out:#}\n")));
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
    if problem.loss == relucert::network::LossKind::Squared {
        // the other losses' pieces are multilinear (degree <= 1 per layer)
        let _ = writeln!(
            s,
            "  (squared loss: phi_S is (1/N) sum (f - t)^2, of degree up to 2 in each layer's parameters)"
        );
    }
    let _ = writeln!(
        s,
        "value at the point: {} (loss: {})",
        with_decimal(&value),
        with_decimal(&ev.loss)
    );
    Ok(Output::ok(s))
}

//! `relucert eval FILE [--json]`: exact loss, margins, signature and zero
//! entries at the instance's point.
//!
//! Owns: the text and JSON shapes of `eval` (documented in docs/cli.md;
//! the JSON is a stable interface: add fields, never rename or remove
//! them).
//!
//! Must not: compute anything (argument parsing and formatting only): every
//! number comes from `network`, the `[expect]` comparison from `expect`.

mod fmt;

use super::output::{
    agreement_word, entry_text, load_with_point, qs, CliError, Output, EXIT_DISAGREE, EXIT_OK,
};
use fmt::with_decimal;
use relucert::expect::{self, Computed};
use relucert::network::{LossKind, PointsEvaluation};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// `relucert eval FILE [--json]`.
pub fn run(path: &Path, as_json: bool) -> Result<Output, CliError> {
    let (inst, params) = load_with_point(path, "eval")?;
    let problem = &inst.problem;
    let regression = problem.loss.is_regression();
    // batched integer passes, parallel over points; no rational
    // pre-activations are kept (the signature keeps their signs)
    let ev: PointsEvaluation = problem.evaluate_points(&params);
    let sig = &ev.signature;
    let zeros = sig.zero_entries();
    let (zp, zh, zt) = sig.zero_counts();
    let (np, nh) = sig.sizes();
    // eval has no verdict: only the loss is compared
    let loss_cmp = expect::compare(
        inst.expect.as_ref(),
        &Computed {
            verdict: None,
            loss: &ev.loss,
            global_min: None,
        },
    )
    .loss;
    let status = if loss_cmp.as_ref().and_then(|c| c.agreement.as_option()) == Some(false) {
        EXIT_DISAGREE
    } else {
        EXIT_OK
    };

    if as_json {
        // the report without its points, then each point pretty-printed into
        // its place: the same text as printing the whole `Value`, without
        // holding one `Value` per point at once
        let mut out =
            relucert::report::eval_json(&path.display().to_string(), &inst, &ev.loss, &[], sig);
        out["expect"] = json!({
            "loss": loss_cmp.as_ref().map(|c| qs(&c.expected)),
            "loss_agrees": loss_cmp.as_ref().and_then(|c| c.agreement.as_option()),
        });
        let head = format!("{out:#}\n");
        const EMPTY: &str = "\n  \"points\": [],\n";
        let stdout = match head.find(EMPTY) {
            Some(at) if !ev.points.is_empty() => {
                let mut s = String::with_capacity(head.len() + ev.points.len() * 400);
                s.push_str(&head[..at]);
                s.push_str("\n  \"points\": [");
                for (i, p) in ev.points.iter().enumerate() {
                    let v = relucert::report::eval_point_json(&inst, i, p);
                    s.push_str(if i == 0 { "\n" } else { ",\n" });
                    for (k, line) in format!("{v:#}").lines().enumerate() {
                        if k > 0 {
                            s.push('\n');
                        }
                        s.push_str("    ");
                        s.push_str(line);
                    }
                }
                s.push_str("\n  ],\n");
                s.push_str(&head[at + EMPTY.len()..]);
                s
            }
            _ => head,
        };
        return Ok(Output { stdout, status });
    }

    // reserved generously up front: growing a string of tens of megabytes by
    // doubling holds the old and the new buffer at once (untouched reserved
    // pages cost no memory)
    let n = ev.points.len();
    let units: usize = sig.hidden.first().map_or(0, |_| {
        sig.hidden
            .iter()
            .map(|l| l.first().map_or(0, Vec::len))
            .sum()
    });
    let outputs = problem.arch.widths.last().copied().unwrap_or(1);
    let mut s = String::with_capacity(4096 + n.saturating_mul(200 + 64 * outputs + units + 16));
    let title = inst
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let _ = writeln!(s, "instance: {}{title}", path.display());
    let _ = writeln!(s, "loss: {}", with_decimal(&ev.loss));
    let _ = writeln!(s, "points: {}", ev.points.len());
    for (i, p) in ev.points.iter().enumerate() {
        let out: Vec<String> = p.output.iter().map(with_decimal).collect();
        if regression {
            let _ = write!(
                s,
                "  point {i}: t = {}  f = [{}]  residual f - t = {}  loss = {}",
                with_decimal(&problem.data.target(i)),
                out.join(", "),
                with_decimal(&p.margin),
                with_decimal(&p.loss)
            );
        } else {
            let _ = write!(
                s,
                "  point {i}: y = {}  f = [{}]  margin = {}  loss = {}",
                problem.data.y[i],
                out.join(", "),
                with_decimal(&p.margin),
                with_decimal(&p.loss)
            );
        }
        if let Some(a) = &p.argmax {
            let _ = write!(s, "  argmax = {a:?}");
        }
        s.push('\n');
    }
    match problem.loss {
        LossKind::Squared => {
            let _ = writeln!(s, "signature: {np} pre-activations ({zp} zero)");
        }
        LossKind::Absolute => {
            let _ = writeln!(
                s,
                "signature: {np} pre-activations ({zp} zero), {nh} residuals ({zh} zero)"
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "signature: {np} pre-activations ({zp} zero), {nh} hinge arguments ({zh} zero), {zt} ties"
            );
        }
    }
    // written straight into `s` (no per-unit or per-point strings held at
    // once: with 100,000 points and 256 units those are tens of megabytes)
    for (l, layer) in sig.hidden.iter().enumerate() {
        let _ = write!(
            s,
            "  layer {} pre-activation signs, per unit over points 0..{}: ",
            l + 1,
            layer.len().saturating_sub(1)
        );
        // as `unit_patterns`: one sign per point, `?` where a point has no such unit
        for j in 0..layer.first().map_or(0, Vec::len) {
            if j > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "unit {j} ");
            for p in layer {
                s.push_str(p.get(j).map_or("?", |x| x.symbol()));
            }
        }
        s.push('\n');
    }
    let hinge_line = |s: &mut String| {
        for (i, t) in sig.hinge.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "point {i} ");
            for (_, x) in t {
                s.push_str(x.symbol());
            }
        }
        s.push('\n');
    };
    match problem.loss {
        // the squared loss has no kinks in the residual: no hinge section
        LossKind::Squared => {}
        LossKind::Absolute => {
            s.push_str("  residual signs (f - t), per point: ");
            hinge_line(&mut s);
        }
        _ => {
            s.push_str("  hinge argument signs, per point over its hinge terms: ");
            hinge_line(&mut s);
        }
    }
    if zeros.is_empty() {
        let _ = writeln!(s, "zero entries: none (the point is inside a cell)");
    } else {
        let _ = writeln!(
            s,
            "zero entries: {} (the point is on a cell boundary)",
            zeros.len()
        );
        for (n, e) in zeros.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}", n + 1, entry_text(e, problem.loss));
        }
    }
    if let Some(c) = &loss_cmp {
        let _ = writeln!(
            s,
            "expect.loss: {} ({})",
            with_decimal(&c.expected),
            agreement_word(c.agreement)
        );
    }
    Ok(Output { stdout: s, status })
}

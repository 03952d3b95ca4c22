//! The JSON shapes that `relucert ... --json` and the Python package share,
//! so that both say the same thing in the same words.
//!
//! Owns: how a rational, a sign string, a unit's pattern, a zero entry, an
//! evaluation at a point and a theorem report are written as JSON
//! (documented in docs/cli.md; a stable interface: add fields, never rename
//! or remove them).
//!
//! Must not: compute anything (it writes out what `network` and `theorems`
//! computed) or print.

use crate::instance::Instance;
use crate::network::{PointLoss, Sign, Signature, ZeroEntry};
use crate::number::{fmt_q, Q};
use crate::theorems::Report;
use serde_json::{json, Value};

/// A rational as an exact JSON string (`"-3/4"`).
pub fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

/// Signs as a string of `+`, `-`, `0`.
pub fn signs_string(signs: &[Sign]) -> String {
    signs.iter().map(|s| s.symbol()).collect()
}

/// One layer's signs, given per point (`by_point[i][j]`: unit `j` on point
/// `i`), as one pattern per unit with one sign per point: the unit's
/// activation pattern, the grouping `cells` uses.
pub fn unit_patterns(by_point: &[Vec<Sign>]) -> Vec<String> {
    let units = by_point.first().map_or(0, Vec::len);
    (0..units)
        .map(|j| {
            by_point
                .iter()
                .map(|p| p.get(j).map_or("?", |s| s.symbol()))
                .collect()
        })
        .collect()
}

/// A zero entry: `{"kind": "pre-activation", "point", "layer", "unit"}`,
/// `{"kind": "hinge", "point", "class"}` or `{"kind": "tie", "point",
/// "classes"}`.
pub fn entry_json(e: &ZeroEntry) -> Value {
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

/// `eval --json` without its `expect` part: `file`, `name`, `loss`,
/// `points[]` (`index`, `label`, `output`, `margin`, `loss`,
/// `hinge_arguments`, `argmax`; for the regression losses `label` is null
/// and the point also has `target` and `residual` = `f - t`, which equals
/// `margin`), `signature` (counts; `hidden[l][i]`: layer
/// l+1's signs on point i; `hidden_units[l][j]`: unit j's pattern over the
/// points; `hinge[i]`), `zero_entries`.
pub fn eval_json(
    file: &str,
    inst: &Instance,
    loss: &Q,
    points: &[PointLoss],
    sig: &Signature,
) -> Value {
    let points: Vec<Value> = points
        .iter()
        .enumerate()
        .map(|(i, p)| eval_point_json(inst, i, p))
        .collect();
    let hidden: Vec<Vec<String>> = sig
        .hidden
        .iter()
        .map(|layer| layer.iter().map(|u| signs_string(u)).collect())
        .collect();
    let hidden_units: Vec<Vec<String>> = sig
        .hidden
        .iter()
        .map(|layer| unit_patterns(layer))
        .collect();
    let hinge: Vec<String> = sig
        .hinge
        .iter()
        .map(|t| t.iter().map(|(_, s)| s.symbol()).collect())
        .collect();
    let (zp, zh, zt) = sig.zero_counts();
    let (np, nh) = sig.sizes();
    json!({
        "file": file,
        "name": inst.name,
        "loss": qs(loss),
        "points": points,
        "signature": {
            "pre_activations": np,
            "hinge_arguments": nh,
            "zero_pre_activations": zp,
            "zero_hinge_arguments": zh,
            "ties": zt,
            "hidden": hidden,
            "hidden_units": hidden_units,
            "hinge": hinge,
        },
        "zero_entries": sig.zero_entries().iter().map(entry_json).collect::<Vec<_>>(),
    })
}

/// One point of `eval_json`'s `"points"`.
pub fn eval_point_json(inst: &Instance, i: usize, p: &PointLoss) -> Value {
    let problem = &inst.problem;
    let mut v = json!({
        "index": i,
        "label": problem.data.y.get(i),
        "output": p.output.iter().map(qs).collect::<Vec<_>>(),
        "margin": qs(&p.margin),
        "loss": qs(&p.loss),
        "hinge_arguments": p.terms.iter().map(|t| json!({"class": t.class, "value": qs(&t.argument)})).collect::<Vec<_>>(),
        "argmax": p.argmax,
    });
    if problem.loss.is_regression() {
        // a regression point has a target, not a label (y is all zeros)
        v["label"] = Value::Null;
        v["target"] = qs(&problem.data.target(i));
        v["residual"] = qs(&p.margin);
    }
    v
}

/// One theorem report: `{"predicate", "theorem", "outcome", "evidence"}`.
pub fn predicate_json(r: &Report) -> Value {
    json!({
        "predicate": r.predicate,
        "theorem": r.theorem,
        "outcome": r.outcome.name(),
        "evidence": r.outcome.evidence(),
    })
}

//! Which tensors are which layer: the naming rules of `relucert import`.
//!
//! Owns: [`layers`]: PyTorch `state_dict` names (`0.weight`, `0.bias`,
//! `2.weight`, ..., under any common prefix such as `net.` or `fc`, after
//! dropping a `module.` prefix), the `W1, b1, W2, b2, ...` names of the
//! instance format, or an explicit list ([`LayerSpec`], `--layers`); layers
//! ordered by the number in the name, compared as a number (`10` after
//! `2`), never alphabetically.
//!
//! Must not: look at shapes or values (the builder checks those), or drop a
//! tensor silently (an unused tensor is an error under the automatic rules
//! and a reported note under an explicit list).

use super::tensor::Tensor;
use std::collections::BTreeMap;

/// One layer named explicitly: its weight tensor and, optionally, its bias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerSpec {
    /// The weight tensor's name.
    pub weight: String,
    /// The bias tensor's name; `None`: `NAME.weight` -> `NAME.bias`,
    /// `W<k>` -> `b<k>` when present, else no bias.
    pub bias: Option<String>,
}

impl LayerSpec {
    /// `--layers` text: `NAME,NAME:BIAS,...`.
    pub fn list_from_arg(s: &str) -> Vec<LayerSpec> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':') {
                Some((w, b)) => LayerSpec {
                    weight: w.trim().to_string(),
                    bias: Some(b.trim().to_string()),
                },
                None => LayerSpec {
                    weight: p.to_string(),
                    bias: None,
                },
            })
            .collect()
    }
}

/// One weight layer's tensors, in order.
pub type Layer = (Tensor, Option<Tensor>);

fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| super::excerpt(n)).collect();
    let more = if names.len() > 8 { ", ..." } else { "" };
    format!("{}{more}", shown.join(", "))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Weight,
    Bias,
}

/// (scheme prefix, index, role) of a name under the automatic rules.
fn classify(name: &str) -> Option<(String, u64, Role)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(k) = name.strip_prefix('W').filter(|k| digits(k)) {
        return Some(("W/b".to_string(), k.parse().ok()?, Role::Weight));
    }
    if let Some(k) = name.strip_prefix('b').filter(|k| digits(k)) {
        return Some(("W/b".to_string(), k.parse().ok()?, Role::Bias));
    }
    let (stem, role) = if let Some(s) = name.strip_suffix(".weight") {
        (s, Role::Weight)
    } else if let Some(s) = name.strip_suffix(".bias") {
        (s, Role::Bias)
    } else {
        return None;
    };
    let cut = stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, idx) = stem.split_at(cut);
    if idx.is_empty() {
        return None;
    }
    Some((format!("{prefix}*"), idx.parse().ok()?, role))
}

/// The layers of `tensors` in order, and notes on what was assumed.
pub fn layers(
    tensors: Vec<Tensor>,
    explicit: Option<&[LayerSpec]>,
) -> Result<(Vec<Layer>, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut by_name: BTreeMap<String, Tensor> = BTreeMap::new();
    let stripped = tensors.iter().any(|t| t.name.starts_with("module."));
    for mut t in tensors {
        if let Some(s) = t.name.strip_prefix("module.") {
            t.name = s.to_string();
        }
        if by_name.contains_key(&t.name) {
            return Err(format!(
                "two tensors named `{}` (after dropping `module.`)",
                super::excerpt(&t.name)
            ));
        }
        by_name.insert(t.name.clone(), t);
    }
    if stripped {
        notes.push("dropped the `module.` prefix of the tensor names".to_string());
    }
    if let Some(specs) = explicit {
        if specs.is_empty() {
            return Err("--layers names no tensor".to_string());
        }
        let names: Vec<String> = by_name.keys().cloned().collect();
        let mut out = Vec::new();
        for spec in specs {
            let w = by_name.remove(&spec.weight).ok_or_else(|| {
                let all: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(
                    "--layers: no tensor `{}` (the file has {})",
                    super::excerpt(&spec.weight),
                    list(&all)
                )
            })?;
            let bias_name = match &spec.bias {
                Some(b) => Some(b.clone()),
                None => {
                    let guess = if let Some(s) = spec.weight.strip_suffix("weight") {
                        Some(format!("{s}bias"))
                    } else {
                        spec.weight.strip_prefix('W').map(|k| format!("b{k}"))
                    };
                    guess.filter(|g| by_name.contains_key(g))
                }
            };
            let b = match bias_name {
                Some(bn) => Some(by_name.remove(&bn).ok_or_else(|| {
                    format!(
                        "--layers: no tensor `{}` (bias of `{}`)",
                        super::excerpt(&bn),
                        super::excerpt(&spec.weight)
                    )
                })?),
                None => None,
            };
            out.push((w, b));
        }
        if !by_name.is_empty() {
            let rest: Vec<&str> = by_name.keys().map(String::as_str).collect();
            notes.push(format!("ignored tensors not in --layers: {}", list(&rest)));
        }
        return Ok((out, notes));
    }
    let mut scheme: Option<String> = None;
    let mut slots: BTreeMap<u64, (Option<Tensor>, Option<Tensor>)> = BTreeMap::new();
    let mut unknown = Vec::new();
    for (name, t) in by_name {
        let Some((sch, idx, role)) = classify(&name) else {
            unknown.push(name);
            continue;
        };
        match &scheme {
            None => scheme = Some(sch),
            Some(s) if *s != sch => {
                return Err(format!(
                    "tensor `{}` does not follow the naming of the others ({} vs {}); name the layers with --layers",
                    super::excerpt(&name),
                    super::excerpt(&sch),
                    super::excerpt(s)
                ))
            }
            Some(_) => {}
        }
        let slot = slots.entry(idx).or_default();
        match role {
            Role::Weight => slot.0 = Some(t),
            Role::Bias => slot.1 = Some(t),
        }
    }
    if !unknown.is_empty() {
        let u: Vec<&str> = unknown.iter().map(String::as_str).collect();
        return Err(format!(
            "tensor names not of the form `PREFIX<k>.weight`/`.bias` or `W<k>`/`b<k>`: {}; name the layers with --layers",
            list(&u)
        ));
    }
    if slots.is_empty() {
        return Err("no weight tensors".to_string());
    }
    let mut out = Vec::new();
    for (_, (w, b)) in slots {
        match (w, b) {
            (Some(w), b) => out.push((w, b)),
            (None, Some(b)) => {
                return Err(format!(
                    "bias `{}` has no weight tensor with the same number",
                    super::excerpt(&b.name)
                ))
            }
            (None, None) => {}
        }
    }
    Ok((out, notes))
}

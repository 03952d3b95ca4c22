//! From named layers and raw data to a validated instance.
//!
//! Owns: the shape rules (each weight `(out, in)` with `in` equal to the
//! previous layer's `out`, each bias `(out,)`, each data point as wide as
//! the first layer's input), the defaults (relu; hinge for one output,
//! multiclass-hinge for more), the label rules (binary hinge: -1/1, or 0/1
//! mapped with `--labels-01`; multiclass: 0..K-1), the `name` and `source`
//! lines, and the final re-validation through the instance reader.
//!
//! Must not: change a number (only the 0/1 labels, when asked, and said
//! so), or guess a shape: every mismatch is a one-line error naming the
//! tensor, its shape and what was expected.

use super::naming::Layer;
use super::tensor::fmt_shape;
use super::{err_at, excerpt, ImportError, ImportOptions, RawData};
use crate::instance::{self, Instance, Syntax};
use crate::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use crate::number::{fmt_q, Q};
use num_traits::ToPrimitive;
use std::path::Path;

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The instance of these layers and data.
pub(super) fn build(
    opts: &ImportOptions,
    layers: &[Layer],
    data: RawData,
    data_path: &Path,
    notes: &mut Vec<String>,
) -> Result<Instance, ImportError> {
    let wfile = opts.weights.as_path();
    let werr = |m: String| err_at(wfile, m);
    let mut widths = Vec::with_capacity(layers.len() + 1);
    let mut bias = Vec::with_capacity(layers.len());
    let mut params = Vec::with_capacity(layers.len());
    for (l, (w, b)) in layers.iter().enumerate() {
        let (rows, cols) = match w.shape.as_slice() {
            [r, c] => (*r, *c),
            s => {
                return Err(werr(format!(
                    "weight `{}` has shape {}; expected (out, in), a 2-D matrix as in PyTorch's Linear.weight",
                    excerpt(&w.name),
                    fmt_shape(s)
                )))
            }
        };
        if rows == 0 || cols == 0 {
            return Err(werr(format!(
                "weight `{}` has shape {}; expected no zero dimension",
                excerpt(&w.name),
                fmt_shape(&w.shape)
            )));
        }
        match widths.last() {
            None => widths.push(cols),
            Some(&prev) if prev != cols => {
                let (pw, _) = &layers[l - 1];
                return Err(werr(format!(
                    "weight `{}` has shape {}; expected ({rows}, {prev}): its columns must equal the {prev} rows of `{}`",
                    excerpt(&w.name),
                    fmt_shape(&w.shape),
                    excerpt(&pw.name)
                )));
            }
            Some(_) => {}
        }
        widths.push(rows);
        let values = w.values().map_err(&werr)?;
        let wm: Vec<Vec<Q>> = values.chunks(cols).map(<[Q]>::to_vec).collect();
        let bv = match b {
            Some(_) if opts.no_bias => {
                return Err(werr(format!(
                    "--no-bias was given but the file has the bias `{}`",
                    b.as_ref().map_or(String::new(), |t| excerpt(&t.name))
                )))
            }
            Some(bt) => {
                if bt.shape != [rows] {
                    return Err(werr(format!(
                        "bias `{}` has shape {}; expected ({rows},) for the {rows} rows of `{}`",
                        excerpt(&bt.name),
                        fmt_shape(&bt.shape),
                        w.name
                    )));
                }
                Some(bt.values().map_err(&werr)?)
            }
            None => None,
        };
        bias.push(bv.is_some());
        params.push(LayerParams { w: wm, b: bv });
    }
    let out_width = widths.last().copied().unwrap_or(0);
    let activation = match &opts.activation {
        Some(a) => a.clone(),
        None => {
            if layers.len() > 1 {
                notes.push(
                    "activation relu (the default; a weights file does not record it: --activation relu|leaky|linear)"
                        .to_string(),
                );
            }
            Activation::Relu
        }
    };
    let loss = match opts.loss {
        Some(k) => k,
        None if out_width == 1 => {
            notes.push("loss hinge (the default for one output; --loss to change)".to_string());
            LossKind::Hinge
        }
        None => {
            notes.push(format!(
                "loss multiclass-hinge (the default for {out_width} outputs; --loss crammer-singer for Crammer-Singer)"
            ));
            LossKind::MulticlassHinge
        }
    };
    let last = layers
        .last()
        .map_or(String::new(), |(w, _)| excerpt(&w.name));
    match loss {
        LossKind::Hinge if out_width != 1 => {
            return Err(werr(format!(
                "the hinge loss needs one output, but the last weight `{last}` has {out_width} rows (use --loss multiclass-hinge or crammer-singer)"
            )))
        }
        LossKind::MulticlassHinge | LossKind::CrammerSinger if out_width < 2 => {
            return Err(werr(format!(
                "the {} loss needs at least 2 outputs, but the last weight `{last}` has {out_width} row",
                loss.name()
            )))
        }
        _ => {}
    }

    let derr = |m: String| err_at(data_path, m);
    let RawData { x, y } = data;
    if x.is_empty() {
        return Err(derr("no data points".to_string()));
    }
    if x.len() != y.len() {
        return Err(derr(format!(
            "{} input rows but {} labels",
            x.len(),
            y.len()
        )));
    }
    if let Some((i, row)) = x.iter().enumerate().find(|(_, r)| r.len() != widths[0]) {
        return Err(derr(format!(
            "data point {i} has {} inputs; expected {} (the columns of the first weight `{}`)",
            row.len(),
            widths[0],
            layers
                .first()
                .map_or(String::new(), |(w, _)| excerpt(&w.name))
        )));
    }
    let mut labels = Vec::with_capacity(y.len());
    for (i, q) in y.iter().enumerate() {
        if loss.is_regression() {
            // regression targets are any rationals (read exactly)
            break;
        }
        let v = q
            .is_integer()
            .then(|| q.to_integer().to_i64())
            .flatten()
            .ok_or_else(|| {
                derr(format!(
                    "label of data point {i} is {}; expected an integer",
                    fmt_q(q)
                ))
            })?;
        labels.push(v);
    }
    if opts.labels_01 && loss != LossKind::Hinge {
        return Err(derr(
            "--labels-01 applies to the binary hinge loss only (multiclass labels are 0..K-1)"
                .to_string(),
        ));
    }
    match loss {
        LossKind::Hinge if opts.labels_01 => {
            if let Some((i, v)) = labels.iter().enumerate().find(|(_, &v)| v != 0 && v != 1) {
                return Err(derr(format!(
                    "label of data point {i} is {v}; --labels-01 expects 0 or 1"
                )));
            }
            let zeros = labels.iter().filter(|&&v| v == 0).count();
            for v in &mut labels {
                if *v == 0 {
                    *v = -1;
                }
            }
            notes.push(format!(
                "labels mapped 0 -> -1 (--labels-01): {zeros} of {} points",
                labels.len()
            ));
        }
        LossKind::Hinge => {
            if let Some((i, v)) = labels.iter().enumerate().find(|(_, &v)| v != 1 && v != -1) {
                let hint = if labels.iter().all(|&v| v == 0 || v == 1) {
                    "; these labels are 0/1: pass --labels-01 to map 0 to -1"
                } else {
                    ""
                };
                return Err(derr(format!(
                    "label of data point {i} is {v}; the binary hinge loss expects -1 or 1{hint}"
                )));
            }
        }
        LossKind::MulticlassHinge | LossKind::CrammerSinger => {
            if let Some((i, v)) = labels
                .iter()
                .enumerate()
                .find(|(_, &v)| v < 0 || v >= out_width as i64)
            {
                return Err(derr(format!(
                    "label of data point {i} is {v}; expected a class 0..{} for {out_width} outputs",
                    out_width - 1
                )));
            }
        }
        LossKind::Absolute | LossKind::Squared => {}
    }
    let data = if loss.is_regression() {
        Data::regression(x, y)
    } else {
        Data::labelled(x, labels)
    };

    let data_name = file_name(data_path);
    let weights_name = file_name(wfile);
    let source = if data_path == wfile {
        format!("relucert import: weights and data {weights_name}")
    } else {
        format!("relucert import: weights {weights_name}, data {data_name}")
    };
    let inst = Instance {
        name: Some(
            opts.name
                .clone()
                .unwrap_or_else(|| format!("imported from {weights_name}")),
        ),
        source: Some(source),
        problem: Problem {
            arch: Architecture {
                widths,
                activation,
                bias,
            },
            loss,
            data,
        },
        point: Some(Params { layers: params }),
        expect: None,
    };
    // The instance reader is the one judge of validity (alpha range, ...).
    let text = instance::to_toml(&inst);
    instance::parse(&text, Syntax::Toml, &weights_name).map_err(|e| ImportError {
        file: e.file,
        message: match e.key {
            Some(k) => format!("{k}: {}", e.message),
            None => e.message,
        },
    })
}

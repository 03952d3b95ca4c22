//! `relucert import`: build an instance file from trained weights
//! (`.safetensors`, `.npz`) and data (`.csv`, `.npz`), every float taken at
//! its exact dyadic value.
//!
//! Owns: the arguments of `import`, the JSON form of the written instance,
//! and printing the library's notes (what was assumed or mapped) on stderr.
//!
//! Must not: read the files or build the instance (`relucert::import`
//! does), round a float, or decide anything about the instance.

use super::output::{input_settings, CliError, Output};
use relucert::import::{self, ImportOptions, LabelCol, LayerSpec};
use relucert::instance::{to_toml, Instance};
use relucert::network::{Activation, LossKind};
use relucert::number::{fmt_q, parse_rational, Q};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// Arguments of `relucert import`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  relucert import --weights tests/data/import/twin_relu-kink-corner-nonflat-min.safetensors --data tests/data/import/twin_relu-kink-corner-nonflat-min.csv --out model.toml
  relucert import --weights tests/data/import/twin_relu-multiclass-hinge-descent.npz --loss crammer-singer
  relucert import --weights tests/data/import/labels01.npz --labels-01 --out model.json
  relucert import --weights model.npz --data data.npz --activation leaky --alpha 0.01 --layers fc_in,fc_out:fc_out_b

Floats are taken at their exact value (0.1f32 is 13421773/134217728); CSV
numbers are decimal text and read exactly (0.1 is 1/10). See docs/import.md.")]
pub struct Args {
    /// The weights file (.safetensors or .npz): PyTorch state_dict names
    /// (0.weight, 0.bias, 2.weight, ...; a `module.` or other common prefix
    /// allowed) or W1, b1, W2, ...; weights shaped (out, in).
    #[arg(long, value_name = "W")]
    pub weights: PathBuf,
    /// The data file (.csv, or .npz with arrays X and y) [default: the
    /// weights .npz, if it holds X and y].
    #[arg(long, value_name = "D")]
    pub data: Option<PathBuf>,
    /// Name the weight tensors in layer order: NAME or NAME:BIAS, comma
    /// separated (default: the naming rules of docs/import.md).
    #[arg(long, value_name = "NAMES")]
    pub layers: Option<String>,
    /// Hidden-layer activation [default: relu].
    #[arg(long, value_name = "A", value_parser = ["relu", "leaky", "linear"])]
    pub activation: Option<String>,
    /// Leaky slope (exact: 0.01 is 1/100), required with --activation leaky.
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<String>,
    /// Loss [default: hinge for one output, multiclass-hinge for more; absolute and squared read the label column as exact regression targets].
    #[arg(long, value_name = "L", value_parser = ["hinge", "multiclass-hinge", "crammer-singer", "absolute", "squared"])]
    pub loss: Option<String>,
    /// Require that no layer has a bias tensor.
    #[arg(long)]
    pub no_bias: bool,
    /// Binary labels are 0/1: map 0 to -1 (the hinge loss needs -1/1).
    #[arg(long)]
    pub labels_01: bool,
    /// CSV: the label column, a header name or a 0-based index [default: the last].
    #[arg(long, value_name = "NAME|INDEX")]
    pub label_col: Option<String>,
    /// .npz data: the inputs array, shaped (N, d) [default: X, else x].
    #[arg(long, value_name = "NAME")]
    pub x_name: Option<String>,
    /// .npz data: the labels array, shaped (N,) [default: y, else Y].
    #[arg(long, value_name = "NAME")]
    pub y_name: Option<String>,
    /// The instance's name [default: "imported from FILE"].
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Write the instance here (.json: JSON, else TOML) [default: TOML on stdout].
    #[arg(long, value_name = "F")]
    pub out: Option<PathBuf>,
}

fn flag_error(message: impl std::fmt::Display) -> CliError {
    CliError::BadInput(format!("relucert import: {message}"))
}

/// The activation of the flags.
fn activation(args: &Args) -> Result<Option<Activation>, CliError> {
    let alpha = match &args.alpha {
        None => None,
        Some(text) => {
            let a: Q = parse_rational(text).map_err(|e| flag_error(format!("--alpha: {e}")))?;
            if a <= Q::from_integer(0.into()) || a >= Q::from_integer(1.into()) {
                return Err(flag_error(format!(
                    "--alpha {}: expected 0 < alpha < 1",
                    fmt_q(&a)
                )));
            }
            Some(a)
        }
    };
    match (args.activation.as_deref(), alpha) {
        (Some("leaky"), Some(a)) => Ok(Some(Activation::Leaky(a))),
        (Some("leaky"), None) => Err(flag_error(
            "--activation leaky needs --alpha (PyTorch's LeakyReLU default is 0.01)",
        )),
        (_, Some(_)) => Err(flag_error("--alpha applies to --activation leaky only")),
        (Some("linear"), None) => Ok(Some(Activation::Linear)),
        (Some(_), None) => Ok(Some(Activation::Relu)),
        (None, None) => Ok(None),
    }
}

fn loss(args: &Args) -> Option<LossKind> {
    match args.loss.as_deref() {
        Some("hinge") => Some(LossKind::Hinge),
        Some("multiclass-hinge") => Some(LossKind::MulticlassHinge),
        Some("crammer-singer") => Some(LossKind::CrammerSinger),
        Some("absolute") => Some(LossKind::Absolute),
        Some("squared") => Some(LossKind::Squared),
        _ => None,
    }
}

/// The instance as FORMAT.md JSON (exact numbers as strings).
fn to_json(inst: &Instance) -> Value {
    let q = |v: &Q| Value::String(fmt_q(v));
    let vec = |v: &[Q]| Value::Array(v.iter().map(q).collect());
    let mat = |m: &[Vec<Q>]| Value::Array(m.iter().map(|r| vec(r)).collect());
    let p = &inst.problem;
    let mut network = Map::new();
    network.insert("widths".into(), json!(p.arch.widths));
    network.insert("activation".into(), json!(p.arch.activation.name()));
    if let Activation::Leaky(a) = &p.arch.activation {
        network.insert("alpha".into(), q(a));
    }
    network.insert("bias".into(), json!(p.arch.bias));
    let mut out = Map::new();
    if let Some(n) = &inst.name {
        out.insert("name".into(), json!(n));
    }
    if let Some(s) = &inst.source {
        out.insert("source".into(), json!(s));
    }
    out.insert("network".into(), Value::Object(network));
    out.insert("loss".into(), json!({ "kind": p.loss.name() }));
    let y = if p.loss.is_regression() {
        // regression targets (y holds zeros)
        vec(&p.data.targets)
    } else {
        json!(p.data.y)
    };
    out.insert("data".into(), json!({ "x": mat(&p.data.x), "y": y }));
    if let Some(pt) = &inst.point {
        let mut point = Map::new();
        for (l, layer) in pt.layers.iter().enumerate() {
            point.insert(format!("W{}", l + 1), mat(&layer.w));
            if let Some(b) = &layer.b {
                point.insert(format!("b{}", l + 1), vec(b));
            }
        }
        out.insert("point".into(), Value::Object(point));
    }
    Value::Object(out)
}

/// `relucert import ...`.
pub fn run(args: &Args) -> Result<Output, CliError> {
    let mut opts = ImportOptions::new(args.weights.clone(), args.data.clone());
    opts.layers = args.layers.as_deref().map(LayerSpec::list_from_arg);
    opts.activation = activation(args)?;
    opts.loss = loss(args);
    opts.no_bias = args.no_bias;
    opts.labels_01 = args.labels_01;
    opts.x_name = args.x_name.clone();
    opts.y_name = args.y_name.clone();
    opts.label_col = args
        .label_col
        .as_deref()
        .map_or(LabelCol::Last, LabelCol::from_arg);
    opts.name = args.name.clone();
    opts.limits = input_settings().limits;
    let imported = import::import(&opts).map_err(|e| CliError::BadInput(e.to_string()))?;
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let inst = &imported.instance;
    let json = args
        .out
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        format!("{:#}\n", to_json(inst))
    } else {
        to_toml(inst)
    };
    match &args.out {
        None => Ok(Output::ok(text)),
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| CliError::at(path.display(), format_args!("cannot write: {e}")))?;
            let p = &inst.problem;
            Ok(Output::ok(format!(
                "wrote {}: widths {:?}, {} activation, {} loss, {} data points\n",
                path.display(),
                p.arch.widths,
                p.arch.activation.name(),
                p.loss.name(),
                p.data.len()
            )))
        }
    }
}

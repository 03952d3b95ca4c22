//! Building an instance from trained weights and a data set:
//! `relucert import`'s library side.
//!
//! Owns: [`ImportOptions`], [`import`] (read the files, name the layers,
//! check every shape, map the labels, build and re-validate the
//! [`Instance`]), [`ImportError`] (one line: `FILE: message`), the bounded
//! binary read [`read_bytes`], and the module tree: `exact_float` (float
//! bit patterns to exact rationals), `tensor` (one array), `safetensors`,
//! `npy`, `npz` (the file formats), `csv` (decimal data), `naming` (which
//! tensor is which layer), `build` (shapes and labels to an instance).
//!
//! Must not: round a float (every float is taken at its exact dyadic
//! value), drop or change anything without saying so in the notes, or
//! decide anything about the instance (no evaluation).

mod build;
pub mod csv;
pub mod exact_float;
pub mod naming;
pub mod npy;
pub mod npz;
pub mod safetensors;
pub mod tensor;

pub use csv::LabelCol;
pub use naming::LayerSpec;
pub use tensor::{DType, Tensor};

use crate::instance::Instance;
use crate::network::{Activation, LossKind};
use relucert_core::input::{excerpt as core_excerpt, fmt_bytes, read_text, InputLimits};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Quoted input in a message: cut as every relucert message cuts it.
pub(crate) fn excerpt(s: &str) -> String {
    core_excerpt(s)
}

/// A one-line error about an import: the file and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file the error is about (or `relucert import` for options).
    pub file: String,
    /// What was wrong or expected.
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ImportError {}

fn err_at(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError {
        file: path.display().to_string(),
        message: message.into(),
    }
}

/// Everything `relucert import` takes.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The weights file (`.safetensors` or `.npz`).
    pub weights: PathBuf,
    /// The data file (`.csv` or `.npz`); `None`: the weights `.npz` holds
    /// the data arrays too.
    pub data: Option<PathBuf>,
    /// The layers named explicitly (`--layers`), else the naming rules.
    pub layers: Option<Vec<LayerSpec>>,
    /// Hidden activation; `None`: relu (reported).
    pub activation: Option<Activation>,
    /// Loss; `None`: hinge for one output, multiclass-hinge for more
    /// (reported).
    pub loss: Option<LossKind>,
    /// Require that no layer has a bias.
    pub no_bias: bool,
    /// Binary labels given as 0/1: map 0 to -1 (reported).
    pub labels_01: bool,
    /// The inputs array in an `.npz` data file (default `X`, else `x`).
    pub x_name: Option<String>,
    /// The labels array in an `.npz` data file (default `y`, else `Y`).
    pub y_name: Option<String>,
    /// The label column of a CSV data file.
    pub label_col: LabelCol,
    /// The instance's `name` (default: from the file names).
    pub name: Option<String>,
    /// Size and digit limits.
    pub limits: InputLimits,
}

impl ImportOptions {
    /// Options with the defaults for these two files.
    pub fn new(weights: PathBuf, data: Option<PathBuf>) -> ImportOptions {
        ImportOptions {
            weights,
            data,
            layers: None,
            activation: None,
            loss: None,
            no_bias: false,
            labels_01: false,
            x_name: None,
            y_name: None,
            label_col: LabelCol::Last,
            name: None,
            limits: InputLimits::default(),
        }
    }
}

/// An imported instance and what was assumed or changed on the way (each
/// note one line, for the user to read).
#[derive(Clone, Debug)]
pub struct Imported {
    /// The instance, with the weights as its `[point]`.
    pub instance: Instance,
    /// What was assumed or mapped (defaults taken, labels mapped, tensors
    /// ignored).
    pub notes: Vec<String>,
}

/// Read a whole binary file under `limits.max_bytes`: regular files only,
/// the size checked before reading and at most `max_bytes + 1` bytes read.
pub fn read_bytes(path: &Path, limits: &InputLimits) -> Result<Vec<u8>, ImportError> {
    let meta =
        std::fs::metadata(path).map_err(|e| err_at(path, format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(err_at(path, "not a regular file"));
    }
    let too_large = || {
        err_at(
            path,
            format!(
                "larger than the {} input limit (raise it with --max-file-size)",
                fmt_bytes(limits.max_bytes)
            ),
        )
    };
    if meta.len() > limits.max_bytes {
        return Err(too_large());
    }
    let f = std::fs::File::open(path)
        .map_err(|e| err_at(path, format!("cannot read the file: {e}")))?;
    let mut bytes = Vec::new();
    f.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err_at(path, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The lower-case extension of a path.
fn ext(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The tensors of a `.safetensors` or `.npz` file.
pub fn read_tensors(path: &Path, limits: &InputLimits) -> Result<Vec<Tensor>, ImportError> {
    let kind = ext(path);
    if kind != "safetensors" && kind != "npz" {
        return Err(err_at(
            path,
            "expected a weights file ending in .safetensors or .npz (torch.save pickles are not read: save with safetensors or numpy.savez)",
        ));
    }
    let bytes = read_bytes(path, limits)?;
    let parsed = if kind == "npz" {
        npz::parse(&bytes, limits.max_bytes)
    } else {
        safetensors::parse(&bytes)
    };
    parsed.map_err(|m| err_at(path, m))
}

/// Build the instance that the options describe.
pub fn import(opts: &ImportOptions) -> Result<Imported, ImportError> {
    let mut notes = Vec::new();
    let mut weight_tensors = read_tensors(&opts.weights, &opts.limits)?;
    let same_file = opts.data.as_ref().is_none_or(|d| *d == opts.weights);
    let data = match &opts.data {
        Some(d) if !same_file => {
            // data arrays kept next to the weights are not layers
            let names = data_names(opts);
            let before = weight_tensors.len();
            weight_tensors.retain(|t| !names.contains(&t.name));
            if weight_tensors.len() < before {
                notes.push(format!(
                    "ignored the data arrays of {} (the data come from {})",
                    opts.weights.display(),
                    d.display()
                ));
            }
            load_data(d, opts, None)?
        }
        _ => {
            if ext(&opts.weights) != "npz" {
                return Err(ImportError {
                    file: "relucert import".to_string(),
                    message: "give the data with --data FILE (.csv or .npz)".to_string(),
                });
            }
            load_data(&opts.weights, opts, Some(&mut weight_tensors))?
        }
    };
    let (layers, naming_notes) = naming::layers(weight_tensors, opts.layers.as_deref())
        .map_err(|m| err_at(&opts.weights, m))?;
    notes.extend(naming_notes);
    let data_path = opts.data.clone().unwrap_or_else(|| opts.weights.clone());
    let built = build::build(opts, &layers, data, &data_path, &mut notes)?;
    Ok(Imported {
        instance: built,
        notes,
    })
}

/// The array names that hold data in an `.npz` (`--x-name`/`--y-name`,
/// else `X`, `x`, `y`, `Y`).
fn data_names(opts: &ImportOptions) -> Vec<String> {
    let mut names = Vec::new();
    match &opts.x_name {
        Some(n) => names.push(n.clone()),
        None => names.extend(["X".to_string(), "x".to_string()]),
    }
    match &opts.y_name {
        Some(n) => names.push(n.clone()),
        None => names.extend(["y".to_string(), "Y".to_string()]),
    }
    names
}

/// Raw data: inputs and labels as exact rationals, before shape checks.
struct RawData {
    x: Vec<Vec<crate::number::Q>>,
    y: Vec<crate::number::Q>,
}

/// Read the data file; with `from_weights`, the arrays are taken out of
/// the weights file's tensors.
fn load_data(
    path: &Path,
    opts: &ImportOptions,
    from_weights: Option<&mut Vec<Tensor>>,
) -> Result<RawData, ImportError> {
    match ext(path).as_str() {
        "csv" => {
            let text = read_text(path, &opts.limits).map_err(|e| ImportError {
                file: e.file,
                message: e.message,
            })?;
            let (x, y) = csv::parse(&text, &opts.label_col, opts.limits.max_digits)
                .map_err(|m| err_at(path, m))?;
            Ok(RawData { x, y })
        }
        "npz" => {
            let mut own;
            let tensors = match from_weights {
                Some(t) => t,
                None => {
                    own = read_tensors(path, &opts.limits)?;
                    &mut own
                }
            };
            let mut take = |given: &Option<String>, defaults: [&str; 2], what: &str| {
                let names: Vec<String> = match given {
                    Some(n) => vec![n.clone()],
                    None => defaults.iter().map(|s| s.to_string()).collect(),
                };
                match tensors.iter().position(|t| names.contains(&t.name)) {
                    Some(i) => Ok(tensors.remove(i)),
                    None => Err(err_at(
                        path,
                        format!(
                            "no array `{}` for the {what} (name it with --{}-name)",
                            excerpt(&names[0]),
                            if what == "inputs" { "x" } else { "y" }
                        ),
                    )),
                }
            };
            let xt = take(&opts.x_name, ["X", "x"], "inputs")?;
            let yt = take(&opts.y_name, ["y", "Y"], "labels")?;
            let x = match xt.shape.as_slice() {
                [n, d] => {
                    let v = xt.values().map_err(|m| err_at(path, m))?;
                    if *d == 0 {
                        vec![Vec::new(); *n]
                    } else {
                        v.chunks(*d).map(<[_]>::to_vec).collect()
                    }
                }
                s => {
                    return Err(err_at(
                        path,
                        format!(
                            "array `{}` has shape {}; expected (N, d): one row per data point",
                            excerpt(&xt.name),
                            tensor::fmt_shape(s)
                        ),
                    ))
                }
            };
            let y = match yt.shape.as_slice() {
                [_] | [_, 1] => yt.values().map_err(|m| err_at(path, m))?,
                s => {
                    return Err(err_at(
                        path,
                        format!(
                            "array `{}` has shape {}; expected (N,) labels",
                            excerpt(&yt.name),
                            tensor::fmt_shape(s)
                        ),
                    ))
                }
            };
            Ok(RawData { x, y })
        }
        _ => Err(err_at(path, "expected a data file ending in .csv or .npz")),
    }
}

//! What every subcommand shares: the outcome it returns, the exit-status
//! convention, the typed CLI error, loading an instance, and the JSON and
//! text forms of exact numbers and zero entries.
//!
//! Owns: the exit statuses (0 fine, 1 bad input, 3 an `[expect]` entry
//! disagrees), the shapes of rationals, integers and zero entries in
//! the JSON and text output, and the input settings of the global options
//! (`--max-file-size`, `--max-digits`, `--format`) through which every
//! input file is read ([`load`], [`read_input`]).
//!
//! Must not: compute anything (argument parsing and formatting only).

use relucert::instance::{self, Instance, InstanceError, Syntax};
use relucert::network::{Params, Sign, ZeroEntry};
use relucert::number::{fmt_q, Q};
use relucert_core::input::{read_text, InputLimits};
use serde_json::{json, Value};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: bad input (unreadable or invalid file, bad arguments).
pub const EXIT_BAD_INPUT: u8 = 1;
/// Exit status: the instance's `[expect]` table disagrees with the result.
pub const EXIT_DISAGREE: u8 = 3;

/// What a subcommand produced: text for stdout and the exit status.
#[derive(Debug)]
pub struct Output {
    /// Printed on stdout as is.
    pub stdout: String,
    /// The process exit status.
    pub status: u8,
}

impl Output {
    /// Success with this text.
    pub fn ok(stdout: String) -> Output {
        Output {
            stdout,
            status: EXIT_OK,
        }
    }
}

/// A subcommand's failure: one line on stderr (after `error: `) and the
/// exit status `EXIT_BAD_INPUT`.
#[derive(Debug)]
pub enum CliError {
    /// A bad argument, an unreadable or unwritable file, or a failure of
    /// the library on this input; the message names the file or option.
    BadInput(String),
    /// An instance file that does not load (its message names the file).
    Instance(InstanceError),
    /// Writing the output failed.
    Output(std::io::Error),
}

impl CliError {
    /// A message prefixed by the file it is about: `FILE: message`.
    pub fn at(file: impl fmt::Display, message: impl fmt::Display) -> CliError {
        CliError::BadInput(format!("{file}: {message}"))
    }

    /// The exit status of this error.
    pub fn status(&self) -> u8 {
        EXIT_BAD_INPUT
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::BadInput(msg) => write!(f, "{msg}"),
            CliError::Instance(e) => write!(f, "{e}"),
            CliError::Output(e) => write!(f, "writing output: {e}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<InstanceError> for CliError {
    fn from(e: InstanceError) -> CliError {
        CliError::Instance(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::Output(e)
    }
}

/// How input files are read: the limits and the instance syntax chosen by
/// the global options.
#[derive(Clone, Debug, Default)]
pub struct InputSettings {
    /// File size, digits per number, nesting depth.
    pub limits: InputLimits,
    /// `--format`: the syntax of instance files (default: by extension,
    /// TOML for `-`).
    pub syntax: Option<Syntax>,
}

static INPUT: OnceLock<InputSettings> = OnceLock::new();

/// Set the input settings once, from the global options (later calls are
/// ignored: the first setting stands for the whole run).
pub fn configure(settings: InputSettings) {
    let _ = INPUT.set(settings);
}

/// The input settings in force (the defaults unless [`configure`]d).
pub fn input_settings() -> InputSettings {
    INPUT.get().cloned().unwrap_or_default()
}

/// Read an input file (a certificate, an LP file, a shard part) under the
/// limits of the global options; `-` reads stdin. The error is one line
/// naming the file.
pub fn read_input(path: &Path) -> Result<String, CliError> {
    let settings = input_settings();
    read_text(path, &settings.limits).map_err(|e| CliError::BadInput(e.to_string()))
}

/// Load an instance file under the limits of the global options; `-` reads
/// stdin (TOML unless `--format json`).
pub fn load(path: &Path) -> Result<Instance, CliError> {
    let settings = input_settings();
    let text = read_text(path, &settings.limits).map_err(InstanceError::from)?;
    let syntax = settings.syntax.unwrap_or_else(|| Syntax::of_path(path));
    Ok(instance::parse_with(
        &text,
        syntax,
        &path.display().to_string(),
        &settings.limits,
    )?)
}

/// Load an instance file that must have a `[point]` (for `relucert COMMAND`).
pub fn load_with_point(path: &Path, command: &str) -> Result<(Instance, Params), CliError> {
    let inst = load(path)?;
    match inst.point.clone() {
        Some(p) => Ok((inst, p)),
        None => Err(CliError::at(
            path.display(),
            format_args!(
                "point: missing table: `relucert {command}` needs a [point] table with the parameters to study"
            ),
        )),
    }
}

/// A rational as a JSON string (`"-3/4"`).
pub fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

/// An integer as an exact JSON number of any size.
pub fn int_json(n: &num_bigint::BigInt) -> Value {
    // serde_json's arbitrary_precision keeps integers of any size exact
    serde_json::from_str(&n.to_string()).unwrap_or_else(|_| Value::String(n.to_string()))
}

/// Signs as a string of `+`, `-`, `0`.
pub fn signs_string(signs: &[Sign]) -> String {
    signs.iter().map(|s| s.symbol()).collect()
}

/// JSON form of a zero entry.
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

/// How an `[expect]` agreement is worded in text output.
pub fn agreement_word(a: relucert::expect::Agreement) -> &'static str {
    use relucert::expect::Agreement;
    match a {
        Agreement::Agrees => "agrees",
        Agreement::Disagrees => "DISAGREES",
        Agreement::NotDecided => "not decided",
    }
}

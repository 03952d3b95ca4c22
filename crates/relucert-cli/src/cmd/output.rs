//! What every subcommand shares: the outcome it returns, the exit-status
//! convention, the typed CLI error, loading an instance, and the JSON and
//! text forms of exact numbers, zero entries, parameter vectors and sign
//! patterns.
//!
//! Owns: the exit statuses (0 fine, 1 bad input, 3 an `[expect]` entry
//! disagrees), the shapes of rationals, integers and zero entries in
//! the JSON and text output, the decimal shown next to every non-integer
//! rational in text output ([`with_decimal`], correctly rounded from the
//! exact value), the naming of points, units and layers in text (points,
//! units and classes 0-based, layers 1-based: `unit 0 of layer 1`, `point
//! 2`), parameter vectors by name ([`named_entries`]), and the input
//! settings of the global options
//! (`--max-file-size`, `--max-digits`, `--format`) through which every
//! input file is read ([`load`], [`read_input`]).
//!
//! Must not: compute anything (argument parsing and formatting only).

use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use relucert::instance::{self, Instance, InstanceError, Syntax};
use relucert::network::Architecture;
use relucert::network::{LossKind, Params, ZeroEntry};
use relucert::number::{fmt_q, Q};
/// The JSON shapes shared with the Python package (`relucert::report`).
pub use relucert::report::{entry_json, qs, signs_string};
use relucert_core::input::{read_text, InputLimits};
use serde_json::Value;
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

/// An integer as an exact JSON number of any size.
pub fn int_json(n: &num_bigint::BigInt) -> Value {
    // serde_json's arbitrary_precision keeps integers of any size exact
    serde_json::from_str(&n.to_string()).unwrap_or_else(|_| Value::String(n.to_string()))
}

/// Human-readable description of a zero entry (wording shared by every
/// command: `unit U of layer L`, `point P`, `class K`). For the absolute
/// loss the one "hinge argument" of a point is its residual `f - t`.
pub fn entry_text(e: &ZeroEntry, loss: LossKind) -> String {
    match e {
        ZeroEntry::PreActivation { point, layer, unit } => {
            format!("pre-activation of unit {unit} of layer {layer} is 0 at point {point}")
        }
        ZeroEntry::Hinge { point, class: None } if loss.is_regression() => {
            format!("residual at point {point} is 0 (f = t)")
        }
        ZeroEntry::Hinge { point, class: None } => {
            format!("hinge argument at point {point} is 0 (margin exactly 1)")
        }
        ZeroEntry::Hinge {
            point,
            class: Some(k),
        } => {
            format!("hinge argument at point {point} against class {k} is 0")
        }
        ZeroEntry::Tie { point, classes } => {
            format!("competitor classes {classes:?} tie for the max at point {point}")
        }
    }
}

/// The nonzero entries of a flat parameter vector, by parameter name
/// (`W1[0,1]`, `b2[0]`, in the flat order of the format).
pub fn named_entries(arch: &Architecture, v: &[Q]) -> Vec<(String, Q)> {
    v.iter()
        .enumerate()
        .filter(|(_, x)| !x.is_zero())
        .map(|(i, x)| (arch.param_name(i), x.clone()))
        .collect()
}

/// JSON object of the nonzero entries of a flat parameter vector, keyed
/// by parameter name, values exact strings.
pub fn named_json(arch: &Architecture, v: &[Q]) -> Value {
    Value::Object(
        named_entries(arch, v)
            .into_iter()
            .map(|(n, x)| (n, qs(&x)))
            .collect(),
    )
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

/// `p/q (decimal)`, the decimal with 4 significant digits; an integer is
/// written alone.
pub fn with_decimal(q: &Q) -> String {
    if q.is_integer() {
        fmt_q(q)
    } else {
        format!("{} ({})", fmt_q(q), decimal(q))
    }
}

/// `q` rounded to 4 significant digits (half away from zero), in plain
/// decimal notation for magnitudes in [1e-6, 1e9), else `d.ddde±k`.
pub fn decimal(q: &Q) -> String {
    const DIGITS: i64 = 4;
    if q.is_zero() {
        return "0".to_string();
    }
    let neg = q.is_negative();
    let a = q.abs();
    // e with 10^e <= a < 10^(e+1)
    let ten = Q::from_integer(BigInt::from(10));
    let mut e: i64 = (a.numer().to_string().len() as i64) - (a.denom().to_string().len() as i64);
    let pow = |k: i64| -> Q {
        if k >= 0 {
            num_traits::pow(ten.clone(), k as usize)
        } else {
            Q::from_integer(BigInt::from(1)) / num_traits::pow(ten.clone(), (-k) as usize)
        }
    };
    while a < pow(e) {
        e -= 1;
    }
    while a >= pow(e + 1) {
        e += 1;
    }
    // n = round(a * 10^(DIGITS-1-e)), 10^(DIGITS-1) <= n <= 10^DIGITS
    let scaled = &a * pow(DIGITS - 1 - e);
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    let mut n: BigInt = (scaled + half).floor().to_integer();
    if n >= num_traits::pow(BigInt::from(10), DIGITS as usize) {
        n /= 10;
        e += 1;
    }
    decimal_layout(neg, &n.to_string(), e, DIGITS)
}

/// The text of `decimal`: the `digits` (exactly `ndigits` of them, the
/// leading one nonzero) with decimal exponent `e`, plain between 1e-6 and
/// 1e9, scientific otherwise.
pub fn decimal_layout(neg: bool, digits: &str, e: i64, ndigits: i64) -> String {
    let sign = if neg { "-" } else { "" };
    let body = if (-6..9).contains(&e) {
        if e >= ndigits - 1 {
            format!("{digits}{}", "0".repeat((e - (ndigits - 1)) as usize))
        } else if e >= 0 {
            let (i, f) = digits.split_at((e + 1) as usize);
            format!("{i}.{f}")
        } else {
            format!("0.{}{digits}", "0".repeat((-e - 1) as usize))
        }
    } else {
        let (i, f) = digits.split_at(1);
        format!("{i}.{f}e{e}")
    };
    format!("{sign}{body}")
}

/// The network's parameters as `{"W1": [[...]], "b1": [...], ...}`.
pub fn params_json(p: &Params) -> Value {
    let mut m = serde_json::Map::new();
    for (l, layer) in p.layers.iter().enumerate() {
        let w: Vec<Value> = layer
            .w
            .iter()
            .map(|r| Value::Array(r.iter().map(qs).collect()))
            .collect();
        m.insert(format!("W{}", l + 1), Value::Array(w));
        if let Some(b) = &layer.b {
            m.insert(
                format!("b{}", l + 1),
                Value::Array(b.iter().map(qs).collect()),
            );
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relucert::number::parse_rational;

    fn d(s: &str) -> String {
        decimal(&parse_rational(s).unwrap())
    }

    #[test]
    fn decimals_with_four_significant_digits() {
        assert_eq!(d("0"), "0");
        assert_eq!(d("1"), "1.000");
        assert_eq!(d("3/8"), "0.3750");
        assert_eq!(d("-1/3"), "-0.3333");
        assert_eq!(d("2/3"), "0.6667");
        assert_eq!(d("51/32"), "1.594");
        assert_eq!(d("99995/10000"), "10.00");
        assert_eq!(d("9999/10000"), "0.9999");
        assert_eq!(d("12345"), "12350");
        assert_eq!(d("1/1000"), "0.001000");
        assert_eq!(d("1/7000000"), "1.429e-7");
        assert_eq!(d("123456789012"), "1.235e11");
        assert_eq!(
            with_decimal(&parse_rational("1/4").unwrap()),
            "1/4 (0.2500)"
        );
        assert_eq!(with_decimal(&parse_rational("2").unwrap()), "2");
    }
}

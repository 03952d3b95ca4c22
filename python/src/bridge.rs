//! The Python package's calls into the library, in plain Rust: instance
//! TEXT (TOML or JSON) and options in, JSON text out, so that every entry
//! point can be tested without an interpreter.
//!
//! Owns: one function per library entry point used by the Python API
//! ([`parse`], [`to_json`], [`load`], [`verify`], [`eval`], [`descend`], [`check`],
//! [`theorems`]), the JSON shapes they return (the CLI's `--json` shapes
//! of docs/cli.md, with the fields the Python API needs added), and the
//! [`BridgeError`] kinds the Python layer maps to exception classes.
//!
//! Must not: decide or compute anything itself (every verdict, number and
//! message is the library's or the checker's), let a number pass through
//! `f64`, or word an error differently from the CLI's one-line message.

use relucert::descend::descend as descend_from;
use relucert::instance::{self, Instance, Syntax};
use relucert::network::{Evaluation, Signature};
use relucert::number::Q;
use relucert::report::{eval_json, predicate_json, qs};
use relucert::theorems::evaluate;
use relucert::verify::{verify as verify_point, Limits};
use relucert::Deadline;
use relucert_core::cert::Certificate;
use relucert_core::input::{cert_max_digits, read_text, InputLimits};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Why a call failed: the kind picks the Python exception class, the
/// message is the CLI's one line (`FILE: KEY (line N): what was expected`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BridgeError {
    /// An instance (or certificate file) that does not read or validate.
    Instance(String),
    /// A bad option, or the library could not run on this input.
    Other(String),
}

impl std::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BridgeError::Instance(m) | BridgeError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BridgeError {}

/// The syntax named by the Python layer: `"toml"` or `"json"`.
pub fn syntax(name: &str) -> Result<Syntax, BridgeError> {
    match name {
        "toml" => Ok(Syntax::Toml),
        "json" => Ok(Syntax::Json),
        other => Err(BridgeError::Other(format!(
            "syntax: expected \"toml\" or \"json\", got {other:?}"
        ))),
    }
}

/// Parse and validate instance text (default input limits); `file` names it
/// in errors.
fn instance(text: &str, syntax: Syntax, file: &str) -> Result<Instance, BridgeError> {
    instance::parse_with(text, syntax, file, &InputLimits::default())
        .map_err(|e| BridgeError::Instance(e.to_string()))
}

/// A deadline from an optional timeout in seconds (negative or NaN: refused).
fn deadline(timeout: Option<f64>) -> Result<Deadline, BridgeError> {
    match timeout {
        None => Ok(Deadline::never()),
        Some(s) => Duration::try_from_secs_f64(s)
            .map(|d| Deadline::from_timeout(Some(d)))
            .map_err(|_| {
                BridgeError::Other(format!(
                    "timeout: expected a number of seconds >= 0, got {s}"
                ))
            }),
    }
}

/// Validate instance text and return it as canonical FORMAT.md TOML
/// (`instance::to_toml`: exact `"p/q"` strings, nothing dropped).
pub fn parse(text: &str, syntax: Syntax, file: &str) -> Result<String, BridgeError> {
    Ok(instance::to_toml(&instance(text, syntax, file)?))
}

/// Validate instance text and return it as FORMAT.md JSON (every number an
/// exact `"p/q"` string; labels integers, regression targets `"p/q"`
/// strings; keys as in the TOML).
pub fn to_json(text: &str, syntax: Syntax, file: &str) -> Result<String, BridgeError> {
    let inst = instance(text, syntax, file)?;
    let p = &inst.problem;
    let mat = |m: &[Vec<Q>]| -> Value {
        Value::Array(
            m.iter()
                .map(|r| Value::Array(r.iter().map(qs).collect()))
                .collect(),
        )
    };
    let mut network = json!({
        "widths": p.arch.widths,
        "activation": p.arch.activation.name(),
        "bias": p.arch.bias,
    });
    if let relucert::network::Activation::Leaky(a) = &p.arch.activation {
        network["alpha"] = qs(a);
    }
    let mut v = json!({
        "network": network,
        "loss": {"kind": p.loss.name()},
        "data": {"x": mat(&p.data.x), "y": p.data.y},
    });
    if p.loss.is_regression() {
        // regression targets, exact "p/q" strings (y holds zeros)
        v["data"]["y"] = Value::Array(p.data.targets.iter().map(qs).collect());
    }
    if let Some(n) = &inst.name {
        v["name"] = Value::String(n.clone());
    }
    if let Some(s) = &inst.source {
        v["source"] = Value::String(s.clone());
    }
    if let Some(pt) = &inst.point {
        let mut point = serde_json::Map::new();
        for (l, layer) in pt.layers.iter().enumerate() {
            point.insert(format!("W{}", l + 1), mat(&layer.w));
            if let Some(b) = &layer.b {
                point.insert(
                    format!("b{}", l + 1),
                    Value::Array(b.iter().map(qs).collect()),
                );
            }
        }
        v["point"] = Value::Object(point);
    }
    if let Some(e) = &inst.expect {
        let mut t = serde_json::Map::new();
        if let Some(b) = e.local_min {
            t.insert("local_min".into(), Value::Bool(b));
        }
        if let Some(b) = e.global_min {
            t.insert("global_min".into(), Value::Bool(b));
        }
        if let Some(l) = &e.loss {
            t.insert("loss".into(), qs(l));
        }
        if !t.is_empty() {
            v["expect"] = Value::Object(t);
        }
    }
    Ok(format!("{v:#}"))
}

/// Read an instance file under the default input limits (syntax from the
/// extension, as the CLI) and return it as canonical TOML.
pub fn load(path: &str) -> Result<String, BridgeError> {
    let p = Path::new(path);
    let limits = InputLimits::default();
    let text = read_text(p, &limits).map_err(|e| BridgeError::Instance(e.to_string()))?;
    parse(&text, Syntax::of_path(p), path)
}

/// Options of [`verify`] (the CLI's `verify` flags).
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// `--timeout S`.
    pub timeout: Option<f64>,
    /// `--max-pieces N`.
    pub max_pieces: Option<usize>,
    /// `--no-probe` when false.
    pub probe: bool,
    /// `--global-budget N`.
    pub global_budget: Option<u128>,
}

/// `relucert verify FILE --json`: `file`, `verdict`, `loss`, `reason`,
/// `certificate` (inline or null), `global_optimum`, `spurious`, `expect`
/// (the instance's `[expect]` table as given).
pub fn verify(
    text: &str,
    syntax: Syntax,
    file: &str,
    opts: &VerifyOptions,
) -> Result<String, BridgeError> {
    let deadline = deadline(opts.timeout)?;
    let inst = instance(text, syntax, file)?;
    let mut limits = Limits {
        probe: opts.probe,
        deadline,
        ..Limits::default()
    };
    if let Some(m) = opts.max_pieces {
        limits.max_pieces = m;
    }
    if let Some(b) = opts.global_budget {
        limits.global_budget = b;
    }
    let out =
        verify_point(&inst, &limits).map_err(|e| BridgeError::Other(format!("{file}: {e}")))?;
    let v = json!({
        "file": file,
        "name": inst.name,
        "verdict": out.verdict.name(),
        "loss": qs(&out.loss),
        "reason": out.reason,
        "certificate": out.certificate.as_ref().map(|c| c.to_json()),
        "global_optimum": out.global.as_ref().map(|g| qs(&g.optimum)),
        "spurious": out.global.as_ref().map(|g| g.spurious),
        "expect": expect_json(&inst),
    });
    Ok(v.to_string())
}

/// The instance's `[expect]` table: `local_min`, `global_min`, `loss`
/// (null when absent).
fn expect_json(inst: &Instance) -> Value {
    match &inst.expect {
        None => Value::Null,
        Some(e) => json!({
            "local_min": e.local_min,
            "global_min": e.global_min,
            "loss": e.loss.as_ref().map(qs),
        }),
    }
}

/// `relucert eval FILE --json`: `file`, `name`, `loss`, `points[]`
/// (`index`, `label`, `output`, `margin`, `loss`, `hinge_arguments`; regression: `target`, `residual`;
/// `argmax`), `signature` (`hidden[l][i]`: the signs of layer l+1's units on
/// point i), `zero_entries`.
pub fn eval(text: &str, syntax: Syntax, file: &str) -> Result<String, BridgeError> {
    let inst = instance(text, syntax, file)?;
    let Some(params) = inst.point.as_ref() else {
        return Err(BridgeError::Other(format!(
            "{file}: point: missing table: `relucert eval` needs a [point] table with the parameters to study"
        )));
    };
    let ev: Evaluation = inst.problem.evaluate(params);
    let sig = Signature::of(&inst.problem, &ev);
    let v = eval_json(file, &inst, &ev.loss, &ev.points, &sig);
    Ok(v.to_string())
}

/// `relucert descend FILE --json`, plus `instance`: the final point as
/// canonical TOML (what `--out` writes).
pub fn descend(
    text: &str,
    syntax: Syntax,
    file: &str,
    max_steps: usize,
    timeout: Option<f64>,
) -> Result<String, BridgeError> {
    let deadline = deadline(timeout)?;
    let inst = instance(text, syntax, file)?;
    if inst.point.is_none() {
        return Err(BridgeError::Other(format!(
            "{file}: point: missing table: descend needs a [point] to start from"
        )));
    }
    let limits = Limits {
        deadline,
        ..Limits::default()
    };
    let d = descend_from(&inst, max_steps, &limits)
        .map_err(|e| BridgeError::Other(format!("{file}: {e}")))?;
    let v = json!({
        "file": file,
        "loss": qs(&d.outcome.loss),
        "verdict": d.outcome.verdict.name(),
        "reason": d.outcome.reason,
        "steps": d.steps,
        "start_loss": d.losses.first().map(qs),
        "losses": d.losses.iter().map(qs).collect::<Vec<_>>(),
        "stop": d.stop,
        "instance": instance::to_toml(&d.end_instance(file)),
    });
    Ok(v.to_string())
}

/// `relucert check FILE CERT`: `{"accepted": true, "claim", "kind"}`, or
/// `{"accepted": false, "reason"}` with the CLI's words (`certificate
/// rejected: REASON`, `not checked: the time limit (S s) was reached`).
/// Certificate text that is not JSON is an error (`CERT: line N: ...`).
pub fn check(
    text: &str,
    syntax: Syntax,
    file: &str,
    cert_text: &str,
    cert_file: &str,
    timeout: Option<f64>,
) -> Result<String, BridgeError> {
    let deadline = deadline(timeout)?;
    let inst = instance(text, syntax, file)?;
    let cert: Value = relucert_core::json::parse_strict(cert_text).map_err(|e| {
        BridgeError::Instance(format!(
            "{cert_file}: line {}: the certificate is not JSON: {e}",
            e.line()
        ))
    })?;
    let digits = cert_max_digits(InputLimits::default().max_digits);
    let rejected =
        |reason: String| json!({"accepted": false, "claim": null, "kind": null, "reason": reason});
    let parsed = match Certificate::from_json_with(&cert, digits) {
        Ok(c) => c,
        Err(e) => return Ok(rejected(format!("certificate rejected: {e}")).to_string()),
    };
    let v = match relucert_check::check_certificate_within(&inst, &parsed, &deadline) {
        Ok(a) => json!({
            "accepted": true,
            "claim": a.claim.name(),
            "kind": a.kind.name(),
            "reason": null,
        }),
        Err(relucert_check::CheckError::TimeLimit) => rejected(format!(
            "not checked: the time limit ({} s) was reached",
            timeout.unwrap_or_default()
        )),
        Err(e) => rejected(format!("certificate rejected: {e}")),
    };
    Ok(v.to_string())
}

/// Read a certificate file under the default input limits (its text).
pub fn read_certificate(path: &str) -> Result<String, BridgeError> {
    read_text(Path::new(path), &InputLimits::default())
        .map_err(|e| BridgeError::Instance(e.to_string()))
}

/// `relucert theorems FILE --json`: `{"verdict", "loss", "reports": [{"predicate",
/// "theorem", "outcome", "evidence"}]}`.
pub fn theorems(
    text: &str,
    syntax: Syntax,
    file: &str,
    timeout: Option<f64>,
) -> Result<String, BridgeError> {
    let deadline = deadline(timeout)?;
    let inst = instance(text, syntax, file)?;
    let limits = Limits {
        deadline,
        ..Limits::default()
    };
    let out =
        verify_point(&inst, &limits).map_err(|e| BridgeError::Other(format!("{file}: {e}")))?;
    let reports = evaluate(&inst, &out).map_err(|e| BridgeError::Other(format!("{file}: {e}")))?;
    let list: Vec<Value> = reports.iter().map(predicate_json).collect();
    Ok(json!({"verdict": out.verdict.name(), "loss": qs(&out.loss), "reports": list}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/").to_string() + name;
        std::fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn a_bad_instance_gives_the_cli_message() {
        let e = parse("[network]\nwidths = [1]\n", Syntax::Toml, "F.toml");
        assert!(matches!(&e, Err(BridgeError::Instance(m)) if m.starts_with("F.toml: ")));
    }

    #[test]
    fn verify_gives_the_fixture_verdict_and_the_checker_accepts_it() {
        let text = fixture("relu-kink-flat-local-min.toml");
        let v: Value = serde_json::from_str(
            &verify(
                &text,
                Syntax::Toml,
                "f.toml",
                &VerifyOptions {
                    probe: true,
                    ..Default::default()
                },
            )
            .unwrap_or_default(),
        )
        .unwrap_or_default();
        assert_eq!(v["verdict"], "local-min");
        assert_eq!(v["loss"], "2/5");
        let cert = v["certificate"].to_string();
        let c: Value = serde_json::from_str(
            &check(&text, Syntax::Toml, "f.toml", &cert, "c.json", None).unwrap_or_default(),
        )
        .unwrap_or_default();
        assert_eq!(c["accepted"], true);
    }

    #[test]
    fn a_negative_timeout_is_refused() {
        assert!(deadline(Some(-1.0)).is_err());
        assert!(deadline(Some(f64::NAN)).is_err());
    }
}

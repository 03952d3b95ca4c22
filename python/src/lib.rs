//! `relucert._native`: the Python extension module, a thin PyO3 layer over
//! [`bridge`] (python/README.md describes the package built on it).
//!
//! Owns: the module's functions (one per entry point of [`bridge`], taking
//! instance text and options, returning JSON text) and its exception
//! classes: `RelucertError`, and its subclass `InstanceError` for input
//! that does not read or validate; each carries the CLI's one-line message.
//!
//! Must not: compute, parse or word anything itself (that is [`bridge`]'s
//! and the library's), or hold the GIL while the library works.

#![forbid(unsafe_code)]

pub mod bridge;

use bridge::{BridgeError, VerifyOptions};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _native,
    RelucertError,
    PyException,
    "A relucert call failed; the message is the CLI's one line."
);
create_exception!(
    _native,
    InstanceError,
    RelucertError,
    "An instance or certificate that does not read or validate: `FILE: KEY (line N): what was expected`."
);

/// The Python exception for a bridge error.
fn raise(e: BridgeError) -> PyErr {
    match e {
        BridgeError::Instance(m) => InstanceError::new_err(m),
        BridgeError::Other(m) => RelucertError::new_err(m),
    }
}

/// Run `f` without the GIL (the library's work is pure Rust) and raise its error.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, BridgeError> + Send) -> PyResult<T> {
    py.detach(f).map_err(raise)
}

/// Validate instance text (`syntax` "toml" or "json"; `file` names it in
/// errors) and return it as canonical TOML.
#[pyfunction]
fn parse(py: Python<'_>, text: &str, syntax: &str, file: &str) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || bridge::parse(text, s, file))
}

/// Validate instance text and return it as FORMAT.md JSON.
#[pyfunction]
fn to_json(py: Python<'_>, text: &str, syntax: &str, file: &str) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || bridge::to_json(text, s, file))
}

/// Read and validate an instance file (TOML, or JSON for `.json`); canonical TOML.
#[pyfunction]
fn load(py: Python<'_>, path: &str) -> PyResult<String> {
    run(py, || bridge::load(path))
}

/// Read a certificate file under the input limits; its text.
#[pyfunction]
fn read_certificate(py: Python<'_>, path: &str) -> PyResult<String> {
    run(py, || bridge::read_certificate(path))
}

/// `relucert verify --json` on instance text.
#[pyfunction]
#[pyo3(signature = (text, syntax, file, timeout=None, max_pieces=None, probe=true, global_budget=None))]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    text: &str,
    syntax: &str,
    file: &str,
    timeout: Option<f64>,
    max_pieces: Option<usize>,
    probe: bool,
    global_budget: Option<u128>,
) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    let opts = VerifyOptions {
        timeout,
        max_pieces,
        probe,
        global_budget,
    };
    run(py, || bridge::verify(text, s, file, &opts))
}

/// `relucert eval --json` on instance text.
#[pyfunction]
fn eval(py: Python<'_>, text: &str, syntax: &str, file: &str) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || bridge::eval(text, s, file))
}

/// `relucert descend --json` on instance text, with the final instance.
#[pyfunction]
#[pyo3(signature = (text, syntax, file, max_steps=200, timeout=None))]
fn descend(
    py: Python<'_>,
    text: &str,
    syntax: &str,
    file: &str,
    max_steps: usize,
    timeout: Option<f64>,
) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || bridge::descend(text, s, file, max_steps, timeout))
}

/// `relucert check` of certificate text against instance text.
#[pyfunction]
#[pyo3(signature = (text, syntax, file, cert_text, cert_file, timeout=None))]
fn check(
    py: Python<'_>,
    text: &str,
    syntax: &str,
    file: &str,
    cert_text: &str,
    cert_file: &str,
    timeout: Option<f64>,
) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || {
        bridge::check(text, s, file, cert_text, cert_file, timeout)
    })
}

/// `relucert theorems --json` on instance text (with the verdict).
#[pyfunction]
#[pyo3(signature = (text, syntax, file, timeout=None))]
fn theorems(
    py: Python<'_>,
    text: &str,
    syntax: &str,
    file: &str,
    timeout: Option<f64>,
) -> PyResult<String> {
    let s = bridge::syntax(syntax).map_err(raise)?;
    run(py, || bridge::theorems(text, s, file, timeout))
}

/// The module `relucert._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("RelucertError", py.get_type::<RelucertError>())?;
    m.add("InstanceError", py.get_type::<InstanceError>())?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(to_json, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(read_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(eval, m)?)?;
    m.add_function(wrap_pyfunction!(descend, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(theorems, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

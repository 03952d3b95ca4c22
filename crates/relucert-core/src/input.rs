//! Reading input files under limits: every file relucert reads (instances,
//! certificates, LP files, shard parts) comes through here.
//!
//! Owns: [`InputLimits`] (file size, digits per number, nesting depth,
//! certificate size) with their documented defaults, [`read_text`] (bounded
//! streaming read; `-` is stdin; FIFOs, devices and directories refused) and
//! the one-line [`InputError`].
//!
//! Must not: parse or interpret the text (the instance, certificate and LP
//! readers do), or read more than the limit from any file.
//!
//! STUB (issue 17): the limits are declared but only partly enforced.

use std::path::Path;

/// Default largest input file: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;
/// Default most decimal digits in one number (numerator and denominator
/// each, a decimal exponent counted as the digits it stands for).
pub const DEFAULT_MAX_DIGITS: usize = 10_000;
/// Default deepest nesting of arrays / tables / objects.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// The limits every reader enforces, each with a one-line error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most decimal digits in one number.
    pub max_digits: usize,
    /// Deepest nesting.
    pub max_depth: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_digits: DEFAULT_MAX_DIGITS,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A one-line error about reading a file: `FILE: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file as named by the caller (`-` is stdin).
    pub file: String,
    /// What was wrong.
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for InputError {}

/// Read a whole UTF-8 text file under `limits`; `-` reads stdin.
pub fn read_text(path: &Path, limits: &InputLimits) -> Result<String, InputError> {
    let _ = limits;
    std::fs::read_to_string(path).map_err(|e| InputError {
        file: path.display().to_string(),
        message: format!("cannot read the file: {e}"),
    })
}

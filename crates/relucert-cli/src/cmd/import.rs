//! `relucert import`: build an instance file from trained weights
//! (`.safetensors`, `.npz`) and data (`.csv`, `.npz`), every float taken at
//! its exact dyadic value.
//!
//! Owns: the arguments of `import` and turning the files into an instance.
//!
//! Must not: round a float, or decide anything about the instance.

use super::output::{CliError, Output};
use std::path::PathBuf;

/// Arguments of `relucert import`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The weights file (.safetensors or .npz).
    #[arg(long, value_name = "W")]
    pub weights: PathBuf,
}

/// `relucert import ...`.
pub fn run(args: &Args) -> Result<Output, CliError> {
    Err(CliError::at(
        args.weights.display(),
        "import is not implemented yet",
    ))
}

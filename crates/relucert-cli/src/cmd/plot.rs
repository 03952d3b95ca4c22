//! `relucert plot`: the exact loss on a 2-D slice through the point, with
//! the cell boundaries on that slice, as SVG.
//!
//! Owns: the arguments of `plot` and drawing the picture.
//!
//! Must not: decide anything; every plotted value is computed exactly by the
//! library and only then converted to a float for drawing.

use super::output::{CliError, Output};
use std::path::PathBuf;

/// Arguments of `relucert plot`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Instance file (.toml, or .json) with a [point].
    pub file: PathBuf,
    /// Write the SVG here.
    #[arg(long, value_name = "F.svg")]
    pub out: PathBuf,
}

/// `relucert plot ...`.
pub fn run(args: &Args) -> Result<Output, CliError> {
    Err(CliError::at(
        args.file.display(),
        "plot is not implemented yet",
    ))
}

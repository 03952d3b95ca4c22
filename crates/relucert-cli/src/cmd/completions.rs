//! `relucert completions bash|zsh|fish`: shell completion scripts.
//!
//! Owns: writing the completion script for one shell.
//!
//! Must not: compute anything.

use super::output::{CliError, Output};

/// Arguments of `relucert completions`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell: bash, zsh or fish.
    pub shell: String,
}

/// `relucert completions SHELL` for the command line `command`.
pub fn run(args: &Args, command: clap::Command) -> Result<Output, CliError> {
    let _ = command;
    Err(CliError::at(
        &args.shell,
        "completions are not implemented yet",
    ))
}

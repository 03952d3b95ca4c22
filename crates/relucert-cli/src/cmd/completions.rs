//! `relucert completions bash|zsh|fish`: shell completion scripts.
//!
//! Owns: writing the completion script for one shell, generated from the
//! clap definition in `main.rs` (so it never drifts from the arguments).
//!
//! Must not: compute anything.

use super::output::{CliError, Output};

/// Arguments of `relucert completions`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  relucert completions bash > ~/.local/share/bash-completion/completions/relucert
  relucert completions zsh > ~/.zfunc/_relucert      # with fpath+=~/.zfunc before compinit
  relucert completions fish > ~/.config/fish/completions/relucert.fish")]
pub struct Args {
    /// The shell.
    #[arg(value_parser = ["bash", "zsh", "fish"])]
    pub shell: String,
}

/// `relucert completions SHELL` for the command line `command`.
pub fn run(args: &Args, mut command: clap::Command) -> Result<Output, CliError> {
    use clap_complete::Shell;
    let shell = match args.shell.as_str() {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        other => {
            return Err(CliError::at(
                other,
                "unknown shell: expected bash, zsh or fish",
            ))
        }
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "relucert", &mut script);
    let text = String::from_utf8(script)
        .map_err(|_| CliError::at(&args.shell, "the completion script is not UTF-8"))?;
    Ok(Output::ok(text))
}

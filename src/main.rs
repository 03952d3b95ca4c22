//! The `relucert` command line: a thin layer over the library. Parses
//! arguments, calls one library entry point per subcommand, prints the result.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "relucert", version, about = "Exact, certified answers about the hinge-loss landscape of small ReLU networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve a linear program in CPLEX LP format exactly, with a certificate.
    Lp {
        /// The .lp file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lp { file, json } => relucert::lp::cli::run(&file, json),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

//! The `relucert` command line: a thin layer over the library. Parses
//! arguments, calls one library entry point per subcommand, prints what it
//! returns. Exit status: 0 fine, 1 bad input (a refused command line
//! included: one line, never clap's usage block), 3 an `[expect]` entry of
//! the instance disagrees with the computed result.
//!
//! Owns: the clap definition of the arguments and the dispatch to one
//! `cmd::*::run` per subcommand; printing its outcome or its error.
//!
//! Must not: compute anything (argument parsing and formatting only).
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
mod cmd;
mod watchdog;

use cmd::output::{CliError, Output};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "relucert",
    version,
    about = "Exact, certified answers about the hinge-loss landscape of small ReLU networks",
    after_help = "Examples:\n  relucert verify fixtures/relu-kink-flat-local-min.toml --cert min.json\n  relucert check fixtures/relu-kink-flat-local-min.toml min.json\n  relucert eval fixtures/relu-kink-descent.toml\n  relucert descend fixtures/relu-kink-descent.toml --out min.toml\n  relucert global fixtures/global-relu-xor-conflict-w2.toml\n\nEvery command: relucert help COMMAND (its options, defaults and examples).\nThe instance format: docs/format.md; all commands: docs/cli.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Refuse input files larger than BYTES (64 MiB).
    #[arg(long, global = true, value_name = "BYTES", default_value_t = relucert_core::input::DEFAULT_MAX_BYTES)]
    max_file_size: u64,
    /// Refuse numbers with more than N decimal digits (numerator and
    /// denominator each; an exponent counts as the digits it stands for).
    #[arg(long, global = true, value_name = "N", default_value_t = relucert_core::input::DEFAULT_MAX_DIGITS)]
    max_digits: usize,
    /// Syntax of instance files (default: by extension, TOML for `-` (stdin)).
    #[arg(long, global = true, value_name = "toml|json", value_parser = ["toml", "json"])]
    format: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Decide whether the point is a local minimum, with a certificate.
    #[command(
        after_help = "Examples:\n  relucert verify fixtures/relu-kink-descent.toml\n  relucert verify fixtures/relu-kink-flat-local-min.toml --cert min.json\n  relucert verify fixtures/relu-kink-flat-local-min.toml --json --timeout 10\n  cat inst.json | relucert --format json verify -"
    )]
    Verify {
        /// Instance file (.toml, or .json) with a [point].
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write the certificate to this file.
        #[arg(long, value_name = "OUT.json")]
        cert: Option<PathBuf>,
        /// Examine at most N pieces around the point (else: undecided)
        /// [default: 4096].
        #[arg(long, value_name = "N")]
        max_pieces: Option<usize>,
        /// Stop the search after S seconds, decimals allowed (else: undecided)
        /// [default: no limit].
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
        /// Skip the first-order probe: non-minima are then certified by
        /// descent arcs only (a cross-check of the slower search).
        #[arg(long)]
        no_probe: bool,
        /// Skip the local lower bounds (path lifting, pattern-star): local
        /// minima are then proven by flatness and second order only.
        #[arg(long)]
        no_local_bounds: bool,
        /// Compare a local minimum (one hidden layer, binary hinge) with the
        /// width's exact optimum when that takes at most N sets of pairs (0: never).
        #[arg(long, value_name = "N", default_value_t = relucert::verify::DEFAULT_GLOBAL_BUDGET)]
        global_budget: u128,
        /// Write a network attaining the width's optimum as an instance file.
        #[arg(long, value_name = "OPT.toml")]
        global_out: Option<PathBuf>,
    },
    /// Re-verify a certificate written by `verify`.
    #[command(
        after_help = "Examples:\n  relucert verify fixtures/relu-kink-flat-local-min.toml --cert min.json\n  relucert check fixtures/relu-kink-flat-local-min.toml min.json\n  relucert check --json fixtures/relu-kink-flat-local-min.toml min.json"
    )]
    Check {
        /// The instance file.
        file: PathBuf,
        /// The certificate (JSON).
        cert: PathBuf,
        /// Print the answer as one JSON object (same exit statuses).
        #[arg(long)]
        json: bool,
        /// Stop after S seconds, decimals allowed: the certificate is then not
        /// checked (exit 1), never accepted.
        /// [default: no limit]
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
    },
    /// Evaluate the source paper's theorems as predicates at the point.
    #[command(
        after_help = "Examples:\n  relucert theorems fixtures/relu-kink-flat-local-min.toml\n  relucert theorems fixtures/leaky-separable-zero-loss.toml --json"
    )]
    Theorems {
        /// Instance file (.toml, or .json) with a [point].
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Stop the verification after S seconds, decimals allowed (else:
        /// undecided, and the predicates say what they can without it).
        /// [default: no limit]
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
    },
    /// Follow certified descent arcs to a certified local minimum.
    #[command(
        after_help = "Examples:\n  relucert descend fixtures/relu-kink-descent.toml --out min.toml\n  relucert descend fixtures/relu-kink-descent.toml --starts 20 --seed 7 --json\n  relucert descend fixtures/relu-kink-descent.toml --starts 20 --out minima/"
    )]
    Descend {
        /// Instance file (.toml, or .json); its [point] is the start unless --starts is given.
        file: PathBuf,
        /// Write the final point as an instance file; with --starts, a
        /// directory: one file DIR/start-SEED.toml per certified minimum.
        #[arg(long, value_name = "OUT.toml|DIR")]
        out: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Stop after N steps.
        #[arg(long, value_name = "N", default_value_t = 200)]
        max_steps: usize,
        /// Descend from K random starting points instead and report the statistic.
        #[arg(long, value_name = "K")]
        starts: Option<usize>,
        /// Seed of the first random start.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Stop the whole command (all starts) after S seconds, decimals
        /// allowed (the limit decides nothing).
        /// [default: no limit]
        #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
    },
    /// Exact loss, margins, signature and zero entries at the instance's point.
    #[command(
        after_help = "Examples:\n  relucert eval fixtures/relu-kink-descent.toml\n  relucert eval fixtures/leaky-multiclass-hinge.json --json"
    )]
    Eval {
        /// Instance file (.toml, or .json).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The cell polynomial phi_S of the point's cell (on a boundary: choose sides).
    #[command(
        after_help = "Examples:\n  relucert cell fixtures/relu-kink-descent.toml --side +\n  relucert cell fixtures/relu-kink-descent.toml --side - --json"
    )]
    Cell {
        /// Instance file (.toml, or .json).
        file: PathBuf,
        /// One choice per zero entry, comma-separated, in the order `eval` lists
        /// them: + or - for a pre-activation or hinge argument, a class index for a tie.
        #[arg(long, allow_hyphen_values = true)]
        side: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Activation patterns: all first-layer cells of the data set, or the local arrangement at the point.
    #[command(
        after_help = "Examples:\n  relucert cells fixtures/relu-kink-descent.toml | head\n  relucert cells fixtures/relu-kink-descent.toml --count\n  relucert cells fixtures/relu-kink-descent.toml --at-point --json"
    )]
    Cells {
        /// Instance file (.toml, or .json).
        file: PathBuf,
        /// Print counts instead of listing cells.
        #[arg(long)]
        count: bool,
        /// JSON (one object per line when listing).
        #[arg(long)]
        json: bool,
        /// Stop after N cells (a message on stderr says so) [default: no limit].
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// The local arrangement of the first hidden layer at the file's point.
        #[arg(long)]
        at_point: bool,
        /// List one unit's cells instead of the whole layer's patterns.
        #[arg(long)]
        unit: bool,
        /// Stop the enumeration and the listing after S seconds, decimals
        /// allowed (a note on stderr says so).
        /// [default: no limit]
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
    },
    /// Write "is there lower loss within radius R of the point?" as SMT-LIB 2 (QF_NRA).
    #[command(
        after_help = "Examples:\n  relucert smtlib fixtures/relu-kink-flat-local-min.toml --radius 1/1024 --out q.smt2 && z3 q.smt2"
    )]
    Smtlib {
        /// Instance file (.toml, or .json) with a [point].
        file: PathBuf,
        /// Max-norm radius of the box around the point (a positive rational).
        #[arg(long, value_name = "R")]
        radius: String,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "F.smt2")]
        out: Option<PathBuf>,
    },
    /// Generate instances of a family (deterministic in family, seed and index).
    #[command(
        after_help = "Examples:\n  relucert gen --family kinks --seed 3\n  relucert gen --family dead --count 50 --out corpus/"
    )]
    Gen {
        /// The family: separable, nonseparable, kinks, dead, zero-loss, linear, saddle, random, leaky-constant, deep; regression: squared-exact-fit, squared-dead, squared-kinks, squared-random, absolute-exact-fit, absolute-dead, absolute-kinks, absolute-random.
        #[arg(long, value_name = "F")]
        family: String,
        /// Seed of the family's stream.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Index of the first instance.
        #[arg(long, value_name = "I", default_value_t = 0)]
        index: u64,
        /// Number of instances (more than 1 needs --out).
        #[arg(long, value_name = "N", default_value_t = 1)]
        count: u64,
        /// Write files F-SEED-INDEX.toml into this directory instead of printing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Verify a generated corpus and summarise the verdicts, times and undecided reasons.
    #[command(
        after_help = "Examples:\n  relucert corpus --count 20\n  relucert corpus --family kinks,saddle --seed 2 --count 100 --json --write-undecided undecided/"
    )]
    Corpus {
        /// Comma-separated families (default: linear,kinks,dead,saddle; `regression`: the exact-fit, dead and kinks families of both regression losses).
        #[arg(long, value_name = "F,...")]
        family: Option<String>,
        /// Seed of every family's stream.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Instances per family.
        #[arg(long, value_name = "N", default_value_t = 200)]
        count: u64,
        /// Time limit of each verification in seconds (reaching it gives undecided).
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        timeout: u64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write every undecided instance into this directory.
        #[arg(long, value_name = "DIR")]
        write_undecided: Option<PathBuf>,
    },
    /// The least hinge loss over all one-hidden-layer networks of a width, with a
    /// network attaining it and a certificate; or merge shard certificates.
    #[command(
        after_help = "Examples:\n  relucert global fixtures/global-relu-xor-conflict-w2.toml\n  relucert global fixtures/global-relu-xor-conflict-w2.toml --width 1 --cert opt.json --out opt.toml\n  relucert global F.toml --shard 1/4 --cert part1.json   (then --merge part*.json --cert all.json F.toml)"
    )]
    Global {
        /// Instance file (.toml, or .json); no [point] needed. With --merge: check
        /// the merged certificate against it before writing.
        #[arg(required_unless_present = "merge")]
        file: Option<PathBuf>,
        /// The hidden width m (default: the instance's).
        #[arg(long, value_name = "M")]
        width: Option<usize>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write the certificate to this file (complete runs only).
        #[arg(long, value_name = "OUT.json")]
        cert: Option<PathBuf>,
        /// Write the optimum (the network attaining it) as an instance file.
        #[arg(long, value_name = "OPT.toml", conflicts_with = "shard")]
        out: Option<PathBuf>,
        /// Stop after S seconds (decimals allowed) with an honest partial answer.
        /// [default: no limit]
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
        /// Refuse runs with more than N sets of pairs [default: no limit; the
        /// time limit, if any, still applies].
        #[arg(long, value_name = "N")]
        max_sets: Option<u128>,
        /// Only shard K of N (1-based) of the sets of pairs.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Merge these shard certificates into one (needs --cert OUT).
        #[arg(long, value_name = "PART", num_args = 1.., requires = "cert",
              conflicts_with_all = ["width", "out", "timeout", "max_sets", "shard"])]
        merge: Vec<PathBuf>,
    },
    /// Solve a linear program in CPLEX LP format exactly, with a certificate.
    #[command(
        after_help = "Examples:\n  relucert lp tests/data/lp/fractions.lp\n  relucert lp tests/data/lp/infeasible.lp --json --timeout 5"
    )]
    Lp {
        /// The .lp file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Give up after S seconds, decimals allowed (one-line error naming the
        /// file, exit 1); a time limit decides only whether an answer comes,
        /// never which.
        /// [default: no limit]
        #[arg(long, value_name = "S", value_parser = parse_seconds)]
        timeout: Option<std::time::Duration>,
    },
    /// Build an instance file from weights (.safetensors, .npz) and data (.csv, .npz).
    Import(cmd::import::Args),
    /// Draw the exact loss on a 2-D slice through the point, with the cell boundaries, as SVG.
    Plot(cmd::plot::Args),
    /// Print a shell completion script (bash, zsh or fish).
    Completions(cmd::completions::Args),
}

/// `--timeout S`: seconds, a whole or decimal number (`10`, `0.5`).
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, found {s:?}"))?;
    std::time::Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("expected a nonnegative finite number of seconds, found {s:?}"))
}

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(&e),
    };
    cmd::output::configure(cmd::output::InputSettings {
        limits: relucert_core::input::InputLimits {
            max_bytes: args.max_file_size,
            max_digits: args.max_digits,
            ..Default::default()
        },
        syntax: match args.format.as_deref() {
            Some("json") => Some(relucert::instance::Syntax::Json),
            Some(_) => Some(relucert::instance::Syntax::Toml),
            None => None,
        },
    });
    let result = match hard_limit(&args.command) {
        None => dispatch(args.command),
        Some((timeout, file)) => {
            let command = args.command;
            watchdog::run_within(timeout, move || dispatch(command)).unwrap_or_else(|| {
                Err(CliError::at(
                    file,
                    format_args!(
                        "stopped at the time limit ({} s): a step could not be interrupted in time; no answer",
                        timeout.as_secs_f64()
                    ),
                ))
            })
        }
    };
    finish(result)
}

/// The `--timeout` of a command that has one, and the file it names (for
/// the hard stop's message).
fn hard_limit(command: &Command) -> Option<(std::time::Duration, String)> {
    let (timeout, file) = match command {
        Command::Verify { timeout, file, .. }
        | Command::Theorems { timeout, file, .. }
        | Command::Descend { timeout, file, .. }
        | Command::Cells { timeout, file, .. }
        | Command::Lp { timeout, file, .. } => (timeout, file.display().to_string()),
        Command::Check { timeout, cert, .. } => (timeout, cert.display().to_string()),
        Command::Plot(args) => (&args.timeout, args.file.display().to_string()),
        Command::Global { timeout, file, .. } => (
            timeout,
            file.as_ref()
                .map_or_else(|| "global".to_string(), |f| f.display().to_string()),
        ),
        _ => return None,
    };
    timeout.map(|t| (t, file))
}

/// Run one subcommand: what to print, or its one-line error.
fn dispatch(command: Command) -> Result<Output, CliError> {
    match command {
        Command::Verify {
            file,
            json,
            cert,
            max_pieces,
            timeout,
            no_probe,
            no_local_bounds,
            global_budget,
            global_out,
        } => cmd::verify::run(
            &file,
            &cmd::verify::Options {
                json,
                cert,
                max_pieces,
                deadline: relucert::Deadline::from_timeout(timeout),
                probe: !no_probe,
                local_bounds: !no_local_bounds,
                global_budget: Some(global_budget),
                global_out,
            },
        ),
        Command::Check {
            file,
            cert,
            json,
            timeout,
        } => cmd::check::run(&file, &cert, timeout, json),
        Command::Theorems {
            file,
            json,
            timeout,
        } => cmd::theorems::run(&file, json, &relucert::Deadline::from_timeout(timeout)),
        Command::Descend {
            file,
            out,
            json,
            max_steps,
            starts,
            seed,
            timeout,
        } => cmd::descend::run(
            &file,
            &cmd::descend::Options {
                json,
                out,
                max_steps,
                starts,
                seed,
                deadline: relucert::Deadline::from_timeout(timeout),
            },
        ),
        Command::Eval { file, json } => cmd::eval::run(&file, json),
        Command::Cell { file, side, json } => cmd::cell::run(&file, side.as_deref(), json),
        Command::Cells {
            file,
            count,
            json,
            limit,
            at_point,
            unit,
            timeout,
        } => {
            let opts = cmd::cells::Options {
                count,
                json,
                limit,
                at_point,
                unit,
                deadline: relucert::Deadline::from_timeout(timeout),
            };
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            let r = cmd::cells::run(&file, &opts, &mut lock).map(|status| Output {
                stdout: String::new(),
                status,
            });
            match std::io::Write::flush(&mut lock) {
                // A reader that stops early (`| head`) is not an error.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
                _ => r,
            }
        }
        Command::Smtlib { file, radius, out } => cmd::smtlib::run(&file, &radius, out.as_deref()),
        Command::Gen {
            family,
            seed,
            index,
            count,
            out,
        } => cmd::gen::run(&cmd::gen::Options {
            family,
            seed,
            index,
            count,
            out,
        }),
        Command::Corpus {
            family,
            seed,
            count,
            timeout,
            json,
            write_undecided,
        } => cmd::corpus::run(&cmd::corpus::Options {
            families: family,
            seed,
            count,
            timeout_secs: timeout,
            json,
            write_undecided,
        }),
        Command::Global {
            file,
            width,
            json,
            cert,
            out,
            timeout,
            max_sets,
            shard,
            merge,
        } => cmd::global::run(
            file.as_deref(),
            &cmd::global::Options {
                width,
                json,
                cert,
                out,
                deadline: relucert::Deadline::from_timeout(timeout),
                max_sets,
                shard,
                merge,
            },
        ),
        Command::Lp {
            file,
            json,
            timeout,
        } => cmd::lp::run(&file, json, timeout),
        Command::Import(args) => cmd::import::run(&args),
        Command::Plot(args) => cmd::plot::run(&args),
        Command::Completions(args) => {
            cmd::completions::run(&args, <Cli as clap::CommandFactory>::command())
        }
    }
}

/// A command line clap refuses: `--help` and `--version` print as usual
/// (exit 0); any other error is bad input, so it is one line on stderr
/// and exit status 1, like every other error.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return ExitCode::from(1);
    }
    eprintln!("{}", one_line_usage(&e.render().to_string()));
    ExitCode::from(1)
}

/// clap's multi-line usage error as one line: its lines joined by "; ",
/// without the usage block and the "For more information" hint, which
/// becomes a short "(see --help)".
fn one_line_usage(rendered: &str) -> String {
    let mut out = String::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        if line.starts_with("Usage:") {
            break;
        }
        if !out.is_empty() {
            out.push_str(if out.ends_with(':') { " " } else { "; " });
        }
        out.push_str(line);
    }
    out.push_str(" (see --help)");
    out
}

/// Print a command's outcome and give its exit status.
fn finish(result: Result<Output, CliError>) -> ExitCode {
    // A closed pipe (`relucert cells F | head -1`) ends the output quietly
    // with the command's own status; other write errors are errors.
    let result = match result {
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Output {
            stdout: String::new(),
            status: 0,
        }),
        r => r,
    };
    match result {
        Ok(out) => {
            use std::io::Write as _;
            let mut so = std::io::stdout().lock();
            match so
                .write_all(out.stdout.as_bytes())
                .and_then(|()| so.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("error: writing output: {e}");
                    ExitCode::from(1)
                }
                _ => ExitCode::from(out.status),
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.status())
        }
    }
}

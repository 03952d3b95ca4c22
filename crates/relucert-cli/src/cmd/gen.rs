//! `relucert gen --family F [--seed S] [--index I] [--count N] [--out DIR]`:
//! one generated instance to stdout, or N files `F-SEED-INDEX.toml` in DIR.
//!
//! Owns: checking the arguments, printing or writing the files, and the
//! confirmation line.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! instances and their read-back check come from `relucert::gen_file`.

use super::output::{CliError, Output};
use relucert::gen::Family;
use relucert::gen_file::gen_file;
use std::path::PathBuf;

/// Options of `relucert gen`.
#[derive(Clone, Debug)]
pub struct Options {
    /// The family's name.
    pub family: String,
    /// Seed of the family's stream.
    pub seed: u64,
    /// Index of the first instance.
    pub index: u64,
    /// Number of instances.
    pub count: u64,
    /// Write files into this directory instead of printing.
    pub out: Option<PathBuf>,
}

/// `relucert gen ...`.
pub fn run(opts: &Options) -> Result<Output, CliError> {
    let family = Family::parse(&opts.family).map_err(|e| CliError::at("--family", e))?;
    if opts.count == 0 {
        return Err(CliError::at(
            "--count",
            "expected a positive number of instances, found 0",
        ));
    }
    let last = opts.index.checked_add(opts.count - 1).ok_or_else(|| {
        CliError::at(
            "--index",
            format_args!(
                "expected an index such that index + count fits in 64 bits, found {}",
                opts.index
            ),
        )
    })?;
    let files = (opts.index..=last).map(|index| {
        gen_file(family, opts.seed, index).map_err(|e| CliError::BadInput(e.to_string()))
    });
    let Some(dir) = &opts.out else {
        if opts.count > 1 {
            return Err(CliError::at(
                "--out",
                format_args!(
                    "expected a directory to write {} files into (without --out, --count must be 1)",
                    opts.count
                ),
            ));
        }
        let mut stdout = String::new();
        for f in files {
            stdout.push_str(&f?.text);
        }
        return Ok(Output::ok(stdout));
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::at(
            dir.display(),
            format_args!("cannot create the directory: {e}"),
        )
    })?;
    for f in files {
        let f = f?;
        let path = dir.join(&f.name);
        std::fs::write(&path, f.text)
            .map_err(|e| CliError::at(path.display(), format_args!("cannot write: {e}")))?;
    }
    Ok(Output::ok(format!(
        "wrote {} instance{} of family {} (seed {}, index {}..={}) to {}\n",
        opts.count,
        if opts.count == 1 { "" } else { "s" },
        family.name(),
        opts.seed,
        opts.index,
        last,
        dir.display()
    )))
}

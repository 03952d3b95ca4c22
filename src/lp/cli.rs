//! `relucert lp FILE [--json]`: the command-line face of the LP engine.

/// Run the `lp` subcommand on a CPLEX LP file. `Ok` carries the text to print
/// on stdout; `Err` a one-line error naming the file, line and what was expected.
pub fn run(path: &std::path::Path, json: bool) -> Result<String, String> {
    let _ = json;
    Err(format!("{}: the lp command is not implemented yet", path.display()))
}

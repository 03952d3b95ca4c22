//! `relucert lp FILE [--json] [--timeout S]` (and the global `--max-digits N`): the
//! command-line face of the LP engine.
//!
//! Reads a CPLEX LP file under the input limits (file size, digits per
//! number), solves it exactly under the time limit, re-checks the answer with
//! the independent verifier and prints the result and its certificate. The
//! JSON shape is documented in `docs/lp.md`. When the time limit is reached
//! first the command prints one line `FILE: the time limit (S s) was reached
//! before the LP was solved` and exits 1; a time limit never changes which
//! answer is printed, only whether one is.
//!
//! Owns: the text and JSON shapes of `lp`.
//!
//! Must not: compute anything itself (argument parsing and formatting
//! only: solving and checking are `relucert_lp`'s), or panic on bad input.
//! Every failure is one line `FILE:LINE: what was expected` (or
//! `FILE: ...` when no line applies).

use super::output::{CliError, Output};
use relucert_lp::number::{fmt_q, Q};
use relucert_lp::parse::{parse_lp_within, ParseError, ParseLimits};
use relucert_lp::{check_result, solve_within, Deadline, Lp, LpResult};
use serde_json::{Map, Value};

fn named(names: impl Iterator<Item = String>, vals: &[Q]) -> Map<String, Value> {
    names
        .zip(vals)
        .map(|(n, v)| (n, Value::String(fmt_q(v))))
        .collect()
}

fn json(lp: &Lp, res: &LpResult) -> String {
    let var_names = || lp.vars.iter().map(|v| v.name.clone());
    let row_names = || lp.rows.iter().map(|r| r.name.clone());
    let mut m = Map::new();
    m.insert("status".into(), Value::String(res.status().into()));
    match res {
        LpResult::Optimal { x, duals, value } => {
            m.insert("objective".into(), Value::String(fmt_q(value)));
            m.insert("x".into(), Value::Object(named(var_names(), x)));
            m.insert("duals".into(), Value::Object(named(row_names(), duals)));
        }
        LpResult::Infeasible { farkas } => {
            m.insert("farkas".into(), Value::Object(named(row_names(), farkas)));
        }
        LpResult::Unbounded { x, ray } => {
            m.insert("x".into(), Value::Object(named(var_names(), x)));
            m.insert("ray".into(), Value::Object(named(var_names(), ray)));
        }
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    s.push('\n');
    s
}

fn section(out: &mut String, title: &str, names: impl Iterator<Item = String>, vals: &[Q]) {
    out.push_str(title);
    out.push_str(":\n");
    for (n, v) in names.zip(vals) {
        out.push_str(&format!("  {n} = {}\n", fmt_q(v)));
    }
}

fn text(lp: &Lp, res: &LpResult) -> String {
    let var_names = || lp.vars.iter().map(|v| v.name.clone());
    let row_names = || lp.rows.iter().map(|r| r.name.clone());
    let mut out = format!("status: {}\n", res.status());
    match res {
        LpResult::Optimal { x, duals, value } => {
            out.push_str(&format!("objective: {}\n", fmt_q(value)));
            section(&mut out, "values", var_names(), x);
            section(&mut out, "duals (row multipliers)", row_names(), duals);
        }
        LpResult::Infeasible { farkas } => {
            section(
                &mut out,
                "farkas (row multipliers proving infeasibility)",
                row_names(),
                farkas,
            );
        }
        LpResult::Unbounded { x, ray } => {
            section(&mut out, "feasible point", var_names(), x);
            section(&mut out, "improving ray", var_names(), ray);
        }
    }
    out
}

/// Run the `lp` subcommand on a CPLEX LP file: the text to print on
/// stdout, or a one-line error naming the file, line and what was expected.
/// `timeout` is in seconds (the deadline starts here, before reading); the
/// file size and the digits of one number are bounded by the global
/// `--max-file-size` and `--max-digits`.
pub fn run(
    path: &std::path::Path,
    as_json: bool,
    timeout: Option<std::time::Duration>,
) -> Result<Output, CliError> {
    let deadline = Deadline::from_timeout(timeout);
    let shown = path.display();
    let content = super::output::read_input(path)?;
    let max_digits = super::output::input_settings().limits.max_digits;
    let too_late = || {
        CliError::at(
            &shown,
            format_args!(
                "the time limit ({} s) was reached before the LP was solved",
                timeout.unwrap_or_default().as_secs_f64()
            ),
        )
    };
    let lp = parse_lp_within(&content, &ParseLimits { max_digits }, &deadline).map_err(|e| {
        if matches!(e, ParseError::TimeLimit { .. }) {
            too_late()
        } else {
            CliError::BadInput(format!("{shown}:{}: {}", e.line(), e.message()))
        }
    })?;
    let res = solve_within(&lp, &deadline).map_err(|_| too_late())?;
    check_result(&lp, &res).map_err(|e| {
        CliError::at(
            &shown,
            format_args!("internal error, the answer failed its own check: {e}"),
        )
    })?;
    Ok(Output::ok(if as_json {
        json(&lp, &res)
    } else {
        text(&lp, &res)
    }))
}

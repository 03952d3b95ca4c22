//! `relucert theorems FILE [--json]`: verify the point, then evaluate the
//! source paper's theorems as predicates at it.
//!
//! Owns: the text and JSON shapes of `theorems`, and exit status 3 (with a
//! loud line) when a theorem is violated on a verified verdict.
//!
//! Must not: compute anything (argument parsing and formatting only): the
//! verdict comes from `relucert::verify`, the predicates from
//! `relucert::theorems`.

use super::output::{load, with_decimal, CliError, Output, EXIT_DISAGREE, EXIT_OK};
use relucert::theorems::{evaluate, PredicateOutcome as Predicate};
use relucert::verify::{verify, Limits};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// `relucert theorems FILE [--json] [--timeout S]`: the verification stops
/// at `deadline` (then `undecided`, and the predicates say what they can
/// without a verdict).
pub fn run(path: &Path, as_json: bool, deadline: &relucert::Deadline) -> Result<Output, CliError> {
    let file = path.display().to_string();
    let inst = load(path)?;
    let limits = Limits {
        deadline: deadline.clone(),
        ..Limits::default()
    };
    let out = verify(&inst, &limits).map_err(|e| CliError::at(&file, e))?;
    let reports = evaluate(&inst, &out).map_err(|e| CliError::at(&file, e))?;
    let violated = reports
        .iter()
        .any(|r| r.theorem && matches!(r.outcome, Predicate::Violated(_)));
    // a violated theorem on a verified verdict is a bug somewhere: say so loudly
    let status = if violated { EXIT_DISAGREE } else { EXIT_OK };
    if as_json {
        let list: Vec<Value> = reports
            .iter()
            .map(relucert::report::predicate_json)
            .collect();
        return Ok(Output {
            stdout: format!("{:#}\n", Value::Array(list)),
            status,
        });
    }
    let mut s = String::new();
    let _ = writeln!(s, "instance: {file}");
    if let Some(n) = &inst.name {
        let _ = writeln!(s, "name: {n}");
    }
    let _ = writeln!(
        s,
        "verdict: {} (loss {})",
        out.verdict.name(),
        with_decimal(&out.loss)
    );
    for r in &reports {
        let kind = if r.theorem {
            ""
        } else {
            " [conjecture under test]"
        };
        let _ = writeln!(
            s,
            "{}{kind}: {}: {}",
            r.predicate,
            r.outcome.name(),
            r.outcome.evidence()
        );
    }
    if violated {
        let _ = writeln!(s, "A THEOREM IS VIOLATED on a verified verdict: a bug in the verifier, the predicate or its hypotheses. Please report this instance.");
    }
    Ok(Output { stdout: s, status })
}

//! Read an LP in the CPLEX LP format, solve it exactly and print the answer
//! with its certificate, after re-checking it with `check_result`.
//!
//! Run: `cargo run -p relucert-lp --example solve_lp [FILE.lp]`. Without a
//! file it solves a small built-in LP.

use relucert_lp::number::fmt_q;
use relucert_lp::parse::parse_lp;
use relucert_lp::{check_result, solve, LpResult};
use std::process::ExitCode;

const DEFAULT: &str = "\\ a small production plan
Maximize
 profit: 3 x + 2 y
Subject To
 labour:   x +   y <= 4
 material: x + 3 y <= 6
Bounds
 x <= 3
End
";

fn main() -> ExitCode {
    let text = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: cannot read the file ({e})");
                return ExitCode::FAILURE;
            }
        },
        None => DEFAULT.to_string(),
    };
    let lp = match parse_lp(&text) {
        Ok(lp) => lp,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let result = solve(&lp);
    // The solver's answer is exact already; the independent check proves it.
    if let Err(e) = check_result(&lp, &result) {
        eprintln!("the certificate failed its check: {e}");
        return ExitCode::FAILURE;
    }
    println!("status: {}", result.status());
    let vars = lp.vars.iter().map(|v| v.name.as_str());
    let rows = lp.rows.iter().map(|r| r.name.as_str());
    let show = |title: &str, names: &mut dyn Iterator<Item = &str>, vals: &[_]| {
        println!("{title}:");
        for (n, v) in names.zip(vals) {
            println!("  {n} = {}", fmt_q(v));
        }
    };
    match &result {
        LpResult::Optimal { x, duals, value } => {
            println!("objective: {}", fmt_q(value));
            show("values", &mut vars.clone(), x);
            show("duals (row multipliers)", &mut rows.clone(), duals);
        }
        LpResult::Infeasible { farkas } => {
            show("farkas (row multipliers)", &mut rows.clone(), farkas);
        }
        LpResult::Unbounded { x, ray } => {
            show("feasible point", &mut vars.clone(), x);
            show("improving ray", &mut vars.clone(), ray);
        }
    }
    ExitCode::SUCCESS
}

//! The `relucert lp` command on small CPLEX LP files under tests/data/lp.

use std::process::Command;

fn data(name: &str) -> String {
    format!(
        "{}/tests/data/lp/{name}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .expect("run relucert");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(name: &str) -> serde_json::Value {
    let (code, out, err) = run(&["lp", &data(name), "--json"]);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).expect("valid JSON")
}

#[test]
fn small_max_text_and_json() {
    let (code, out, _) = run(&["lp", &data("small_max.lp")]);
    assert_eq!(code, 0);
    assert!(out.contains("status: optimal"), "{out}");
    assert!(out.contains("objective: 11"), "{out}");
    assert!(out.contains("x = 3") && out.contains("y = 1"), "{out}");
    let j = json("small_max.lp");
    assert_eq!(j["status"], "optimal");
    assert_eq!(j["objective"], "11");
    assert_eq!(j["x"]["x"], "3");
    assert_eq!(j["x"]["y"], "1");
    assert_eq!(j["duals"]["c1"], "2");
    assert_eq!(j["duals"]["c2"], "0");
}

#[test]
fn fractions_decimals_and_bounds() {
    let j = json("fractions.lp");
    assert_eq!(j["status"], "optimal");
    assert_eq!(j["objective"], "5/4");
    assert_eq!(j["x"]["x"], "-1/2");
    assert_eq!(j["x"]["y"], "2");
    assert_eq!(j["x"]["z"], "1/3");
    assert_eq!(j["x"]["w"], "3/2");
    // Duals: a is the binding cover row (1/2), c the z row (3), d is free-variable row (0).
    assert_eq!(j["duals"]["a"], "1/2");
    assert_eq!(j["duals"]["c"], "3");
    assert_eq!(j["duals"]["d"], "0");
}

#[test]
fn infeasible_with_farkas() {
    let j = json("infeasible.lp");
    assert_eq!(j["status"], "infeasible");
    let lo: i64 = j["farkas"]["lo"].as_str().unwrap().parse().unwrap_or(0);
    let hi: i64 = j["farkas"]["hi"].as_str().unwrap().parse().unwrap_or(0);
    // y_lo >= 0, y_hi <= 0, y_lo + y_hi = 0 (x and y are >= 0 so any
    // nonpositive combination works too), 5 y_lo + 4 y_hi > 0.
    assert!(lo > 0 && hi < 0 && 5 * lo + 4 * hi > 0, "{j}");
    let (code, out, _) = run(&["lp", &data("infeasible.lp")]);
    assert_eq!(code, 0);
    assert!(out.contains("status: infeasible"));
}

#[test]
fn unbounded_with_ray() {
    let j = json("unbounded.lp");
    assert_eq!(j["status"], "unbounded");
    assert!(j["ray"].is_object() && j["x"].is_object());
}

#[test]
fn tiny_cell_is_exact() {
    let j = json("tiny_cell.lp");
    assert_eq!(j["status"], "optimal");
    assert_eq!(j["objective"], "1/200000000000000000000");
}

fn bad(name: &str, line: usize, needle: &str) {
    let (code, out, err) = run(&["lp", &data(name)]);
    assert_eq!(code, 1, "stdout: {out}");
    assert!(out.is_empty());
    let expected = format!("{name}:{line}: ");
    assert!(err.contains(&expected), "expected `{expected}` in {err}");
    assert!(err.contains(needle), "expected `{needle}` in {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
}

#[test]
fn bad_files_name_file_and_line() {
    bad("bad_missing_rhs.lp", 5, "right-hand side");
    bad("bad_number.lp", 4, "expected a number");
    bad("bad_section.lp", 6, "not supported");
    bad("bad_no_end.lp", 4, "End");
}

#[test]
fn missing_file_is_an_error() {
    let (code, _, err) = run(&["lp", &data("does_not_exist.lp")]);
    assert_eq!(code, 1);
    assert!(err.contains("does_not_exist.lp"), "{err}");
}

//! `relucert cells` end to end: counts against the Zaslavsky formula
//! computed here from the fixture's own data, every streamed witness
//! re-evaluated here, `--limit`, `--at-point`, and errors.

mod common;

use common::{q, zaslavsky};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures")
        .join(name)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .unwrap()
}

fn ratio(s: &str) -> BigRational {
    match s.split_once('/') {
        Some((a, b)) => BigRational::new(a.parse().unwrap(), b.parse().unwrap()),
        None => BigRational::from_integer(s.parse().unwrap()),
    }
}

/// (data x, first-layer bias, hidden width) read straight from the fixture.
fn data(path: &Path) -> (Vec<Vec<BigRational>>, bool, usize) {
    let v: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let x = v["data"]["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|e| match e {
                    toml::Value::String(s) => relucert::number::parse_rational(s).unwrap(),
                    toml::Value::Integer(i) => BigRational::from_integer(BigInt::from(*i)),
                    other => panic!("{other:?}"),
                })
                .collect()
        })
        .collect();
    let bias = match &v["network"]["bias"] {
        toml::Value::Boolean(b) => *b,
        toml::Value::Array(a) => a[0].as_bool().unwrap(),
        other => panic!("{other:?}"),
    };
    let width = v["network"]["widths"][1].as_integer().unwrap() as usize;
    (x, bias, width)
}

fn normals(x: &[Vec<BigRational>], bias: bool) -> Vec<Vec<BigRational>> {
    x.iter()
        .map(|r| {
            let mut n = r.clone();
            if bias {
                n.push(q(1, 1));
            }
            n
        })
        .collect()
}

#[test]
fn counts_match_zaslavsky_on_fixtures() {
    for name in [
        "relu-hinge-8-points-width-3.toml",
        "relu-two-hidden-layers-hinge.toml",
        "relu-crammer-singer-tie.toml",
    ] {
        let path = fixture(name);
        let (x, bias, width) = data(&path);
        let want = zaslavsky(&normals(&x, bias));
        let out = run(&["cells", "--count", "--json", path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["unit_cells"].as_i64().unwrap(), want, "{name}");
        assert_eq!(v["units"].as_u64().unwrap() as usize, width);
        assert_eq!(
            v["layer_cells"].as_i64().unwrap(),
            want.pow(width as u32),
            "{name}"
        );
    }
}

#[test]
fn streamed_layer_patterns_have_valid_witnesses_and_are_all_there() {
    let path = fixture("relu-two-hidden-layers-hinge.toml");
    let (x, bias, width) = data(&path);
    let out = run(&["cells", "--json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut seen = HashSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let pattern: Vec<String> = v["pattern"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(pattern.len(), width);
        for (j, unit_pattern) in pattern.iter().enumerate() {
            let w: Vec<BigRational> = v["witness"]["W1"][j]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| ratio(e.as_str().unwrap()))
                .collect();
            let b = if bias {
                ratio(v["witness"]["b1"][j].as_str().unwrap())
            } else {
                q(0, 1)
            };
            for (xi, s) in x.iter().zip(unit_pattern.chars()) {
                let z: BigRational =
                    xi.iter().zip(&w).map(|(a, c)| a * c).sum::<BigRational>() + &b;
                let got = if z > q(0, 1) {
                    '+'
                } else if z < q(0, 1) {
                    '-'
                } else {
                    '0'
                };
                assert_eq!(got, s, "{line}");
            }
        }
        assert!(seen.insert(pattern), "pattern listed twice");
    }
    let unit = zaslavsky(&normals(&x, bias));
    assert_eq!(seen.len() as i64, unit.pow(width as u32));
}

#[test]
fn limit_stops_cleanly() {
    let path = fixture("relu-hinge-8-points-width-3.toml");
    let out = run(&["cells", "--json", "--limit", "7", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 7);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stopped after 7 of") && err.contains("--limit 7"),
        "{err}"
    );
}

#[test]
fn local_arrangement_at_a_point() {
    // relu-hinge-kink-corner: unit 0 is zero on point 2, unit 1 on point 0
    // (see the fixture's hand computation): two one-hyperplane arrangements.
    let path = fixture("relu-hinge-kink-corner.toml");
    let out = run(&[
        "cells",
        "--at-point",
        "--count",
        "--json",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["local_cells"].as_i64(), Some(4));
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 2);
    assert_eq!(units[0]["points"], serde_json::json!([2]));
    assert_eq!(units[1]["points"], serde_json::json!([0]));
    assert!(units
        .iter()
        .all(|u| u["independent"] == true && u["cells"] == 2));
}

#[test]
fn linear_network_has_no_cells_to_enumerate() {
    let path = fixture("linear-deep-2-2-1-hinge.toml");
    let out = run(&["cells", "--count", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("linear-deep-2-2-1-hinge.toml") && err.contains("no hidden layer with kinks"),
        "{err}"
    );
}

/// `relucert cells F | head -1`: a reader that closes the pipe early ends
/// the listing quietly, exit 0, nothing on stderr (the same for every
/// command's output).
#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::Stdio;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for args in [
        vec!["cells", "fixtures/relu-hinge-8-points-width-3.toml"],
        vec![
            "verify",
            "--json",
            "fixtures/relu-hinge-8-points-width-3.toml",
        ],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relucert"))
            .current_dir(root)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // close the read end before the command writes anything
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

//! `relucert import` end to end (issue 16, section 3): the committed
//! weights files (made by scripts/make_import_data.py with numpy) import to
//! instances whose numbers equal Python's `Fraction(x)` of each float, which
//! the script wrote into tests/data/import/expected.json; an imported model
//! equals its fixture twin and verifies to the same verdict; every corrupt
//! or ill-shaped input is one error line with exit status 1.

use relucert::instance::{self, Instance, Syntax};
use relucert::number::{parse_rational, Q};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
}

fn data(name: &str) -> String {
    format!("{}/tests/data/import/{name}", root())
}

/// A fresh scratch directory for this test.
fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("relucert-import-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Run the binary; (exit code, stdout, stderr).
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

/// Import and parse the TOML written on stdout.
fn import(args: &[&str]) -> (Instance, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "import {args:?} failed: {err}");
    let inst = instance::parse(&out, Syntax::Toml, "stdout").expect("output is an instance");
    (inst, err)
}

/// The import fails with one line `error: ...` naming `file`, exit 1.
fn fails(args: &[&str], file: &str, needle: &str) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, 1, "{args:?}: exit {code}, stderr {err}");
    assert!(out.is_empty(), "{args:?}: partial output {out}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("note: ")).collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one error line: {err}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    assert!(
        line.contains(file),
        "{args:?}: error does not name {file}: {line}"
    );
    assert!(
        line.contains(needle),
        "{args:?}: error lacks `{needle}`: {line}"
    );
    assert!(line.len() <= 400, "{args:?}: error too long: {line}");
    assert!(!err.contains("panicked"), "{err}");
}

fn expected() -> Value {
    let text = std::fs::read_to_string(data("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

fn q(v: &Value) -> Q {
    parse_rational(v.as_str().expect("a fraction string")).expect("a fraction")
}
fn qvec(v: &Value) -> Vec<Q> {
    v.as_array().expect("a list").iter().map(q).collect()
}
fn qmat(v: &Value) -> Vec<Vec<Q>> {
    v.as_array().expect("a list").iter().map(qvec).collect()
}

/// The point of the known network equals the script's `Fraction(x)` values.
fn assert_known_point(inst: &Instance, e: &Value) {
    let p = inst.point.as_ref().expect("a point");
    assert_eq!(p.layers.len(), 2);
    assert_eq!(p.layers[0].w, qmat(&e["W1"]));
    assert_eq!(p.layers[0].b.as_ref(), Some(&qvec(&e["b1"])));
    assert_eq!(p.layers[1].w, qmat(&e["W2"]));
    assert_eq!(p.layers[1].b.as_ref(), Some(&qvec(&e["b2"])));
    assert_eq!(inst.problem.arch.widths, vec![2, 3, 1]);
    let ys: Vec<i64> = e["y"]
        .as_array()
        .expect("y")
        .iter()
        .map(|v| v.as_i64().expect("int"))
        .collect();
    assert_eq!(inst.problem.data.y, ys);
}

#[test]
fn known_values_are_the_exact_floats() {
    let e = expected();
    // safetensors (F32, F16 with a subnormal, F64, BF16) with decimal CSV data
    let (inst, _) = import(&[
        "--weights",
        &data("known.safetensors"),
        "--data",
        &data("known.csv"),
    ]);
    assert_known_point(&inst, &e);
    assert_eq!(
        inst.problem.data.x,
        qmat(&e["csv_x"]),
        "CSV decimals are exact"
    );
    // 0.1 in the CSV is 1/10, 0.1f32 in the weights is not
    assert_ne!(
        inst.problem.data.x[0][0],
        inst.point.as_ref().unwrap().layers[0].w[0][0]
    );
    assert_eq!(
        inst.source.as_deref(),
        Some("relucert import: weights known.safetensors, data known.csv")
    );
    // npz stored, deflated, big-endian + Fortran order: same numbers, data from the npz
    for f in ["known.npz", "known_compressed.npz", "known_be_fortran.npz"] {
        let (inst, _) = import(&["--weights", &data(f)]);
        assert_known_point(&inst, &e);
        assert_eq!(inst.problem.data.x, qmat(&e["x"]), "{f}");
        assert_eq!(inst.name.as_deref(), Some(&*format!("imported from {f}")));
    }
}

#[test]
fn json_output_is_the_same_instance() {
    let dir = scratch("json");
    let out = dir.join("m.json");
    let out_s = out.to_string_lossy().into_owned();
    let (code, stdout, err) = run(&["import", "--weights", &data("known.npz"), "--out", &out_s]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("wrote "), "{stdout}");
    let from_json = instance::load(&out).expect("the JSON loads");
    let (from_toml, _) = import(&["--weights", &data("known.npz")]);
    assert_eq!(from_json, from_toml);
    let _ = std::fs::remove_dir_all(&dir);
}

/// (fixture, extra flags): the twins written by the script.
const TWINS: &[(&str, &[&str])] = &[
    ("relu-kink-corner-nonflat-min", &[]),
    ("relu-multiclass-hinge-descent", &[]),
    (
        "leaky-separable-descent-ray",
        &["--activation", "leaky", "--alpha", "0.25"],
    ),
    ("relu-two-hidden-layers-hinge", &[]),
];

fn verdict(file: &str) -> String {
    let (code, out, err) = run(&["verify", "--json", file]);
    assert!(code == 0, "verify {file}: exit {code}: {err}");
    let v: Value = serde_json::from_str(&out).expect("verify --json is JSON");
    v["verdict"].as_str().expect("a verdict").to_string()
}

#[test]
fn imported_models_equal_their_toml_twins_and_verify_alike() {
    let dir = scratch("twins");
    for (name, flags) in TWINS {
        let fixture_path = format!("{}/fixtures/{name}.toml", root());
        let fixture = instance::load(fixture_path.as_ref()).expect("fixture loads");
        let fixture_verdict = verdict(&fixture_path);
        let variants = [
            vec![
                "--weights".to_string(),
                data(&format!("twin_{name}.safetensors")),
                "--data".to_string(),
                data(&format!("twin_{name}.csv")),
            ],
            vec!["--weights".to_string(), data(&format!("twin_{name}.npz"))],
        ];
        for (k, v) in variants.iter().enumerate() {
            let mut args: Vec<&str> = v.iter().map(String::as_str).collect();
            args.extend_from_slice(flags);
            let (inst, _) = import(&args);
            assert_eq!(inst.problem, fixture.problem, "{name} variant {k}: problem");
            assert_eq!(inst.point, fixture.point, "{name} variant {k}: point");
            let path = dir.join(format!("{name}-{k}.toml"));
            let path_s = path.to_string_lossy().into_owned();
            let mut write = vec!["import"];
            write.extend_from_slice(&args);
            write.extend_from_slice(&["--out", &path_s]);
            assert_eq!(run(&write).0, 0);
            assert_eq!(verdict(&path_s), fixture_verdict, "{name} variant {k}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn layers_are_ordered_by_their_number() {
    // net.0, net.2, net.10: alphabetical order (0, 10, 2) would not chain
    let (inst, err) = import(&["--weights", &data("order.npz"), "--labels-01"]);
    assert_eq!(inst.problem.arch.widths, vec![1, 2, 3, 1]);
    assert_eq!(inst.problem.arch.bias, vec![false, false, false]);
    assert_eq!(inst.problem.data.y, vec![1, -1]);
    assert!(
        err.contains("--labels-01"),
        "the mapping is reported: {err}"
    );
}

#[test]
fn explicit_layers_and_flags() {
    let (auto, _) = import(&["--weights", &data("known.npz")]);
    let (named, _) = import(&["--weights", &data("known.npz"), "--layers", "W1,W2"]);
    assert_eq!(auto, named);
    let (explicit, _) = import(&["--weights", &data("known.npz"), "--layers", "W1:b1,W2:b2"]);
    assert_eq!(auto, explicit);
    let (cs, _) = import(&["--weights", &data("known.npz"), "--name", "mine"]);
    assert_eq!(cs.name.as_deref(), Some("mine"));
    let (lin, _) = import(&["--weights", &data("known.npz"), "--activation", "linear"]);
    assert_eq!(lin.problem.arch.activation.name(), "linear");
    let (leaky, _) = import(&[
        "--weights",
        &data("labels01.npz"),
        "--labels-01",
        "--activation",
        "leaky",
        "--alpha",
        "0.01",
    ]);
    assert_eq!(
        leaky.problem.arch.activation,
        relucert::network::Activation::Leaky(parse_rational("1/100").unwrap())
    );
    assert_eq!(leaky.problem.data.y, vec![-1, 1, -1]);
}

#[test]
fn csv_label_column_by_name_or_index() {
    let dir = scratch("csv");
    let csv = dir.join("d.csv");
    std::fs::write(&csv, "a,label,b\n# a comment\n1,1,2.5\n\n-0.5,-1,3e-2\n").unwrap();
    let csv_s = csv.to_string_lossy().into_owned();
    let w = data("labels01.npz"); // W1 (1, 2), b1 (1,)
    let (by_name, _) = import(&["--weights", &w, "--data", &csv_s, "--label-col", "label"]);
    let (by_index, _) = import(&["--weights", &w, "--data", &csv_s, "--label-col", "1"]);
    assert_eq!(by_name, by_index);
    assert_eq!(by_name.problem.data.y, vec![1, -1]);
    let x: Vec<Vec<Q>> = [["1", "5/2"], ["-1/2", "3/100"]]
        .iter()
        .map(|r| r.iter().map(|s| parse_rational(s).unwrap()).collect())
        .collect();
    assert_eq!(by_name.problem.data.x, x);
    fails(
        &["--weights", &w, "--data", &csv_s],
        &csv_s,
        "label of data point 0 is 5/2",
    );
    fails(
        &["--weights", &w, "--data", &csv_s, "--label-col", "nope"],
        &csv_s,
        "no such column",
    );
    fails(
        &["--weights", &w, "--data", &csv_s, "--label-col", "7"],
        &csv_s,
        "out of range",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_and_ill_shaped_inputs_are_one_line_errors() {
    let csv = data("known.csv");
    for (f, needle) in [
        ("bad_dtype.safetensors", "dtype F8E4 is not supported"),
        ("bad_header_json.safetensors", "not valid JSON"),
        ("bad_offsets.safetensors", "data_offsets [0, 80]"),
        ("bad_shape.safetensors", "shape (1, 3)"),
    ] {
        fails(&["--weights", &data(f), "--data", &csv], &data(f), needle);
    }
    for (f, needle) in [
        ("bad_nan.npz", "W1[0,1] is NaN"),
        (
            "bad_mismatch.npz",
            "weight `W2` has shape (1, 4); expected (1, 3)",
        ),
        ("bad_not_npy.npz", "not a .npy array"),
        ("labels01.npz", "--labels-01"),
    ] {
        fails(&["--weights", &data(f)], &data(f), needle);
    }
    // a data file of the wrong width, an output width the loss cannot use
    let w = data("labels01.npz");
    fails(
        &["--weights", &data("order.npz"), "--data", &csv],
        &csv,
        "data point 0 has 2 inputs; expected 1",
    );
    fails(
        &["--weights", &data("known.npz"), "--loss", "crammer-singer"],
        "known.npz",
        "at least 2 outputs",
    );
    fails(
        &["--weights", &data("known.npz"), "--no-bias"],
        "known.npz",
        "--no-bias",
    );
    fails(
        &["--weights", &data("known.npz"), "--layers", "W1,W9"],
        "known.npz",
        "W9",
    );
    fails(
        &["--weights", &data("known.csv")],
        "known.csv",
        ".safetensors or .npz",
    );
    fails(
        &["--weights", &data("missing.npz")],
        "missing.npz",
        "cannot read",
    );
    fails(
        &["--weights", &w, "--activation", "leaky"],
        "import",
        "--alpha",
    );
    fails(
        &["--weights", &w, "--activation", "leaky", "--alpha", "2"],
        "import",
        "0 < alpha < 1",
    );
    fails(&["--weights", &w, "--alpha", "1/2"], "import", "leaky");
    fails(
        &["--weights", &data("known.safetensors")],
        "import",
        "--data",
    );
    // truncated copies of every committed weights file
    let dir = scratch("trunc");
    for f in ["known.safetensors", "known.npz", "known_compressed.npz"] {
        let bytes = std::fs::read(data(f)).unwrap();
        for cut in [0, 4, 8, 30, bytes.len() / 2, bytes.len() - 1] {
            let p = dir.join(format!("cut{cut}-{f}"));
            std::fs::write(&p, &bytes[..cut]).unwrap();
            let p_s = p.to_string_lossy().into_owned();
            fails(&["--weights", &p_s, "--data", &csv], &p_s, "");
        }
    }
    // the size limit applies before anything is read
    fails(
        &["--weights", &data("known.npz"), "--max-file-size", "100"],
        "known.npz",
        "--max-file-size",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! Every malformed instance gets a one-line error naming the file, the key
//! (and for TOML the line) and what was expected; exit status 1; no panic and
//! nothing on stdout. Table-driven over `tests/data/bad/`.

use std::path::Path;
use std::process::Command;

/// (file, fragments the one-line error must contain)
const CASES: &[(&str, &[&str])] = &[
    (
        "widths-one-entry.toml",
        &["network.widths (line 2)", "at least 2 entries"],
    ),
    (
        "width-zero.toml",
        &["network.widths[1] (line 2)", "positive width, found 0"],
    ),
    (
        "width-float.toml",
        &["network.widths[1] (line 2)", "float literal 2.0"],
    ),
    (
        "width-fraction.toml",
        &["network.widths[1] (line 2)", "the fraction 3/2"],
    ),
    (
        "width-huge.toml",
        &["network.widths[1] (line 2)", "exceeds the limit"],
    ),
    ("widths-missing.toml", &["network.widths", "missing key"]),
    (
        "activation-unknown.toml",
        &["network.activation (line 3)", "unknown activation \"tanh\""],
    ),
    (
        "activation-not-string.toml",
        &["network.activation (line 3)", "expected a string"],
    ),
    (
        "leaky-missing-alpha.toml",
        &["network.alpha", "needs alpha"],
    ),
    (
        "alpha-too-big.toml",
        &["network.alpha (line 4)", "0 < alpha < 1, found 3/2"],
    ),
    (
        "alpha-zero.toml",
        &["network.alpha (line 4)", "0 < alpha < 1, found 0"],
    ),
    (
        "alpha-one.toml",
        &["network.alpha (line 4)", "0 < alpha < 1, found 1"],
    ),
    (
        "alpha-with-relu.toml",
        &[
            "network.alpha (line 4)",
            "only allowed with activation = \"leaky\"",
        ],
    ),
    (
        "x-nan-literal.toml",
        &[
            "data.x[0][0] (line 10)",
            "nan is not a number",
            "finite rational",
        ],
    ),
    (
        "point-inf-literal.toml",
        &[
            "point.W2[0][1] (line 16)",
            "-inf is not a number",
            "finite rational",
        ],
    ),
    (
        "alpha-float-literal.toml",
        &["network.alpha (line 4)", "float literal 0.1", "\"0.1\""],
    ),
    ("bias-missing.toml", &["network.bias", "missing key"]),
    (
        "bias-wrong-length.toml",
        &["network.bias (line 4)", "expected 2 flags"],
    ),
    (
        "bias-not-bool.toml",
        &["network.bias (line 4)", "found a string"],
    ),
    ("unknown-top-key.toml", &["foo (line 1)", "unknown key"]),
    (
        "unknown-network-key.toml",
        &["network.depth (line 5)", "unknown key"],
    ),
    (
        "loss-unknown.toml",
        &["loss.kind (line 7)", "unknown loss \"logistic\""],
    ),
    ("loss-kind-missing.toml", &["loss.kind", "missing key"]),
    (
        "hinge-wide-output.toml",
        &["loss.kind (line 7)", "needs output width 1"],
    ),
    (
        "multiclass-width-one.toml",
        &["loss.kind (line 7)", "output width K >= 2"],
    ),
    (
        "label-zero-hinge.toml",
        &["data.y[1] (line 11)", "label 1 or -1, found 0"],
    ),
    (
        "label-out-of-range-multiclass.toml",
        &["data.y[1] (line 11)", "class label from 0 to 2, found 3"],
    ),
    (
        "label-float.toml",
        &["data.y[0] (line 11)", "float literal 1.0"],
    ),
    (
        "labels-count.toml",
        &["data.y (line 11)", "expected 2 labels"],
    ),
    (
        "x-row-length.toml",
        &["data.x[1] (line 10)", "expected 2 entries, found 3"],
    ),
    (
        "x-float-literal.toml",
        &["data.x[0][0] (line 10)", "float literal 0.5", "\"0.5\""],
    ),
    (
        "x-zero-denominator.toml",
        &["data.x[0][0] (line 10)", "zero denominator"],
    ),
    (
        "x-nan.toml",
        &["data.x[0][0] (line 10)", "not a finite number"],
    ),
    (
        "x-inf.toml",
        &["data.x[0][0] (line 10)", "not a finite number"],
    ),
    (
        "x-empty-string.toml",
        &["data.x[0][0] (line 10)", "empty number"],
    ),
    (
        "x-garbage.toml",
        &["data.x[0][0] (line 10)", "`1,5` is not a number"],
    ),
    (
        "x-huge-exponent.toml",
        &["data.x[0][0] (line 10)", "exponent"],
    ),
    ("x-datetime.toml", &["data.x[0][0] (line 10)", "date-time"]),
    (
        "data-empty.toml",
        &["data.x (line 10)", "at least one data point"],
    ),
    (
        "point-missing-bias-vector.toml",
        &["point.b1", "missing bias vector"],
    ),
    (
        "point-bias-without-bias.toml",
        &["point.b1 (line 15)", "layer 1 has no bias"],
    ),
    (
        "point-w-shape.toml",
        &[
            "point.W1 (line 14)",
            "expected 2 rows of 2 numbers, found 1 row",
        ],
    ),
    (
        "point-unknown-layer.toml",
        &["point.W3 (line 18)", "unknown key"],
    ),
    ("point-w-missing.toml", &["point.W2", "missing key"]),
    (
        "network-missing.toml",
        &["network", "missing key", "[network]"],
    ),
    (
        "network-not-table.toml",
        &["network (line 1)", "expected a table"],
    ),
    ("toml-syntax.toml", &["line 13", "TOML syntax error"]),
    (
        "expect-contradiction.toml",
        &["expect.local_min (line 21)", "contradicts"],
    ),
    (
        "expect-negative-loss.toml",
        &["expect.loss (line 20)", "never negative"],
    ),
    (
        "expect-unknown-key.toml",
        &["expect.saddle (line 20)", "unknown key"],
    ),
    (
        "regression-label-fraction-hinge.toml",
        &[
            "data.y[0] (line 11)",
            "label 1 or -1, found the fraction 3/2",
            "rational targets are for the regression losses",
        ],
    ),
    (
        "regression-target-bool.toml",
        &[
            "data.y[0] (line 11)",
            "expected a regression target",
            "found a boolean",
        ],
    ),
    (
        "regression-targets-count.toml",
        &["data.y (line 11)", "expected 2 targets", "found 3"],
    ),
    (
        "regression-target-float.toml",
        &["data.y[0] (line 11)", "float literal 0.5", "\"0.5\""],
    ),
    (
        "regression-target-garbage.toml",
        &["data.y[0] (line 11)", "`x` is not a number"],
    ),
    (
        "regression-wide-output.toml",
        &[
            "loss.kind (line 7)",
            "squared (regression) loss needs output width 1",
            "ends in 2",
        ],
    ),
    ("json-syntax.json", &["line 1", "JSON syntax error"]),
    (
        "json-label-fraction.json",
        &["data.y[0]", "the fraction 3/2"],
    ),
    ("json-null.json", &["data.x[0][0]", "found null"]),
    ("json-alpha-range.json", &["network.alpha", "0 < alpha < 1"]),
    ("json-unknown-key.json", &["loss.margin", "unknown key"]),
];

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .expect("the relucert binary runs")
}

#[test]
fn every_bad_file_has_a_case_and_gives_a_clear_error() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/data/bad");
    let mut listed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("ok-") {
            continue;
        }
        assert!(
            CASES.iter().any(|(f, _)| *f == name),
            "{name} has no expected message in CASES"
        );
        listed += 1;
    }
    assert_eq!(listed, CASES.len(), "every case's file exists");
    assert!(CASES.len() >= 25);
    for (file, fragments) in CASES {
        let path = dir.join(file);
        let path_s = path.to_str().unwrap();
        for command in ["eval", "cell"] {
            let out = run(&[command, path_s]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{command} {file}: exit status, stderr: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{command} {file}: no partial output");
            assert_eq!(
                stderr.trim_end().lines().count(),
                1,
                "{command} {file}: one line, got {stderr}"
            );
            assert!(
                stderr.contains(path_s),
                "{command} {file}: names the file: {stderr}"
            );
            for frag in *fragments {
                assert!(
                    stderr.contains(frag),
                    "{command} {file}: expected {frag:?} in {stderr}"
                );
            }
            assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        }
    }
}

#[test]
fn the_valid_bases_of_the_bad_files_are_accepted() {
    // Guards against a bad case failing for a reason other than its own edit.
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/data/bad");
    for base in ["ok-base.toml", "ok-base.json", "ok-regression.toml"] {
        let out = run(&["eval", dir.join(base).to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{base}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn missing_file_and_missing_point_are_clear_errors() {
    let out = run(&["eval", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/file.toml") && err.contains("cannot read"),
        "{err}"
    );

    let dir = std::env::temp_dir().join(format!("relucert-nopoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("nopoint.toml");
    std::fs::write(
        &f,
        "[network]\nwidths = [1, 1]\nactivation = \"linear\"\nbias = false\n[loss]\nkind = \"hinge\"\n[data]\nx = [[\"1\"]]\ny = [1]\n",
    )
    .unwrap();
    let out = run(&["eval", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[point]"), "{err}");
}

#[test]
fn bad_side_choices_are_clear_errors() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/data/bad");
    let base = dir.join("ok-base.toml");
    // ok-base has zero entries (W2 [1,-1], x = e1, e2, b = 0): count them via eval --json.
    let out = run(&["eval", "--json", base.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let zeros = v["zero_entries"].as_array().unwrap().len();
    let too_many = vec!["+"; zeros + 1].join(",");
    let out = run(&["cell", base.to_str().unwrap(), "--side", &too_many]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("expected {zeros} side choice")),
        "{err}"
    );
    let out = run(&["cell", base.to_str().unwrap(), "--side", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a side choice"));
}

//! The commands on regression instances (`absolute`, `squared`) through the
//! binary: `eval` and `cell` text and JSON (targets and residuals, not
//! labels and margins), `theorems` (hinge-only predicates not applicable),
//! `import --loss squared` (exact targets), and `corpus --family regression`
//! (no expectation disagreements). Expected numbers are computed by hand in
//! the comments, not by the code under test.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// A 1-1-1 relu network f(x) = (3/4) relu(x) on x = 0, 1, 2 with targets
/// 0, 1, 3/2: outputs 0, 3/4, 3/2; residuals 0, -1/4, 0; the pre-activation
/// at x = 0 is 0 (a kink). Squared loss (1/3)(1/16) = 1/48; absolute loss
/// (1/3)(1/4) = 1/12.
fn instance(kind: &str) -> String {
    format!(
        "name = \"r\"\n[network]\nwidths = [1, 1, 1]\nactivation = \"relu\"\nbias = true\n\
         [loss]\nkind = \"{kind}\"\n[data]\nx = [[\"0\"], [\"1\"], [\"2\"]]\ny = [0, \"1\", \"3/2\"]\n\
         [point]\nW1 = [[\"1\"]]\nb1 = [\"0\"]\nW2 = [[\"3/4\"]]\nb2 = [\"0\"]\n"
    )
}

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relucert");
    if let Some(mut si) = child.stdin.take() {
        let _ = si.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("wait for relucert");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn eval_shows_targets_and_residuals() {
    let (code, out, err) = run(&["eval", "-"], &instance("squared"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("loss: 1/48"), "{out}");
    assert!(
        out.contains(
            "point 1: t = 1  f = [3/4 (0.7500)]  residual f - t = -1/4 (-0.2500)  loss = 1/16"
        ),
        "{out}"
    );
    assert!(out.contains("point 2: t = 3/2 (1.500)"), "{out}");
    assert!(!out.contains("hinge") && !out.contains("margin"), "{out}");
    assert!(
        out.contains("signature: 3 pre-activations (1 zero)\n"),
        "{out}"
    );

    let (code, out, err) = run(&["eval", "-"], &instance("absolute"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("loss: 1/12"), "{out}");
    assert!(out.contains("3 residuals (2 zero)"), "{out}");
    assert!(
        out.contains("residual signs (f - t), per point: point 0 0, point 1 -, point 2 0"),
        "{out}"
    );
    assert!(out.contains("residual at point 0 is 0 (f = t)"), "{out}");
    assert!(out.contains("residual at point 2 is 0 (f = t)"), "{out}");
    assert!(!out.contains("margin exactly 1"), "{out}");

    let (code, out, _) = run(&["eval", "--json", "-"], &instance("squared"));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let targets = ["0", "1", "3/2"];
    let residuals = ["0", "-1/4", "0"];
    for (i, p) in v["points"].as_array().unwrap().iter().enumerate() {
        assert!(p["label"].is_null());
        assert_eq!(p["target"], targets[i]);
        assert_eq!(p["residual"], residuals[i]);
        assert_eq!(p["margin"], residuals[i]);
    }
    assert_eq!(v["loss"], "1/48");
}

#[test]
fn cell_gives_the_degree_two_piece() {
    // on the side x = 0 active: f = W2 (W1 x + b1) + b2 for every point, so
    // the piece has degree 2 in W2 (squared) and W2^2 W1^2 terms: total 4
    let (code, out, err) = run(&["cell", "--side=+", "--json", "-"], &instance("squared"));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["polynomial"]["degree"], 4);
    assert_eq!(v["value_at_point"], "1/48");
    let (code, out, _) = run(&["cell", "--side=+", "-"], &instance("squared"));
    assert_eq!(code, 0);
    assert!(
        out.contains("degree up to 2 in each layer's parameters"),
        "{out}"
    );
    // absolute: three zero entries, residual sides worded as residuals
    let (code, out, _) = run(&["cell", "-"], &instance("absolute"));
    assert_eq!(code, 0);
    assert!(out.contains("residual (+: f > t)"), "{out}");
    // the piece with residuals 0 and 2 on their + branch, point 1 on -:
    // at the point its value is the loss
    let (code, out, err) = run(
        &["cell", "--side=+,+,+", "--json", "-"],
        &instance("absolute"),
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["value_at_point"], "1/12");
    assert_eq!(
        v["polynomial"]["degree"], 2,
        "multilinear: W2 W1, W2 b1 terms"
    );
}

#[test]
fn theorems_are_hinge_only() {
    for kind in ["absolute", "squared"] {
        let (code, out, err) = run(&["theorems", "--json", "-"], &instance(kind));
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        for r in v.as_array().unwrap() {
            let name = r["predicate"].as_str().unwrap();
            assert_ne!(r["outcome"], "violated", "{kind} {name}");
            if name.starts_with("P3") || name.starts_with("P4") {
                assert_eq!(r["outcome"], "not-applicable");
                assert!(r["evidence"].as_str().unwrap().contains("hinge-only"));
            }
            if kind == "squared" && name.starts_with("P1") {
                assert!(r["evidence"].as_str().unwrap().contains("squared loss"));
            }
        }
    }
}

#[test]
fn import_reads_exact_targets() {
    let dir = std::env::temp_dir().join(format!("relucert-cli-regression-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "x,t\n0,0.1\n-1,3/2\n-2,-2e-1\n1,7\n").unwrap();
    let weights = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/import/twin_relu-kink-corner-nonflat-min.safetensors"
    );
    for (kind, ext) in [("squared", "toml"), ("absolute", "json")] {
        let out = dir.join(format!("r.{ext}"));
        let (code, _, err) = run(
            &[
                "import",
                "--weights",
                weights,
                "--data",
                csv.to_str().unwrap(),
                "--loss",
                kind,
                "--out",
                out.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(code, 0, "{err}");
        let inst = relucert::instance::load(&out).unwrap();
        assert_eq!(inst.problem.loss.name(), kind);
        let q = relucert::number::qf;
        assert_eq!(
            inst.problem.data.targets,
            vec![q(1, 10), q(3, 2), q(-1, 5), q(7, 1)]
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corpus_runs_the_regression_families() {
    let (code, out, err) = run(
        &[
            "corpus",
            "--family",
            "regression",
            "--count",
            "4",
            "--timeout",
            "5",
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let fams: Vec<&str> = v["per_family"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["family"].as_str().unwrap())
        .collect();
    assert_eq!(
        fams,
        [
            "squared-exact-fit",
            "squared-dead",
            "squared-kinks",
            "absolute-exact-fit",
            "absolute-dead",
            "absolute-kinks"
        ]
    );
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{out}");
}

/// Regression pieces equal exact evaluation: on generated regression
/// instances (random and kinks families, both losses), at points moved off
/// the instance's point by a pseudo-random step of size 1/1000 into the
/// interior of a cell, the cell polynomial of that cell (`cellpoly`) equals
/// the loss by the exact forward pass (`Problem::loss`), two separate code
/// paths.
#[test]
fn regression_pieces_equal_exact_evaluation() {
    use relucert::cellpoly::loss_poly;
    use relucert::gen::{generate, Family};
    use relucert::network::Params;
    use relucert::number::{qf, Q};
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as i64
    };
    let mut checked = 0;
    for name in [
        "squared-random",
        "absolute-random",
        "squared-kinks",
        "absolute-kinks",
    ] {
        let family = Family::parse(name).unwrap();
        for i in 0..25 {
            let inst = generate(family, 4, i).instance;
            let p = &inst.problem;
            let theta = inst.point.as_ref().unwrap().flat();
            for _ in 0..3 {
                let moved: Vec<Q> = theta.iter().map(|t| t + qf(next() % 7 - 3, 1000)).collect();
                let params = Params::from_flat(&p.arch, &moved).unwrap();
                let sig = p.signature(&params);
                if !sig.zero_entries().is_empty() {
                    continue;
                }
                let pattern = sig.pattern().expect("no zero entries: a cell");
                assert_eq!(
                    loss_poly(p, &pattern).evaluate(&moved),
                    p.loss(&params),
                    "{name} {i}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} interior points");
}

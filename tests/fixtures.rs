//! Every fixture in `fixtures/` is evaluated by the binary and must reproduce
//! the exact loss of its `[expect]` table, which was worked out by hand (the
//! derivation is in the fixture's comments). New fixtures are picked up
//! automatically. The expected value is read here straight from the file
//! with the `toml` / `serde_json` crates, not through relucert's reader.

mod common;

use common::fixture_paths as fixtures;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::path::Path;
use std::process::Command;

/// A rational from the fixture's own text, parsed independently of relucert:
/// only the `p/q` and plain-integer spellings are used in `[expect] loss`.
fn ratio(text: &str) -> BigRational {
    match text.split_once('/') {
        Some((p, q)) => BigRational::new(
            p.trim().parse::<BigInt>().unwrap(),
            q.trim().parse::<BigInt>().unwrap(),
        ),
        None => BigRational::from_integer(text.trim().parse::<BigInt>().unwrap()),
    }
}

/// (expect.loss text, source) read directly from the file.
fn expected(path: &Path) -> (String, Option<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (loss, source) = if path.extension().unwrap() == "json" {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        (
            v["expect"]["loss"].clone(),
            v["source"].as_str().map(str::to_string),
        )
    } else {
        let v: toml::Value = toml::from_str(&text).unwrap();
        let loss = v.get("expect").and_then(|e| e.get("loss")).cloned();
        let loss = match loss {
            Some(toml::Value::String(s)) => serde_json::Value::String(s),
            Some(toml::Value::Integer(i)) => serde_json::Value::String(i.to_string()),
            other => panic!(
                "{}: expect.loss must be a string or integer, got {other:?}",
                path.display()
            ),
        };
        (
            loss,
            v.get("source").and_then(|s| s.as_str()).map(str::to_string),
        )
    };
    let loss = match loss {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        other => panic!(
            "{}: expect.loss missing or malformed: {other:?}",
            path.display()
        ),
    };
    (loss, source)
}

#[test]
fn every_fixture_reproduces_its_hand_computed_loss() {
    let all = fixtures();
    assert!(all.len() >= 8, "at least 8 fixtures, found {}", all.len());
    for path in all {
        let (loss_text, source) = expected(&path);
        assert!(
            source.is_some_and(|s| !s.trim().is_empty()),
            "{}: needs a `source` line",
            path.display()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
            .args(["eval", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = ratio(v["loss"].as_str().unwrap());
        assert_eq!(
            got,
            ratio(&loss_text),
            "{}: eval loss vs hand-computed expect.loss",
            path.display()
        );
        assert_eq!(v["expect"]["loss_agrees"], serde_json::Value::Bool(true));
    }
}

#[test]
fn eval_exits_3_when_the_expected_loss_disagrees() {
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures/relu-hinge-kink-corner.toml");
    let text = std::fs::read_to_string(&src).unwrap();
    let (loss_text, _) = expected(&src);
    let wrong = text.replace(&format!("loss = \"{loss_text}\""), "loss = \"12345/7\"");
    assert_ne!(wrong, text, "the fixture spells its loss as loss = \"p/q\"");
    let dir = std::env::temp_dir().join(format!("relucert-fx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("wrong.toml");
    std::fs::write(&f, wrong).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .arg("eval")
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DISAGREES"));
}

#[test]
fn cell_polynomial_value_equals_the_loss_on_every_fixture_and_side() {
    // On a boundary, try all-plus and all-minus completions (ties: first class).
    for path in fixtures() {
        let run = |side: Option<String>| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_relucert"));
            c.args(["cell", "--json"]).arg(&path);
            if let Some(s) = side {
                c.arg(format!("--side={s}"));
            }
            let out = c.output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        let v = run(None);
        let zeros = v["zero_entries"].as_array().unwrap().clone();
        let sides: Vec<Option<String>> = if zeros.is_empty() {
            vec![None]
        } else {
            assert!(v["polynomial"].is_null());
            ["+", "-"]
                .iter()
                .map(|s| {
                    Some(
                        zeros
                            .iter()
                            .map(|z| {
                                if z["kind"] == "tie" {
                                    z["classes"][0].to_string()
                                } else {
                                    s.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                    )
                })
                .collect()
        };
        for side in sides {
            let c = run(side);
            assert_eq!(c["value_at_point"], c["loss"], "{}", path.display());
        }
    }
}

//! The certificate model (`relucert_core::cert`) reads and writes exactly
//! what the verifier writes: for every fixture (with and without the
//! first-order probe) and for generated instances of every `relucert gen`
//! family, the certificate written by `relucert verify --cert` satisfies
//! `to_json(from_json(v)) == v`, byte for byte once printed; and a missing
//! or mistyped field is a typed error naming that field by its path.

mod common;

use relucert::gen::{generate, Family};
use relucert_core::cert::{CertFormatError, Certificate, FormatProblem};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// `relucert verify FILE --cert OUT` and the certificate, if one was written.
fn written_certificate(file: &Path, out: &Path, extra: &[&str]) -> Option<Value> {
    let _ = std::fs::remove_file(out);
    let status = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .arg("verify")
        .arg(file)
        .arg("--cert")
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs");
    assert!(
        status.status.code().is_some(),
        "{}: verify was killed",
        file.display()
    );
    let text = std::fs::read_to_string(out).ok()?;
    Some(serde_json::from_str(&text).expect("the certificate is JSON"))
}

fn assert_round_trip(v: &Value, what: &str) {
    let cert = Certificate::from_json(v).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = cert.to_json();
    assert_eq!(&back, v, "{what}: to_json(from_json(v)) != v");
    assert_eq!(
        serde_json::to_string_pretty(&back).unwrap(),
        serde_json::to_string_pretty(v).unwrap(),
        "{what}: not byte-identical"
    );
    assert_eq!(
        Certificate::from_json(&back).as_ref(),
        Ok(&cert),
        "{what}: from_json(to_json(c)) != c"
    );
}

/// Every certificate written for the fixtures and some generated instances,
/// with a label.
fn corpus(tag: &str) -> Vec<(String, Value)> {
    let tmp =
        std::env::temp_dir().join(format!("relucert-cert-model-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let out = tmp.join("cert.json");
    let mut certs = Vec::new();
    for path in common::fixture_paths() {
        // without the local bounds too: path lifting (tried first when
        // its completions are few) would otherwise take every flat and
        // most second-order minima among the fixtures
        for extra in [&[][..], &["--no-probe"][..], &["--no-local-bounds"][..]] {
            if let Some(v) = written_certificate(&path, &out, extra) {
                certs.push((format!("{} {extra:?}", path.display()), v));
            }
        }
    }
    for family in Family::ALL {
        for index in 0..4 {
            let inst = generate(family, 3, index).instance;
            let file = tmp.join("gen.toml");
            std::fs::write(&file, relucert::instance::to_toml(&inst)).unwrap();
            let limits = ["--max-pieces", "512", "--timeout", "2"];
            if let Some(v) = written_certificate(&file, &out, &limits) {
                certs.push((format!("{family:?} {index}"), v));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    certs
}

/// Paths (in the model's spelling, `a.b[3].c`) of every leaf, and of every
/// object member.
fn paths(v: &Value, at: &str, leaves: &mut Vec<String>, members: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                members.push(p.clone());
                paths(x, &p, leaves, members);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                paths(x, &format!("{at}[{i}]"), leaves, members);
            }
        }
        _ => leaves.push(at.to_string()),
    }
}

/// The JSON pointer of a model path.
fn pointer(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        out.push('/');
        out.push_str(pieces.next().unwrap_or(""));
        for idx in pieces {
            out.push('/');
            out.push_str(idx.trim_end_matches(']'));
        }
    }
    out
}

#[test]
fn written_certificates_round_trip_exactly() {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (what, v) in corpus("round-trip") {
        assert_round_trip(&v, &what);
        *kinds
            .entry(v["evidence"]["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    eprintln!("certificate kinds: {kinds:?}");
    for kind in [
        "zero-loss",
        "flat",
        "descent-arc",
        "descent-direction",
        "linear-lp-bound",
        "multiclass-lp-bound",
        "piecewise-second-order",
    ] {
        assert!(
            kinds.contains_key(kind),
            "no `{kind}` certificate: {kinds:?}"
        );
    }
}

#[test]
fn missing_or_mistyped_fields_are_named() {
    // one certificate of each kind (of the second-order kind, the first
    // with a region that has multipliers, if any: the test edits one)
    let with_mu = |v: &Value| {
        v["evidence"]["regions"].as_array().is_some_and(|rs| {
            rs.iter().any(|r| {
                r.get("mu")
                    .and_then(Value::as_array)
                    .is_some_and(|m| !m.is_empty())
            })
        })
    };
    let mut samples: BTreeMap<String, Value> = BTreeMap::new();
    for (_, v) in corpus("fields") {
        let kind = v["evidence"]["kind"].as_str().unwrap().to_string();
        match samples.get(&kind) {
            Some(old) if with_mu(old) || !with_mu(&v) => {}
            _ => {
                samples.insert(kind, v);
            }
        }
    }
    for (kind, v) in &samples {
        let (mut leaves, mut members) = (Vec::new(), Vec::new());
        paths(v, "", &mut leaves, &mut members);
        // a mistyped leaf (null for a string, number or boolean)
        for path in &leaves {
            let mut bad = v.clone();
            *bad.pointer_mut(&pointer(path)).unwrap() = Value::Null;
            let err = Certificate::from_json(&bad).expect_err(path);
            assert_eq!(&err.field, path, "{kind}: {err}");
            assert_ne!(err.problem, FormatProblem::Missing, "{kind}: {err}");
        }
        // a missing member (`lambda` of a region is optional; without
        // `same_as` a region needs `mu` instead)
        for path in &members {
            if path.ends_with(".lambda") && path.contains(".regions[") || path.ends_with(".same_as")
            {
                continue;
            }
            let mut bad = v.clone();
            let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
            let parent = if parent.is_empty() {
                String::new()
            } else {
                pointer(parent)
            };
            bad.pointer_mut(&parent)
                .and_then(Value::as_object_mut)
                .unwrap()
                .shift_remove(key);
            let err = Certificate::from_json(&bad).expect_err(path);
            assert_eq!(
                err,
                CertFormatError {
                    field: path.clone(),
                    problem: FormatProblem::Missing
                },
                "{kind}"
            );
            assert_eq!(
                err.to_string(),
                format!("certificate: missing field `{path}`")
            );
        }
    }
    // the message names the field and what was expected
    let so = &samples["piecewise-second-order"];
    let r = so["evidence"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| {
            r.get("mu")
                .is_some_and(|m| !m.as_array().unwrap().is_empty())
        })
        .expect("a region with multipliers");
    let mut bad = so.clone();
    bad["evidence"]["regions"][r]["mu"][0] = Value::from(3);
    assert_eq!(
        Certificate::from_json(&bad).unwrap_err().to_string(),
        format!(
            "certificate: evidence.regions[{r}].mu[0]: expected a rational written as a string"
        )
    );
    let mut bad = so.clone();
    bad["evidence"]["regions"][r]["sides"] = Value::from("+x");
    assert_eq!(
        Certificate::from_json(&bad).unwrap_err().problem,
        FormatProblem::BadSides
    );
    let mut bad = so.clone();
    bad["evidence"]["kind"] = Value::from("nonsense");
    assert_eq!(
        Certificate::from_json(&bad).unwrap_err().to_string(),
        "certificate: evidence.kind: unknown evidence kind `nonsense`"
    );
    let mut bad = so.clone();
    bad["version"] = Value::from(2);
    assert_eq!(
        Certificate::from_json(&bad).unwrap_err().to_string(),
        "certificate: unsupported `version` (this checker reads version 1)"
    );
}

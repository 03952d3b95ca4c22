//! The literature fixtures (`fixtures/lit-*.toml`, regression counterexamples
//! from Swirszcz et al. 2016 and Yun, Sra & Jadbabaie 2019): each file is read
//! here with the `toml` crate (not relucert's reader), its exact loss is
//! recomputed by a forward pass written in this file (not `Problem::loss`) and
//! compared with the hand-derived `[expect] loss`; then `relucert verify`
//! runs on it. A verdict that contradicts `[expect]` fails, and so does an
//! `undecided` one (every literature fixture is decided: by zero loss, a
//! descent, path lifting, pattern-star or the squared second-order proof);
//! every certificate produced must pass `relucert check`. The `[expect]` claims themselves are re-derived by
//! `scripts/check_lit_fixtures.py` (Fractions, Z3, exact probing).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn lit_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .expect("fixtures/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with("lit-") && n.ends_with(".toml")
        })
        .collect();
    v.sort();
    v
}

/// `p/q` or an integer (the only spellings the literature fixtures use).
fn rat(v: &toml::Value) -> BigRational {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        other => panic!("not a rational: {other:?}"),
    };
    match text.split_once('/') {
        Some((p, q)) => BigRational::new(p.trim().parse().unwrap(), q.trim().parse().unwrap()),
        None => BigRational::from_integer(text.trim().parse::<BigInt>().unwrap()),
    }
}

fn vector(v: &toml::Value) -> Vec<BigRational> {
    v.as_array().unwrap().iter().map(rat).collect()
}

fn matrix(v: &toml::Value) -> Vec<Vec<BigRational>> {
    v.as_array().unwrap().iter().map(vector).collect()
}

/// The exact loss at `[point]`, by a forward pass written here.
fn exact_loss(doc: &toml::Value) -> BigRational {
    let net = &doc["network"];
    let widths: Vec<usize> = net["widths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_integer().unwrap() as usize)
        .collect();
    let layers = widths.len() - 1;
    let bias: Vec<bool> = match &net["bias"] {
        toml::Value::Boolean(b) => vec![*b; layers],
        toml::Value::Array(a) => a.iter().map(|b| b.as_bool().unwrap()).collect(),
        other => panic!("bias: {other:?}"),
    };
    let act = net["activation"].as_str().unwrap();
    let alpha = net.get("alpha").map(rat);
    let sigma = |z: BigRational| -> BigRational {
        if act == "linear" || z.is_positive() {
            z
        } else if act == "leaky" {
            alpha.clone().unwrap() * z
        } else {
            BigRational::zero()
        }
    };
    let kind = doc["loss"]["kind"].as_str().unwrap();
    let xs = matrix(&doc["data"]["x"]);
    let ts = vector(&doc["data"]["y"]);
    let point = &doc["point"];
    let mut total = BigRational::zero();
    for (x, t) in xs.iter().zip(&ts) {
        let mut a = x.clone();
        for l in 1..=layers {
            let w = matrix(&point[format!("W{l}").as_str()]);
            let b = if bias[l - 1] {
                vector(&point[format!("b{l}").as_str()])
            } else {
                vec![BigRational::zero(); widths[l]]
            };
            let z: Vec<BigRational> = w
                .iter()
                .zip(&b)
                .map(|(row, bb)| {
                    row.iter()
                        .zip(&a)
                        .fold(bb.clone(), |s, (wi, ai)| s + wi * ai)
                })
                .collect();
            a = if l == layers {
                z
            } else {
                z.into_iter().map(&sigma).collect()
            };
        }
        let r = &a[0] - t;
        total += match kind {
            "squared" => &r * &r,
            "absolute" => r.abs(),
            other => panic!("not a regression loss: {other}"),
        };
    }
    total / BigRational::from_integer(BigInt::from(ts.len()))
}

#[test]
fn literature_fixtures_have_sources_and_their_hand_computed_loss() {
    let all = lit_fixtures();
    assert!(all.len() >= 10, "literature fixtures found: {}", all.len());
    for path in &all {
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let source = doc.get("source").and_then(|s| s.as_str()).unwrap_or("");
        assert!(
            source.contains("Swirszcz") || source.contains("Yun"),
            "{}: `source` names the paper",
            path.display()
        );
        let expect = &doc["expect"];
        assert_eq!(
            exact_loss(&doc),
            rat(&expect["loss"]),
            "{}: forward pass vs [expect] loss",
            path.display()
        );
        assert!(expect.get("local_min").is_some_and(|v| v.is_bool()));
        assert!(expect.get("global_min").is_some_and(|v| v.is_bool()));
    }
}

#[test]
fn verify_never_contradicts_the_literature_and_its_certificates_check() {
    let tmp = std::env::temp_dir().join(format!("relucert-lit-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (mut decided, mut undecided) = (0, Vec::new());
    for path in lit_fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let local = doc["expect"]["local_min"].as_bool().unwrap();
        let global = doc["expect"]["global_min"].as_bool().unwrap();
        let cert = tmp.join(format!("{name}.cert.json"));
        let _ = std::fs::remove_file(&cert);
        let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
            .args(["verify", "--json", "--cert"])
            .arg(&cert)
            .arg(&path)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let verdict = v["verdict"].as_str().unwrap_or("(no json)").to_string();
        // Exit 3 is verify's own signal that its verdict contradicts [expect].
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: verify says {verdict}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let agrees = match verdict.as_str() {
            "global-min" => global && local,
            "local-min" => local,
            "not-local-min" => !local && !global,
            "undecided" => {
                println!("UNDECIDED {name}: {}", v["reason"]);
                undecided.push(name);
                continue;
            }
            other => panic!("{name}: unknown verdict {other}"),
        };
        assert!(
            agrees,
            "{name}: verify says {verdict}, the hand proof says local_min = {local}, global_min = {global}"
        );
        decided += 1;
        let chk = Command::new(env!("CARGO_BIN_EXE_relucert"))
            .arg("check")
            .arg(&path)
            .arg(&cert)
            .output()
            .unwrap();
        assert_eq!(
            chk.status.code(),
            Some(0),
            "{name}: the {verdict} certificate fails the checker: {}",
            String::from_utf8_lossy(&chk.stderr)
        );
    }
    println!(
        "literature fixtures: {decided} decided and checked, {} undecided: {undecided:?}",
        undecided.len()
    );
    assert!(
        undecided.is_empty(),
        "every literature fixture must be decided; undecided: {undecided:?}"
    );
    assert!(
        decided >= 1,
        "at least the descents and zero-loss are decided"
    );
}

//! `relucert global` end to end: the least hinge loss over a width on a
//! fixture whose optimum is known by hand (fixtures/global-relu-xor-conflict-w2.toml:
//! L*_2 = 1/3, lower bound valid for any function, attained by a width-2
//! network), shards and their merge against the unsharded run, certificates
//! accepted by `relucert check` (also on an instance without a `[point]`),
//! `--out` re-evaluated by `relucert eval`, partial answers, and errors:
//! out of scope, `--max-sets`, bad shards, merges with a duplicated or a
//! missing shard (parts built here, independent of the solver).

use num_bigint::BigInt;
use num_rational::BigRational;
use relucert_core::cert::{
    Certificate, Chamber, Claim, DualBound, Evidence, Header, PairProof, PatternLp, Shard,
    WitnessNet, WitnessUnit,
};
use relucert_core::network::Sign;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures")
        .join(name)
}

const XOR: &str = "global-relu-xor-conflict-w2.toml";
const LINE: &str = "global-relu-alternating-line-w2.toml";

/// A fresh directory for one test.
fn tmp(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("relucert-global-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `relucert global ARGS --json`, which must succeed.
fn global_json(args: &[&str]) -> Value {
    let mut a: Vec<&str> = vec!["global"];
    a.extend_from_slice(args);
    a.push("--json");
    let r = run(&a);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn ratio(s: &str) -> BigRational {
    match s.split_once('/') {
        Some((a, b)) => BigRational::new(a.parse().unwrap(), b.parse().unwrap()),
        None => BigRational::from_integer(s.parse().unwrap()),
    }
}

fn q(v: &Value) -> BigRational {
    ratio(v.as_str().unwrap_or_else(|| panic!("not a rational: {v}")))
}

/// The error of a failed run: exit 1, nothing on stdout, one line on stderr.
fn one_line_error(r: &Run) -> String {
    assert_eq!(r.code, 1, "stdout: {} stderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    r.stderr.clone()
}

#[test]
fn hand_known_optimum_json_and_text() {
    let p = fixture(XOR);
    let p = p.to_str().unwrap();
    let j = global_json(&[p]);
    for key in [
        "optimum",
        "best",
        "lower_bound",
        "width",
        "sets",
        "sets_total",
        "lps",
        "chambers",
        "pairs",
        "complete",
        "fraction_done",
        "shard",
    ] {
        assert!(j.get(key).is_some(), "missing key {key}: {j}");
    }
    // the hand proof in the fixture: L*_2 = 1/3
    assert_eq!(j["complete"], true);
    assert_eq!(j["optimum"], "1/3");
    assert_eq!(j["best"], "1/3");
    assert_eq!(j["lower_bound"], "1/3");
    assert_eq!(j["width"], 2);
    assert_eq!(j["shard"], Value::Null);
    assert_eq!(j["sets"], j["sets_total"]);
    assert_eq!(j["fraction_done"].as_f64(), Some(1.0));
    // 2 pairs per chamber
    assert_eq!(
        j["pairs"].as_u64().unwrap(),
        2 * j["chambers"].as_u64().unwrap()
    );
    assert!(j["lps"].as_u64().unwrap() >= 1);

    let r = run(&["global", p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("L* = 1/3 (0.3333)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("width: 2, activation: relu"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("relu xor with a conflicting origin"),
        "{}",
        r.stdout
    );
    // the size of the run is announced on stderr before solving
    let announce = format!(
        "global: {} chambers, {} pairs, {} sets of pairs to solve",
        j["chambers"], j["pairs"], j["sets_total"]
    );
    assert!(r.stderr.contains(&announce), "{}", r.stderr);
}

#[test]
fn other_widths_obey_the_hand_bounds() {
    let xor = fixture(XOR);
    let xor = xor.to_str().unwrap();
    // a width-1 network is a width-2 network with a zero unit: L*_1 >= L*_2 = 1/3
    let j = global_json(&[xor, "--width", "1"]);
    assert_eq!(j["complete"], true);
    assert_eq!(j["width"], 1);
    assert!(q(&j["optimum"]) >= ratio("1/3"), "{j}");
    // width 3: at most L*_2 = 1/3, and at least 1/3 for any function (the
    // fixture's hand proof), so exactly 1/3
    let j = global_json(&[xor, "--width", "3"]);
    assert_eq!(j["complete"], true);
    assert_eq!(j["width"], 3);
    assert_eq!(j["optimum"], "1/3");
    // the line fixture: L*_1 >= L*_2 >= L*_3, and L*_2 >= 1/6 by hand
    let line = fixture(LINE);
    let line = line.to_str().unwrap();
    let l: Vec<BigRational> = ["1", "2", "3"]
        .iter()
        .map(|w| q(&global_json(&[line, "--width", w])["optimum"]))
        .collect();
    assert!(l[0] >= l[1] && l[1] >= l[2], "{l:?}");
    assert!(l[1] >= ratio("1/6"), "{l:?}");
}

#[test]
fn certificate_is_accepted_and_a_forgery_rejected() {
    let d = tmp("cert");
    let cert = d.join("opt.json");
    let p = fixture(XOR);
    let r = run(&[
        "global".as_ref(),
        p.as_os_str(),
        "--cert".as_ref(),
        cert.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_eq!(c["claim"], "global-optimum");
    assert_eq!(c["loss"], "1/3");
    assert_eq!(c["evidence"]["kind"], "width-optimum");
    let r = run(&["check".as_ref(), p.as_os_str(), cert.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("certificate accepted: global-optimum: L* = 1/3 (0.3333) over width 2"),
        "{}",
        r.stdout
    );
    // a lower value is not the optimum
    let mut forged = c.clone();
    forged["loss"] = "1/4".into();
    let f = d.join("forged.json");
    std::fs::write(&f, forged.to_string()).unwrap();
    let r = run(&["check".as_ref(), p.as_os_str(), f.as_os_str()]);
    assert!(
        one_line_error(&r).contains("certificate rejected"),
        "{}",
        r.stderr
    );
}

#[test]
fn width_optimum_certificate_checks_without_a_point() {
    let d = tmp("pointless");
    // the fixture without its [point] and [expect] tables
    let text = std::fs::read_to_string(fixture(XOR)).unwrap();
    let kept: String = text
        .split("\n[")
        .filter(|sect| !sect.starts_with("point]") && !sect.starts_with("expect]"))
        .collect::<Vec<_>>()
        .join("\n[");
    assert!(!kept.contains("[point]") && kept.contains("[data]"));
    let inst = d.join("no-point.toml");
    std::fs::write(&inst, kept).unwrap();
    let cert = d.join("opt.json");
    let r = run(&[
        "global".as_ref(),
        inst.as_os_str(),
        "--cert".as_ref(),
        cert.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["check".as_ref(), inst.as_os_str(), cert.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("global-optimum: L* = 1/3"),
        "{}",
        r.stdout
    );
}

#[test]
fn four_shards_merge_to_the_unsharded_optimum() {
    let d = tmp("shards");
    let p = fixture(LINE);
    let ps = p.to_str().unwrap();
    let whole = global_json(&[ps]);
    assert_eq!(whole["complete"], true);
    let optimum = q(&whole["optimum"]);
    // the hand bound in the fixture
    assert!(optimum >= ratio("1/6"), "{whole}");
    let mut parts = Vec::new();
    let mut least: Option<BigRational> = None;
    let mut sets = 0u64;
    for k in 1..=4 {
        let part = d.join(format!("part-{k}.json"));
        let shard = format!("{k}/4");
        let j = global_json(&[ps, "--shard", &shard, "--cert", part.to_str().unwrap()]);
        assert_eq!(j["shard"], shard.as_str());
        assert_eq!(j["complete"], true);
        assert_eq!(j["chambers"], whole["chambers"]);
        sets += j["sets_total"].as_u64().unwrap();
        let v = q(&j["optimum"]);
        // every shard's optimum is attained by a width-2 network
        assert!(v >= optimum, "shard {shard}: {v} < {optimum}");
        least = Some(least.map_or(v.clone(), |l| l.min(v)));
        // each part is a shard certificate the checker accepts on its own
        let r = run(&["check".as_ref(), p.as_os_str(), part.as_os_str()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("shard-optimum"), "{}", r.stdout);
        parts.push(part);
    }
    // the shards partition the sets, and their least optimum is the optimum
    assert_eq!(sets, whole["sets_total"].as_u64().unwrap());
    assert_eq!(least, Some(optimum.clone()));
    // merge in a shuffled order, checked against the instance before writing
    let merged = d.join("merged.json");
    let mut args: Vec<&std::ffi::OsStr> = vec!["global".as_ref(), "--merge".as_ref()];
    for k in [2, 4, 1, 3] {
        args.push(parts[k - 1].as_os_str());
    }
    args.extend([
        "--cert".as_ref(),
        merged.as_os_str(),
        p.as_os_str(),
        "--json".as_ref(),
    ]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(q(&j["optimum"]), optimum);
    assert_eq!(j["checked"], true);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(c["claim"], "global-optimum");
    assert_eq!(c["evidence"]["kind"], "width-optimum");
    assert!(c["evidence"].get("shard").is_none_or(Value::is_null));
    let r = run(&["check".as_ref(), p.as_os_str(), merged.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("global-optimum"), "{}", r.stdout);
}

#[test]
fn out_writes_an_instance_whose_loss_is_the_optimum() {
    let d = tmp("out");
    let out = d.join("opt.toml");
    let j = global_json(&[
        fixture(XOR).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(j["optimum"], "1/3");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("-optimum-w2"), "{text}");
    assert!(text.contains("source = \"relucert global"), "{text}");
    // it loads, its exact loss is L*, and its [expect] agrees
    let r = run(&["eval".as_ref(), "--json".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let e: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(e["loss"], "1/3");
    assert_eq!(e["expect"]["loss_agrees"], true);
    let v: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(v["expect"]["global_min"].as_bool(), Some(true));
    assert_eq!(v["expect"]["local_min"].as_bool(), Some(true));
    assert_eq!(v["network"]["widths"][1].as_integer(), Some(2));
}

#[test]
fn out_of_scope_is_one_line_and_exit_1() {
    for name in [
        "relu-two-hidden-layers-hinge.toml",
        "relu-multiclass-hinge-k3.toml",
    ] {
        let r = run(&["global".as_ref(), fixture(name).as_os_str()]);
        let e = one_line_error(&r);
        // the solver's scope message, not a failure
        assert!(!e.contains("internal error"), "{name}: {e}");
    }
}

#[test]
fn max_sets_refuses_with_the_number() {
    let p = fixture(XOR);
    let p = p.to_str().unwrap();
    let whole = global_json(&[p]);
    let sets = whole["sets_total"].as_u64().unwrap();
    assert!(sets > 1);
    let r = run(&["global", p, "--max-sets", "1"]);
    // the announcement, then the refusal: one error line, nothing solved
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(lines[0].starts_with("global: "), "{}", r.stderr);
    let e = lines[1];
    assert!(e.starts_with("error: "), "{e}");
    assert!(e.contains(&sets.to_string()), "{e}");
    assert!(e.contains("--max-sets 1"), "{e}");
}

#[test]
fn bad_shards_are_refused() {
    let p = fixture(XOR);
    let p = p.to_str().unwrap();
    for bad in ["0/4", "5/4", "3", "x/4"] {
        let r = run(&["global", p, "--shard", bad]);
        assert!(
            one_line_error(&r).contains("--shard"),
            "{bad}: {}",
            r.stderr
        );
    }
    // --merge needs --cert: a usage error, one line with exit 1 like any bad input
    let r = run(&["global", "--merge", "a.json"]);
    assert!(one_line_error(&r).contains("--cert"), "{}", r.stderr);
}

#[test]
fn a_time_limit_gives_an_honest_partial_answer() {
    let d = tmp("timeout");
    let cert = d.join("c.json");
    let j = global_json(&[
        fixture(LINE).to_str().unwrap(),
        "--timeout",
        "0",
        "--cert",
        cert.to_str().unwrap(),
    ]);
    let best = q(&j["best"]);
    let lower = q(&j["lower_bound"]);
    assert!(lower <= best, "{j}");
    let f = j["fraction_done"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&f), "{j}");
    if j["complete"] == false {
        assert!(j["optimum"].is_null(), "{j}");
        assert!(!cert.exists(), "a certificate for an incomplete run");
        assert!(f < 1.0, "{j}");
    } else {
        assert_eq!(j["optimum"], j["best"]);
        assert!(cert.exists());
    }
}

// ---- merge errors, with parts built here (no solver involved) ----

fn rat(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

fn part(index: usize, count: usize) -> Certificate {
    Certificate {
        header: Header {
            instance_sha256: "0".repeat(64),
            claim: Claim::ShardOptimum,
            loss: rat(index as i64, 10),
        },
        evidence: Evidence::WidthOptimumShard(PatternLp {
            width: 1,
            chambers: vec![Chamber {
                signs: vec![Sign::Pos],
                witness: vec![rat(1, 1)],
            }],
            empty: vec![],
            duals: vec![DualBound {
                lambda: vec![rat(0, 1)],
                pairs: vec![PairProof {
                    pair: 0,
                    nu: vec![(0, rat(1, 1))],
                }],
            }],
            witness: Some(WitnessNet {
                units: vec![WitnessUnit {
                    pair: 0,
                    u: vec![rat(index as i64, 1)],
                }],
                c: rat(0, 1),
            }),
            shard: Some(Shard { index, count }),
        }),
    }
}

/// `global --merge` over parts with these shard indices (of 3), without FILE.
fn merge_parts(test: &str, indices: &[usize]) -> (Run, PathBuf) {
    let d = tmp(test);
    let mut args: Vec<PathBuf> = Vec::new();
    for (i, &k) in indices.iter().enumerate() {
        let f = d.join(format!("p{i}.json"));
        std::fs::write(&f, part(k, 3).to_json().to_string()).unwrap();
        args.push(f);
    }
    let out = d.join("merged.json");
    let mut a: Vec<&std::ffi::OsStr> = vec!["global".as_ref(), "--merge".as_ref()];
    a.extend(args.iter().map(|p| p.as_os_str()));
    a.extend(["--cert".as_ref(), out.as_os_str()]);
    (run(&a), out)
}

#[test]
fn merge_refuses_a_duplicated_or_missing_shard() {
    let (r, out) = merge_parts("dup", &[1, 2, 2, 3]);
    let e = one_line_error(&r);
    assert!(
        e.contains("shard 2/3 (parts 2, 3) given more than once"),
        "{e}"
    );
    assert!(!out.exists());
    let (r, out) = merge_parts("missing", &[3, 1]);
    let e = one_line_error(&r);
    assert!(e.contains("shard 2/3 missing"), "{e}");
    assert!(!out.exists());
    // all three: merged (not checked: no FILE), least loss 1/10 of shard 1
    let (r, out) = merge_parts("ok", &[3, 1, 2]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("L* = 1/10 (0.1000) over width 1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("not checked"), "{}", r.stdout);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let m = Certificate::from_json(&c).unwrap();
    assert_eq!(m.header.claim, Claim::GlobalOptimum);
    assert_eq!(m.header.loss, rat(1, 10));
    let Evidence::WidthOptimum(body) = &m.evidence else {
        panic!("{c}")
    };
    assert_eq!(body.witness, {
        let Evidence::WidthOptimumShard(b) = part(1, 3).evidence else {
            unreachable!()
        };
        b.witness
    });
    // the one dual all parts share, once
    assert_eq!(body.duals.len(), 1);
}

#[test]
fn merged_certificate_for_another_instance_is_not_written() {
    // parts of a made-up instance hash: checking against a real file refuses
    let d = tmp("wrong-instance");
    let mut a: Vec<PathBuf> = Vec::new();
    for k in 1..=3 {
        let f = d.join(format!("p{k}.json"));
        std::fs::write(&f, part(k, 3).to_json().to_string()).unwrap();
        a.push(f);
    }
    let out = d.join("merged.json");
    let p = fixture(XOR);
    let mut args: Vec<&std::ffi::OsStr> = vec!["global".as_ref(), p.as_os_str()];
    args.push("--merge".as_ref());
    args.extend(a.iter().map(|p| p.as_os_str()));
    args.extend(["--cert".as_ref(), out.as_os_str()]);
    let r = run(&args);
    let e = one_line_error(&r);
    assert!(e.contains("rejected by the checker"), "{e}");
    assert!(!out.exists());
}

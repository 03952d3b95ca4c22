//! The text and JSON shapes of issue 16 section 5, end to end, against
//! facts computed here:
//! - the decimal printed next to a fraction is the correctly rounded
//!   4-significant-digit value (checked by an exact characterisation of
//!   rounding, and against Rust's own f64 formatting where the f64 is exact
//!   enough);
//! - the descent direction `verify` names by parameter, put back into the
//!   point by hand, lowers the loss (re-evaluated by `eval` on a written
//!   instance);
//! - `descend --starts 3 --out DIR` writes files that `verify` certifies as
//!   stated;
//! - `check --json` on a good and a mutated certificate;
//! - the indexing convention: the zero entry `eval` names (unit, layer,
//!   point) has a pre-activation computed here that is exactly 0, and the
//!   unit patterns it prints are the signs computed here.

use num_bigint::BigInt;
use num_rational::BigRational as Q;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use relucert::instance::{self, Instance};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            stdout(o),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn rat(s: &str) -> Q {
    let s = s.trim();
    match s.split_once('/') {
        Some((a, b)) => Q::new(a.parse().unwrap(), b.parse().unwrap()),
        None => Q::from_integer(s.parse().unwrap()),
    }
}

fn ten_pow(k: i64) -> Q {
    let t = num_traits::pow(BigInt::from(10), k.unsigned_abs() as usize);
    if k >= 0 {
        Q::from_integer(t)
    } else {
        Q::new(BigInt::one(), t)
    }
}

/// A printed decimal (`-0.3333`, `12350`, `1.429e-7`) as an exact rational.
fn decimal_value(d: &str) -> Q {
    let (mant, exp) = match d.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().unwrap()),
        None => (d, 0),
    };
    let neg = mant.starts_with('-');
    let mant = mant.trim_start_matches('-');
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: BigInt = format!("{int}{frac}").parse().unwrap();
    let v = Q::from_integer(digits) * ten_pow(exp - frac.len() as i64);
    if neg {
        -v
    } else {
        v
    }
}

/// e with 10^e <= |r| < 10^(e+1), by exact comparison.
fn exponent(r: &Q) -> i64 {
    let a = r.abs();
    let mut e = a.numer().to_string().len() as i64 - a.denom().to_string().len() as i64;
    while a < ten_pow(e) {
        e -= 1;
    }
    while a >= ten_pow(e + 1) {
        e += 1;
    }
    e
}

/// The decimal `d` printed for the non-integer `r` is `r` correctly rounded
/// to 4 significant digits (ties away from zero), in the documented
/// notation.
fn check_decimal(r: &Q, d: &str) -> Result<(), String> {
    let e = exponent(r);
    let ulp = ten_pow(e - 3);
    let v = decimal_value(d);
    if !(&v / &ulp).is_integer() {
        return Err(format!("{d} for {r}: not 4 significant digits"));
    }
    let err = (r - &v).abs();
    let half = &ulp / Q::from_integer(2.into());
    if err > half || (err == half && v.abs() < r.abs()) {
        return Err(format!("{d} for {r}: not the correctly rounded value"));
    }
    if r.is_negative() != d.starts_with('-') {
        return Err(format!("{d} for {r}: wrong sign"));
    }
    // notation: plain for 1e-6 <= |r| < 1e9 (unless rounding carried to
    // the next power), else d.ddde±k
    let body = d.trim_start_matches('-');
    let ve = exponent(&v);
    if (-6..9).contains(&ve) {
        if body.contains('e') {
            return Err(format!("{d} for {r}: plain notation expected"));
        }
        let sig = body.replace('.', "");
        let sig = sig.trim_start_matches('0');
        let shown = if ve >= 3 { (ve + 1) as usize } else { 4 };
        if sig.len() != shown {
            return Err(format!(
                "{d} for {r}: {} significant digits shown",
                sig.len()
            ));
        }
    } else {
        let (m, x) = body
            .split_once('e')
            .ok_or_else(|| format!("{d} for {r}: scientific notation expected"))?;
        let ok = m.len() == 5 && m.as_bytes()[1] == b'.' && x.parse::<i64>() == Ok(ve);
        if !ok {
            return Err(format!("{d} for {r}: not d.ddde{ve}"));
        }
    }
    // Rust's own f64 formatting, where the f64 quotient is exact enough and
    // the value is not within 1e-9 of a tie
    let (p, q) = (r.numer(), r.denom());
    let limit = BigInt::from(1u64 << 53);
    if p.abs() < limit && *q < limit {
        let pf: f64 = p.to_string().parse().unwrap();
        let qf: f64 = q.to_string().parse().unwrap();
        let f = format!("{:.3e}", pf / qf);
        let near_tie = ((&err - &half).abs() / &ulp) < Q::new(1.into(), BigInt::from(10u64.pow(9)));
        if !near_tie && decimal_value(&f) != v {
            return Err(format!("{d} for {r}: f64 formatting gives {f}"));
        }
    }
    Ok(())
}

fn big_digits(max: usize) -> impl Strategy<Value = BigInt> {
    proptest::string::string_regex(&format!("[1-9][0-9]{{0,{max}}}"))
        .expect("a valid regex")
        .prop_map(|s| s.parse().expect("digits"))
}

fn rational() -> impl Strategy<Value = Q> {
    prop_oneof![
        // small fractions: ties such as 1/8 = 0.125 and 99995/10000
        ((-20000i64..20000), (1i64..=20000)).prop_map(|(p, q)| Q::new(p.into(), q.into())),
        // 40-digit fractions and very large or very small magnitudes
        (any::<bool>(), big_digits(44), big_digits(44)).prop_map(|(neg, p, q)| {
            let r = Q::new(p, q);
            if neg {
                -r
            } else {
                r
            }
        }),
    ]
}

/// One `eval` run prints `f = [r_i (d_i)]` for every data point `x_i = r_i`
/// of a one-weight linear model with weight 1.
fn eval_decimals(values: &[Q]) -> Vec<(Q, String)> {
    let dir = tempdir("decimals");
    let path = dir.join("d.toml");
    let xs: Vec<String> = values.iter().map(|r| format!("[\"{r}\"]")).collect();
    let ys: Vec<String> = values.iter().map(|_| "1".to_string()).collect();
    let text = format!(
        "[network]\nwidths = [1, 1]\nactivation = \"relu\"\nbias = [false]\n\n[loss]\nkind = \"hinge\"\n\n[data]\nx = [{}]\ny = [{}]\n\n[point]\nW1 = [[\"1\"]]\n",
        xs.join(", "),
        ys.join(", ")
    );
    std::fs::write(&path, text).unwrap();
    let o = run(&["eval", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("point "))
        .collect();
    assert_eq!(lines.len(), values.len(), "{out}");
    lines
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (l, r))| {
            let l = l.trim_start();
            assert!(l.starts_with(&format!("point {i}: ")), "{l}");
            let f = l
                .split_once("f = [")
                .and_then(|(_, rest)| rest.split_once(']'))
                .map(|(f, _)| f)
                .unwrap_or_else(|| panic!("{l}"));
            (r.clone(), f.to_string())
        })
        .collect()
}

fn tempdir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "relucert-cli-output-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every fraction `eval` prints carries its correctly rounded decimal;
    /// integers are printed alone.
    #[test]
    fn decimals_are_correctly_rounded(values in proptest::collection::vec(rational(), 1..24)) {
        for (r, printed) in eval_decimals(&values) {
            if r.is_integer() {
                prop_assert_eq!(printed, r.to_string());
                continue;
            }
            let (exact, dec) = printed
                .split_once(" (")
                .and_then(|(a, b)| b.strip_suffix(')').map(|b| (a, b)))
                .unwrap_or_else(|| panic!("no decimal in {printed}"));
            prop_assert_eq!(rat(exact), r.clone());
            if let Err(e) = check_decimal(&r, dec) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}

#[test]
fn decimals_at_rounding_edges() {
    let cases = [
        "2/3",
        "-1/3",
        "1/8",
        "-1/8",
        "99995/10000",
        "-99995/10000",
        "9999/10000",
        "1/7000000",
        "1/1000000",
        "999995/1000000000000",
        "1234567891/10",
        "123456789012345678901234567890123456789/7",
        "1/1234567890123456789012345678901234567890",
    ];
    let values: Vec<Q> = cases.iter().map(|s| rat(s)).collect();
    for (r, printed) in eval_decimals(&values) {
        let (exact, dec) = printed
            .split_once(" (")
            .and_then(|(a, b)| b.strip_suffix(')').map(|b| (a, b)))
            .unwrap_or_else(|| panic!("no decimal in {printed}"));
        assert_eq!(rat(exact), r);
        check_decimal(&r, dec).unwrap();
    }
    // hand-checked spellings
    let v: Vec<String> = eval_decimals(&[rat("2/3"), rat("-1/8"), rat("1/7000000")])
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        v,
        ["2/3 (0.6667)", "-1/8 (-0.1250)", "1/7000000 (1.429e-7)"]
    );
}

/// `W2[0,1]` -> (layer index 0-based, Some((row, col))) ; `b1[2]` -> (0, row).
fn apply(params: &mut relucert::network::Params, name: &str, delta: &Q) {
    let (head, idx) = name
        .strip_suffix(']')
        .and_then(|n| n.split_once('['))
        .unwrap_or_else(|| panic!("not a parameter name: {name}"));
    let layer: usize = head[1..].parse().unwrap();
    let l = &mut params.layers[layer - 1];
    match &head[..1] {
        "W" => {
            let (r, c) = idx.split_once(',').unwrap();
            let (r, c): (usize, usize) = (r.parse().unwrap(), c.parse().unwrap());
            l.w[r][c] += delta;
        }
        "b" => {
            let r: usize = idx.parse().unwrap();
            l.b.as_mut().expect("a bias")[r] += delta;
        }
        other => panic!("{other}"),
    }
}

/// The named entries of `verify`'s text: (k of d_k, name, value).
fn direction_entries(text: &str) -> (Vec<(usize, String, Q)>, Q, Q) {
    let mut entries = Vec::new();
    let mut lines = text.lines().skip_while(|l| !l.starts_with("descent "));
    let head = lines.next().expect("a descent line");
    let arc = head.starts_with("descent arc");
    let mut lower = None;
    for l in lines {
        if let Some(rest) = l.strip_prefix("lower point: loss ") {
            let (loss, t) = rest.split_once(" at t = ").unwrap();
            let exact = |s: &str| rat(s.split(" (").next().unwrap());
            lower = Some((exact(loss), exact(t)));
            break;
        }
        let l = l.trim();
        let (k, entry) = if arc {
            let (k, e) = l.split_once(": ").unwrap();
            (k.trim_start_matches('d').parse().unwrap(), e)
        } else {
            (1, l)
        };
        if entry == "0" {
            continue; // a zero direction d_k
        }
        let (name, value) = entry.split_once(" = ").unwrap();
        let value = rat(value.split(" (").next().unwrap());
        assert!(!value.is_zero(), "a zero entry listed: {l}");
        entries.push((k, name.to_string(), value));
    }
    let (loss, t) = lower.expect("a lower point line");
    (entries, loss, t)
}

fn eval_loss(inst: &Instance, dir: &Path) -> Q {
    let p = dir.join("moved.toml");
    std::fs::write(&p, instance::to_toml(inst)).unwrap();
    let o = run(&["eval", "--json", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    rat(json_of(&o)["loss"].as_str().unwrap())
}

#[test]
fn verify_names_a_direction_that_lowers_the_loss() {
    for name in [
        "relu-hinge-kink-corner.toml",
        "relu-kink-descent.toml",
        "leaky-zero-outgoing-order2-arc.toml",
        "linear-depth3-origin.toml",
        "relu-multiclass-hinge-descent.toml",
    ] {
        let path = fixture(name);
        let file = path.to_str().unwrap();
        let o = run(&["verify", file]);
        let text = stdout(&o);
        let inst = instance::load(&path).unwrap();
        if let Some(n) = &inst.name {
            assert!(text.contains(&format!("\nname: {n}\n")), "{text}");
        }
        assert!(text.contains("verdict: not-local-min"), "{name}: {text}");
        let (entries, lower_loss, t) = direction_entries(&text);
        assert!(!entries.is_empty(), "{text}");
        // theta + t d_1 + t^2 d_2 + ..., by hand
        let mut moved = inst.clone();
        moved.expect = None; // the start's expectations do not hold there
        let params = moved.point.as_mut().unwrap();
        for (k, n, v) in &entries {
            let tk = num_traits::pow(t.clone(), *k);
            apply(params, n, &(v * tk));
        }
        let start = rat(json_of(&run(&["eval", "--json", file]))["loss"]
            .as_str()
            .unwrap());
        let dir = tempdir("direction");
        let after = eval_loss(&moved, &dir);
        assert!(after < start, "{name}: {after} is not below {start}");
        assert_eq!(after, lower_loss, "{name}");
        // the JSON lists the same first direction by name
        let j = json_of(&run(&["verify", "--json", file]));
        let obj = j["direction"].as_object().unwrap();
        let first: Vec<_> = entries.iter().filter(|(k, _, _)| *k == 1).collect();
        assert_eq!(obj.len(), first.len(), "{name}");
        for (_, n, v) in first {
            assert_eq!(rat(obj[n.as_str()].as_str().unwrap()), *v, "{name} {n}");
        }
        assert_eq!(j["name"].as_str(), inst.name.as_deref());
    }
}

#[test]
fn descend_starts_writes_certified_minima() {
    let dir = tempdir("starts");
    let out = dir.join("minima");
    let path = fixture("relu-kink-descent.toml");
    let file = path.to_str().unwrap();
    let o = run(&[
        "descend",
        file,
        "--starts",
        "3",
        "--seed",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json_of(&o);
    let runs = j["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let mut written = 0;
    for r in runs {
        let seed = r["seed"].as_u64().unwrap();
        let verdict = r["verdict"].as_str().unwrap();
        let f = out.join(format!("start-{seed}.toml"));
        assert!(r["seconds"].as_f64().unwrap() >= 0.0);
        assert!(r["stop"].is_string());
        if !matches!(verdict, "local-min" | "global-min") {
            assert!(!f.exists() && r["out"].is_null(), "{r}");
            continue;
        }
        written += 1;
        assert_eq!(r["out"].as_str(), f.to_str());
        // the file holds the run's final point, and verify certifies it
        let inst = instance::load(&f).unwrap();
        let point = inst.point.as_ref().unwrap();
        for (l, layer) in point.layers.iter().enumerate() {
            let w = &r["point"][format!("W{}", l + 1)];
            for (i, row) in layer.w.iter().enumerate() {
                for (k, x) in row.iter().enumerate() {
                    assert_eq!(rat(w[i][k].as_str().unwrap()), *x);
                }
            }
        }
        let loss = rat(r["loss"].as_str().unwrap());
        assert_eq!(inst.problem.loss(point), loss);
        let expect = inst.expect.as_ref().unwrap();
        assert_eq!(expect.local_min, Some(true));
        assert_eq!(expect.loss.as_ref(), Some(&loss));
        let v = run(&["verify", "--json", f.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
        let vj = json_of(&v);
        assert_eq!(vj["verdict"].as_str(), Some(verdict));
        assert_eq!(vj["expect"]["local_min_agrees"], Value::Bool(true));
        assert!(inst
            .source
            .as_deref()
            .unwrap()
            .contains(&format!("--starts 1 --seed {seed}")));
    }
    assert!(written > 0, "no certified minimum among {runs:?}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), written);
    // a single descent's JSON carries its final point, as written by --out
    let single = dir.join("single.toml");
    let o = run(&["descend", file, "--json", "--out", single.to_str().unwrap()]);
    assert!(o.status.success());
    let j = json_of(&o);
    let end = instance::load(&single).unwrap();
    let flat_json: Vec<Q> = end
        .point
        .as_ref()
        .unwrap()
        .layers
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            let w = j["point"][format!("W{}", l + 1)].clone();
            let b = j["point"][format!("b{}", l + 1)].clone();
            let mut v: Vec<Q> = (0..layer.w.len())
                .flat_map(|r| {
                    (0..layer.w[r].len())
                        .map(|c| rat(w[r][c].as_str().unwrap()))
                        .collect::<Vec<_>>()
                })
                .collect();
            if let Some(bias) = &layer.b {
                v.extend((0..bias.len()).map(|r| rat(b[r].as_str().unwrap())));
            }
            v
        })
        .collect();
    assert_eq!(flat_json, end.point.as_ref().unwrap().flat());
    assert_eq!(
        end.problem.loss(end.point.as_ref().unwrap()),
        rat(j["loss"].as_str().unwrap())
    );
    // one file for several runs is refused, and nothing is written
    let bad = dir.join("one.toml");
    let o = run(&[
        "descend",
        file,
        "--starts",
        "2",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty() && !bad.exists());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("directory"),
        "{err}"
    );
}

#[test]
fn check_json_good_and_mutated() {
    let dir = tempdir("check");
    let path = fixture("relu-hinge-kink-corner.toml");
    let file = path.to_str().unwrap();
    let cert = dir.join("c.json");
    let o = run(&["verify", file, "--cert", cert.to_str().unwrap()]);
    assert!(o.status.success());
    let o = run(&["check", "--json", file, cert.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let j = json_of(&o);
    assert_eq!(j["accepted"], Value::Bool(true));
    assert_eq!(j["claim"].as_str(), Some("not-local-min"));
    assert_eq!(j["cert"].as_str(), cert.to_str());
    assert_eq!(j["file"].as_str(), Some(file));
    // the claimed lower loss changed by 1/1000: rejected, exit 1
    let mut c: Value = serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    let lp = &mut c["evidence"]["lower_point"]["loss"];
    let changed = rat(lp.as_str().unwrap()) + Q::new(1.into(), 1000.into());
    *lp = Value::String(changed.to_string());
    let bad = dir.join("bad.json");
    std::fs::write(&bad, c.to_string()).unwrap();
    let o = run(&["check", "--json", file, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let j = json_of(&o);
    assert_eq!(j["accepted"], Value::Bool(false));
    assert!(j["reason"].as_str().unwrap().contains("rejected"), "{j}");
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
    // not JSON at all
    std::fs::write(&bad, "{ nope").unwrap();
    let o = run(&["check", "--json", file, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let j = json_of(&o);
    assert_eq!(j["accepted"], Value::Bool(false));
    assert!(j["claim"].is_null());
    assert!(j["reason"].as_str().unwrap().contains("not JSON"), "{j}");
    // without --json the text is unchanged
    let o = run(&["check", file, cert.to_str().unwrap()]);
    assert_eq!(stdout(&o), "certificate accepted: not-local-min\n");
}

/// Pre-activation of unit `j` of layer 1 at point `i`, by hand.
fn pre_activation(inst: &Instance, i: usize, j: usize) -> Q {
    let l = &inst.point.as_ref().unwrap().layers[0];
    let x = &inst.problem.data.x[i];
    let mut z: Q = l.w[j].iter().zip(x).map(|(w, x)| w * x).sum();
    if let Some(b) = &l.b {
        z += &b[j];
    }
    z
}

fn sign(z: &Q) -> char {
    if z.is_zero() {
        '0'
    } else if z.is_positive() {
        '+'
    } else {
        '-'
    }
}

#[test]
fn eval_and_cells_name_units_and_points_alike() {
    for name in [
        "relu-hinge-kink-corner.toml",
        "relu-dead-points-hinge.toml",
        "relu-kink-flat-local-min.toml",
        "relu-kink-corner-nonflat-min.toml",
    ] {
        let path = fixture(name);
        let file = path.to_str().unwrap();
        let inst = instance::load(&path).unwrap();
        let text = stdout(&run(&["eval", file]));
        let n = inst.problem.data.x.len();
        let width = inst.problem.arch.widths[1];
        // the unit patterns: one sign per point, as computed here
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("layer 1 pre-activation signs"))
            .unwrap_or_else(|| panic!("{text}"));
        let (_, groups) = line.split_once(": ").unwrap();
        let groups: Vec<&str> = groups.split(", ").collect();
        assert_eq!(groups.len(), width, "{line}");
        for (j, g) in groups.iter().enumerate() {
            let expected: String = (0..n).map(|i| sign(&pre_activation(&inst, i, j))).collect();
            assert_eq!(*g, format!("unit {j} {expected}"), "{name}");
        }
        // every named zero pre-activation is exactly zero here
        let mut zeros = Vec::new();
        for l in text.lines() {
            if let Some(rest) = l.split_once(". pre-activation of unit ").map(|(_, r)| r) {
                let (unit, rest) = rest.split_once(" of layer ").unwrap();
                let (layer, point) = rest.split_once(" is 0 at point ").unwrap();
                let (unit, point): (usize, usize) = (unit.parse().unwrap(), point.parse().unwrap());
                if layer == "1" {
                    assert!(pre_activation(&inst, point, unit).is_zero(), "{name}: {l}");
                    zeros.push((unit, point));
                }
            }
        }
        let all: Vec<(usize, usize)> = (0..width)
            .flat_map(|j| (0..n).map(move |i| (j, i)))
            .filter(|&(j, i)| pre_activation(&inst, i, j).is_zero())
            .collect();
        let mut sorted = zeros.clone();
        sorted.sort();
        assert_eq!(sorted, all, "{name}");
        // cells --at-point words the same units and points
        let c = stdout(&run(&["cells", "--at-point", "--count", file]));
        for j in 0..width {
            let pts: Vec<usize> = all.iter().filter(|z| z.0 == j).map(|z| z.1).collect();
            if pts.is_empty() {
                continue;
            }
            let want = format!("unit {j} of layer 1: zero at points {pts:?};");
            assert!(c.contains(&want), "{name}: {want}\n{c}");
        }
    }
}

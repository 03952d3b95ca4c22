//! Second-order descent arcs `theta* + t d + t^2 e` at any depth
//! (`verify/second_order_arcs.rs`): the points the earlier searches left
//! `undecided` although they are not local minima.
//!
//! Oracles, none of them the verifier:
//! - a hand computation (`saddle-1-192`): along `w = (t, -t)`,
//!   `v = (-t, -t)`, `c = -1 + (1 - alpha) t^2 / 2` the output is
//!   `c - (1 - alpha) t^2 |x|`, and the mean loss is
//!   `2/3 - (1 - alpha) t^2 / 12`; checked with the test's own forward pass;
//! - a deep order-3 descent in closed form (`2/3 - 2 t^3 / 3` along a
//!   line with output-bias compensation);
//! - `a161`: the issue's straight ray `W3[0] += t, W1[0][0] -= t,
//!   b1[0] -= t` evaluated by the test's own forward pass at
//!   `t = 10^-2 .. 10^-6` is below the point's loss at every scale;
//! - Z3 (`relucert smtlib --radius 1/1000`, python3 `z3`) answers `sat`
//!   (a lower point within 1/1000) on the instances it settles quickly;
//! - every certificate is accepted by the independent checker, and its
//!   lower point evaluated by the test's own forward pass is lower;
//! - a property over this file's own generator (one hidden layer with zero
//!   outgoing weights, and deep points with tiny or zero weights): whenever
//!   Z3 finds a lower point at radius 1/1000 and at 1/10^6 the verifier must
//!   not claim a minimum; the undecided count is reported.

mod common;

use num_traits::{One, Zero};
use relucert::instance::{parse, Instance, Syntax};
use relucert::number::{parse_rational, Q};
use relucert::verify::{verify, Limits, Verdict};
use std::io::Write;
use std::process::{Command, Stdio};

fn q(p: i64, d: i64) -> Q {
    Q::new(p.into(), d.into())
}

/// The test's own forward pass and mean loss (`tests/common/oracle.rs`:
/// no library evaluation), flat parameters in FORMAT.md order.
fn own_loss(inst: &Instance, theta: &[Q]) -> Q {
    common::oracle::loss(inst, theta)
}

fn z3_available() -> bool {
    Command::new("python3")
        .args(["-c", "import z3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Z3 on "a point within `radius` has lower loss": `Some(true)` sat,
/// `Some(false)` unsat, `None` unknown (10 s timeout).
fn z3_lower(inst: &Instance, radius: &Q) -> Option<bool> {
    let query = relucert::smtlib::smtlib(inst, radius).ok()?;
    let script = "import sys, z3\ns = z3.Solver()\ns.set('timeout', 10000)\n\
                  s.from_string(sys.stdin.read())\nprint(s.check())\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(query.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    match String::from_utf8_lossy(&out.stdout).trim() {
        "sat" => Some(true),
        "unsat" => Some(false),
        _ => None,
    }
}

/// `verify` must say `not-local-min`; the checker accepts the certificate
/// and the test's own loss at its lower point is below the point's.
fn certified_descent(inst: &Instance, name: &str) {
    let out = verify(inst, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::NotLocalMin, "{name}: {}", out.reason);
    let theta = inst.point.as_ref().unwrap().flat();
    assert_eq!(own_loss(inst, &theta), out.loss, "{name}: loss");
    let json = out.certificate.expect("a certificate").to_json();
    relucert_check::check(inst, &json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let lower: Vec<Q> = json["evidence"]["lower_point"]["params"]
        .as_array()
        .expect("a lower point")
        .iter()
        .map(|v| parse_rational(v.as_str().unwrap()).unwrap())
        .collect();
    assert!(own_loss(inst, &lower) < out.loss, "{name}: lower point");
}

const SADDLE: &str = r#"
[network]
widths = [1, 2, 1]
activation = "leaky"
alpha = "1/10"
bias = [false, true]
[loss]
kind = "hinge"
[data]
x = [["2"], ["-1/2"], ["-1/4"]]
y = [-1, -1, 1]
[point]
W1 = [["0"], ["0"]]
W2 = [["0", "0"]]
b2 = ["-1"]
"#;

const A161: &str = r#"
[network]
widths = [2, 1, 3, 1]
activation = "relu"
bias = [true, true, true]
[loss]
kind = "hinge"
[data]
x = [["0", "1"], ["0", "-1"], ["-1", "1"], ["-1", "0"], ["-2", "-2"], ["1", "-1"]]
y = [-1, -1, 1, -1, -1, 1]
[point]
W1 = [["0/64", "2/64"]]
b1 = ["0"]
W2 = [["2/1024"], ["0/1024"], ["0/1024"]]
b2 = ["0", "0", "-1/1024"]
W3 = [["0/256", "-1/256", "2/256"]]
b3 = ["-1"]
"#;

const LC_1_40: &str = r#"
[network]
widths = [3, 1, 1]
activation = "leaky"
alpha = "1/10"
bias = [true, true]
[loss]
kind = "hinge"
[data]
x = [["3", "0", "1/2"], ["1", "1", "1"], ["1", "0", "3"], ["11/7", "2/7", "-1/2"], ["3/2", "1/2", "-2"]]
y = [1, 1, 1, -1, -1]
[point]
W1 = [["0", "0", "0"]]
b1 = ["-2"]
W2 = [["0"]]
b2 = ["1"]
"#;

const LC_2_157: &str = r#"
[network]
widths = [2, 1, 1]
activation = "leaky"
alpha = "1/10"
bias = [true, true]
[loss]
kind = "hinge"
[data]
x = [["0", "1/2"], ["1", "3"], ["3", "3"], ["1/4", "1/2"], ["17/16", "-3"], ["17/16", "-2"]]
y = [1, 1, 1, 1, -1, -1]
[point]
W1 = [["0", "0"]]
b1 = ["-1"]
W2 = [["0"]]
b2 = ["1"]
"#;

const LC_2_28: &str = r#"
[network]
widths = [3, 2, 1]
activation = "leaky"
alpha = "1/3"
bias = [false, true]
[loss]
kind = "hinge"
[data]
x = [["-1/4", "-1", "2"], ["2/3", "-1/2", "3"], ["0", "2", "2"], ["-3/4", "3", "1/2"], ["-11/108", "2/3", "-3"], ["1/18", "5/18", "-1/2"]]
y = [1, 1, 1, 1, -1, -1]
[point]
W1 = [["-1", "-1", "0"], ["-2", "-2", "0"]]
W2 = [["0", "0"]]
b2 = ["1"]
"#;

fn load(text: &str) -> Instance {
    parse(text, Syntax::Toml, "t.toml").unwrap()
}

/// saddle-1-192 by hand: flat order (w1, w2, v1, v2, c); along the arc the
/// loss is exactly `2/3 - (1 - alpha) t^2 / 12` for small t (the test's own
/// evaluation), and the verifier certifies a descent.
#[test]
fn saddle_1_192_hand_computation_and_certificate() {
    let inst = load(SADDLE);
    let alpha = q(1, 10);
    let one = Q::one();
    for k in [10i64, 100, 1000, 12345] {
        let t = q(1, k);
        let tt = &t * &t;
        let c = -&one + (&one - &alpha) * &tt / q(2, 1);
        let theta = vec![t.clone(), -&t, -&t, -&t, c];
        let expect = q(2, 3) - (&one - &alpha) * &tt / q(12, 1);
        assert_eq!(own_loss(&inst, &theta), expect, "t = 1/{k}");
        assert!(expect < q(2, 3));
    }
    certified_descent(&inst, "saddle-1-192");
    if z3_available() {
        assert_eq!(z3_lower(&inst, &q(1, 1000)), Some(true));
    }
}

/// a161: the issue's ray is below the loss at every scale (own forward
/// pass), and the verifier certifies a descent.
#[test]
fn a161_three_layer_product_descent() {
    let inst = load(A161);
    let theta0 = inst.point.as_ref().unwrap().flat();
    let loss0 = own_loss(&inst, &theta0);
    assert_eq!(loss0, q(2, 3));
    // flat order: W1 (0, 1), b1 (2), W2 (3..6), b2 (6..9), W3 (9..12), b3 (12)
    for k in 2..=6u32 {
        let t = Q::new(1.into(), 10i64.pow(k).into());
        let mut theta = theta0.clone();
        theta[9] += &t;
        theta[0] -= &t;
        theta[2] -= &t;
        assert!(own_loss(&inst, &theta) < loss0, "t = 1e-{k}");
    }
    certified_descent(&inst, "a161");
}

/// The leaky-constant non-minima: certified, and Z3 finds a lower point
/// within 1/1000 (lc-2-28 takes Z3 about 5 s: the checker and the own
/// evaluation of the lower point are its oracles).
#[test]
fn leaky_constant_descents_with_output_bias_compensation() {
    let z3 = z3_available();
    for (name, text, ask_z3) in [
        ("lc-1-40", LC_1_40, true),
        ("lc-2-157", LC_2_157, true),
        ("lc-2-28", LC_2_28, false),
    ] {
        let inst = load(text);
        certified_descent(&inst, name);
        if z3 && ask_z3 {
            assert_eq!(z3_lower(&inst, &q(1, 1000)), Some(true), "{name}");
        }
    }
}

const DEEP3: &str = r#"
[network]
widths = [2, 1, 1, 1]
activation = "leaky"
alpha = "1/3"
bias = [true, true, true]
[loss]
kind = "hinge"
[data]
x = [["-2", "0"], ["2", "-1"], ["2", "2"]]
y = [1, -1, -1]
[point]
W1 = [["0", "0"]]
b1 = ["0"]
W2 = [["0"]]
b2 = ["1/8"]
W3 = [["0"]]
b3 = ["-1"]
"#;

/// An order-3 descent (found by this file's property generator): along
/// `W1 = (-t, 0)`, `W2 = t`, `W3 = t`, `b3 = -1 - t/8` the hidden unit is
/// `sigma(-t x_1)` = `(2t, -2t/3, -2t/3)`, the output `-1 + t^2 sigma(..)`,
/// and the mean loss exactly `2/3 - 2 t^3 / 3` (the positive point gains,
/// the corner points move away): own forward pass; certified; Z3.
#[test]
fn deep_order_three_descent_with_output_bias_compensation() {
    let inst = load(DEEP3);
    // flat order: W1 (0, 1), b1 (2), W2 (3), b2 (4), W3 (5), b3 (6)
    for k in [10i64, 100, 1000, 4096] {
        let t = q(1, k);
        let theta = vec![
            -&t,
            Q::zero(),
            Q::zero(),
            t.clone(),
            q(1, 8),
            t.clone(),
            q(-1, 1) - &t / q(8, 1),
        ];
        let expect = q(2, 3) - q(2, 3) * &t * &t * &t;
        assert_eq!(own_loss(&inst, &theta), expect, "t = 1/{k}");
    }
    certified_descent(&inst, "deep3");
    if z3_available() {
        assert_eq!(z3_lower(&inst, &q(1, 1000)), Some(true));
    }
}

/// A splitmix64 stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
}

fn row(r: &mut Rng, n: usize, lo: i64, hi: i64, den: i64) -> String {
    let v: Vec<String> = (0..n)
        .map(|_| format!("\"{}/{den}\"", r.int(lo, hi)))
        .collect();
    format!("[{}]", v.join(", "))
}

/// One point: `deep = false`: one hidden layer, every outgoing weight 0
/// (binary hinge, or a third of the time three classes with the multiclass
/// or Crammer-Singer hinge),
/// output bias at the majority label (a hinge corner); `deep = true`: two
/// hidden layers with weights in {-1, 0, 1}/8, the same output bias.
fn generated(r: &mut Rng, deep: bool) -> String {
    let d = r.int(1, 2) as usize;
    let act = match r.int(0, 2) {
        0 => "activation = \"relu\"".to_string(),
        1 => "activation = \"leaky\"\nalpha = \"1/10\"".to_string(),
        _ => "activation = \"leaky\"\nalpha = \"1/3\"".to_string(),
    };
    let n = r.int(3, 4) as usize;
    let xs: Vec<String> = (0..n).map(|_| row(r, d, -2, 2, 1)).collect();
    let ys: Vec<String> = (0..n)
        .map(|_| if r.int(0, 1) == 0 { "-1" } else { "1" }.to_string())
        .collect();
    // the output bias at the majority label (the best constant): a hinge
    // corner of the majority, often a saddle or a constant-output minimum
    let plus = ys.iter().filter(|y| *y == "1").count();
    let c = if 2 * plus >= n { "1" } else { "-1" };
    let mut text = String::new();
    if deep {
        let (h1, h2) = (r.int(1, 2) as usize, r.int(1, 2) as usize);
        text += &format!(
            "[network]\nwidths = [{d}, {h1}, {h2}, 1]\n{act}\nbias = [true, true, true]\n"
        );
        text += &format!(
            "[loss]\nkind = \"hinge\"\n[data]\nx = [{}]\ny = [{}]\n[point]\n",
            xs.join(", "),
            ys.join(", ")
        );
        let w1: Vec<String> = (0..h1).map(|_| row(r, d, -1, 1, 8)).collect();
        let w2: Vec<String> = (0..h2).map(|_| row(r, h1, -1, 1, 8)).collect();
        text += &format!(
            "W1 = [{}]\nb1 = {}\nW2 = [{}]\nb2 = {}\nW3 = [{}]\nb3 = [\"{c}\"]\n",
            w1.join(", "),
            row(r, h1, -1, 1, 8),
            w2.join(", "),
            row(r, h2, -1, 1, 8),
            row(r, h2, -1, 1, 8)
        );
    } else if r.int(0, 2) == 0 {
        // multiclass (3 classes), multiclass hinge or Crammer-Singer, every
        // outgoing weight 0, the majority class's output bias 1 (its
        // points at a hinge corner; the other classes tie at 0)
        let h = r.int(1, 2) as usize;
        let kind = if r.int(0, 1) == 0 {
            "multiclass-hinge"
        } else {
            "crammer-singer"
        };
        let ys: Vec<i64> = (0..n).map(|_| r.int(0, 2)).collect();
        let count = |k: i64| ys.iter().filter(|y| **y == k).count();
        let major = (0..3).max_by_key(|k| (count(*k), -k)).unwrap_or(0);
        let b2: Vec<String> = (0..3)
            .map(|k| format!("\"{}\"", i64::from(k == major)))
            .collect();
        let ys: Vec<String> = ys.iter().map(|y| y.to_string()).collect();
        text += &format!("[network]\nwidths = [{d}, {h}, 3]\n{act}\nbias = [true, true]\n");
        text += &format!(
            "[loss]\nkind = \"{kind}\"\n[data]\nx = [{}]\ny = [{}]\n[point]\n",
            xs.join(", "),
            ys.join(", ")
        );
        let w1: Vec<String> = (0..h).map(|_| row(r, d, -1, 1, 1)).collect();
        let zeros: Vec<String> = (0..h).map(|_| "\"0\"".to_string()).collect();
        let w2 = format!("[{}]", zeros.join(", "));
        text += &format!(
            "W1 = [{}]\nb1 = {}\nW2 = [{w2}, {w2}, {w2}]\nb2 = [{}]\n",
            w1.join(", "),
            row(r, h, -1, 1, 1),
            b2.join(", ")
        );
    } else {
        let h = r.int(1, 2) as usize;
        text += &format!("[network]\nwidths = [{d}, {h}, 1]\n{act}\nbias = [true, true]\n");
        text += &format!(
            "[loss]\nkind = \"hinge\"\n[data]\nx = [{}]\ny = [{}]\n[point]\n",
            xs.join(", "),
            ys.join(", ")
        );
        let w1: Vec<String> = (0..h).map(|_| row(r, d, -1, 1, 1)).collect();
        let zeros: Vec<String> = (0..h).map(|_| "\"0\"".to_string()).collect();
        text += &format!(
            "W1 = [{}]\nb1 = {}\nW2 = [[{}]]\nb2 = [\"{c}\"]\n",
            w1.join(", "),
            row(r, h, -1, 1, 1),
            zeros.join(", ")
        );
    }
    text
}

/// Whenever Z3 finds a lower point at radius 1/1000 and at 1/10^6, the
/// verifier must not claim a minimum; every descent is certified and its
/// lower point is lower by the own evaluation; undecided counted.
#[test]
fn z3_descents_are_never_called_minima() {
    let z3 = z3_available();
    let mut r = Rng(0x50a_2c5);
    let (mut descents, mut minima, mut undecided, mut undecided_z3_sat) = (0, 0, 0, 0);
    let cases = 64;
    for case in 0..cases {
        let text = generated(&mut r, case % 2 == 1);
        let inst = load(&text);
        let out = verify(&inst, &Limits::default()).unwrap();
        let theta = inst.point.as_ref().unwrap().flat();
        assert_eq!(own_loss(&inst, &theta), out.loss, "{text}");
        match out.verdict {
            Verdict::NotLocalMin => {
                descents += 1;
                certified_descent(&inst, &text);
            }
            Verdict::LocalMin | Verdict::GlobalMin => {
                minima += 1;
                // Z3 on the first few minima only (keeps the test short)
                if z3 && minima <= 6 && z3_lower(&inst, &q(1, 1000)) == Some(true) {
                    assert_ne!(
                        z3_lower(&inst, &q(1, 1_000_000)),
                        Some(true),
                        "Z3 finds lower points at 1/1000 and 1/10^6 near a claimed minimum:\n{text}"
                    );
                }
            }
            Verdict::Undecided => {
                undecided += 1;
                if z3
                    && z3_lower(&inst, &q(1, 1000)) == Some(true)
                    && z3_lower(&inst, &q(1, 1_000_000)) == Some(true)
                {
                    undecided_z3_sat += 1;
                    eprintln!("undecided, Z3 sat:\n{text}\n{}", out.reason);
                }
            }
        }
    }
    eprintln!(
        "{cases} cases: {descents} not-local-min, {minima} minima, {undecided} undecided ({undecided_z3_sat} of them with a Z3 lower point)"
    );
    assert!(undecided * 4 <= cases, "{undecided} of {cases} undecided");
}

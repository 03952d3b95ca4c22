//! The line search of `verify` (`verify/lines.rs`): straight lines whose
//! loss germ is of order three or more, the saddles of deep linear
//! networks at the origin that the first-order LPs and the (one hidden
//! layer) second-order analysis cannot see.
//!
//! Oracles, none of them the verifier:
//! - a closed form: at the origin of a linear network with three or more
//!   weight layers and an output bias at a hinge-free optimum, the order-1
//!   and order-2 terms of the loss vanish, and along `t d` the output is
//!   `t^k` times a product the test computes itself;
//! - every `not-local-min` is re-checked by the independent checker, and
//!   the certificate's lower point is evaluated by the test's own forward
//!   pass (linear activation: plain matrix products);
//! - Z3 (`relucert smtlib --radius 1/1000`): every instance the verifier
//!   leaves `undecided` must be `unsat` (no lower point within 1/1000),
//!   i.e. the search did not miss a descent Z3 finds.

mod common;

use num_traits::One;
use relucert::instance::{parse, Instance, Syntax};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use std::process::Command;

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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A linear network at the origin (every weight and bias 0): widths
/// `[d, h.., k]`, losses binary hinge (k = 1) or the multiclass hinges.
fn origin_instance(r: &mut Rng) -> String {
    let hidden = 2 + r.below(2) as usize;
    let d = 1 + r.below(3) as usize;
    let k = [1, 2, 3][r.below(3) as usize];
    let mut widths = vec![d];
    widths.extend((0..hidden).map(|_| 1 + r.below(3) as usize));
    widths.push(k);
    let n = 2 + r.below(4) as usize;
    let kind = if k == 1 {
        "hinge"
    } else if r.below(2) == 0 {
        "multiclass-hinge"
    } else {
        "crammer-singer"
    };
    let x: Vec<String> = (0..n)
        .map(|_| {
            let row: Vec<String> = (0..d)
                .map(|_| format!("\"{}\"", r.below(5) as i64 - 2))
                .collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    let y: Vec<String> = (0..n)
        .map(|_| {
            if k == 1 {
                ["\"1\"", "\"-1\""][r.below(2) as usize].to_string()
            } else {
                r.below(k as u64).to_string()
            }
        })
        .collect();
    let mut text = format!(
        "[network]\nwidths = {widths:?}\nactivation = \"linear\"\nbias = true\n[loss]\nkind = \"{kind}\"\n[data]\nx = [{}]\ny = [{}]\n[point]\n",
        x.join(", "),
        y.join(", ")
    );
    for l in 1..widths.len() {
        let row = vec!["\"0\""; widths[l - 1]].join(", ");
        let rows = vec![format!("[{row}]"); widths[l]].join(", ");
        text += &format!(
            "W{l} = [{rows}]\nb{l} = [{}]\n",
            vec!["\"0\""; widths[l]].join(", ")
        );
    }
    text
}

/// The test's own loss (`tests/common/oracle.rs`: no library evaluation).
fn own_loss(inst: &Instance, theta: &[Q]) -> Q {
    common::oracle::loss(inst, theta)
}

/// Z3's answer on "a point within `radius` has lower loss" (`None`: z3
/// not installed or no answer in time).
fn z3_lower_point(text: &str, tag: usize) -> Option<bool> {
    let inst = parse(text, Syntax::Toml, "t.toml").ok()?;
    let smt = relucert::smtlib::smtlib(&inst, &Q::new(1.into(), 1000.into())).ok()?;
    let path =
        std::env::temp_dir().join(format!("relucert-lines-{}-{tag}.smt2", std::process::id()));
    std::fs::write(&path, smt).ok()?;
    let out = Command::new("python3")
        .arg("-c")
        .arg("import sys, z3\ns = z3.Solver(); s.set('timeout', 30000); s.from_file(sys.argv[1]); print(s.check())")
        .arg(&path)
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&path);
    match String::from_utf8_lossy(&out.stdout).trim() {
        "sat" => Some(true),
        "unsat" => Some(false),
        _ => None,
    }
}

#[test]
fn origins_of_deep_linear_networks_are_decided_and_certified() {
    let mut r = Rng(0x11_4e5);
    let (mut lines, mut undecided) = (0, 0);
    for case in 0..40 {
        let text = origin_instance(&mut r);
        let inst = parse(&text, Syntax::Toml, "t.toml").unwrap();
        let out = verify(&inst, &Limits::default()).unwrap();
        match out.verdict {
            Verdict::NotLocalMin => {
                let cert = out.certificate.expect("a certificate");
                let json = cert.to_json();
                relucert_check::check(&inst, &json).unwrap_or_else(|e| panic!("{text}\n{e}"));
                let lower = &json["evidence"]["lower_point"];
                if !lower.is_null() {
                    let theta: Vec<Q> = lower["params"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| relucert::number::parse_rational(v.as_str().unwrap()).unwrap())
                        .collect();
                    assert!(own_loss(&inst, &theta) < out.loss, "{text}");
                }
                if out.reason.starts_with("descent arc of order") {
                    lines += 1;
                }
            }
            Verdict::Undecided => {
                undecided += 1;
                assert_ne!(
                    z3_lower_point(&text, case),
                    Some(true),
                    "missed descent:\n{text}\n{}",
                    out.reason
                );
            }
            Verdict::LocalMin | Verdict::GlobalMin => {
                assert_ne!(
                    z3_lower_point(&text, case),
                    Some(true),
                    "a lower point near a claimed minimum:\n{text}"
                );
            }
        }
        assert_eq!(
            own_loss(&inst, &inst.point.as_ref().unwrap().flat()),
            out.loss
        );
    }
    eprintln!("{lines} higher-order descents, {undecided} undecided of 40");
    assert!(
        lines >= 5,
        "the origins need higher-order lines: only {lines}"
    );
}

/// A closed form: the origin of a 1-1-1-1 linear network without biases,
/// binary hinge, points x = 1 (y = 1) and x = -1 (y = -1). Every margin is
/// 0 and the loss is 1. Along `t (a, b, c)` the output is `t^3 abc x`,
/// both margins are `t^3 abc`, and the loss is `1 - t^3 abc` for small t:
/// every first- and second-order term vanishes, and a descent has order 3.
#[test]
fn a_third_order_saddle_in_closed_form() {
    let text = "[network]\nwidths = [1, 1, 1, 1]\nactivation = \"linear\"\nbias = false\n[loss]\nkind = \"hinge\"\n[data]\nx = [[\"1\"], [\"-1\"]]\ny = [\"1\", \"-1\"]\n[point]\nW1 = [[\"0\"]]\nW2 = [[\"0\"]]\nW3 = [[\"0\"]]\n";
    let inst = parse(text, Syntax::Toml, "t.toml").unwrap();
    // the closed form, by the test's own evaluation along t (1, 1, 1)
    let t = Q::new(1.into(), 10.into());
    assert_eq!(
        own_loss(&inst, &[t.clone(), t.clone(), t.clone()]),
        Q::one() - &t * &t * &t
    );
    let out = verify(&inst, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::NotLocalMin, "{}", out.reason);
    let json = out.certificate.unwrap().to_json();
    relucert_check::check(&inst, &json).unwrap();
    assert!(
        out.reason.starts_with("descent arc of order 3"),
        "{}",
        out.reason
    );
}

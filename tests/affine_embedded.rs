//! The best affine classifier embedded in the all-active cell of a ReLU or
//! leaky network with one or two hidden layers (the construction of the
//! "jellyfish" example of Swirszcz, Czarnecki & Pascanu 2016, on our own
//! data): near such a point every network is affine on the data, so the
//! loss is at least the best affine classifier's, and the point is a local
//! minimum.
//!
//! Oracle: the best affine classifier and its hinge loss are computed by
//! Z3's exact optimiser (python3 `z3`, rational arithmetic), not by
//! relucert. The test asserts that `verify` proves `local-min` (or
//! `global-min`) with a certificate the checker accepts, at exactly the
//! optimum's loss. Skipped (with a message) when python3 with z3 is not
//! installed.

use relucert::instance::{parse, Syntax};
use relucert::number::{parse_rational, Q};
use relucert::verify::{verify, Limits, Verdict};
use std::process::Command;

/// The best affine classifier `(u1, u2, c)` of 2-D data under the binary
/// hinge loss, and its loss, exactly, by Z3's optimiser.
fn best_affine(x: &[[i64; 2]], y: &[i64]) -> Option<(Vec<Q>, Q)> {
    let script = r#"
import sys, json, z3
x, y = json.loads(sys.argv[1]), json.loads(sys.argv[2])
o = z3.Optimize()
u = [z3.Real('u0'), z3.Real('u1')]; c = z3.Real('c')
s = [z3.Real('s%d' % i) for i in range(len(x))]
for i in range(len(x)):
    o.add(s[i] >= 0, s[i] >= 1 - y[i] * (u[0] * x[i][0] + u[1] * x[i][1] + c))
o.minimize(z3.Sum(s))
assert o.check() == z3.sat
m = o.model()
f = lambda v: str(m.eval(v).as_fraction())
print(f(u[0]), f(u[1]), f(c), str((m.eval(z3.Sum(s)).as_fraction()) / len(x)))
"#;
    let xs = serde_json::to_string(x).ok()?;
    let ys = serde_json::to_string(y).ok()?;
    let out = Command::new("python3")
        .args(["-c", script, &xs, &ys])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let v: Vec<Q> = text
        .split_whitespace()
        .map(|t| parse_rational(t).ok())
        .collect::<Option<_>>()?;
    (v.len() == 4).then(|| (v[..3].to_vec(), v[3].clone()))
}

fn q(v: &Q) -> String {
    format!("\"{}\"", relucert::number::fmt_q(v))
}

/// The instance: hidden layer 1 is `x + B` (identity weights, bias B
/// larger than every coordinate's magnitude, so every unit is strictly
/// active on every point), layer 2 (if any) the identity, and the output
/// `u . h + c - (u1 + u2) B`, which is `u . x + c` on the data.
fn embedded(x: &[[i64; 2]], y: &[i64], u: &[Q], act: &str, hidden: usize) -> String {
    let b = 1 + x.iter().flatten().map(|v| v.abs()).max().unwrap_or(0);
    let bq = Q::from_integer(b.into());
    let xs: Vec<String> = x
        .iter()
        .map(|r| format!("[\"{}\", \"{}\"]", r[0], r[1]))
        .collect();
    let ys: Vec<String> = y.iter().map(|v| format!("\"{v}\"")).collect();
    let mut widths = vec![2];
    widths.extend(std::iter::repeat_n(2, hidden));
    widths.push(1);
    let mut t = format!(
        "[network]\nwidths = {widths:?}\nactivation = \"{act}\"\nbias = true\n{}[loss]\nkind = \"hinge\"\n[data]\nx = [{}]\ny = [{}]\n[point]\nW1 = [[\"1\", \"0\"], [\"0\", \"1\"]]\nb1 = [\"{b}\", \"{b}\"]\n",
        if act == "leaky" { "alpha = \"1/10\"\n" } else { "" },
        xs.join(", "),
        ys.join(", ")
    );
    if hidden == 2 {
        t += "W2 = [[\"1\", \"0\"], [\"0\", \"1\"]]\nb2 = [\"0\", \"0\"]\n";
    }
    let c = &u[2] - (&u[0] + &u[1]) * &bq;
    t += &format!(
        "W{0} = [[{1}, {2}]]\nb{0} = [{3}]\n",
        hidden + 1,
        q(&u[0]),
        q(&u[1]),
        q(&c)
    );
    t
}

#[test]
fn the_best_affine_classifier_in_the_all_active_cell_is_a_minimum() {
    let mut s = 0x6a_e11f_u64;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 33) as i64
    };
    let mut checked = 0;
    for _ in 0..6 {
        let x: Vec<[i64; 2]> = (0..10).map(|_| [next() % 9 - 4, next() % 9 - 4]).collect();
        let y: Vec<i64> = (0..10)
            .map(|_| if next() % 2 == 0 { 1 } else { -1 })
            .collect();
        let Some((u, best)) = best_affine(&x, &y) else {
            eprintln!("python3 with z3 not available: skipped");
            return;
        };
        for act in ["relu", "leaky"] {
            for hidden in [1, 2] {
                let text = embedded(&x, &y, &u, act, hidden);
                let inst = parse(&text, Syntax::Toml, "t.toml").unwrap();
                let out = verify(&inst, &Limits::default()).unwrap();
                assert_eq!(out.loss, best, "{text}");
                assert!(
                    matches!(out.verdict, Verdict::LocalMin | Verdict::GlobalMin),
                    "{text}\n{:?}: {}",
                    out.verdict,
                    out.reason
                );
                let json = out.certificate.unwrap().to_json();
                relucert_check::check(&inst, &json).unwrap_or_else(|e| panic!("{text}\n{e}"));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 24);
}

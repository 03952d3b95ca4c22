//! The checks of `function-space-bound` and of the pattern-LP kinds
//! (`pattern-lp`, `width-optimum`, `width-optimum-shard`) against
//! certificates built by hand or by a brute-force chamber listing in the
//! plane written here (integer arithmetic, independent of the checker):
//! acceptance, specific rejections, and every single-number mutation of an
//! accepted certificate rejected unless it still proves the same (true)
//! statement.

use proptest::prelude::*;
use relucert_core::instance::{canonical_hash, parse, Instance, Syntax};
use relucert_core::number::{fmt_q, parse_rational, Q};
use serde_json::{json, Value};

fn instance(text: &str) -> Instance {
    parse(text, Syntax::Toml, "test").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// An instance with a one-hidden-layer network, binary hinge unless `loss`.
fn toml(
    widths: &[usize],
    act: &str,
    bias: [bool; 2],
    loss: &str,
    xs: &[Vec<i64>],
    ys: &[i64],
    point: &str,
) -> String {
    let alpha = if act == "leaky" {
        "alpha = \"1/2\"\n"
    } else {
        ""
    };
    let rows: Vec<String> = xs.iter().map(|r| format!("{r:?}")).collect();
    format!(
        "[network]\nwidths = {widths:?}\nactivation = \"{act}\"\n{alpha}bias = [{}, {}]\n\n\
         [loss]\nkind = \"{loss}\"\n\n[data]\nx = [{}]\ny = {ys:?}\n{point}",
        bias[0],
        bias[1],
        rows.join(", ")
    )
}

fn cert(inst: &Instance, claim: &str, loss: &str, evidence: Value) -> Value {
    json!({"format": "relucert-certificate", "version": 1,
           "instance_sha256": canonical_hash(inst), "claim": claim, "loss": loss,
           "evidence": evidence})
}

fn check(inst: &Instance, c: &Value) -> Result<(), String> {
    relucert_check::check(inst, c)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn rejected_with(inst: &Instance, c: &Value, needle: &str) {
    match check(inst, c) {
        Ok(()) => panic!("accepted, expected a rejection with `{needle}`"),
        Err(e) => assert!(e.contains(needle), "`{e}` does not mention `{needle}`"),
    }
}

// ---------------------------------------------------------------- mutations

/// Every single-number mutation of `v` (its key is `key`): rationals +1 or
/// replaced by 0/1/-1, indices +1, sign characters flipped, list elements
/// removed.
fn variants(v: &Value, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    match v {
        Value::String(s) if key == "signs" => {
            for (i, c) in s.char_indices() {
                let f = match c {
                    '+' => '-',
                    '-' => '+',
                    _ => '+',
                };
                let mut t = s.clone();
                t.replace_range(i..i + 1, &f.to_string());
                out.push(Value::String(t));
            }
        }
        Value::String(s) => {
            if let Ok(q) = parse_rational(s) {
                let one = Q::from_integer(1.into());
                for r in [&q + &one, Q::from_integer(0.into()), one.clone(), -one] {
                    if r != q {
                        out.push(Value::String(fmt_q(&r)));
                    }
                }
            }
        }
        Value::Number(n) => {
            if let Some(k) = n.as_u64() {
                out.push(json!(k + 1));
            }
        }
        Value::Array(a) => {
            for i in 0..a.len() {
                let mut b = a.clone();
                b.remove(i);
                out.push(Value::Array(b));
                for w in variants(&a[i], key) {
                    let mut b = a.clone();
                    b[i] = w;
                    out.push(Value::Array(b));
                }
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                for w in variants(x, k) {
                    let mut p = o.clone();
                    p.insert(k.clone(), w);
                    out.push(Value::Object(p));
                }
            }
        }
        _ => {}
    }
    out
}

/// The statement a certificate makes beyond the instance: loss, width, shard.
fn statement(c: &Value) -> (Value, Value, Value) {
    let e = &c["evidence"];
    (c["loss"].clone(), e["width"].clone(), e["shard"].clone())
}

/// `c` is accepted; every mutant of its loss and evidence is rejected,
/// unless it makes the same statement (which is true) or one in `also_true`.
/// Returns the number of mutants tried.
fn mutants_fail(inst: &Instance, c: &Value, also_true: &[(Value, Value, Value)]) -> usize {
    check(inst, c).unwrap_or_else(|e| panic!("the original is rejected: {e}"));
    let mut tried = 0;
    for field in ["loss", "evidence"] {
        for w in variants(&c[field], field) {
            let mut m = c.clone();
            m[field] = w;
            tried += 1;
            if check(inst, &m).is_ok() {
                let s = statement(&m);
                assert!(
                    s == statement(c) || also_true.contains(&s),
                    "a mutant with a new statement {s:?} is accepted:\n{m}"
                );
            }
        }
    }
    tried
}

// ------------------------------------------- chambers in the plane, brute force

fn dot2(a: [i64; 2], b: [i64; 2]) -> i64 {
    a[0] * b[0] + a[1] * b[1]
}
fn cross2(a: [i64; 2], b: [i64; 2]) -> i64 {
    a[0] * b[1] - a[1] * b[0]
}

/// The chambers of the lines `x~_k-perp` (`x~_k != 0`) in R^2 with a witness
/// each: every open sector between consecutive rays `+-perp(x~_k)` holds the
/// sum of its two rays (angle < pi) or `+-x~_k` (one line); no lines, one
/// chamber. Also the empty flips with a Gordan vector (a pair or triple of
/// signed vectors summing to 0 with positive weights, by Caratheodory).
struct Plane {
    chambers: Vec<(String, [i64; 2])>,
    empty: Vec<Value>,
}

fn plane(xt: &[[i64; 2]]) -> Plane {
    let on: Vec<usize> = (0..xt.len()).filter(|&k| xt[k] != [0, 0]).collect();
    let mut cands: Vec<[i64; 2]> = vec![[0, 0]];
    let rays: Vec<[i64; 2]> = on
        .iter()
        .flat_map(|&k| [[-xt[k][1], xt[k][0]], [xt[k][1], -xt[k][0]]])
        .collect();
    for &k in &on {
        cands.push(xt[k]);
        cands.push([-xt[k][0], -xt[k][1]]);
    }
    for a in &rays {
        for b in &rays {
            cands.push([a[0] + b[0], a[1] + b[1]]);
        }
    }
    let mut chambers: Vec<(String, [i64; 2])> = Vec::new();
    for u in cands {
        if on.iter().any(|&k| dot2(u, xt[k]) == 0) {
            continue;
        }
        let signs: String = (0..xt.len())
            .map(|k| match dot2(u, xt[k]) {
                _ if !on.contains(&k) => '0',
                d if d > 0 => '+',
                _ => '-',
            })
            .collect();
        if !chambers.iter().any(|(s, _)| *s == signs) {
            chambers.push((signs, u));
        }
    }
    chambers.sort();
    // Hyperplanes: groups of parallel x~.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &k in &on {
        match groups.iter_mut().find(|g| cross2(xt[g[0]], xt[k]) == 0) {
            Some(g) => g.push(k),
            None => groups.push(vec![k]),
        }
    }
    let mut empty = Vec::new();
    for (c, (signs, _)) in chambers.iter().enumerate() {
        for g in &groups {
            let flipped: Vec<char> = signs
                .chars()
                .enumerate()
                .map(|(k, e)| match (g.contains(&k), e) {
                    (true, '+') => '-',
                    (true, '-') => '+',
                    _ => e,
                })
                .collect();
            let flipped: String = flipped.into_iter().collect();
            if chambers.iter().any(|(s, _)| *s == flipped) {
                continue;
            }
            let e = |k: usize| if flipped.as_bytes()[k] == b'+' { 1 } else { -1 };
            let v = |k: usize| [e(k) * xt[k][0], e(k) * xt[k][1]];
            let farkas = gordan(&on, &v).expect("an unlisted flip is empty");
            empty.push(json!({"chamber": c, "point": g[0], "farkas": farkas}));
        }
    }
    Plane { chambers, empty }
}

fn gordan(on: &[usize], v: &dyn Fn(usize) -> [i64; 2]) -> Option<Value> {
    for &a in on {
        for &b in on {
            let (va, vb) = (v(a), v(b));
            if a < b && cross2(va, vb) == 0 && dot2(va, vb) < 0 {
                let j = if vb[0] != 0 { 0 } else { 1 };
                let (ya, yb) = (vb[j].abs(), va[j].abs());
                return Some(json!([[a, ya.to_string()], [b, yb.to_string()]]));
            }
        }
    }
    for &a in on {
        for &b in on {
            for &c in on {
                let (va, vb, vc) = (v(a), v(b), v(c));
                let det = cross2(va, vb);
                if !(a < b && b != c && a != c) || det == 0 {
                    continue;
                }
                let neg = [-vc[0], -vc[1]];
                let (al, be) = (
                    cross2(neg, vb) * det.signum(),
                    cross2(va, neg) * det.signum(),
                );
                if al > 0 && be > 0 {
                    let y = [(a, al), (b, be), (c, det.abs())];
                    let y: Vec<Value> = y.iter().map(|(k, w)| json!([k, w.to_string()])).collect();
                    return Some(Value::Array(y));
                }
            }
        }
    }
    None
}

fn chambers_json(p: &Plane) -> Value {
    let list: Vec<Value> = p
        .chambers
        .iter()
        .map(|(s, u)| json!({"signs": s, "witness": [u[0].to_string(), u[1].to_string()]}))
        .collect();
    Value::Array(list)
}

fn all_pairs(count: usize) -> Value {
    Value::Array(
        (0..2 * count)
            .map(|p| json!({"pair": p, "nu": []}))
            .collect(),
    )
}

// ------------------------------------------------ example 1: nu, duals, shards

/// relu, widths [1, 1, 1], no biases; x = 1 (y = 1), x = 2 (y = -1). The one
/// hyperplane gives the chambers u > 0 ("++") and u < 0 ("--"). Width 1:
/// pair 0 (u >= 0, +) has LP value 1 (dual lambda = (1, 1), nu_0 = 1),
/// pair 1 (u >= 0, -) has 3/4 (lambda = (1, 1/2), attained at u = 1/2),
/// pairs 2, 3 (u <= 0) output 0 everywhere: value 1.
fn example1(point: &str) -> Instance {
    instance(&toml(
        &[1, 1, 1],
        "relu",
        [false, false],
        "hinge",
        &[vec![1], vec![2]],
        &[1, -1],
        point,
    ))
}

fn example1_evidence(kind: &str, duals: Value) -> Value {
    let mut e = json!({"kind": kind, "width": 1,
        "chambers": [{"signs": "++", "witness": ["1"]}, {"signs": "--", "witness": ["-1"]}],
        "empty": [], "duals": duals});
    if kind != "pattern-lp" {
        e["witness"] = json!({"units": [{"pair": 1, "u": ["1/2"]}], "c": "0"});
    }
    e
}

fn dual_a() -> Value {
    json!({"lambda": ["1", "1"], "pairs": [
        {"pair": 0, "nu": [[0, "1"]]}, {"pair": 2, "nu": []}, {"pair": 3, "nu": []}]})
}

fn dual_b() -> Value {
    json!({"lambda": ["1", "1/2"], "pairs": [{"pair": 1, "nu": []}]})
}

#[test]
fn example1_width_optimum_accepted_and_every_mutant_fails() {
    let inst = example1("");
    let c = cert(
        &inst,
        "global-optimum",
        "3/4",
        example1_evidence("width-optimum", json!([dual_a(), dual_b()])),
    );
    assert!(mutants_fail(&inst, &c, &[]) > 40);
}

#[test]
fn example1_pattern_lp_accepted_and_every_mutant_fails() {
    let inst = example1("\n[point]\nW1 = [[\"1/2\"]]\nW2 = [[-1]]\n");
    let c = cert(
        &inst,
        "global-min",
        "3/4",
        example1_evidence("pattern-lp", json!([dual_a(), dual_b()])),
    );
    mutants_fail(&inst, &c, &[]);
    // The same duals do not prove a loss above the optimum's.
    let mut high = c.clone();
    high["loss"] = json!("1");
    rejected_with(&inst, &high, "loss");
}

#[test]
fn example1_a_set_in_no_dual_is_rejected() {
    let inst = example1("");
    let c = cert(
        &inst,
        "global-optimum",
        "3/4",
        example1_evidence("width-optimum", json!([dual_a()])),
    );
    rejected_with(&inst, &c, "the set of pairs [1] (position 1) is in no dual");
    // Width 2: the sets of two pairs are in no dual.
    let mut wide = cert(
        &inst,
        "global-optimum",
        "3/4",
        example1_evidence("width-optimum", json!([dual_a(), dual_b()])),
    );
    wide["evidence"]["width"] = json!(2);
    rejected_with(
        &inst,
        &wide,
        "the set of pairs [0, 1] (position 0) is in no dual",
    );
}

#[test]
fn example1_shards_cover_only_their_positions() {
    let inst = example1("");
    let shard = |index: usize, duals: Value| {
        let mut e = example1_evidence("width-optimum-shard", duals);
        e["shard"] = json!({"index": index, "count": 2});
        cert(&inst, "shard-optimum", "3/4", e)
    };
    // Shard 1/2 holds the sets at positions 0 and 2: {0} and {2}.
    let first = shard(1, json!([dual_a()]));
    check(&inst, &first).unwrap();
    // An accepted mutant names another shard or count: its claim is true
    // as well, since 3/4 is the optimum of the whole width.
    let also: Vec<_> = (1..=3)
        .flat_map(|i| {
            (1..=3).map(move |n| (json!("3/4"), json!(1), json!({"index": i, "count": n})))
        })
        .collect();
    mutants_fail(&inst, &first, &also);
    // Shard 2/2 holds {1} and {3}: {1} is in no dual.
    rejected_with(
        &inst,
        &shard(2, json!([dual_a()])),
        "[1] (position 1) is in no dual",
    );
    check(&inst, &shard(2, json!([dual_a(), dual_b()]))).unwrap();
    // Bad shard numbers.
    let mut bad = first.clone();
    bad["evidence"]["shard"] = json!({"index": 3, "count": 2});
    rejected_with(&inst, &bad, "shard 3/2");
    bad["evidence"]["shard"] = json!({"index": 0, "count": 0});
    rejected_with(&inst, &bad, "shard 0/0");
}

#[test]
fn example1_wrong_witness_loss_is_rejected() {
    let inst = example1("");
    let mut c = cert(
        &inst,
        "global-optimum",
        "3/4",
        example1_evidence("width-optimum", json!([dual_a(), dual_b()])),
    );
    c["evidence"]["witness"]["units"][0]["u"] = json!(["1"]);
    rejected_with(&inst, &c, "the witness's loss is 1, not the claimed 3/4");
    // Two units for width 1.
    c["evidence"]["witness"]["units"] = json!([{"pair": 1, "u": ["1/2"]}, {"pair": 3, "u": ["0"]}]);
    rejected_with(&inst, &c, "more than the width 1");
}

#[test]
fn example1_duplicates_are_rejected() {
    let inst = example1("");
    let mut c = cert(
        &inst,
        "global-optimum",
        "3/4",
        example1_evidence("width-optimum", json!([dual_a(), dual_b()])),
    );
    let mut twice = c.clone();
    twice["evidence"]["duals"][1]["pairs"] = json!([{"pair": 1, "nu": []}, {"pair": 1, "nu": []}]);
    rejected_with(&inst, &twice, "listed twice");
    c["evidence"]["chambers"][1] = json!({"signs": "++", "witness": ["2"]});
    rejected_with(&inst, &c, "chambers 0 and 1 are equal");
}

// -------------------------------- example 2: Gordan vectors, duplicated inputs

/// relu, widths [1, 2, 1], biases; x = 1, 1, 2, 3 with y = 1, -1, 1, 1.
/// Three lines in (w, b)-space: six chambers, two empty sign vectors. The
/// conflicting pair at x = 1 costs 2 whatever the network: the optimum of
/// every width is 1/2 (lambda = (1, 1, 0, 0), g = 0 on every pair),
/// attained by the constant 1.
fn example2(point: &str) -> (Instance, Plane) {
    let inst = instance(&toml(
        &[1, 2, 1],
        "relu",
        [true, true],
        "hinge",
        &[vec![1], vec![1], vec![2], vec![3]],
        &[1, -1, 1, 1],
        point,
    ));
    let p = plane(&[[1, 1], [1, 1], [2, 1], [3, 1]]);
    (inst, p)
}

fn example2_evidence(kind: &str, p: &Plane) -> Value {
    let mut e = json!({"kind": kind, "width": 2, "chambers": chambers_json(p),
        "empty": p.empty.clone(),
        "duals": [{"lambda": ["1", "1", "0", "0"], "pairs": all_pairs(p.chambers.len())}]});
    if kind != "pattern-lp" {
        e["witness"] = json!({"units": [], "c": "1"});
    }
    e
}

#[test]
fn example2_chambers_by_hand() {
    let (_, p) = example2("");
    let signs: Vec<&str> = p.chambers.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(signs, ["++++", "+++-", "++--", "--++", "---+", "----"]);
    // ++-+ and --+- are empty; each is the flip of three chambers (on the
    // lines of x = 1, 2 and 3).
    assert_eq!(p.empty.len(), 6);
}

#[test]
fn example2_width_optimum_accepted_and_every_mutant_fails() {
    let (inst, p) = example2("");
    let c = cert(
        &inst,
        "global-optimum",
        "1/2",
        example2_evidence("width-optimum", &p),
    );
    // Every width has optimum 1/2: a mutated width states a true fact.
    let also: Vec<_> = (1..=4)
        .map(|w| (json!("1/2"), json!(w), Value::Null))
        .collect();
    assert!(mutants_fail(&inst, &c, &also) > 100);
}

#[test]
fn example2_pattern_lp_accepted_and_every_mutant_fails() {
    let point = "\n[point]\nW1 = [[0], [0]]\nb1 = [0, 0]\nW2 = [[0, 0]]\nb2 = [1]\n";
    let (inst, p) = example2(point);
    let c = cert(
        &inst,
        "global-min",
        "1/2",
        example2_evidence("pattern-lp", &p),
    );
    mutants_fail(&inst, &c, &[]);
}

#[test]
fn example2_missing_chamber_and_wrong_gordan_are_rejected() {
    let (inst, p) = example2("");
    let c = cert(
        &inst,
        "global-optimum",
        "1/2",
        example2_evidence("width-optimum", &p),
    );
    check(&inst, &c).unwrap();
    let mut gone = c.clone();
    let e = &mut gone["evidence"];
    e["chambers"].as_array_mut().unwrap().remove(5);
    e["duals"][0]["pairs"] = all_pairs(5);
    let kept: Vec<Value> = p
        .empty
        .iter()
        .filter(|x| x["chamber"] != json!(5))
        .cloned()
        .collect();
    e["empty"] = Value::Array(kept);
    rejected_with(&inst, &gone, "flip closure: chamber");
    // A Gordan vector scaled on one entry does not sum to 0.
    let mut wrong = c.clone();
    let farkas = &mut wrong["evidence"]["empty"][0]["farkas"];
    let v = parse_rational(farkas[0][1].as_str().unwrap()).unwrap();
    farkas[0][1] = json!(fmt_q(&(v * Q::from_integer(2.into()))));
    rejected_with(
        &inst,
        &wrong,
        "empty[0]: sum_k farkas_k eps'_k x~_k is not 0",
    );
    // A Gordan vector for a flip that is a listed chamber.
    let mut listed = c.clone();
    assert_eq!(p.empty[0]["chamber"], json!(0));
    listed["evidence"]["empty"][0]["point"] = json!(0);
    rejected_with(&inst, &listed, "on the hyperplane of point 0 is chamber 3");
    // A second entry for the same flip.
    let mut again = c.clone();
    let first = p.empty[0].clone();
    again["evidence"]["empty"]
        .as_array_mut()
        .unwrap()
        .push(first);
    rejected_with(&inst, &again, "prove the same flip");
}

// ------------------------------------------------------------ other shapes

#[test]
fn linear_has_one_chamber() {
    let inst = instance(&toml(
        &[1, 1, 1],
        "linear",
        [false, true],
        "hinge",
        &[vec![1], vec![1]],
        &[1, -1],
        "",
    ));
    let e = json!({"kind": "width-optimum", "width": 3,
        "chambers": [{"signs": "00", "witness": ["0"]}], "empty": [],
        "duals": [{"lambda": ["1", "1"], "pairs": all_pairs(1)}],
        "witness": {"units": [{"pair": 0, "u": ["0"]}], "c": "0"}});
    let c = cert(&inst, "global-optimum", "1", e);
    let also: Vec<_> = (1..=4)
        .map(|w| (json!("1"), json!(w), Value::Null))
        .collect();
    mutants_fail(&inst, &c, &also);
}

#[test]
fn too_many_sets_are_rejected_with_the_count() {
    let xs: Vec<Vec<i64>> = (1..=10).map(|x| vec![x]).collect();
    let inst = instance(&toml(
        &[1, 10, 1],
        "relu",
        [true, true],
        "hinge",
        &xs,
        &[1; 10],
        "",
    ));
    let xt: Vec<[i64; 2]> = (1..=10).map(|x| [x, 1]).collect();
    let p = plane(&xt);
    assert_eq!(p.chambers.len(), 20);
    let e = json!({"kind": "width-optimum", "width": 10, "chambers": chambers_json(&p),
        "empty": p.empty.clone(),
        "duals": [{"lambda": vec!["0"; 10], "pairs": all_pairs(20)}],
        "witness": {"units": [], "c": "1"}});
    let c = cert(&inst, "global-optimum", "0", e);
    rejected_with(
        &inst,
        &c,
        "C(40, 10) = 847660528 sets of pairs exceed the limit MAX_SETS = 50000000",
    );
    assert_eq!(relucert_check::MAX_SETS, 50_000_000);
}

#[test]
fn out_of_scope_is_rejected() {
    let e = json!({"kind": "width-optimum", "width": 1,
        "chambers": [{"signs": "0", "witness": ["0"]}], "empty": [],
        "duals": [{"lambda": ["1"], "pairs": all_pairs(1)}],
        "witness": {"units": [], "c": "0"}});
    let deep = instance(
        &toml(
            &[1, 1, 1, 1],
            "linear",
            [false, false],
            "hinge",
            &[vec![0]],
            &[1],
            "",
        )
        .replace("bias = [false, false]", "bias = false"),
    );
    rejected_with(
        &deep,
        &cert(&deep, "global-optimum", "1", e.clone()),
        "exactly one hidden layer",
    );
    let multi = instance(&toml(
        &[1, 1, 2],
        "linear",
        [false, false],
        "multiclass-hinge",
        &[vec![0]],
        &[1],
        "",
    ));
    rejected_with(
        &multi,
        &cert(&multi, "global-optimum", "1", e.clone()),
        "binary hinge",
    );
    let ok = instance(&toml(
        &[1, 1, 1],
        "linear",
        [false, false],
        "hinge",
        &[vec![0]],
        &[1],
        "",
    ));
    check(&ok, &cert(&ok, "global-optimum", "1", e.clone())).unwrap();
    let mut zero = e;
    zero["width"] = json!(0);
    rejected_with(&ok, &cert(&ok, "global-optimum", "1", zero), "at least 1");
}

// ------------------------------------------------------ function-space-bound

fn fs_cert(inst: &Instance, loss: &str, lambda: Value) -> Value {
    cert(
        inst,
        "global-min",
        loss,
        json!({"kind": "function-space-bound", "lambda": lambda}),
    )
}

#[test]
fn function_space_binary() {
    let point = "\n[point]\nW1 = [[0]]\nb1 = [0]\nW2 = [[0]]\nb2 = [1]\n";
    let inst = instance(&toml(
        &[1, 1, 1],
        "relu",
        [true, true],
        "hinge",
        &[vec![0], vec![0], vec![1]],
        &[1, -1, 1],
        point,
    ));
    let c = fs_cert(&inst, "2/3", json!([["1"], ["1"], ["0"]]));
    mutants_fail(&inst, &c, &[]);
    rejected_with(
        &inst,
        &fs_cert(&inst, "2/3", json!([["1"], ["1/2"], ["1/2"]])),
        "does not cancel",
    );
}

#[test]
fn function_space_multiclass() {
    let point = "\n[point]\nW1 = [[0]]\nb1 = [0]\nW2 = [[0], [0], [0]]\nb2 = [0, 0, 0]\n";
    for (loss, value, l) in [
        ("crammer-singer", "1", "1/2"),
        ("multiclass-hinge", "2", "1"),
    ] {
        let inst = instance(&toml(
            &[1, 1, 3],
            "leaky",
            [true, true],
            loss,
            &[vec![0], vec![0], vec![0]],
            &[0, 1, 2],
            point,
        ));
        let c = fs_cert(&inst, value, json!([["0", l, l], [l, "0", l], [l, l, "0"]]));
        mutants_fail(&inst, &c, &[]);
    }
}

// ----------------------------------------------------------------- proptest

/// A width-optimum certificate of loss 0 for all-positive labels (the
/// constant 1, lambda = 0 on every pair), with the chambers of `p`.
fn zero_loss(p: &Plane, skip: Option<usize>) -> Value {
    let keep = |c: usize| Some(c) != skip;
    let renumber = |c: usize| c - usize::from(skip.is_some_and(|s| c > s));
    let chambers: Vec<Value> = chambers_json(p)
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(c, _)| keep(*c))
        .map(|(_, v)| v.clone())
        .collect();
    let empty: Vec<Value> = p
        .empty
        .iter()
        .filter(|e| keep(e["chamber"].as_u64().unwrap() as usize))
        .map(|e| {
            let mut e = e.clone();
            e["chamber"] = json!(renumber(e["chamber"].as_u64().unwrap() as usize));
            e
        })
        .collect();
    let n = p.chambers[0].0.len();
    json!({"kind": "width-optimum", "width": 2, "chambers": chambers, "empty": empty,
        "duals": [{"lambda": vec!["0"; n], "pairs": all_pairs(chambers.len())}],
        "witness": {"units": [], "c": "1"}})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The brute-force chambers are accepted (and number twice the lines,
    /// Zaslavsky in the plane); without any one of them the certificate is
    /// rejected.
    #[test]
    fn a_missing_chamber_is_rejected(
        one_d in any::<bool>(),
        leaky in any::<bool>(),
        xs in prop::collection::vec((-2i64..=2, -2i64..=2), 1..=5),
    ) {
        let (dim, xt): (usize, Vec<[i64; 2]>) = if one_d {
            (1, xs.iter().map(|&(a, _)| [a, 1]).collect())
        } else {
            (2, xs.iter().map(|&(a, b)| [a, b]).collect())
        };
        let rows: Vec<Vec<i64>> = xt.iter().map(|v| v[..dim].to_vec()).collect();
        let act = if leaky { "leaky" } else { "relu" };
        let inst = instance(&toml(&[dim, 2, 1], act, [one_d, true], "hinge", &rows, &vec![1; xt.len()], ""));
        let p = plane(&xt);
        let mut lines: Vec<[i64; 2]> = Vec::new();
        for v in xt.iter().filter(|v| **v != [0, 0]) {
            if !lines.iter().any(|l| cross2(*l, *v) == 0) {
                lines.push(*v);
            }
        }
        prop_assert_eq!(p.chambers.len(), (2 * lines.len()).max(1));
        let full = cert(&inst, "global-optimum", "0", zero_loss(&p, None));
        prop_assert_eq!(check(&inst, &full), Ok(()));
        for c in 0..p.chambers.len() {
            let part = cert(&inst, "global-optimum", "0", zero_loss(&p, Some(c)));
            let err = check(&inst, &part).expect_err("a missing chamber is accepted");
            prop_assert!(err.contains("flip closure") || err.contains("no chamber"), "{}", err);
        }
    }
}

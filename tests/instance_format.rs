//! The reader against FORMAT.md's promises, checked through facts that do
//! not depend on relucert's own reader: the same instance written as TOML and
//! as JSON reads the same; decimal spellings are exact; number spellings of
//! FORMAT.md give the values written by hand below.

mod common;

use num_bigint::BigInt;
use relucert::instance::{parse, Syntax};
use relucert::number::Q;

fn q(p: i64, d: i64) -> Q {
    Q::new(BigInt::from(p), BigInt::from(d))
}

/// TOML value -> JSON value (strings stay strings, integers become JSON
/// integers, booleans and arrays and tables map across).
fn to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        other => panic!("fixtures hold no {other:?}"),
    }
}

#[test]
fn toml_and_json_spellings_of_every_fixture_read_the_same() {
    let mut n = 0;
    for path in common::fixture_paths() {
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let from_toml = parse(&text, Syntax::Toml, "a.toml").unwrap();
        let json = to_json(&toml::from_str::<toml::Value>(&text).unwrap()).to_string();
        let from_json = parse(&json, Syntax::Json, "a.json").unwrap();
        assert_eq!(from_toml, from_json, "{}", path.display());
        n += 1;
    }
    assert!(n >= 8);
}

const BASE: &str = r#"
[network]
widths = [1, 1]
activation = "linear"
bias = false
[loss]
kind = "hinge"
[data]
x = [[X]]
y = [1]
"#;

#[test]
fn number_spellings_are_exact() {
    let cases: &[(&str, Q)] = &[
        ("\"3\"", q(3, 1)),
        ("\"-3\"", q(-3, 1)),
        ("\"3/4\"", q(3, 4)),
        ("\"-3/4\"", q(-3, 4)),
        ("\"0.125\"", q(1, 8)),
        ("\"-1.5e-3\"", q(-3, 2000)),
        ("\"2E4\"", q(20000, 1)),
        ("\"0.1\"", q(1, 10)),
        ("3", q(3, 1)),
        ("-7", q(-7, 1)),
        ("0x10", q(16, 1)),
        ("1_000", q(1000, 1)),
    ];
    for (text, want) in cases {
        let inst = parse(&BASE.replace('X', text), Syntax::Toml, "t.toml").unwrap();
        assert_eq!(&inst.problem.data.x[0][0], want, "TOML {text}");
    }
    // JSON numbers are read from their decimal text, never through f64:
    // 0.1 is exactly 1/10, and 20 significant digits survive.
    let json = |x: &str| {
        format!(
            r#"{{"network": {{"widths": [1, 1], "activation": "linear", "bias": false}}, "loss": {{"kind": "hinge"}}, "data": {{"x": [[{x}]], "y": [1]}}}}"#
        )
    };
    let inst = parse(&json("0.1"), Syntax::Json, "t.json").unwrap();
    assert_eq!(inst.problem.data.x[0][0], q(1, 10));
    let inst = parse(&json("1.0000000000000000001"), Syntax::Json, "t.json").unwrap();
    let want = Q::new(BigInt::from(10u32).pow(19) + 1, BigInt::from(10u32).pow(19));
    assert_eq!(inst.problem.data.x[0][0], want);
    let inst = parse(&json("-2.5e-3"), Syntax::Json, "t.json").unwrap();
    assert_eq!(inst.problem.data.x[0][0], q(-1, 400));
    let inst = parse(
        &json("123456789012345678901234567890"),
        Syntax::Json,
        "t.json",
    )
    .unwrap();
    assert_eq!(
        inst.problem.data.x[0][0],
        Q::from_integer("123456789012345678901234567890".parse().unwrap())
    );
}

/// Writing an instance and reading it back gives the same instance, for
/// every fixture and for random ones.
#[test]
fn to_toml_round_trips() {
    use relucert::instance::to_toml;
    for path in common::fixture_paths() {
        let syntax = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Syntax::Toml,
            Some("json") => Syntax::Json,
            _ => continue,
        };
        let inst = parse(&std::fs::read_to_string(&path).unwrap(), syntax, "f").unwrap();
        let again = parse(&to_toml(&inst), Syntax::Toml, "written.toml").unwrap();
        assert_eq!(inst, again, "{}", path.display());
    }
}

/// Regression instances (both losses, targets written as integers, strings,
/// decimals and fractions, in TOML and JSON) read to the same exact targets,
/// survive `to_toml`, and so do the generated regression families.
#[test]
fn regression_instances_round_trip() {
    use relucert::gen::{generate, Family};
    use relucert::instance::to_toml;
    for kind in ["absolute", "squared"] {
        let toml_text = format!(
            "[network]\nwidths = [1, 1]\nactivation = \"linear\"\nbias = true\n[loss]\nkind = \"{kind}\"\n\
             [data]\nx = [[\"0\"], [\"1\"], [\"2\"], [\"3\"]]\ny = [3, \"-3/4\", \"0.125\", \"-2e-1\"]\n\
             [point]\nW1 = [[\"1/2\"]]\nb1 = [\"-1\"]\n"
        );
        let json_text = format!(
            r#"{{"network": {{"widths": [1, 1], "activation": "linear", "bias": true}}, "loss": {{"kind": "{kind}"}},
               "data": {{"x": [["0"], ["1"], ["2"], ["3"]], "y": [3, "-3/4", 0.125, "-2e-1"]}},
               "point": {{"W1": [["1/2"]], "b1": ["-1"]}}}}"#
        );
        let a = parse(&toml_text, Syntax::Toml, "r.toml").unwrap();
        let b = parse(&json_text, Syntax::Json, "r.json").unwrap();
        assert_eq!(a, b, "{kind}: TOML and JSON spellings");
        assert_eq!(
            a.problem.data.targets,
            vec![q(3, 1), q(-3, 4), q(1, 8), q(-1, 5)]
        );
        let again = parse(&to_toml(&a), Syntax::Toml, "written.toml").unwrap();
        assert_eq!(a, again, "{kind}: to_toml round trip");
    }
    for name in [
        "squared-kinks",
        "absolute-random",
        "absolute-dead",
        "squared-exact-fit",
    ] {
        let family = Family::parse(name).unwrap();
        for i in 0..20 {
            let inst = generate(family, 3, i).instance;
            let again = parse(&to_toml(&inst), Syntax::Toml, "written.toml").unwrap();
            assert_eq!(inst, again, "{name} {i}");
            assert_eq!(inst.problem.data.targets.len(), inst.problem.data.len());
        }
    }
}

/// The certificate hash covers `canonical_text`, which is written by hand
/// for speed: it must be byte for byte serde_json's compact output of the
/// documented object, on every fixture and on generated instances of every
/// family (leaky slopes, missing biases, multiclass labels, negative and
/// fractional numbers).
#[test]
fn canonical_text_is_serde_jsons_output() {
    use relucert::gen::{generate, Family};
    use relucert::instance::{canonical_text, load, Instance};
    use relucert::number::fmt_q;
    use serde_json::{json, Value};
    fn oracle(inst: &Instance) -> String {
        let qs = |v: &[Q]| Value::Array(v.iter().map(|q| Value::String(fmt_q(q))).collect());
        let p = &inst.problem;
        let alpha = match &p.arch.activation {
            relucert::network::Activation::Leaky(a) => Value::String(fmt_q(a)),
            _ => Value::Null,
        };
        json!({
            "widths": p.arch.widths,
            "activation": p.arch.activation.name(),
            "alpha": alpha,
            "bias": p.arch.bias,
            "loss": p.loss.name(),
            "x": p.data.x.iter().map(|r| qs(r)).collect::<Vec<_>>(),
            // regression: the targets as "p/q" strings under "y"
            "y": if p.loss.is_regression() { qs(&p.data.targets) } else { json!(p.data.y) },
            "point": inst.point.as_ref().map(|pt| qs(&pt.flat())),
        })
        .to_string()
    }
    let mut instances: Vec<Instance> = common::fixture_paths()
        .iter()
        .map(|p| load(p).expect("fixtures load"))
        .collect();
    for family in Family::ALL {
        for i in 0..10 {
            instances.push(generate(family, 5, i).instance);
        }
    }
    let mut without_point = instances[0].clone();
    without_point.point = None;
    instances.push(without_point);
    for inst in &instances {
        assert_eq!(canonical_text(inst), oracle(inst), "{:?}", inst.name);
    }
}

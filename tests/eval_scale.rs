//! Exact evaluation at scale (issue 18): `Problem::evaluate_points` (batched
//! integer passes with an overflow bound, parallel over points) against the
//! tests' own plain-rational forward pass (`tests/common/oracle.rs`: no
//! library evaluation), for every loss kind and activation, with small
//! rationals (many exact zeros and ties), huge numerators (past i128, so
//! the batch falls back to BigInt) and N large enough to run in parallel.
//! Also: the decimal reader's small-number path against a plain BigInt
//! reading of the same digits, and `relucert eval` on a generated file.

mod common;

use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use relucert::instance::Instance;
use relucert::network::{
    Activation, Architecture, Data, LossKind, Params, PointsEvaluation, Problem, Sign,
};
use relucert::number::{parse_rational, Q};

fn q(p: i64, d: i64) -> Q {
    Q::new(BigInt::from(p), BigInt::from(d))
}

/// A deterministic xorshift so the large cases are the same every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn small(&mut self) -> Q {
        q((self.next() % 7) as i64 - 3, (self.next() % 3) as i64 + 1)
    }
}

fn sign(v: &Q) -> Sign {
    if v.is_negative() {
        Sign::Neg
    } else if v.is_zero() {
        Sign::Zero
    } else {
        Sign::Pos
    }
}

/// The network cut after hidden layer `l` (1-based) and its flat
/// parameters (FORMAT.md's order): its output is the oracle's
/// pre-activations of layer `l`.
fn cut(inst: &Instance, theta: &[Q], l: usize) -> (Instance, Vec<Q>) {
    let arch = &inst.problem.arch;
    let mut c = inst.clone();
    c.problem.data = Data::labelled(Vec::new(), Vec::new());
    c.problem.arch = Architecture {
        widths: arch.widths[..=l].to_vec(),
        activation: arch.activation.clone(),
        bias: arch.bias[..l].to_vec(),
    };
    let n: usize = (1..=l)
        .map(|k| {
            arch.widths[k - 1] * arch.widths[k] + usize::from(arch.bias[k - 1]) * arch.widths[k]
        })
        .sum();
    (c, theta[..n].to_vec())
}

/// Every fact `evaluate_points` reports, checked against the oracle.
fn check(inst: &Instance) -> Result<(), TestCaseError> {
    let p = &inst.problem;
    let params = inst.point.clone().expect("the test builds a point");
    let theta = params.flat();
    let ev: PointsEvaluation = p.evaluate_points(&params);
    prop_assert_eq!(&ev.loss, &common::oracle::loss(inst, &theta));
    prop_assert_eq!(ev.points.len(), p.data.len());
    let hidden = p.arch.hidden_layers();
    let cuts: Vec<(Instance, Vec<Q>)> = (1..=hidden).map(|l| cut(inst, &theta, l)).collect();
    for (i, pt) in ev.points.iter().enumerate() {
        let x = &p.data.x[i];
        let f = common::oracle::output(inst, &theta, x);
        prop_assert_eq!(&pt.output, &f, "output at point {}", i);
        for (l, (c, ct)) in cuts.iter().enumerate() {
            let want: Vec<Sign> = common::oracle::output(c, ct, x).iter().map(sign).collect();
            prop_assert_eq!(
                &ev.signature.hidden[l][i],
                &want,
                "signs of layer {} at point {}",
                l + 1,
                i
            );
        }
        // the point's own loss and hinge arguments, from FORMAT.md
        let one = Q::from_integer(1.into());
        let pos = |v: Q| if v.is_positive() { v } else { Q::zero() };
        let y = p.data.y[i];
        let (margin, args): (Q, Vec<(Option<usize>, Q)>) = match p.loss {
            LossKind::Hinge => {
                let m = Q::from_integer(y.into()) * &f[0];
                (m.clone(), vec![(None, &one - m)])
            }
            LossKind::Absolute | LossKind::Squared => {
                let r = &f[0] - p.data.target(i);
                let t = if p.loss == LossKind::Absolute {
                    vec![(None, r.clone())]
                } else {
                    vec![]
                };
                (r, t)
            }
            _ => {
                let yc = y as usize;
                let best = (0..f.len())
                    .filter(|&k| k != yc)
                    .map(|k| f[k].clone())
                    .max()
                    .expect("K >= 2");
                let m = &f[yc] - &best;
                let t = if p.loss == LossKind::MulticlassHinge {
                    (0..f.len())
                        .filter(|&k| k != yc)
                        .map(|k| (Some(k), &one + &f[k] - &f[yc]))
                        .collect()
                } else {
                    let top: Vec<usize> =
                        (0..f.len()).filter(|&k| k != yc && f[k] == best).collect();
                    prop_assert_eq!(pt.argmax.as_ref(), Some(&top));
                    vec![(None, &one - &m)]
                };
                (m, t)
            }
        };
        prop_assert_eq!(&pt.margin, &margin);
        let got: Vec<(Option<usize>, Q)> = pt
            .terms
            .iter()
            .map(|t| (t.class, t.argument.clone()))
            .collect();
        prop_assert_eq!(&got, &args);
        let want_loss = match p.loss {
            LossKind::Absolute => margin.abs(),
            LossKind::Squared => &margin * &margin,
            _ => args.iter().fold(Q::zero(), |s, (_, a)| s + pos(a.clone())),
        };
        prop_assert_eq!(&pt.loss, &want_loss);
        let hs: Vec<(Option<usize>, Sign)> = args.iter().map(|(c, a)| (*c, sign(a))).collect();
        prop_assert_eq!(&ev.signature.hinge[i], &hs);
    }
    Ok(())
}

fn instance(
    widths: Vec<usize>,
    act: Activation,
    loss: LossKind,
    n: usize,
    seed: u64,
    huge: bool,
) -> Instance {
    let mut rng = Rng(seed | 1);
    let depth = widths.len() - 1;
    let arch = Architecture {
        widths: widths.clone(),
        activation: act,
        bias: vec![true; depth],
    };
    let k = widths[depth];
    let x: Vec<Vec<Q>> = (0..n)
        .map(|_| (0..widths[0]).map(|_| rng.small()).collect())
        .collect();
    let y: Vec<i64> = (0..n)
        .map(|_| match loss {
            LossKind::Hinge => {
                if rng.next() % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => (rng.next() % k as u64) as i64,
            _ => 0,
        })
        .collect();
    let mut data = Data::labelled(x, y);
    if loss.is_regression() {
        data.targets = (0..n).map(|_| rng.small()).collect();
    }
    let mut flat: Vec<Q> = (0..arch.num_params()).map(|_| rng.small()).collect();
    if huge {
        // numerators past i128 in the first layer (and a huge denominator):
        // no batch fits, every point goes the BigInt way
        let big = BigInt::from(3).pow(90u32);
        flat[0] = Q::new(big.clone() + 1, BigInt::from(7));
        flat[1] = Q::new(BigInt::from(-5), big);
    }
    let params = Params::from_flat(&arch, &flat).expect("num_params entries");
    Instance {
        name: None,
        source: None,
        problem: Problem { arch, loss, data },
        point: Some(params),
        expect: None,
    }
}

fn kinds() -> impl Strategy<Value = LossKind> {
    prop_oneof![
        Just(LossKind::Hinge),
        Just(LossKind::MulticlassHinge),
        Just(LossKind::CrammerSinger),
        Just(LossKind::Absolute),
        Just(LossKind::Squared),
    ]
}

fn activations() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Relu),
        Just(Activation::Leaky(q(1, 4))),
        Just(Activation::Leaky(q(2, 3))),
        Just(Activation::Linear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Small and medium data sets, every loss kind and activation, with and
    /// without numerators past i128.
    #[test]
    fn batched_evaluation_matches_the_plain_rational_oracle(
        kind in kinds(),
        act in activations(),
        hidden in prop::collection::vec(1usize..4, 1..3),
        d in 1usize..4,
        n in 1usize..600,
        seed in any::<u64>(),
        huge in any::<bool>(),
    ) {
        let out = if matches!(kind, LossKind::MulticlassHinge | LossKind::CrammerSinger) { 3 } else { 1 };
        let mut widths = vec![d];
        widths.extend(hidden);
        widths.push(out);
        check(&instance(widths, act, kind, n, seed, huge))?;
    }
}

/// N past the parallel threshold (4096), two hidden layers: the batches
/// run on rayon's threads and must be assembled in point order; one case
/// with huge numerators (every batch falls back), one without.
#[test]
fn parallel_evaluation_matches_the_oracle() {
    for (kind, huge) in [
        (LossKind::Hinge, false),
        (LossKind::CrammerSinger, false),
        (LossKind::Hinge, true),
    ] {
        let out = if kind == LossKind::Hinge { 1 } else { 3 };
        let inst = instance(
            vec![3, 4, 3, out],
            Activation::Leaky(q(1, 5)),
            kind,
            5000,
            0x5eed,
            huge,
        );
        check(&inst).expect("agrees with the oracle");
    }
}

/// The evaluation does not depend on the thread count: one thread and the
/// default pool give the same result.
#[test]
fn same_result_on_one_thread() {
    let inst = instance(
        vec![2, 5, 1],
        Activation::Relu,
        LossKind::Hinge,
        9000,
        77,
        false,
    );
    let params = inst.point.clone().expect("a point");
    let many = inst.problem.evaluate_points(&params);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let one = pool.install(|| inst.problem.evaluate_points(&params));
    assert_eq!(many, one);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The decimal reader (its u64 path for short decimals) gives the
    /// value of the digits read as one big integer over a power of ten.
    #[test]
    fn short_decimals_read_exactly(
        neg in any::<bool>(),
        int in "[0-9]{0,12}",
        frac in "[0-9]{0,12}",
        exp in prop::option::of(-20i32..20),
    ) {
        prop_assume!(!(int.is_empty() && frac.is_empty()));
        let mut text = format!("{}{}", if neg { "-" } else { "" }, int);
        if !frac.is_empty() { text = format!("{text}.{frac}"); }
        if let Some(e) = exp { text = format!("{text}e{e}"); }
        let digits = BigInt::parse_bytes(format!("0{int}{frac}").as_bytes(), 10).expect("digits");
        let e = exp.unwrap_or(0) as i64 - frac.len() as i64;
        let ten = BigInt::from(10);
        let mut want = if e >= 0 {
            Q::from_integer(digits * ten.pow(e as u32))
        } else {
            Q::new(digits, ten.pow((-e) as u32))
        };
        if neg { want = -want; }
        let got = parse_rational(&text).expect("a valid decimal");
        prop_assert_eq!(got.numer(), want.numer());
        prop_assert_eq!(got.denom(), want.denom());
    }
}

/// `relucert eval FILE --json` on a generated JSON file past the parallel
/// threshold: the loss the oracle computes, and every key the command has
/// always printed.
#[test]
fn cli_eval_json_at_scale() {
    let inst = instance(
        vec![3, 6, 1],
        Activation::Relu,
        LossKind::Hinge,
        6000,
        99,
        false,
    );
    let p = &inst.problem;
    let params = inst.point.clone().expect("a point");
    let s = |v: &Q| format!("\"{v}\"");
    let rows: Vec<String> = p
        .data
        .x
        .iter()
        .map(|r| format!("[{}]", r.iter().map(s).collect::<Vec<_>>().join(",")))
        .collect();
    let mut point = Vec::new();
    for (l, layer) in params.layers.iter().enumerate() {
        let w: Vec<String> = layer
            .w
            .iter()
            .map(|r| format!("[{}]", r.iter().map(s).collect::<Vec<_>>().join(",")))
            .collect();
        point.push(format!("\"W{}\":[{}]", l + 1, w.join(",")));
        let b = layer.b.as_ref().expect("biases");
        point.push(format!(
            "\"b{}\":[{}]",
            l + 1,
            b.iter().map(s).collect::<Vec<_>>().join(",")
        ));
    }
    let text = format!(
        "{{\"network\":{{\"widths\":[3,6,1],\"activation\":\"relu\",\"bias\":true}},\"loss\":{{\"kind\":\"hinge\"}},\"data\":{{\"x\":[{}],\"y\":{:?}}},\"point\":{{{}}}}}",
        rows.join(","),
        p.data.y,
        point.join(",")
    );
    let dir = std::env::temp_dir().join(format!("relucert-eval-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("scale.json");
    std::fs::write(&file, text).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(["eval", "--json"])
        .arg(&file)
        .output()
        .expect("run relucert");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let want = common::oracle::loss(&inst, &params.flat());
    assert_eq!(v["loss"].as_str(), Some(want.to_string().as_str()));
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "file",
            "name",
            "loss",
            "points",
            "signature",
            "zero_entries",
            "expect"
        ]
    );
    let pt = &v["points"][5999];
    for k in [
        "index",
        "label",
        "output",
        "margin",
        "loss",
        "hinge_arguments",
        "argmax",
    ] {
        assert!(pt.get(k).is_some(), "point key {k}");
    }
    let f = common::oracle::output(&inst, &params.flat(), &p.data.x[5999]);
    assert_eq!(pt["output"][0].as_str(), Some(f[0].to_string().as_str()));
    let _ = std::fs::remove_dir_all(&dir);
}

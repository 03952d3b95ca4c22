//! The path-lifting bound (THEORY 9, last bullet; `relucert::path_lifting`,
//! certificate kind `path-lifting-bound`) and the verdicts it gives:
//!
//! - all units strictly dead, output bias at the best constant, for all five
//!   losses (oracles: squared the mean; absolute the best data target, a
//!   median; hinge the better of -1 and 1; the multiclass hinges the best
//!   of the integer grid {0..K-1}^K, argued in tests/function_space.rs):
//!   `verify` says local-min or global-min, the checker accepts, every
//!   single-number mutation is rejected, and exact probing at radii
//!   1e-4 .. 1e-30 finds no lower loss;
//! - all units strictly active with the best affine map embedded (1-D
//!   data; oracles: squared the closed-form regression line; absolute and
//!   hinge the best line through two vertices of the line arrangement,
//!   brute force): the same assertions;
//! - a point with a zero pre-activation (two completions, two feature
//!   matrices), proven by hand: the best line passes through the kink's point.

mod common;

use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use relucert::instance::Instance;
use relucert::network::{Activation, Architecture, Data, LossKind, Params, Problem};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use serde_json::Value;

fn qi(n: i64) -> Q {
    Q::from_integer(n.into())
}

fn inst(problem: Problem, params: Params) -> Instance {
    Instance {
        name: Some("path lifting".into()),
        source: None,
        problem,
        point: Some(params),
        expect: None,
    }
}

/// Every rational or index in the evidence, by path.
fn numbers(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Value::String(k.clone()));
                numbers(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Value::from(i));
                numbers(x, path, out);
                path.pop();
            }
        }
        Value::String(_) | Value::Number(_) => out.push(path.clone()),
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

/// Every single-number mutation of the evidence (and the loss) is rejected.
pub fn assert_mutations_rejected(inst: &Instance, cert: &Value) {
    let mut paths = Vec::new();
    numbers(
        &cert["evidence"],
        &mut vec![Value::from("evidence")],
        &mut paths,
    );
    paths.push(vec![Value::from("loss")]);
    for path in &paths {
        for delta in [qi(1), Q::new(1.into(), 7.into()), qi(-1)] {
            let mut m = cert.clone();
            let slot = at(&mut m, path);
            *slot = match &*slot {
                Value::String(s) => {
                    let Ok(q) = relucert::number::parse_rational(s) else {
                        continue;
                    };
                    let q = q + &delta;
                    Value::String(relucert::number::fmt_q(&q))
                }
                Value::Number(n) if delta == qi(1) => Value::from(n.as_u64().unwrap() + 1),
                _ => continue,
            };
            assert!(
                relucert_check::check(inst, &m).is_err(),
                "mutant {path:?} by {delta} accepted"
            );
        }
    }
}

/// A tiny deterministic generator (splitmix64) for probing directions.
fn next(s: &mut u64) -> u64 {
    *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Exact probing: no point `theta* + r d` (random d in [-1, 1]^P, r =
/// 10^-4 .. 10^-30) has lower loss.
fn assert_probe(inst: &Instance, loss: &Q, seed: u64) {
    let params = inst.point.as_ref().unwrap();
    let theta = params.flat();
    let mut s = seed;
    for e in [4u32, 8, 12, 20, 30] {
        let r = Q::new(1.into(), num_bigint::BigInt::from(10).pow(e));
        for _ in 0..12 {
            let moved: Vec<Q> = theta
                .iter()
                .map(|t| t + &r * Q::new(((next(&mut s) % 201) as i64 - 100).into(), 100.into()))
                .collect();
            let p = Params::from_flat(&inst.problem.arch, &moved).unwrap();
            let l = inst.problem.loss(&p);
            assert!(l >= *loss, "lower loss at radius 1e-{e}");
        }
    }
}

/// `verify` proves a minimum, the checker accepts, mutations are rejected,
/// probing finds nothing lower.
fn assert_minimum(inst: &Instance, seed: u64) -> relucert::cert::EvidenceKind {
    let out = verify(inst, &Limits::default()).unwrap();
    assert!(
        matches!(out.verdict, Verdict::LocalMin | Verdict::GlobalMin),
        "{}: {:?} {}",
        relucert::instance::to_toml(inst),
        out.verdict,
        out.reason
    );
    let cert = out.certificate.unwrap();
    let json = cert.to_json();
    relucert_check::check(inst, &json).expect("certificate accepted");
    let kind = cert.evidence.kind();
    eprintln!("KIND {}", kind.name());
    if matches!(
        kind.name(),
        "path-lifting-bound" | "linear-regression-bound"
    ) {
        assert_mutations_rejected(inst, &json);
    }
    assert_probe(inst, &out.loss, seed);
    kind
}

fn data_for(kind: LossKind, x: Vec<Vec<Q>>, raw: &[i64], classes: usize) -> Data {
    match kind {
        LossKind::Absolute | LossKind::Squared => {
            Data::regression(x, raw.iter().map(|&t| Q::new(t.into(), 2.into())).collect())
        }
        LossKind::Hinge => Data::labelled(
            x,
            raw.iter()
                .map(|&t| if t % 2 == 0 { 1 } else { -1 })
                .collect(),
        ),
        _ => Data::labelled(
            x,
            raw.iter().map(|&t| t.rem_euclid(classes as i64)).collect(),
        ),
    }
}

/// The exact loss of the constant output `c` (independent of the library).
fn constant_loss(kind: LossKind, data: &Data, c: &[Q]) -> Q {
    let n = qi(data.len() as i64);
    let mut total = Q::zero();
    for i in 0..data.len() {
        let y = data.y[i];
        total += match kind {
            LossKind::Squared => (&c[0] - data.target(i)) * (&c[0] - data.target(i)),
            LossKind::Absolute => (&c[0] - data.target(i)).abs(),
            LossKind::Hinge => (Q::one() - qi(y) * &c[0]).max(Q::zero()),
            LossKind::MulticlassHinge => (0..c.len())
                .filter(|&k| k as i64 != y)
                .map(|k| (Q::one() + &c[k] - &c[y as usize]).max(Q::zero()))
                .fold(Q::zero(), |a, b| a + b),
            _ => (0..c.len())
                .filter(|&k| k as i64 != y)
                .map(|k| (Q::one() + &c[k] - &c[y as usize]).max(Q::zero()))
                .max()
                .unwrap_or_else(Q::zero),
        };
    }
    total / n
}

/// The best constant output, by the oracles of the module documentation.
fn best_constant(kind: LossKind, data: &Data, classes: usize) -> Vec<Q> {
    let candidates: Vec<Vec<Q>> = match kind {
        LossKind::Squared => {
            let n = qi(data.len() as i64);
            vec![vec![
                (0..data.len())
                    .map(|i| data.target(i))
                    .fold(Q::zero(), |a, b| a + b)
                    / n,
            ]]
        }
        LossKind::Absolute => (0..data.len()).map(|i| vec![data.target(i)]).collect(),
        LossKind::Hinge => vec![vec![qi(-1)], vec![qi(1)]],
        _ => {
            let mut all = vec![vec![]];
            for _ in 0..classes {
                all = all
                    .into_iter()
                    .flat_map(|p: Vec<Q>| {
                        (0..classes as i64).map(move |v| {
                            let mut p = p.clone();
                            p.push(qi(v));
                            p
                        })
                    })
                    .collect();
            }
            all
        }
    };
    candidates
        .into_iter()
        .min_by(|a, b| constant_loss(kind, data, a).cmp(&constant_loss(kind, data, b)))
        .unwrap()
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(23), ..ProptestConfig::default() })]

    /// All units strictly dead, the output bias at the best constant.
    #[test]
    fn all_dead_at_the_best_constant_is_a_minimum(
        kind in kinds(),
        d in 1usize..=2,
        m in 1usize..=3,
        depth2 in any::<bool>(),
        xs in proptest::collection::vec(proptest::collection::vec(-4i64..=4, 2), 3..=6),
        raw in proptest::collection::vec(-6i64..=6, 6),
        w in proptest::collection::vec(-3i64..=3, 12),
        v in proptest::collection::vec(-3i64..=3, 12),
    ) {
        let classes = if matches!(kind, LossKind::MulticlassHinge | LossKind::CrammerSinger) { 3 } else { 1 };
        let x: Vec<Vec<Q>> = xs.iter().map(|r| r[..d].iter().map(|&a| qi(a)).collect()).collect();
        let data = data_for(kind, x.clone(), &raw[..x.len()], classes);
        let mut widths = vec![d, m];
        if depth2 { widths.push(2); }
        widths.push(classes);
        let arch = Architecture { widths: widths.clone(), activation: Activation::Relu, bias: vec![true; widths.len() - 1] };
        let c = best_constant(kind, &data, classes);
        // first layer: b below -|w . x| for every point, so every unit is dead
        let mut layers = Vec::new();
        for l in 1..widths.len() {
            let wmat: Vec<Vec<Q>> = (0..widths[l]).map(|j| (0..widths[l - 1]).map(|k| qi(w[(j * 3 + k) % 12])).collect()).collect();
            let b: Vec<Q> = if l == 1 {
                wmat.iter().map(|row| {
                    let most = x.iter().map(|xi| row.iter().zip(xi).fold(Q::zero(), |a, (p, q)| a + p * q).abs()).max().unwrap();
                    -most - Q::one()
                }).collect()
            } else if l + 1 == widths.len() {
                c.clone()
            } else {
                // nonzero: a hidden layer above dead units is constant, and
                // a zero there would tie every point's side (path lifting
                // relaxes the sides per point and then proves nothing)
                (0..widths[l]).map(|j| if v[j % 12] == 0 { qi(1) } else { qi(v[j % 12]) }).collect()
            };
            let wmat: Vec<Vec<Q>> = if l + 1 == widths.len() { (0..widths[l]).map(|j| (0..widths[l - 1]).map(|k| qi(v[(j + k + 3) % 12])).collect()).collect() } else { wmat };
            // the output bias makes the (constant) output exactly c: above
            // the dead first layer, hidden layer 2 outputs relu(b2)
            let b = if l + 1 == widths.len() && l == 3 {
                let prev: Vec<Q> = layers.last().map(|p: &relucert::network::LayerParams| p.b.clone().unwrap()).unwrap().iter().map(|z| z.clone().max(Q::zero())).collect();
                b.iter().zip(&wmat).map(|(ck, row)| ck - row.iter().zip(&prev).fold(Q::zero(), |a, (p, q)| a + p * q)).collect()
            } else { b };
            layers.push(relucert::network::LayerParams { w: wmat, b: Some(b) });
        }
        let params = Params { layers };
        let problem = Problem { arch, loss: kind, data: data.clone() };
        let inst = inst(problem, params);
        prop_assert_eq!(inst.problem.loss(inst.point.as_ref().unwrap()), constant_loss(kind, &data, &c));
        assert_minimum(&inst, raw[0] as u64 + 7);
    }

    /// All units strictly active, the best affine map embedded (1-D data).
    #[test]
    fn all_active_at_the_best_affine_map_is_a_minimum(
        kind in prop_oneof![Just(LossKind::Hinge), Just(LossKind::Absolute), Just(LossKind::Squared)],
        act in prop_oneof![Just(Activation::Relu), Just(Activation::Leaky(Q::new(1.into(), 3.into())))],
        m in 1usize..=3,
        xs in proptest::collection::btree_set(-5i64..=5, 3..=6),
        raw in proptest::collection::vec(-6i64..=6, 6),
    ) {
        let x: Vec<Vec<Q>> = xs.iter().map(|&a| vec![qi(a)]).collect();
        let data = data_for(kind, x.clone(), &raw[..x.len()], 1);
        let (a, c) = best_line(kind, &data);
        let arch = Architecture { widths: vec![1, m, 1], activation: act, bias: vec![true, true] };
        let lo = xs.iter().next().copied().unwrap();
        // units j: pre = (j+1) (x - lo) + 1 > 0; output weights a on unit 0
        let w1: Vec<Vec<Q>> = (0..m).map(|j| vec![qi(j as i64 + 1)]).collect();
        let b1: Vec<Q> = (0..m).map(|j| qi(1 - (j as i64 + 1) * lo)).collect();
        let mut w2 = vec![Q::zero(); m];
        w2[0] = a.clone();
        let b2 = &c - &a * &b1[0];
        let params = Params { layers: vec![
            relucert::network::LayerParams { w: w1, b: Some(b1) },
            relucert::network::LayerParams { w: vec![w2], b: Some(vec![b2]) },
        ] };
        let problem = Problem { arch, loss: kind, data: data.clone() };
        let inst = inst(problem, params);
        prop_assert_eq!(inst.problem.loss(inst.point.as_ref().unwrap()), line_loss(kind, &data, &a, &c));
        assert_minimum(&inst, raw[1] as u64 + 11);
    }
}

/// The exact loss of the line `a x + c` on 1-D data.
fn line_loss(kind: LossKind, data: &Data, a: &Q, c: &Q) -> Q {
    let n = qi(data.len() as i64);
    (0..data.len())
        .map(|i| {
            let f = a * &data.x[i][0] + c;
            match kind {
                LossKind::Squared => (&f - data.target(i)) * (&f - data.target(i)),
                LossKind::Absolute => (&f - data.target(i)).abs(),
                _ => (Q::one() - qi(data.y[i]) * f).max(Q::zero()),
            }
        })
        .fold(Q::zero(), |s, v| s + v)
        / n
}

/// The best line: squared by the closed form; absolute and hinge by brute
/// force over the vertices of the arrangement of the lines
/// `a x_i + c = t_i` (`y_i (a x_i + c) = 1`) in the (a, c) plane.
fn best_line(kind: LossKind, data: &Data) -> (Q, Q) {
    let n = data.len();
    let xs: Vec<Q> = (0..n).map(|i| data.x[i][0].clone()).collect();
    if kind == LossKind::Squared {
        let nq = qi(n as i64);
        let mx = xs.iter().fold(Q::zero(), |a, b| a + b) / &nq;
        let mt = (0..n).map(|i| data.target(i)).fold(Q::zero(), |a, b| a + b) / &nq;
        let sxy = (0..n).fold(Q::zero(), |s, i| {
            s + (&xs[i] - &mx) * (data.target(i) - &mt)
        });
        let sxx = (0..n).fold(Q::zero(), |s, i| s + (&xs[i] - &mx) * (&xs[i] - &mx));
        let a = sxy / sxx;
        return (a.clone(), mt - a * mx);
    }
    // the value line i passes through at x_i: t_i, or 1 / y_i
    let level = |i: usize| {
        if kind == LossKind::Absolute {
            data.target(i)
        } else {
            Q::one() / qi(data.y[i])
        }
    };
    let mut best: Option<(Q, Q, Q)> = None;
    for i in 0..n {
        for j in 0..n {
            if xs[i] == xs[j] {
                continue;
            }
            let a = (level(j) - level(i)) / (&xs[j] - &xs[i]);
            let c = level(i) - &a * &xs[i];
            let l = line_loss(kind, data, &a, &c);
            if best.as_ref().is_none_or(|b| l < b.0) {
                best = Some((l, a, c));
            }
        }
    }
    let (_, a, c) = best.unwrap();
    (a, c)
}

/// A zero pre-activation: unit B (pre = x) is 0 at x = 0 and positive on
/// the other points; unit A (pre = x + 1) is active everywhere. The best
/// line t = x + 1/2 passes through the kink's point (0, 1/2), and the other
/// residuals (1, -2, 1) are orthogonal to (1, 1, 1) and (1, 2, 3), so in
/// either completion (B's slope 1 or 0 at x = 0) the least squares over the
/// free path products is the same fit, loss (1 + 4 + 1) / 4 = 3/2.
#[test]
fn a_kink_at_a_point_the_best_line_passes_through() {
    let x: Vec<Vec<Q>> = (0..4).map(|i| vec![qi(i)]).collect();
    let t = vec![
        Q::new(1.into(), 2.into()),
        Q::new(5.into(), 2.into()),
        Q::new(1.into(), 2.into()),
        Q::new(9.into(), 2.into()),
    ];
    let arch = Architecture {
        widths: vec![1, 2, 1],
        activation: Activation::Relu,
        bias: vec![true, true],
    };
    let params = Params {
        layers: vec![
            relucert::network::LayerParams {
                w: vec![vec![qi(1)], vec![qi(1)]],
                b: Some(vec![qi(1), qi(0)]),
            },
            relucert::network::LayerParams {
                w: vec![vec![qi(1), qi(0)]],
                b: Some(vec![Q::new((-1).into(), 2.into())]),
            },
        ],
    };
    let inst = inst(
        Problem {
            arch,
            loss: LossKind::Squared,
            data: Data::regression(x, t),
        },
        params,
    );
    let b = relucert::path_lifting::path_lifting_bound(
        &inst.problem,
        inst.point.as_ref().unwrap(),
        64,
        None,
        &relucert::Deadline::never(),
    )
    .unwrap();
    assert_eq!((b.kinks, b.pieces, b.duals.len()), (1, 2, 2));
    assert_eq!(b.min_value, Q::new(3.into(), 2.into()));
    let kind = assert_minimum(&inst, 5);
    assert_eq!(kind.name(), "path-lifting-bound");
}

fn parse(text: &str) -> Instance {
    relucert::instance::parse(text, relucert::instance::Syntax::Toml, "test.toml").unwrap()
}

/// Tied completions, dead upstream (relu 1-1-1-1, hinge). Layer 1 is
/// strictly dead on every point (pre-activation x - 10 < 0), so layer 2's
/// pre-activation is `b2 + W2 * 0 = 0` at all three points and stays one
/// number near the point: the three zeros are one tie group. Hand proof of
/// the minimum: near the point the network is the constant
/// `c = b3 + W3 relu(b2)` on the data, and with labels (1, 1, -1) the
/// hinge sum `2 max(0, 1 - c) + max(0, 1 + c)` is least, 2, at c = 1 (the
/// slope is -2 + 1 < 0 left of 1 and +1 right of it): L >= 2/3 = L(point).
/// Untied, the completion "point 2 on the + side, the others on -" lets
/// point 2's output move alone, a looser bound (below the loss).
#[test]
fn zeros_behind_a_dead_layer_are_tied() {
    let inst = parse(
        r#"
[network]
widths = [1, 1, 1, 1]
activation = "relu"
bias = true
[loss]
kind = "hinge"
[data]
x = [["0"], ["1"], ["2"]]
y = ["1", "1", "-1"]
[point]
W1 = [["1"]]
b1 = ["-10"]
W2 = [["1"]]
b2 = ["0"]
W3 = [["1"]]
b3 = ["1"]
"#,
    );
    let b = relucert::path_lifting::path_lifting_bound(
        &inst.problem,
        inst.point.as_ref().unwrap(),
        64,
        None,
        &relucert::Deadline::never(),
    )
    .unwrap();
    assert_eq!((b.zeros, b.kinks, b.pieces), (3, 1, 2));
    assert_eq!(b.min_value, Q::new(2.into(), 3.into()));
    let out = verify(&inst, &Limits::default()).unwrap();
    assert_eq!(out.verdict, Verdict::LocalMin, "{}", out.reason);
    let kind = assert_minimum(&inst, 11);
    assert_eq!(kind.name(), "path-lifting-bound");
}

/// Tied completions, a duplicated input with opposite labels (relu
/// 1-3-2-1, hinge): points 1 and 4 are both x = 2, where unit 0 of layer 2
/// has pre-activation exactly 0. Hand proof: points 0, 2, 3 (x = -2, 0,
/// -1) have every layer-1 unit strictly negative (pre-activations x - 1,
/// -1, x/2 - 1/2) and layer 2's biases are -1, so near the point their
/// output is one number c, and `max(0, 1 - c) + 2 max(0, 1 + c) >= 2`;
/// points 1 and 4 share one output f (equal inputs), and
/// `max(0, 1 + f) + max(0, 1 - f) >= 2`. So L >= 4/5 = L(point). Untied,
/// the completion "point 4 active, point 1 dead" frees point 4 alone: its
/// bound is 2/5.
#[test]
fn zeros_of_a_repeated_input_are_tied() {
    let inst = parse(
        r#"
[network]
widths = [1, 3, 2, 1]
activation = "relu"
bias = true
[loss]
kind = "hinge"
[data]
x = [["-2"], ["2"], ["0"], ["-1"], ["2"]]
y = ["1", "-1", "-1", "-1", "1"]
[point]
W1 = [["1"], ["0"], ["1/2"]]
b1 = ["-1", "-1", "-1/2"]
W2 = [["1/2", "1/2", "1"], ["0", "0", "0"]]
b2 = ["-1", "-1"]
W3 = [["-1", "1"]]
b3 = ["-1"]
"#,
    );
    let point = inst.point.as_ref().unwrap();
    let b = relucert::path_lifting::path_lifting_bound(
        &inst.problem,
        point,
        64,
        None,
        &relucert::Deadline::never(),
    )
    .unwrap();
    assert_eq!((b.zeros, b.kinks, b.pieces), (2, 1, 2));
    assert_eq!(b.min_value, Q::new(4.into(), 5.into()));
    let kind = assert_minimum(&inst, 12);
    assert_eq!(kind.name(), "path-lifting-bound");

    // The untied completion the ties rule out is looser: its optimum,
    // from the library's own fit on features built here, is 2/5.
    let problem = &inst.problem;
    let ev = problem.evaluate(point);
    let row = |i: usize, kink_active: bool| {
        relucert::path_lifting::feature_row(problem, &problem.data.x[i], |l, j| {
            let z = &ev.traces[i].pre[l][j];
            let positive = if z.is_zero() {
                kink_active
            } else {
                z.is_positive()
            };
            problem.arch.activation.slope(positive)
        })
    };
    let phi: Vec<Vec<Q>> = (0..5).map(|i| row(i, i == 4)).collect();
    let targets: Vec<Q> = (0..5).map(|i| problem.data.target(i)).collect();
    let fit = relucert::path_lifting::convex_fit(
        problem.loss,
        &phi,
        &problem.data.y,
        &targets,
        1,
        &relucert::Deadline::never(),
    )
    .unwrap();
    assert_eq!(fit.value, Q::new(2.into(), 5.into()));
}

/// Zeros behind a dead layer change no feature (relu 1-1-1-1, hinge):
/// unit 1 of layer 1 has weight and bias 0, so its pre-activation is 0 at
/// all three points, but layer 2's pre-activation is `W2 relu(.) + b2`
/// with `b2 = -1`: strictly negative near the point whatever side layer 1
/// takes. Hand proof: near the point the output is the constant `b3`, and
/// `2 max(0, 1 - c) + max(0, 1 + c) >= 2` (least at c = 1): L >= 2/3 =
/// L(point). The three zeros need no completion: one feature matrix, even
/// with a cap of one piece.
#[test]
fn zeros_behind_a_dead_layer_need_no_completion() {
    let inst = parse(
        r#"
[network]
widths = [1, 1, 1, 1]
activation = "relu"
bias = true
[loss]
kind = "hinge"
[data]
x = [["0"], ["1"], ["2"]]
y = ["1", "1", "-1"]
[point]
W1 = [["0"]]
b1 = ["0"]
W2 = [["3"]]
b2 = ["-1"]
W3 = [["5"]]
b3 = ["1"]
"#,
    );
    let b = relucert::path_lifting::path_lifting_bound(
        &inst.problem,
        inst.point.as_ref().unwrap(),
        1,
        None,
        &relucert::Deadline::never(),
    )
    .unwrap();
    assert_eq!((b.zeros, b.kinks, b.pieces), (0, 0, 1));
    assert_eq!(b.min_value, Q::new(2.into(), 3.into()));
    let kind = assert_minimum(&inst, 13);
    assert_eq!(kind.name(), "path-lifting-bound");
}

//! The first-order guarantee of the arc search, at any depth: whenever a
//! direction with a negative one-sided directional derivative exists (and
//! every piece around the point is enumerated), `verify` must answer
//! `not-local-min` with a certificate the checker accepts, with the probe
//! and without it (`--no-probe`: the first-order LPs alone must find it).
//!
//! The oracle is this file's own exact arithmetic: a dual-number forward
//! pass (value, first-order coefficient) along a ray, with the one-sided
//! rules written out here (a zero pre-activation takes the side of its
//! first-order change, a hinge corner contributes `max(0, .)`, a
//! Crammer-Singer tie the lexicographically largest competitor), tried on
//! the directions `+-e_i`, `+-e_i +- e_j` and a few random ones. It shares
//! no code with the library's `Problem::directional_derivative` or the
//! first-order LPs.
//!
//! The points are the shapes the search used to miss: deep linear, relu and
//! leaky networks with whole zero layers and zero rows, kinks in every
//! layer (a hidden bias set so that a pre-activation is exactly 0), hinge
//! corners and Crammer-Singer ties (output biases set so), all three
//! hinge-type losses. The instance of issue 14 (a deep linear `[3,3,2,1]`
//! network with `W2 = 0` and the output at the positive points' corner,
//! where a first-order LP's descent was overwritten by later candidates) is
//! a fixed case.

mod common;

use common::q;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use relucert::instance::Instance;
use relucert::network::{Activation, Architecture, Data, LossKind, Params, Problem};
use relucert::number::Q;
use relucert::verify::{completions, verify, Limits, Verdict};
use relucert_check::check;

/// A dual number: value and first-order coefficient along the ray.
type Dual = (Q, Q);

/// The one-sided slope of the loss at `p` along `d`, by this file's own
/// forward pass.
fn oracle_slope(problem: &Problem, p: &Params, d: &Params) -> Q {
    let arch = &problem.arch;
    let depth = arch.depth();
    let mut total = Q::zero();
    for (i, x) in problem.data.x.iter().enumerate() {
        let mut a: Vec<Dual> = x.iter().map(|v| (v.clone(), Q::zero())).collect();
        for l in 0..depth {
            let (lw, ld) = (&p.layers[l], &d.layers[l]);
            let mut z: Vec<Dual> = Vec::new();
            for j in 0..arch.widths[l + 1] {
                let (mut v0, mut v1) = (Q::zero(), Q::zero());
                for (k, (a0, a1)) in a.iter().enumerate() {
                    v0 += &lw.w[j][k] * a0;
                    v1 += &lw.w[j][k] * a1 + &ld.w[j][k] * a0;
                }
                if let (Some(b), Some(db)) = (&lw.b, &ld.b) {
                    v0 += &b[j];
                    v1 += &db[j];
                }
                z.push((v0, v1));
            }
            if l + 1 == depth {
                a = z;
                break;
            }
            a = z
                .into_iter()
                .map(|(v0, v1)| {
                    let pos = v0.is_positive() || (v0.is_zero() && !v1.is_negative());
                    let s = match (&arch.activation, pos) {
                        (_, true) | (Activation::Linear, _) => Q::one(),
                        (Activation::Relu, false) => Q::zero(),
                        (Activation::Leaky(al), false) => al.clone(),
                    };
                    (&v0 * &s, &v1 * &s)
                })
                .collect();
        }
        let y = problem.data.y[i];
        let hinge = |arg: Dual| -> Q {
            // the slope of max(0, a + t b) at t = 0+
            if arg.0.is_positive() || (arg.0.is_zero() && arg.1.is_positive()) {
                arg.1
            } else {
                Q::zero()
            }
        };
        let one = Q::one();
        match problem.loss {
            LossKind::Hinge => {
                let yq = Q::from_integer(y.into());
                total += hinge((&one - &yq * &a[0].0, -(&yq * &a[0].1)));
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..a.len()).filter(|&k| k != yc) {
                    total += hinge((&one + &a[k].0 - &a[yc].0, &a[k].1 - &a[yc].1));
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                let best = (0..a.len())
                    .filter(|&k| k != yc)
                    .map(|k| a[k].clone())
                    .max()
                    .expect("K >= 2");
                total += hinge((&one + &best.0 - &a[yc].0, &best.1 - &a[yc].1));
            }
            _ => unreachable!("hinge-type losses only"),
        }
    }
    total / Q::from_integer((problem.data.len() as i64).into())
}

/// This file's own forward pass (values only), for placing kinks and corners.
fn forward(arch: &Architecture, p: &Params, x: &[Q], upto: usize) -> Vec<Q> {
    let mut a: Vec<Q> = x.to_vec();
    for l in 0..upto {
        let lw = &p.layers[l];
        let z: Vec<Q> = (0..arch.widths[l + 1])
            .map(|j| {
                let s = a
                    .iter()
                    .zip(&lw.w[j])
                    .fold(Q::zero(), |s, (v, w)| s + v * w);
                s + lw.b.as_ref().map_or_else(Q::zero, |b| b[j].clone())
            })
            .collect();
        a = if l + 1 == arch.depth() || l + 1 == upto {
            z
        } else {
            z.into_iter()
                .map(|v| match &arch.activation {
                    Activation::Relu if v.is_negative() => Q::zero(),
                    Activation::Leaky(al) if v.is_negative() => v * al,
                    _ => v,
                })
                .collect()
        };
    }
    a
}

/// The first direction (of the fixed list and `extra`) along which the
/// oracle's slope is negative.
fn oracle_descent(problem: &Problem, p: &Params, extra: &[Vec<Q>]) -> Option<Vec<Q>> {
    let n = problem.arch.num_params();
    let mut dirs: Vec<Vec<Q>> = Vec::new();
    for i in 0..n {
        for s in [1, -1] {
            let mut d = vec![Q::zero(); n];
            d[i] = q(s, 1);
            dirs.push(d);
        }
    }
    for i in 0..n {
        for j in (i + 1)..n {
            for (s, t) in [(1, 1), (1, -1), (-1, 1), (-1, -1)] {
                let mut d = vec![Q::zero(); n];
                d[i] = q(s, 1);
                d[j] = q(t, 1);
                dirs.push(d);
            }
        }
    }
    dirs.extend(extra.iter().cloned());
    dirs.into_iter().find(|d| {
        let dp = Params::from_flat(&problem.arch, d).expect("length fits");
        oracle_slope(problem, p, &dp).is_negative()
    })
}

fn instance(problem: Problem, p: Params) -> Instance {
    Instance {
        name: None,
        source: None,
        problem,
        point: Some(p),
        expect: None,
    }
}

/// `verify` with and without the probe: `not-local-min`, accepted.
fn assert_certified_descent(inst: &Instance) -> Result<(), String> {
    for probe in [true, false] {
        let limits = Limits {
            probe,
            global_budget: 0,
            deadline: relucert::Deadline::after(std::time::Duration::from_secs(20)),
            ..Limits::default()
        };
        let out = verify(inst, &limits).map_err(|e| e.to_string())?;
        if out.verdict != Verdict::NotLocalMin {
            return Err(format!(
                "probe {probe}: verdict {} ({}) where a first-order descent exists",
                out.verdict.name(),
                out.reason
            ));
        }
        let cert = out.certificate.ok_or("no certificate")?.to_json();
        let accepted = check(inst, &cert).map_err(|e| format!("probe {probe}: rejected: {e}"))?;
        if accepted.claim.name() != "not-local-min" {
            return Err(format!("probe {probe}: claim {}", accepted.claim.name()));
        }
    }
    Ok(())
}

/// A deep-ish random point; `zero_layer` zeroes one weight layer,
/// `zero_rows` some rows; then `kink` sets a hidden bias so that a
/// pre-activation of point 0 is exactly 0, and `corner` sets output biases
/// so that point 1 sits on a hinge corner (or a Crammer-Singer tie).
#[allow(clippy::too_many_arguments)]
fn build(
    d: usize,
    hidden: Vec<usize>,
    act: Activation,
    loss: LossKind,
    k: usize,
    bias: Vec<bool>,
    x: Vec<Vec<i64>>,
    labels: Vec<i64>,
    flat: Vec<i64>,
    zero_layer: Option<usize>,
    zero_rows: Vec<bool>,
    kink: Option<(usize, usize)>,
    corner: bool,
) -> (Problem, Params) {
    let out = if loss == LossKind::Hinge { 1 } else { k };
    let mut widths = vec![d];
    widths.extend(hidden);
    widths.push(out);
    let depth = widths.len() - 1;
    let arch = Architecture {
        widths: widths.clone(),
        activation: act,
        bias: bias[..depth].to_vec(),
    };
    let n = arch.num_params();
    let flat: Vec<Q> = flat[..n].iter().map(|&v| q(v, 1)).collect();
    let mut p = Params::from_flat(&arch, &flat).expect("length fits");
    if let Some(l) = zero_layer.map(|l| l % depth) {
        for v in p.layers[l].w.iter_mut().flatten() {
            *v = Q::zero();
        }
    }
    let mut r = 0;
    for layer in p.layers.iter_mut() {
        for row in layer.w.iter_mut() {
            if zero_rows[r % zero_rows.len()] {
                row.iter_mut().for_each(|v| *v = Q::zero());
            }
            r += 1;
        }
    }
    let xs: Vec<Vec<Q>> = x
        .iter()
        .map(|r| r[..d].iter().map(|&v| q(v, 1)).collect())
        .collect();
    let ys: Vec<i64> = labels
        .iter()
        .map(|&v| {
            if loss == LossKind::Hinge {
                if v % 2 == 0 {
                    1
                } else {
                    -1
                }
            } else {
                v.rem_euclid(out as i64)
            }
        })
        .collect();
    if let Some((l, j)) = kink {
        let l = l % (depth - 1).max(1);
        if depth > 1 && arch.bias[l] {
            let j = j % widths[l + 1];
            let z = forward(&arch, &p, &xs[0], l + 1)[j].clone();
            if let Some(b) = p.layers[l].b.as_mut() {
                b[j] -= z;
            }
        }
    }
    if corner && arch.bias[depth - 1] && xs.len() > 1 {
        let f = forward(&arch, &p, &xs[1], depth);
        let b = p.layers[depth - 1].b.as_mut().expect("output bias");
        match loss {
            // y f = 1
            LossKind::Hinge => b[0] += q(ys[1], 1) - &f[0],
            // f_k = f_y - 1 for the first competitor k; CS: a tie with the next
            _ => {
                let y = ys[1] as usize;
                let others: Vec<usize> = (0..out).filter(|&c| c != y).collect();
                b[others[0]] += &f[y] - q(1, 1) - &f[others[0]];
                if loss == LossKind::CrammerSinger && others.len() > 1 {
                    b[others[1]] += &f[y] - q(1, 1) - &f[others[1]];
                }
            }
        }
    }
    let data = Data::labelled(xs, ys);
    (Problem { arch, loss, data }, p)
}

fn case() -> impl Strategy<Value = (Problem, Params, Vec<Vec<Q>>)> {
    let act = prop_oneof![
        Just(Activation::Relu),
        Just(Activation::Leaky(q(1, 4))),
        Just(Activation::Linear)
    ];
    let loss = prop_oneof![
        Just(LossKind::Hinge),
        Just(LossKind::MulticlassHinge),
        Just(LossKind::CrammerSinger)
    ];
    (
        (
            1usize..=3,
            prop::collection::vec(1usize..=3, 1..=3),
            act,
            loss,
            2usize..=3,
            prop::collection::vec(prop::bool::weighted(0.7), 4),
        ),
        (
            prop::collection::vec(prop::collection::vec(-2i64..=2, 3), 2..=4),
            prop::collection::vec(0i64..=5, 4),
            prop::collection::vec(-2i64..=2, 60),
            prop::option::weighted(0.5, 0usize..4),
            prop::collection::vec(prop::bool::weighted(0.15), 7),
            prop::option::weighted(0.6, (0usize..3, 0usize..3)),
            prop::bool::weighted(0.6),
        ),
        prop::collection::vec(prop::collection::vec(-3i64..=3, 60), 6),
    )
        .prop_map(|((d, hidden, act, loss, k, bias), rest, extra)| {
            let (x, labels, flat, zl, zr, kink, corner) = rest;
            let n_pts = x.len();
            let (problem, p) = build(
                d,
                hidden,
                act,
                loss,
                k,
                bias,
                x,
                labels[..n_pts].to_vec(),
                flat,
                zl,
                zr,
                kink,
                corner,
            );
            let n = problem.arch.num_params();
            let extra: Vec<Vec<Q>> = extra
                .iter()
                .map(|e| e[..n].iter().map(|&v| q(v, 1)).collect())
                .collect();
            (problem, p, extra)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn a_first_order_descent_is_always_certified((problem, p, extra) in case()) {
        let sig = problem.signature(&p);
        // the guarantee needs every piece enumerated
        prop_assume!(completions(&sig.zero_entries(), 4096).is_some());
        let Some(_) = oracle_descent(&problem, &p, &extra) else {
            return Ok(());
        };
        let inst = instance(problem, p);
        if let Err(e) = assert_certified_descent(&inst) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The shape: a deep linear `[3,3,2,1]` network with `W2 = 0`, the
/// output constant at the positive points' hinge corner; a first-order
/// descent moves `W2` (the oracle finds one), and before the fix the
/// first-order LP's descent was overwritten by the 700 candidates after it
/// (`undecided` with `--no-probe`).
#[test]
fn deep_linear_zero_middle_layer() {
    let arch = Architecture {
        widths: vec![3, 3, 2, 1],
        activation: Activation::Linear,
        bias: vec![false, true, true],
    };
    let ints: Vec<i64> = vec![
        -1, -1, 1, -1, -2, 1, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1,
    ];
    let flat: Vec<Q> = ints.iter().map(|&v| q(v, 1)).collect();
    let p = Params::from_flat(&arch, &flat).expect("length fits");
    let x: Vec<Vec<Q>> = [[2, 2, -2], [1, 2, 1], [2, 1, 1], [0, 2, 2], [1, -1, -1]]
        .iter()
        .map(|r| r.iter().map(|&v| q(v, 1)).collect())
        .collect();
    let data = Data::labelled(x, vec![1, 1, -1, 1, 1]);
    let problem = Problem {
        arch,
        loss: LossKind::Hinge,
        data,
    };
    assert_eq!(problem.loss(&p), q(2, 5));
    // the first-order LP's direction (W1, W2, b2, W3, b3), slope -3/5 by the oracle
    let lp_dir: Vec<Q> = [-1, -1, -1, -1, -1, -1, -1, -1, -1, 1, -1, -1, 1, -1]
        .iter()
        .map(|&v| q(v, 1))
        .chain([q(-3, 14), q(1, 1), q(1, 1), q(-1, 1), q(-1, 1), q(1, 1)])
        .collect();
    let dp = Params::from_flat(&problem.arch, &lp_dir).expect("length fits");
    assert_eq!(oracle_slope(&problem, &p, &dp), q(-3, 5));
    assert_certified_descent(&instance(problem, p)).unwrap();
}

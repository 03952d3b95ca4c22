//! Global bounds for the regression losses:
//!
//! - `linear-regression-bound` (`relucert::verify::linear_regression_bound`):
//!   its value equals an independent optimum over affine (or linear) maps,
//!   squared by the normal equations solved here by plain Gaussian
//!   elimination (any solution when the data are rank deficient), absolute
//!   (1-D) by brute force over the lines through two data points; `verify`
//!   proves global-min at that optimum, the checker accepts, every
//!   single-number mutation is rejected; a point off the optimum is never
//!   called a minimum by this bound;
//! - the function-space bound for regression: its value equals the
//!   within-group sum of squares over N (squared) or the sum of absolute
//!   deviations from a best group target, a median (absolute, brute force
//!   over the group's targets); `verify` proves global-min with it and the
//!   checker accepts, and rejects mutations.

mod common;

use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use relucert::instance::Instance;
use relucert::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use relucert::number::Q;
use relucert::verify::{function_space_bound, linear_regression_bound, verify, Limits, Verdict};
use relucert::Deadline;

fn qi(n: i64) -> Q {
    Q::from_integer(n.into())
}

fn inst(problem: Problem, params: Params) -> Instance {
    Instance {
        name: None,
        source: None,
        problem,
        point: Some(params),
        expect: None,
    }
}

/// One solution of `A z = b` by Gaussian elimination (free variables 0).
fn solve(mut a: Vec<Vec<Q>>, mut b: Vec<Q>) -> Vec<Q> {
    let n = a.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..n {
        let Some(p) = (r..a.len()).find(|&i| !a[i][c].is_zero()) else {
            continue;
        };
        a.swap(r, p);
        b.swap(r, p);
        for i in 0..a.len() {
            if i != r && !a[i][c].is_zero() {
                let f = &a[i][c] / &a[r][c];
                let pivot_row = a[r].clone();
                for (x, p) in a[i].iter_mut().zip(&pivot_row) {
                    *x -= &f * p;
                }
                let v = &f * &b[r];
                b[i] -= v;
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    let mut z = vec![Q::zero(); n];
    for (r, c) in pivots {
        z[c] = &b[r] / &a[r][c];
    }
    z
}

/// Squared loss of the affine map with coefficients `z` over rows `phi`.
fn sq_loss(phi: &[Vec<Q>], t: &[Q], z: &[Q]) -> Q {
    let n = qi(phi.len() as i64);
    phi.iter()
        .zip(t)
        .map(|(row, ti)| {
            let f = row.iter().zip(z).fold(Q::zero(), |a, (p, q)| a + p * q);
            (&f - ti) * (&f - ti)
        })
        .fold(Q::zero(), |a, b| a + b)
        / n
}

fn abs_loss(x: &[Q], t: &[Q], a: &Q, c: &Q) -> Q {
    let n = qi(x.len() as i64);
    x.iter()
        .zip(t)
        .map(|(xi, ti)| (a * xi + c - ti).abs())
        .fold(Q::zero(), |s, v| s + v)
        / n
}

/// The network `[d, 1]` (no hidden layer) or `[d, 1, 1]` linear computing
/// `a . x + c`.
fn linear_params(deep: bool, a: &[Q], c: &Q) -> (Architecture, Params) {
    let d = a.len();
    if deep {
        (
            Architecture {
                widths: vec![d, 1, 1],
                activation: Activation::Linear,
                bias: vec![true, true],
            },
            Params {
                layers: vec![
                    LayerParams {
                        w: vec![a.to_vec()],
                        b: Some(vec![Q::zero()]),
                    },
                    LayerParams {
                        w: vec![vec![qi(1)]],
                        b: Some(vec![c.clone()]),
                    },
                ],
            },
        )
    } else {
        (
            Architecture {
                widths: vec![d, 1],
                activation: Activation::Relu,
                bias: vec![true],
            },
            Params {
                layers: vec![LayerParams {
                    w: vec![a.to_vec()],
                    b: Some(vec![c.clone()]),
                }],
            },
        )
    }
}

/// Certificate accepted, each single-number mutation of it rejected.
fn assert_certified(inst: &Instance, verdict: Verdict, kind: &str) {
    let out = verify(inst, &Limits::default()).unwrap();
    assert_eq!(
        out.verdict,
        verdict,
        "{}: {}",
        relucert::instance::to_toml(inst),
        out.reason
    );
    let cert = out.certificate.unwrap();
    assert_eq!(cert.evidence.kind().name(), kind);
    let json = cert.to_json();
    relucert_check::check(inst, &json).expect("accepted");
    let lambda = json["evidence"]["lambda"].as_array().unwrap().clone();
    for (i, l) in lambda.iter().enumerate() {
        for delta in [qi(1), Q::new(1.into(), 5.into()), qi(-1)] {
            let mut m = json.clone();
            let slot = if l.is_array() {
                &mut m["evidence"]["lambda"][i][0]
            } else {
                &mut m["evidence"]["lambda"][i]
            };
            let q = relucert::number::parse_rational(slot.as_str().unwrap()).unwrap() + &delta;
            *slot = relucert::number::fmt_q(&q).into();
            assert!(
                relucert_check::check(inst, &m).is_err(),
                "mutant lambda[{i}] + {delta} accepted"
            );
        }
    }
    let mut m = json.clone();
    m["loss"] = relucert::number::fmt_q(&(&out.loss + qi(1))).into();
    assert!(relucert_check::check(inst, &m).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, rng_seed: proptest::test_runner::RngSeed::Fixed(15), ..ProptestConfig::default() })]

    /// Squared loss, linear models: the bound is the least-squares optimum
    /// and `verify` proves the optimum global.
    #[test]
    fn squared_linear_models(
        d in 1usize..=2,
        deep in any::<bool>(),
        xs in proptest::collection::vec(proptest::collection::vec(-3i64..=3, 2), 2..=6),
        ts in proptest::collection::vec(-8i64..=8, 6),
    ) {
        let x: Vec<Vec<Q>> = xs.iter().map(|r| r[..d].iter().map(|&v| qi(v)).collect()).collect();
        let t: Vec<Q> = ts[..x.len()].iter().map(|&v| Q::new(v.into(), 3.into())).collect();
        let phi: Vec<Vec<Q>> = x.iter().map(|r| { let mut r = r.clone(); r.push(qi(1)); r }).collect();
        // normal equations by hand
        let k = d + 1;
        let gram: Vec<Vec<Q>> = (0..k).map(|a| (0..k).map(|b| phi.iter().fold(Q::zero(), |s, r| s + &r[a] * &r[b])).collect()).collect();
        let rhs: Vec<Q> = (0..k).map(|a| phi.iter().zip(&t).fold(Q::zero(), |s, (r, ti)| s + &r[a] * ti)).collect();
        let z = solve(gram, rhs);
        let best = sq_loss(&phi, &t, &z);
        let (arch, params) = linear_params(deep, &z[..d], &z[d]);
        let problem = Problem { arch, loss: LossKind::Squared, data: Data::regression(x, t) };
        let b = linear_regression_bound(&problem, &Deadline::never()).unwrap();
        prop_assert_eq!(&b.value, &best);
        let i = inst(problem, params);
        prop_assert_eq!(i.problem.loss(i.point.as_ref().unwrap()), best.clone());
        if best.is_zero() {
            return Ok(()); // zero-loss decides first
        }
        // the linear-model bound runs before the function-space bound
        assert_certified(&i, Verdict::GlobalMin, "linear-regression-bound");
        prop_assert!(function_space_bound(&i.problem).unwrap().value <= best);
        // off the optimum: never a minimum by these bounds
        let (arch2, off) = linear_params(deep, &z[..d], &(&z[d] + Q::new(1.into(), 4.into())));
        let i2 = inst(Problem { arch: arch2, ..i.problem.clone() }, off);
        let out = verify(&i2, &Limits::default()).unwrap();
        prop_assert!(!matches!(out.verdict, Verdict::GlobalMin | Verdict::LocalMin), "{}", out.reason);
    }

    /// Absolute loss, 1-D linear models: the bound is the best line through
    /// two data points (brute force).
    #[test]
    fn absolute_linear_models(
        xs in proptest::collection::btree_set(-4i64..=4, 2..=6),
        ts in proptest::collection::vec(-8i64..=8, 6),
        deep in any::<bool>(),
    ) {
        let x: Vec<Q> = xs.iter().map(|&v| qi(v)).collect();
        let t: Vec<Q> = ts[..x.len()].iter().map(|&v| Q::new(v.into(), 2.into())).collect();
        let mut best: Option<(Q, Q, Q)> = None;
        for i in 0..x.len() {
            for j in 0..x.len() {
                if i == j { continue; }
                let a = (&t[j] - &t[i]) / (&x[j] - &x[i]);
                let c = &t[i] - &a * &x[i];
                let l = abs_loss(&x, &t, &a, &c);
                if best.as_ref().is_none_or(|b| l < b.0) { best = Some((l, a, c)); }
            }
        }
        let (value, a, c) = best.unwrap();
        let (arch, params) = linear_params(deep, &[a], &c);
        let problem = Problem { arch, loss: LossKind::Absolute, data: Data::regression(x.iter().map(|v| vec![v.clone()]).collect(), t) };
        let b = linear_regression_bound(&problem, &Deadline::never()).unwrap();
        prop_assert_eq!(&b.value, &value);
        if value.is_zero() { return Ok(()); }
        assert_certified(&inst(problem, params), Verdict::GlobalMin, "linear-regression-bound");
    }

    /// The function-space bound for regression against the group oracles.
    #[test]
    fn function_space_regression_oracle(
        squared in any::<bool>(),
        groups in proptest::collection::vec(0i64..=2, 2..=7),
        ts in proptest::collection::vec(-6i64..=6, 7),
    ) {
        let x: Vec<Vec<Q>> = groups.iter().map(|&g| vec![qi(g)]).collect();
        let t: Vec<Q> = ts[..x.len()].iter().map(|&v| Q::new(v.into(), 2.into())).collect();
        let kind = if squared { LossKind::Squared } else { LossKind::Absolute };
        let mut oracle = Q::zero();
        for g in 0..=2i64 {
            let members: Vec<&Q> = groups.iter().zip(&t).filter(|(h, _)| **h == g).map(|(_, ti)| ti).collect();
            if members.is_empty() { continue; }
            let cost = |c: &Q| members.iter().map(|ti| if squared { (c - *ti) * (c - *ti) } else { (c - *ti).abs() }).fold(Q::zero(), |a, b| a + b);
            oracle += if squared {
                let mean = members.iter().fold(Q::zero(), |a, b| a + *b) / qi(members.len() as i64);
                cost(&mean)
            } else {
                members.iter().map(|c| cost(c)).min().unwrap()
            };
        }
        oracle /= qi(x.len() as i64);
        let arch = Architecture { widths: vec![1, 1, 1], activation: Activation::Relu, bias: vec![true, true] };
        let problem = Problem { arch, loss: kind, data: Data::regression(x, t) };
        let b = function_space_bound(&problem).unwrap();
        prop_assert_eq!(b.value, oracle);
    }
}

/// One group (every input equal): a dead network outputting the group's
/// mean (squared) or median (absolute) is a global minimum by the
/// function-space bound.
#[test]
fn one_group_at_its_mean_and_median() {
    for (kind, c) in [
        (LossKind::Squared, Q::new(5.into(), 3.into())),
        (LossKind::Absolute, qi(1)),
    ] {
        let x = vec![vec![qi(1)]; 3];
        let t = vec![qi(0), qi(1), qi(4)];
        let arch = Architecture {
            widths: vec![1, 2, 1],
            activation: Activation::Relu,
            bias: vec![true, true],
        };
        let params = Params {
            layers: vec![
                LayerParams {
                    w: vec![vec![qi(-1)], vec![qi(2)]],
                    b: Some(vec![qi(-1), qi(-3)]),
                },
                LayerParams {
                    w: vec![vec![qi(1), qi(-2)]],
                    b: Some(vec![c]),
                },
            ],
        };
        let i = inst(
            Problem {
                arch,
                loss: kind,
                data: Data::regression(x, t),
            },
            params,
        );
        assert_certified(&i, Verdict::GlobalMin, "function-space-bound");
    }
    let _ = Q::one();
}

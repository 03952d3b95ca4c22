//! The function-space bound (THEORY section 9; `relucert::verify::
//! function_space_bound`, certificate kind `function-space-bound`):
//!
//! - its value equals an independent brute-force optimum on small random
//!   data with repeated inputs, for the three losses (oracles below);
//! - its multipliers satisfy the conditions of docs/certificates.md,
//!   re-checked here with plain rational arithmetic;
//! - it is at most the exact loss of random networks of random depth;
//! - `verify` proves `global-min` with it on the fixtures built for it, and
//!   does not use it where it lies strictly below the loss;
//! - its certificate's JSON round-trips, the checker accepts it and rejects
//!   tampered copies.
//!
//! The oracles work group by group (a group is the set of points with one
//! distinct input; a network gives them one output f):
//! - `hinge`: a group with p points labelled +1 and m labelled -1 pays
//!   g(f) = p max(0, 1 - f) + m max(0, 1 + f), a convex piecewise-linear
//!   function with breakpoints only at f = -1 and f = 1. Outside [-1, 1] it
//!   is nondecreasing in |f| (for f > 1 only the m-term remains and grows;
//!   for f < -1 only the p-term), and on [-1, 1] it is affine, so its minimum
//!   is attained at f = -1 or f = 1: brute force over {-1, 1}.
//! - `multiclass-hinge` (Weston-Watkins): the LP min sum xi_ik, xi_ik >= 0,
//!   xi_ik >= 1 + f_k - f_{y_i} has the constraint matrix [I | D] with D
//!   the incidence matrix of a directed graph (rows e_k - e_y): totally
//!   unimodular; fixing f_0 = 0 removes the lineality (every class meets
//!   the labels of the group), so an optimal vertex is integral. Then a gap
//!   of at least 2 between consecutive distinct values of f can be shrunk
//!   to 1 without raising any term (a term across the gap either has its
//!   argument decrease, or has argument <= -1 before and <= 0 after). So an
//!   optimum lies in {0, .., K-1}^K (after a shift): brute force over it.
//! - `crammer-singer`: with c_m points of label m and n = sum c_m, the
//!   group optimum is min(n, 2 (n - max_m c_m)), attained at f = 0 (every
//!   point pays 1) or f = e_M for a majority class M (M pays 0, the others
//!   2). Lower bound: if c_M >= n/2, pair every point not labelled M with a
//!   distinct point labelled M: their terms sum to at least
//!   (1 + f_M - f_m) + (1 + f_m - f_M) = 2. Otherwise, with T a class of
//!   largest f and S of second largest, the terms sum to at least
//!   n + (n - c_T)(f_T - f_S) - c_T (f_T - f_S) >= n since c_T < n/2. The
//!   test also brute-forces {0, 1}^K, which holds both candidates.

mod common;

use common::q;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use relucert::cert::{Certificate, Evidence};
use relucert::instance::{self, Instance};
use relucert::network::{Data, LossKind, Problem};
use relucert::number::Q;
use relucert::verify::{function_space_bound, verify, Limits, Verdict};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures")
        .join(name)
}

/// The fixtures whose point the function-space bound proves global.
const GLOBAL: [&str; 3] = [
    "relu-crammer-singer-every-label-global-min.toml",
    "relu-hinge-conflicting-repeats-global-min.toml",
    "relu-deep-multiclass-hinge-every-label-global-min.toml",
];

/// The fixture where the bound (1/3) lies strictly below the loss (2/3).
const BELOW: &str = "relu-hinge-repeats-below-bound-flat.toml";

/// Groups of equal inputs, by plain comparison: indices of each group.
fn groups(x: &[Vec<Q>]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, row) in x.iter().enumerate() {
        match out.iter_mut().find(|g| x[g[0]] == *row) {
            Some(g) => g.push(i),
            None => out.push(vec![i]),
        }
    }
    out
}

/// The loss of one point with output `f`, written out from FORMAT.md.
fn term(kind: LossKind, f: &[Q], y: i64) -> Q {
    let pos = |t: Q| if t.is_positive() { t } else { Q::zero() };
    match kind {
        LossKind::Absolute | LossKind::Squared => unreachable!("hinge losses only"),
        LossKind::Hinge => pos(Q::one() - Q::from_integer(y.into()) * &f[0]),
        LossKind::MulticlassHinge => {
            let y = y as usize;
            (0..f.len())
                .filter(|&k| k != y)
                .map(|k| pos(Q::one() + &f[k] - &f[y]))
                .fold(Q::zero(), |a, b| a + b)
        }
        LossKind::CrammerSinger => {
            let y = y as usize;
            let best = (0..f.len())
                .filter(|&k| k != y)
                .map(|k| f[k].clone())
                .max()
                .unwrap();
            pos(Q::one() + best - &f[y])
        }
    }
}

/// Every vector in values^k.
fn grid(values: &[Q], k: usize) -> Vec<Vec<Q>> {
    let mut out = vec![Vec::new()];
    for _ in 0..k {
        out = out
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut p = p.clone();
                    p.push(v.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// The least total loss of one group over the outputs in `candidates`.
fn brute(kind: LossKind, labels: &[i64], candidates: &[Vec<Q>]) -> Q {
    candidates
        .iter()
        .map(|f| labels.iter().fold(Q::zero(), |a, &y| a + term(kind, f, y)))
        .min()
        .unwrap()
}

/// The oracle: the function-space optimum (average over all points).
fn oracle(problem: &Problem) -> Q {
    let k = problem.arch.output_width();
    let n = problem.data.y.len();
    let mut total = Q::zero();
    for g in groups(&problem.data.x) {
        let labels: Vec<i64> = g.iter().map(|&i| problem.data.y[i]).collect();
        let best = match problem.loss {
            LossKind::Absolute | LossKind::Squared => unreachable!("hinge losses only"),
            LossKind::Hinge => brute(problem.loss, &labels, &grid(&[q(-1, 1), q(1, 1)], 1)),
            LossKind::MulticlassHinge => {
                let values: Vec<Q> = (0..k as i64).map(|v| q(v, 1)).collect();
                brute(problem.loss, &labels, &grid(&values, k))
            }
            LossKind::CrammerSinger => {
                let size = labels.len() as i64;
                let top = (0..k as i64)
                    .map(|m| labels.iter().filter(|&&y| y == m).count() as i64)
                    .max()
                    .unwrap();
                let closed = q(size.min(2 * (size - top)), 1);
                let zero_one = brute(problem.loss, &labels, &grid(&[q(0, 1), q(1, 1)], k));
                assert_eq!(
                    closed, zero_one,
                    "closed form vs brute force over {{0,1}}^K"
                );
                closed
            }
        };
        total += best;
    }
    total / q(n as i64, 1)
}

/// The conditions of docs/certificates.md ("function-space-bound") on
/// `lambda`, re-checked with plain arithmetic; returns (1/N) sum lambda.
fn dual_value(problem: &Problem, lambda: &[Vec<Q>]) -> Result<Q, String> {
    let n = problem.data.y.len();
    let k = problem.arch.output_width();
    if lambda.len() != n {
        return Err(format!("{} rows for {n} points", lambda.len()));
    }
    for g in groups(&problem.data.x) {
        match problem.loss {
            LossKind::Absolute | LossKind::Squared => unreachable!("hinge losses only"),
            LossKind::Hinge => {
                let mut s = Q::zero();
                for &i in &g {
                    let l = &lambda[i];
                    if l.len() != 1 || l[0].is_negative() || l[0] > Q::one() {
                        return Err(format!("row {i}: {l:?}"));
                    }
                    s += &l[0] * Q::from_integer(problem.data.y[i].into());
                }
                if !s.is_zero() {
                    return Err(format!("group {g:?} unbalanced"));
                }
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                for &i in &g {
                    let l = &lambda[i];
                    let y = problem.data.y[i] as usize;
                    let sum = l.iter().fold(Q::zero(), |a, b| a + b);
                    let box_ok = match problem.loss {
                        LossKind::MulticlassHinge => l.iter().all(|v| *v <= Q::one()),
                        _ => sum <= Q::one(),
                    };
                    if l.len() != k || !l[y].is_zero() || l.iter().any(Q::is_negative) || !box_ok {
                        return Err(format!("row {i}: {l:?}"));
                    }
                }
                for m in 0..k {
                    let s = g.iter().fold(Q::zero(), |a, &i| {
                        let row = &lambda[i];
                        let own = if problem.data.y[i] as usize == m {
                            row.iter().fold(Q::zero(), |a, b| a + b)
                        } else {
                            Q::zero()
                        };
                        a + &row[m] - own
                    });
                    if !s.is_zero() {
                        return Err(format!("group {g:?} class {m} unbalanced"));
                    }
                }
            }
        }
    }
    Ok(lambda.iter().flatten().fold(Q::zero(), |a, b| a + b) / q(n as i64, 1))
}

/// Data drawn from a pool of at most 3 inputs (so inputs repeat, often
/// with conflicting labels), labels fitted to the loss.
fn data(d: usize, loss: LossKind, k: usize) -> impl Strategy<Value = Data> {
    let labels = if loss == LossKind::Hinge {
        prop::sample::select(vec![1i64, -1]).boxed()
    } else {
        (0..k as i64).boxed()
    };
    (
        prop::collection::vec(prop::collection::vec(-2i64..=2, d), 1..=3),
        prop::collection::vec((0usize..3, labels), 1..=8),
    )
        .prop_map(|(pool, pts)| {
            let (x, y) = pts
                .into_iter()
                .map(|(i, y)| (pool[i % pool.len()].iter().map(|&v| q(v, 1)).collect(), y))
                .unzip();
            Data::labelled(x, y)
        })
}

/// A problem of random depth (0..=3 hidden layers) with repeated inputs,
/// and a random point on it.
fn problem_and_point() -> impl Strategy<Value = (Problem, relucert::network::Params)> {
    common::architecture(3).prop_flat_map(|(arch, loss)| {
        let d = arch.input_dim();
        let k = arch.output_width();
        (
            data(d, loss, k),
            common::params(&arch),
            Just(arch),
            Just(loss),
        )
            .prop_map(|(data, p, arch, loss)| (Problem { arch, loss, data }, p))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The LP's optimum equals the brute-force oracle, and its multipliers
    /// prove it (the certificate's conditions, re-checked here).
    #[test]
    fn bound_equals_the_brute_force_optimum((problem, _) in problem_and_point()) {
        let b = function_space_bound(&problem).unwrap();
        prop_assert_eq!(&b.value, &oracle(&problem));
        prop_assert_eq!(dual_value(&problem, &b.lambda), Ok(b.value.clone()));
        prop_assert_eq!(b.groups, groups(&problem.data.x).len());
        prop_assert_eq!(b.group_of.len(), problem.data.y.len());
    }

    /// No network of any depth beats the bound (exact evaluation).
    #[test]
    fn bound_is_at_most_the_loss_of_random_networks((problem, p) in problem_and_point()) {
        let b = function_space_bound(&problem).unwrap();
        let loss = problem.loss(&p);
        prop_assert!(b.value <= loss, "bound {} > loss {}", b.value, loss);
    }
}

/// The oracle is not vacuous: it finds positive bounds of every loss.
#[test]
fn oracle_values_by_hand() {
    let arch = |out: usize| relucert::network::Architecture {
        widths: vec![1, out],
        activation: relucert::network::Activation::Relu,
        bias: vec![true],
    };
    let x = |v: &[i64]| v.iter().map(|&a| vec![q(a, 1)]).collect::<Vec<_>>();
    // hinge: x = 0 with +1, +1, -1 (pays 2), x = 1 with -1 (pays 0): 2/4
    let p = Problem {
        arch: arch(1),
        loss: LossKind::Hinge,
        data: Data {
            x: x(&[0, 0, 0, 1]),
            y: vec![1, 1, -1, -1],
            targets: Vec::new(),
        },
    };
    assert_eq!(oracle(&p), q(1, 2));
    assert_eq!(function_space_bound(&p).unwrap().value, q(1, 2));
    // crammer-singer, one input with labels 0, 0, 1, 2: min(4, 2 * 2) = 4, so 1
    // weston-watkins: f = (1, 0, 0) gives 0 + 0 + 3 + 3 = 6, so 6/4
    for (loss, want) in [
        (LossKind::CrammerSinger, q(1, 1)),
        (LossKind::MulticlassHinge, q(3, 2)),
    ] {
        let p = Problem {
            arch: arch(3),
            loss,
            data: Data {
                x: x(&[5, 5, 5, 5]),
                y: vec![0, 0, 1, 2],
                targets: Vec::new(),
            },
        };
        assert_eq!(oracle(&p), want, "{}", loss.name());
        assert_eq!(function_space_bound(&p).unwrap().value, want);
    }
}

fn verified(name: &str) -> (Instance, relucert::Outcome) {
    let inst = instance::load(&fixture(name)).unwrap();
    let out = verify(&inst, &Limits::default()).unwrap();
    (inst, out)
}

#[test]
fn verify_proves_global_min_on_the_fixtures() {
    for name in GLOBAL {
        for probe in [true, false] {
            let inst = instance::load(&fixture(name)).unwrap();
            let limits = Limits {
                probe,
                ..Limits::default()
            };
            let out = verify(&inst, &limits).unwrap();
            assert_eq!(out.verdict, Verdict::GlobalMin, "{name}: {}", out.reason);
            let b = function_space_bound(&inst.problem).unwrap();
            assert_eq!(b.value, out.loss, "{name}");
            assert_eq!(Some(&out.loss), inst.expect.as_ref().unwrap().loss.as_ref());
            let cert = out.certificate.unwrap();
            assert_eq!(
                cert.evidence,
                Evidence::FunctionSpaceBound {
                    lambda: b.lambda.clone()
                },
                "{name}"
            );
            assert_eq!(dual_value(&inst.problem, &b.lambda), Ok(out.loss.clone()));
        }
    }
}

#[test]
fn bound_below_the_loss_does_not_decide() {
    let (inst, out) = verified(BELOW);
    let b = function_space_bound(&inst.problem).unwrap();
    assert_eq!(b.value, q(1, 3));
    assert_eq!(out.loss, q(2, 3));
    assert_eq!(out.verdict, Verdict::LocalMin, "{}", out.reason);
    let kind = out.certificate.unwrap().evidence.kind();
    assert_ne!(kind, relucert::cert::EvidenceKind::FunctionSpaceBound);
}

#[test]
fn certificates_round_trip_through_json() {
    for name in GLOBAL {
        let (_, out) = verified(name);
        let cert = out.certificate.unwrap();
        let v = cert.to_json();
        assert_eq!(v["evidence"]["kind"], "function-space-bound", "{name}");
        assert_eq!(v["claim"], "global-min", "{name}");
        let back = Certificate::from_json(&v).unwrap();
        assert_eq!(back, cert, "{name}");
        assert_eq!(back.to_json(), v, "{name}");
        let text = serde_json::to_string_pretty(&v).unwrap();
        let reread: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(Certificate::from_json(&reread).unwrap(), cert, "{name}");
    }
}

/// Needs the checker's `function-space-bound` proof (relucert-check): the
/// verifier's certificates are accepted, and changing any multiplier, or
/// claiming the bound where it lies below the loss, is rejected.
#[test]
fn checker_accepts_the_certificates_and_rejects_tampered_ones() {
    for name in GLOBAL {
        let (inst, out) = verified(name);
        let cert = out.certificate.unwrap();
        let accepted = relucert_check::check_certificate(&inst, &cert);
        assert!(accepted.is_ok(), "{name}: {accepted:?}");
        let Evidence::FunctionSpaceBound { lambda } = &cert.evidence else {
            panic!("{name}: not a function-space bound");
        };
        for i in 0..lambda.len() {
            for j in 0..lambda[i].len() {
                let mut bad = cert.clone();
                let mut l = lambda.clone();
                l[i][j] += q(1, 7);
                bad.evidence = Evidence::FunctionSpaceBound { lambda: l };
                assert!(
                    relucert_check::check_certificate(&inst, &bad).is_err(),
                    "{name}: lambda[{i}][{j}] + 1/7 accepted"
                );
            }
        }
    }
    // the below-bound fixture: its (valid) multipliers prove 1/3, not 2/3
    let (inst, out) = verified(BELOW);
    let b = function_space_bound(&inst.problem).unwrap();
    let mut cert = out.certificate.unwrap();
    cert.header.claim = relucert::cert::Claim::GlobalMin;
    cert.evidence = Evidence::FunctionSpaceBound { lambda: b.lambda };
    assert!(relucert_check::check_certificate(&inst, &cert).is_err());
}

/// The properties above are not vacuous: the random data give positive
/// bounds for every loss.
#[test]
fn random_data_give_positive_bounds_of_every_loss() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = problem_and_point();
    let mut positive = std::collections::BTreeMap::new();
    for _ in 0..300 {
        let (problem, _) = strategy.new_tree(&mut runner).unwrap().current();
        let b = function_space_bound(&problem).unwrap();
        if b.value.is_positive() {
            *positive.entry(problem.loss.name()).or_insert(0usize) += 1;
        }
    }
    for loss in ["hinge", "multiclass-hinge", "crammer-singer"] {
        let count = positive.get(loss).copied().unwrap_or(0);
        assert!(count >= 10, "{loss}: only {count} positive bounds");
    }
}

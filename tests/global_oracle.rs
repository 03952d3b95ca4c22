//! Independent oracles for `relucert::global::solve` (THEORY section 9):
//! the exact least loss `L*_m` over all one-hidden-layer hinge networks of
//! width `m`, with a witness network and a `width-optimum` certificate.
//!
//! Owns: oracles that share no code with the solver (no chambers, no pattern
//! LPs): an exhaustive rational grid with exact coordinate search evaluated
//! by `Problem::loss` (and by this file's own forward pass), monotonicity in
//! the width, zero loss on separable data where a network is written down by
//! hand, the affine / linear hinge LP (solved with `relucert::lp`, then its
//! primal point and dual vector re-checked here by weak duality), and the
//! independent checker on the solver's certificate.
//!
//! Must not: trust the solver's value for anything but the comparison, or
//! weaken an assertion to make a case pass; every assertion message carries
//! the instance as FORMAT.md TOML. Case counts are small for CI; set
//! RELUCERT_CASES for more.

use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use relucert::cert::{Certificate, Claim, Evidence, Header};
use relucert::global::{solve, Optimum, Options};
use relucert::instance::{canonical_hash, to_toml, Instance};
use relucert::lp::{Cmp, Lp, LpResult, Sense};
use relucert::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use relucert::number::{fmt_q, Q};
use std::cell::RefCell;

// ---------------------------------------------------------------- helpers

fn q(p: i64, d: i64) -> Q {
    Q::new(p.into(), d.into())
}

fn cases(default: u32) -> u32 {
    std::env::var("RELUCERT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner with `n` cases, a fixed seed per `tag` (reproducible in CI),
/// shrinking on failure, no persistence files.
fn runner(n: u32, tag: u64) -> TestRunner {
    let config = Config {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&tag.to_le_bytes());
    seed[8] = 0x5e;
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

/// Run `test` on `strategy` and panic with the shrunk failure.
fn run<S: Strategy>(
    mut r: TestRunner,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    match r.run(&strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(reason, value)) => {
            panic!("oracle failed (shrunk): {reason}\nminimal input: {value:?}")
        }
        Err(e) => panic!("{e}"),
    }
}

fn arch(d: usize, m: usize, act: &Activation, hb: bool, ob: bool) -> Architecture {
    Architecture {
        widths: vec![d, m, 1],
        activation: act.clone(),
        bias: vec![hb, ob],
    }
}

fn problem(x: Vec<Vec<Q>>, y: Vec<i64>, a: Architecture) -> Problem {
    Problem {
        arch: a,
        loss: LossKind::Hinge,
        data: Data { x, y },
    }
}

fn instance(p: &Problem) -> Instance {
    Instance {
        name: Some("global oracle".to_string()),
        source: Some("tests/global_oracle.rs".to_string()),
        problem: p.clone(),
        point: None,
        expect: None,
    }
}

fn show(p: &Problem) -> String {
    to_toml(&instance(p))
}

fn act_name(a: &Activation) -> String {
    match a {
        Activation::Leaky(al) => format!("leaky({})", fmt_q(al)),
        other => other.name().to_string(),
    }
}

/// This file's own forward pass and hinge loss (one hidden layer), written
/// from FORMAT.md's semantics: a second evaluation beside `Problem::loss`.
fn own_loss(p: &Problem, params: &Params) -> Q {
    let (l1, l2) = (&params.layers[0], &params.layers[1]);
    let mut total = Q::zero();
    for (x, &y) in p.data.x.iter().zip(&p.data.y) {
        let mut f = l2.b.as_ref().map_or_else(Q::zero, |b| b[0].clone());
        for (j, row) in l1.w.iter().enumerate() {
            let mut z = l1.b.as_ref().map_or_else(Q::zero, |b| b[j].clone());
            for (w, xi) in row.iter().zip(x) {
                z += w * xi;
            }
            let h = match &p.arch.activation {
                Activation::Linear => z,
                Activation::Relu => {
                    if z.is_positive() {
                        z
                    } else {
                        Q::zero()
                    }
                }
                Activation::Leaky(alpha) => {
                    if z.is_negative() {
                        alpha * z
                    } else {
                        z
                    }
                }
            };
            f += &l2.w[0][j] * h;
        }
        let t = Q::one() - Q::from_integer(y.into()) * f;
        if t.is_positive() {
            total += t;
        }
    }
    total / Q::from_integer((p.data.len() as i64).into())
}

/// Solve for width `m` and check everything that must hold of any answer:
/// complete, `lower_bound == value`, `0 <= value <= 1` (the zero network
/// has loss 1), the witness is a width-`m` network of the problem's own
/// activation and bias flags whose exact loss is `value` under both
/// evaluations, and the certificate is accepted by the independent checker.
fn solve_checked(p: &Problem, m: usize) -> Result<Optimum, TestCaseError> {
    let mut pm = p.clone();
    pm.arch.widths[1] = m;
    let t = show(&pm);
    let opt = solve(&pm, &Options::new(m))
        .map_err(|e| TestCaseError::fail(format!("solve(width {m}) failed: {e}\n{t}")))?;
    let v = &opt.value;
    prop_assert!(opt.complete, "width {m}: incomplete run\n{t}");
    prop_assert!(
        opt.lower_bound == *v,
        "width {m}: lower bound {} != value {}\n{t}",
        fmt_q(&opt.lower_bound),
        fmt_q(v)
    );
    prop_assert!(
        !v.is_negative() && *v <= Q::one(),
        "width {m}: value {} outside [0, 1]\n{t}",
        fmt_q(v)
    );
    prop_assert!(
        opt.arch == pm.arch,
        "width {m}: witness architecture {:?} is not the problem's {:?}\n{t}",
        opt.arch,
        pm.arch
    );
    prop_assert!(opt.witness.fits(&pm.arch), "width {m}: witness shape\n{t}");
    let exact = pm.loss(&opt.witness);
    let own = own_loss(&pm, &opt.witness);
    prop_assert!(
        exact == *v && own == *v,
        "width {m}: witness {:?} has loss {} (own evaluation {}), value {}\n{t}",
        opt.witness.flat().iter().map(fmt_q).collect::<Vec<_>>(),
        fmt_q(&exact),
        fmt_q(&own),
        fmt_q(v)
    );
    let Some(body) = opt.certificate.clone() else {
        return Err(TestCaseError::fail(format!(
            "width {m}: complete run without a certificate\n{t}"
        )));
    };
    let inst = instance(&pm);
    let cert = Certificate {
        header: Header {
            instance_sha256: canonical_hash(&inst),
            claim: Claim::GlobalOptimum,
            loss: v.clone(),
        },
        evidence: Evidence::WidthOptimum(body),
    };
    if let Err(e) = relucert_check::check_certificate(&inst, &cert) {
        return Err(TestCaseError::fail(format!(
            "width {m}: the checker rejects the certificate: {e:?}\n{t}"
        )));
    }
    Ok(opt)
}

// ------------------------------------------------------------ strategies

/// A half-integer in [-2, 2].
fn coord() -> impl Strategy<Value = Q> {
    (-4i64..=4).prop_map(|k| q(k, 2))
}

fn label() -> impl Strategy<Value = i64> {
    prop::sample::select(vec![1i64, -1])
}

/// N points of dimension d with labels.
fn data(
    d: usize,
    n: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Vec<Vec<Q>>, Vec<i64>)> {
    prop::collection::vec((prop::collection::vec(coord(), d), label()), n)
        .prop_map(|pts| pts.into_iter().unzip())
}

fn activations() -> Vec<Activation> {
    vec![
        Activation::Relu,
        Activation::Leaky(q(1, 4)),
        Activation::Leaky(q(1, 2)),
        Activation::Linear,
    ]
}

const BIASES: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];

// ------------------------------------------------- 1. exhaustive search

/// Exact coordinate search with shrinking steps 2, 1, ..., 1/16 over the
/// flat parameter vector (all weights, biases and output weights), first
/// improvement, from `start`; returns the best loss and point met. Every
/// loss is `Problem::loss`, exact.
fn coordinate_search(p: &Problem, start: &Params, budget: &mut usize) -> (Q, Params) {
    let mut x = start.flat();
    let eval = |x: &[Q]| match Params::from_flat(&p.arch, x) {
        Some(pp) => p.loss(&pp),
        None => Q::one() + Q::one(),
    };
    let mut best = eval(&x);
    for step in [q(2, 1), q(1, 1), q(1, 2), q(1, 4), q(1, 8), q(1, 16)] {
        for _sweep in 0..12 {
            let mut improved = false;
            for k in 0..x.len() {
                for dir in [&step, &-step.clone()] {
                    if best.is_zero() || *budget == 0 {
                        break;
                    }
                    *budget -= 1;
                    x[k] += dir;
                    let l = eval(&x);
                    if l < best {
                        best = l;
                        improved = true;
                        break;
                    }
                    x[k] -= dir;
                }
            }
            if !improved {
                break;
            }
        }
    }
    let pp = Params::from_flat(&p.arch, &x).unwrap_or_else(|| start.clone());
    (best, pp)
}

/// The grid: each unit is absent (all zero) or `a sigma(w . x + b)` with
/// `a = +-1` (homogeneity: `|a|` moves into `w`, `b`) and `(w, b)` a nonzero
/// vector in {-1, 0, 1}^(d + hb); units as a multiset (they commute); the
/// output bias in {-1, 0, 1}. Every grid point is evaluated exactly; then
/// coordinate search from the best `k` grid points and from the solver's
/// witness. Returns the least loss met from the grid alone, the least loss
/// met overall with its point, and the number of evaluations.
fn exhaustive_best(p: &Problem, witness: &Params, k: usize) -> (Q, Q, Params, usize) {
    let a = &p.arch;
    let (d, m, hb, ob) = (a.widths[0], a.widths[1], a.bias[0], a.bias[1]);
    let len = d + usize::from(hb);
    let mut units: Vec<(Q, Vec<Q>)> = vec![(Q::zero(), vec![Q::zero(); len])];
    let total = 3usize.pow(len as u32);
    for code in 0..total {
        let mut c = code;
        let v: Vec<Q> = (0..len)
            .map(|_| {
                let digit = (c % 3) as i64 - 1;
                c /= 3;
                Q::from_integer(digit.into())
            })
            .collect();
        if v.iter().all(Zero::is_zero) {
            continue;
        }
        units.push((Q::one(), v.clone()));
        units.push((-Q::one(), v));
    }
    // multisets of m unit indices, non-decreasing
    let mut combos: Vec<Vec<usize>> = vec![vec![]];
    for _ in 0..m {
        let mut next = Vec::new();
        for c in &combos {
            let lo = c.last().copied().unwrap_or(0);
            for u in lo..units.len() {
                let mut c2 = c.clone();
                c2.push(u);
                next.push(c2);
            }
        }
        combos = next;
    }
    let cs: Vec<Q> = if ob {
        vec![-Q::one(), Q::zero(), Q::one()]
    } else {
        vec![Q::zero()]
    };
    let mut scored: Vec<(Q, Params)> = Vec::new();
    let mut evals = 0usize;
    for combo in &combos {
        for c in &cs {
            let w: Vec<Vec<Q>> = combo.iter().map(|&u| units[u].1[..d].to_vec()).collect();
            let b = hb.then(|| combo.iter().map(|&u| units[u].1[d].clone()).collect());
            let a2 = vec![combo.iter().map(|&u| units[u].0.clone()).collect()];
            let params = Params {
                layers: vec![
                    LayerParams { w, b },
                    LayerParams {
                        w: a2,
                        b: ob.then(|| vec![c.clone()]),
                    },
                ],
            };
            let l = p.loss(&params);
            evals += 1;
            scored.push((l, params));
        }
    }
    scored.sort_by(|x, y| x.0.cmp(&y.0));
    scored.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    let mut best = scored[0].clone();
    let mut grid_best = best.0.clone();
    let mut budget = 4000usize;
    let starts: Vec<Params> = scored.iter().take(k).map(|s| s.1.clone()).collect();
    for (i, s) in starts.iter().chain(std::iter::once(witness)).enumerate() {
        let before = budget;
        let (l, pt) = coordinate_search(p, s, &mut budget);
        evals += before - budget;
        if i < starts.len() && l < grid_best {
            grid_best = l.clone();
        }
        if l < best.0 {
            best = (l, pt);
        }
    }
    (grid_best, best.0, best.1, evals)
}

/// Statistics over the exhaustive runs (printed with --nocapture).
#[derive(Default)]
struct Closeness {
    runs: usize,
    reached: usize,
    worst_gap: Q,
    evals: usize,
}

#[test]
fn exhaustive_search_never_beats_the_optimum() {
    let stats = RefCell::new(Closeness::default());
    let mut tag = 0u64;
    for act in activations() {
        for (hb, ob) in BIASES {
            for m in [1usize, 2] {
                tag += 1;
                let nmax = if m == 1 { 6 } else { 5 };
                let strategy = (1usize..=2)
                    .prop_flat_map(move |d| data(d, 2..=nmax).prop_map(move |(x, y)| (d, x, y)));
                let act2 = act.clone();
                let st = &stats;
                run(runner(cases(1), tag), strategy, move |(d, x, y)| {
                    let p = problem(x, y, arch(d, m, &act2, hb, ob));
                    let opt = solve_checked(&p, m)?;
                    let (grid_best, best, at, evals) = exhaustive_best(&p, &opt.witness, 6);
                    let t = show(&p);
                    prop_assert!(
                        best >= opt.value,
                        "{} hb={hb} ob={ob} width {m}: the search found loss {} < value {} at {:?}\n{t}",
                        act_name(&act2),
                        fmt_q(&best),
                        fmt_q(&opt.value),
                        at.flat().iter().map(fmt_q).collect::<Vec<_>>()
                    );
                    let mut s = st.borrow_mut();
                    s.runs += 1;
                    s.evals += evals;
                    let gap = &grid_best - &opt.value;
                    if gap.is_zero() {
                        s.reached += 1;
                    }
                    if gap > s.worst_gap {
                        s.worst_gap = gap;
                    }
                    Ok(())
                });
            }
        }
    }
    let s = stats.borrow();
    eprintln!(
        "exhaustive: {} runs, search reached the value in {}, worst gap {}, {} evaluations",
        s.runs,
        s.reached,
        fmt_q(&s.worst_gap),
        s.evals
    );
}

// ------------------------------------------------- 2. monotone in width

/// A width-`m` network is a width-`m+1` network with one more unit whose
/// output weight is 0, so `L*_{m+1} <= L*_m`.
#[test]
fn optimum_does_not_increase_with_width() {
    let strategy = (
        prop::sample::select(activations()),
        prop::sample::select(BIASES.to_vec()),
        data(1, 2..=4),
    );
    run(
        runner(cases(4), 100),
        strategy,
        |(act, (hb, ob), (x, y))| {
            let p = problem(x, y, arch(1, 1, &act, hb, ob));
            let t = show(&p);
            let mut prev: Option<Q> = None;
            for m in 1..=3usize {
                let v = solve_checked(&p, m)?.value;
                if let Some(pv) = &prev {
                    prop_assert!(
                        v <= *pv,
                        "L*_{} = {} > L*_{} = {}\n{t}",
                        m,
                        fmt_q(&v),
                        m - 1,
                        fmt_q(pv)
                    );
                }
                prev = Some(v);
            }
            Ok(())
        },
    );
}

// ------------------------------------------------- 3. separable data

/// Data labelled by an integer hyperplane `y = sign(v . x + t)` (points on
/// it dropped; `t = 0` when the hidden layer has no bias), with `(x, y, v,
/// t)` returned. `None` when every point fell on the hyperplane.
fn separable(d: usize, hb: bool) -> impl Strategy<Value = (Vec<Vec<Q>>, Vec<i64>, Vec<i64>, i64)> {
    (
        prop::collection::vec(prop::collection::vec(coord(), d), 1..=6),
        prop::collection::vec(-2i64..=2, d),
        -2i64..=2,
    )
        .prop_filter_map("all points on the hyperplane", move |(xs, v, t)| {
            let t = if hb { t } else { 0 };
            if v.iter().all(|&c| c == 0) {
                return None;
            }
            let mut x = Vec::new();
            let mut y = Vec::new();
            for p in xs {
                let g: Q = p
                    .iter()
                    .zip(&v)
                    .map(|(a, &b)| a * Q::from_integer(b.into()))
                    .sum::<Q>()
                    + Q::from_integer(t.into());
                if !g.is_zero() {
                    y.push(if g.is_positive() { 1 } else { -1 });
                    x.push(p);
                }
            }
            (!x.is_empty()).then_some((x, y, v, t))
        })
}

/// Let `g(x) = v . x + t` separate the data (`|g(x_i)| >= delta > 0`, and
/// `t = 0` without a hidden bias), so every architecture below can build
/// `k g` in its hidden layer (`w = k v`, `b = k t`), for any `k > 0`:
/// - leaky (alpha in (0,1)), any width, any output bias: one unit
///   `sigma(k g)` has the sign of `g` and modulus `>= alpha k delta >= 1`
///   for large `k`: loss 0.
/// - relu, width >= 2: `relu(k g) - relu(-k g) = k g`: loss 0.
/// - relu, width 1, output bias: `relu(k g) - 1` is `-1` on the negatives
///   and `>= 1` on the positives for large `k`: loss 0.
/// - relu, width 1, no output bias: `f = a relu(w . x + b)` has the sign of
///   `a` (or is 0) on every point, so every point of the other label (all
///   points when `a = 0`) loses at least 1: `L >= min(P, M) / N` with `P`,
///   `M` the label counts; `relu(k g)` (`a = 1`) fits the positives and
///   loses exactly 1 on each negative, `-relu(-k g)` the other way round:
///   `L*_1 = min(P, M) / N` exactly.
/// - linear, any width: `k g` itself (one unit): loss 0.
#[test]
fn separable_data_optimum_is_known() {
    let mut tag = 200u64;
    for act in [
        Activation::Relu,
        Activation::Leaky(q(1, 4)),
        Activation::Leaky(q(2, 3)),
        Activation::Linear,
    ] {
        for (hb, ob) in BIASES {
            tag += 1;
            let act2 = act.clone();
            let strategy = (1usize..=2, 1usize..=2)
                .prop_flat_map(move |(d, m)| separable(d, hb).prop_map(move |s| (d, m, s)));
            run(
                runner(cases(1), tag),
                strategy,
                move |(d, m, (x, y, v, t))| {
                    let p = problem(x, y, arch(d, m, &act2, hb, ob));
                    let n = p.data.len() as i64;
                    let pos = p.data.y.iter().filter(|&&l| l == 1).count() as i64;
                    let expected = if act2 == Activation::Relu && m == 1 && !ob {
                        q(pos.min(n - pos), n)
                    } else {
                        Q::zero()
                    };
                    let opt = solve_checked(&p, m)?;
                    prop_assert!(
                    opt.value == expected,
                    "{} hb={hb} ob={ob} width {m}, data separated by v={v:?} t={t}: value {} != {}\n{}",
                    act_name(&act2),
                    fmt_q(&opt.value),
                    fmt_q(&expected),
                    show(&p)
                );
                    Ok(())
                },
            );
        }
    }
}

// ------------------------------------------------- 4. the classifier LP

/// The least hinge loss over classifiers `f(x) = w . x + c` (`c = 0` unless
/// `affine`): the LP `min (1/N) sum xi_i` over `xi >= 0`, `xi_i + y_i (w .
/// x_i + c) >= 1`, solved with `relucert::lp` and then re-proved here
/// without trusting the solver: the primal point's exact hinge loss `v`
/// (computed directly, not read from the LP) and the duals `lambda` with
/// `0 <= lambda_i <= 1/N`, `sum lambda_i y_i x_i = 0`, `sum lambda_i y_i =
/// 0` when affine and `sum lambda_i = v`. By weak duality every classifier
/// has loss `>= sum lambda_i (1 - y_i f(x_i)) = sum lambda_i = v`.
fn classifier_optimum(x: &[Vec<Q>], y: &[i64], affine: bool) -> Result<Q, String> {
    let n = x.len();
    let d = x.first().map_or(0, Vec::len);
    let nq = Q::from_integer((n as i64).into());
    let mut lp = Lp::new(Sense::Minimize);
    let w: Vec<_> = (0..d).map(|_| lp.add_var(None, None)).collect();
    let c = affine.then(|| lp.add_var(None, None));
    let xi: Vec<_> = (0..n).map(|_| lp.add_var(Some(Q::zero()), None)).collect();
    for i in 0..n {
        let yi = Q::from_integer(y[i].into());
        let mut row: Vec<_> = w.iter().zip(&x[i]).map(|(&v, xk)| (v, &yi * xk)).collect();
        if let Some(c) = c {
            row.push((c, yi.clone()));
        }
        row.push((xi[i], Q::one()));
        lp.add_row(row, Cmp::Ge, Q::one());
    }
    lp.set_objective(xi.iter().map(|&v| (v, Q::one() / &nq)).collect());
    let LpResult::Optimal { x: sol, duals, .. } = relucert::lp::solve(&lp) else {
        return Err("the classifier LP is not optimal".to_string());
    };
    // primal: the exact hinge loss of (w, c)
    let wv: Vec<Q> = w.iter().map(|v| sol[v.0].clone()).collect();
    let cv = c.map_or_else(Q::zero, |c| sol[c.0].clone());
    let mut v = Q::zero();
    for i in 0..n {
        let f: Q = wv.iter().zip(&x[i]).map(|(a, b)| a * b).sum::<Q>() + &cv;
        let t = Q::one() - Q::from_integer(y[i].into()) * f;
        if t.is_positive() {
            v += t;
        }
    }
    v /= &nq;
    // dual: weak duality, checked here
    let lam = &duals;
    if lam.len() != n {
        return Err(format!("{} duals for {n} rows", lam.len()));
    }
    let cap = Q::one() / &nq;
    if lam.iter().any(|l| l.is_negative() || *l > cap) {
        return Err(format!(
            "duals outside [0, 1/N]: {:?}",
            lam.iter().map(fmt_q).collect::<Vec<_>>()
        ));
    }
    let mut s = vec![Q::zero(); d];
    for ((l, xi), &yi) in lam.iter().zip(x).zip(y) {
        for (sk, xk) in s.iter_mut().zip(xi) {
            *sk += l * Q::from_integer(yi.into()) * xk;
        }
    }
    if let Some(k) = s.iter().position(|v| !v.is_zero()) {
        return Err(format!("sum lambda y x_{k} = {}", fmt_q(&s[k])));
    }
    if affine {
        let s: Q = (0..n).map(|i| &lam[i] * Q::from_integer(y[i].into())).sum();
        if !s.is_zero() {
            return Err(format!("sum lambda y = {}", fmt_q(&s)));
        }
    }
    let total: Q = lam.iter().sum();
    if total != v {
        return Err(format!(
            "dual value {} != primal loss {}",
            fmt_q(&total),
            fmt_q(&v)
        ));
    }
    Ok(v)
}

/// Linear activation: `f = (sum_j a_j w_j) . x + (sum_j a_j b_j + c)` is
/// every linear function (neither bias) or every affine one (any bias) for
/// every width m >= 1 (one unit already reaches all of them), so `L*_m`
/// is the classifier LP's optimum exactly. Relu / leaky, width >= 2:
/// `sigma(z) - sigma(-z) = (1 + alpha) z` (alpha = 0 for relu), so two units
/// reach every linear function of `x~`: with a hidden bias every affine
/// function, without one every linear function plus the output bias, hence
/// `L*_2 <= ` the same LP's optimum (a bound, not an equality).
#[test]
fn classifier_lp_bounds_the_optimum() {
    let mut tag = 300u64;
    for act in activations() {
        for (hb, ob) in BIASES {
            tag += 1;
            let act2 = act.clone();
            let strategy = (1usize..=2).prop_flat_map(|d| data(d, 1..=6).prop_map(move |s| (d, s)));
            run(runner(cases(1), tag), strategy, move |(d, (x, y))| {
                let lp = classifier_optimum(&x, &y, hb || ob);
                let p = problem(x, y, arch(d, 1, &act2, hb, ob));
                let t = show(&p);
                let lp = lp.map_err(|e| TestCaseError::fail(format!("oracle LP: {e}\n{t}")))?;
                let widths: &[usize] = if act2 == Activation::Linear {
                    &[1, 2]
                } else {
                    &[2]
                };
                for &m in widths {
                    let v = solve_checked(&p, m)?.value;
                    if act2 == Activation::Linear {
                        prop_assert!(
                            v == lp,
                            "linear hb={hb} ob={ob} width {m}: value {} != classifier LP {}\n{t}",
                            fmt_q(&v),
                            fmt_q(&lp)
                        );
                    } else {
                        prop_assert!(
                            v <= lp,
                            "{} hb={hb} ob={ob} width {m}: value {} > classifier LP {}\n{t}",
                            act_name(&act2),
                            fmt_q(&v),
                            fmt_q(&lp)
                        );
                    }
                }
                Ok(())
            });
        }
    }
}

// ------------------------------------------- the oracles' own self-tests

/// The classifier LP on hand-solved data. 1-D, `x = 1, -1`, both labelled
/// +1: a linear `w x` loses `(max(0, 1 - w) + max(0, 1 + w)) / 2 >= 1`
/// (with equality at w = 0), an affine one fits with `c = 1`. XOR on the
/// square's corners, labels + at (1,1), (-1,-1) and - at (1,-1), (-1,1):
/// the data is invariant under `x -> -x`, the hinge loss is convex in
/// `(w, c)`, so `(0, c)`, the average of `(w, c)` and `(-w, c)`, loses no
/// more than `(w, c)`; a constant `c` loses `(max(0, 1 - c) + max(0, 1 +
/// c)) / 2 >= 1`: the optimum is 1.
#[test]
fn classifier_lp_oracle_is_right_on_known_data() {
    let x1 = vec![vec![q(1, 1)], vec![q(-1, 1)]];
    assert_eq!(classifier_optimum(&x1, &[1, 1], false), Ok(Q::one()));
    assert_eq!(classifier_optimum(&x1, &[1, 1], true), Ok(Q::zero()));
    let xor = vec![
        vec![q(1, 1), q(1, 1)],
        vec![q(-1, 1), q(-1, 1)],
        vec![q(1, 1), q(-1, 1)],
        vec![q(-1, 1), q(1, 1)],
    ];
    assert_eq!(
        classifier_optimum(&xor, &[1, 1, -1, -1], true),
        Ok(Q::one())
    );
    // separable through the origin: 0 even without the offset
    let sep = vec![vec![q(1, 2), q(1, 1)], vec![q(-2, 1), q(-1, 2)]];
    assert_eq!(classifier_optimum(&sep, &[1, -1], false), Ok(Q::zero()));
}

/// This file's forward pass agrees with `Problem::loss` at random points
/// (two implementations of FORMAT.md's semantics; the oracles use both).
#[test]
fn own_evaluation_agrees_with_core() {
    let strategy = (
        prop::sample::select(activations()),
        prop::sample::select(BIASES.to_vec()),
        1usize..=2,
        1usize..=3,
    )
        .prop_flat_map(|(act, (hb, ob), d, m)| {
            let a = arch(d, m, &act, hb, ob);
            let len = a.num_params();
            (Just(a), data(d, 1..=6), prop::collection::vec(coord(), len))
        });
    run(runner(cases(64), 400), strategy, |(a, (x, y), flat)| {
        let p = problem(x, y, a);
        let params =
            Params::from_flat(&p.arch, &flat).ok_or_else(|| TestCaseError::fail("shape"))?;
        let (core, own) = (p.loss(&params), own_loss(&p, &params));
        prop_assert!(
            core == own,
            "core {} own {}\n{}",
            fmt_q(&core),
            fmt_q(&own),
            show(&p)
        );
        Ok(())
    });
}

//! Tests of the float simplex against the exact simplex
//! (`solve_exact_simplex`, an independent exact oracle), exact ranks of the
//! returned active sets, and determinism; plus an `#[ignore]`d measurement
//! on the generated benchmark LPs against microlp.

use super::{solve, Run, Status};
use crate::intform::{AnyIntLp, IntLp, Kind};
use crate::linalg::{rank, Ring, Stop};
use crate::number::{qf, Q};
use crate::{solve_exact_simplex, Cmp, Lp, LpResult, Sense, VarId};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use proptest::prelude::*;

/// The float run on `lp`, the integer-form rows (as rationals, with the
/// right-hand side last) and each row's float data.
struct Out {
    run: Run,
    rows: Vec<Vec<Q>>,
    fl: Vec<(Vec<f64>, f64)>,
    kinds: Vec<Kind>,
}

fn run_t<T: Ring>(ilp: &IntLp<T>) -> Out {
    let run = solve(ilp, &Stop::never());
    let rows = ilp
        .cons
        .iter()
        .map(|c| {
            c.coef
                .iter()
                .chain(std::iter::once(&c.rhs))
                .map(|v| Q::from_integer(v.to_big()))
                .collect()
        })
        .collect();
    let fl = ilp
        .cons
        .iter()
        .map(|c| (c.coef.iter().map(Ring::to_f64).collect(), c.rhs.to_f64()))
        .collect();
    let kinds = ilp.cons.iter().map(|c| c.kind).collect();
    Out {
        run,
        rows,
        fl,
        kinds,
    }
}

fn run_lp(lp: &Lp) -> Out {
    match AnyIntLp::from_lp_until(lp, &Stop::never()) {
        Some(AnyIntLp::Small(ilp)) => run_t(&ilp),
        Some(AnyIntLp::Big(ilp)) => run_t(&ilp),
        None => panic!("no deadline: the integer form is always built"),
    }
}

fn f(q: &Q) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

/// A small LP: `(sense, c, rows (coef, cmp, rhs, decimal exponent),
/// bounds (kind, value, width), planted point)`. With a planted point
/// `x0` the rows and bounds are moved to hold at `x0` (the right-hand side
/// becomes the slack, often 0: degenerate), so the LP is feasible.
type Spec = (
    bool,
    Vec<i64>,
    Vec<(Vec<i64>, u8, i64, i32)>,
    Vec<(u8, i64, i64)>,
    Option<Vec<i64>>,
);

fn arb_spec() -> impl Strategy<Value = Spec> {
    (1usize..=8, 0usize..=10).prop_flat_map(|(n, m)| {
        let coef = prop_oneof![3 => Just(0i64), 5 => -3i64..=3];
        let rhs = prop_oneof![2 => Just(0i64), 3 => -6i64..=6];
        (
            any::<bool>(),
            prop::collection::vec(-3i64..=3, n),
            prop::collection::vec((prop::collection::vec(coef, n), 0u8..3, rhs, -3i32..=3), m),
            prop::collection::vec((0u8..5, -3i64..=3, 1i64..=4), n),
            prop::option::of(prop::collection::vec(-2i64..=2, n)),
        )
    })
}

/// `v * 10^e` as a rational.
fn dec(v: i64, e: i32) -> Q {
    if e >= 0 {
        Q::from_integer(BigInt::from(v) * BigInt::from(10).pow(e as u32))
    } else {
        Q::new(BigInt::from(v), BigInt::from(10).pow((-e) as u32))
    }
}

fn to_lp(spec: &Spec) -> Lp {
    let (max, c, rows, bounds, x0) = spec;
    let mut lp = Lp::new(if *max {
        Sense::Maximize
    } else {
        Sense::Minimize
    });
    for (j, &(kind, v, w)) in bounds.iter().enumerate() {
        let (lo, hi) = match kind {
            0 => (None, None),
            1 => (Some(v), None),
            2 => (None, Some(v)),
            3 => (Some(v), Some(v + w)),
            _ => (Some(v), Some(v)),
        };
        let (lo, hi) = match x0 {
            Some(p) if kind == 4 => (Some(p[j]), Some(p[j])),
            Some(p) => (lo.map(|l| l.min(p[j])), hi.map(|h| h.max(p[j]))),
            None => (lo, hi),
        };
        lp.add_var(lo.map(|b| qf(b, 1)), hi.map(|b| qf(b, 1)));
    }
    for (a, cmp, b, e) in rows {
        let cmp = [Cmp::Le, Cmp::Ge, Cmp::Eq][*cmp as usize];
        let b = &match x0 {
            Some(p) => {
                let ax: i64 = a.iter().zip(p).map(|(a, x)| a * x).sum();
                match cmp {
                    Cmp::Le => ax + b.abs(),
                    Cmp::Ge => ax - b.abs(),
                    Cmp::Eq => ax,
                }
            }
            None => *b,
        };
        let coeffs = a
            .iter()
            .enumerate()
            .map(|(j, &v)| (VarId(j), dec(v, *e)))
            .collect();
        lp.add_row(coeffs, cmp, dec(*b, *e));
    }
    lp.set_objective(
        c.iter()
            .enumerate()
            .map(|(j, &v)| (VarId(j), qf(v, 1)))
            .collect(),
    );
    lp
}

/// Every fact the float answer must share with the exact one.
fn agree(spec: &Spec) -> Result<(), TestCaseError> {
    let lp = to_lp(spec);
    let n = lp.vars.len();
    let out = run_lp(&lp);
    let exact = solve_exact_simplex(&lp);
    match (&out.run.status, &exact) {
        (Status::Optimal(x), LpResult::Optimal { value, .. }) => {
            let fv: f64 = lp.objective.iter().map(|(j, c)| f(c) * x[j.0]).sum();
            let ev = f(value);
            prop_assert!(
                (fv - ev).abs() <= 1e-6 * ev.abs().max(1.0),
                "float objective {fv} vs exact {ev}"
            );
            // Every integer-form constraint holds at x, the active ones tightly.
            for (k, (a, b)) in out.fl.iter().enumerate() {
                let terms: Vec<f64> = a.iter().zip(x).map(|(a, x)| a * x).collect();
                let lhs: f64 = terms.iter().sum();
                let scale = 1.0 + terms.iter().map(|t| t.abs()).sum::<f64>() + b.abs();
                let viol = match out.kinds[k] {
                    Kind::Ge => b - lhs,
                    Kind::Le => lhs - b,
                    Kind::Eq => (lhs - b).abs(),
                };
                prop_assert!(viol <= 1e-6 * scale, "constraint {k} violated by {viol}");
                if out.run.active.contains(&k) {
                    prop_assert!((lhs - b).abs() <= 1e-6 * scale, "active {k} not tight");
                }
            }
        }
        (Status::Infeasible, LpResult::Infeasible { .. })
        | (Status::Unbounded, LpResult::Unbounded { .. }) => {}
        (s, e) => prop_assert!(false, "float {s:?} vs exact {}", e.status()),
    }
    if matches!(out.run.status, Status::Optimal(_) | Status::Infeasible) {
        // The nonbasic constraints of a basis are linearly independent
        // (exact rank), and there are n of them when no variable is free.
        let act: Vec<Vec<Q>> = out
            .run
            .active
            .iter()
            .map(|&k| out.rows[k][..n].to_vec())
            .collect();
        prop_assert!(act.len() <= n);
        prop_assert_eq!(rank(&act), act.len(), "dependent active set");
        if lp
            .vars
            .iter()
            .all(|v| v.lower.is_some() || v.upper.is_some())
        {
            prop_assert_eq!(act.len(), n);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]
    #[test]
    fn float_simplex_agrees_with_exact(spec in arb_spec()) {
        agree(&spec)?;
    }
}

/// Hand-made degenerate LPs (many constraints through one vertex).
#[test]
fn degenerate_vertex() {
    // max x + y over x, y >= 0 and x + k y <= 0, k x + y <= 0 (k = 1..4),
    // x + y <= 2: the only feasible point is the origin (value 0).
    let mut rows = Vec::new();
    for k in 1..=4 {
        rows.push((vec![1, k], 0u8, 0, 0));
        rows.push((vec![k, 1], 0u8, 0, 0));
    }
    rows.push((vec![1, 1], 0u8, 2, 0));
    let spec: Spec = (true, vec![1, 1], rows, vec![(1, 0, 1), (1, 0, 1)], None);
    agree(&spec).expect("agrees with the exact simplex");
    let out = run_lp(&to_lp(&spec));
    assert_eq!(out.run.status, Status::Optimal(vec![0.0, 0.0]));
}

/// A larger pseudo-random LP with many-digit rational data.
fn big_lp(seed: u64, m: usize, n: usize) -> Lp {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    };
    let mut lp = Lp::new(Sense::Minimize);
    for _ in 0..n {
        lp.add_var(Some(qf(-1000, 1)), Some(qf(1000, 1)));
    }
    for _ in 0..m {
        let mut coeffs = Vec::new();
        for j in 0..n {
            if next() % 3 == 0 {
                let v = (next() % 2_000_000_001) as i64 - 1_000_000_000;
                coeffs.push((VarId(j), qf(v, 1 + (next() % 9_999) as i64)));
            }
        }
        let b = (next() % 1_000_000_000) as i64;
        lp.add_row(coeffs, Cmp::Le, qf(b, 7));
    }
    lp.set_objective(
        (0..n)
            .map(|j| (VarId(j), qf((next() % 2001) as i64 - 1000, 3)))
            .collect(),
    );
    lp
}

#[test]
fn deterministic_bit_identical() {
    for seed in 0..4 {
        let lp = big_lp(seed, 24, 12);
        let a = run_lp(&lp).run;
        let b = run_lp(&lp).run;
        let bits = |r: &Run| match &r.status {
            Status::Optimal(x) => x.iter().map(|v| v.to_bits()).collect(),
            _ => Vec::new(),
        };
        assert!(matches!(a.status, Status::Optimal(_)), "seed {seed}");
        assert_eq!(bits(&a), bits(&b));
        assert_eq!((a.active, a.steps), (b.active, b.steps));
        // And the exact simplex agrees on the value.
        let LpResult::Optimal { value, .. } = solve_exact_simplex(&lp) else {
            panic!("exact: not optimal")
        };
        let Status::Optimal(x) = &a.status else {
            unreachable!()
        };
        let fv: f64 = lp.objective.iter().map(|(j, c)| f(c) * x[j.0]).sum();
        assert!((fv - f(&value)).abs() <= 1e-6 * f(&value).abs().max(1.0));
    }
}

/// microlp on the same f64 data (the previous float solver), for the
/// measurement below: (status, pivots unknown).
fn microlp_status(lp: &Lp) -> &'static str {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let dir = match lp.sense {
        Sense::Maximize => OptimizationDirection::Maximize,
        Sense::Minimize => OptimizationDirection::Minimize,
    };
    let mut p = Problem::new(dir);
    let obj = lp.objective_dense();
    let vars: Vec<_> = lp
        .vars
        .iter()
        .zip(&obj)
        .map(|(v, c)| {
            let lo = v.lower.as_ref().map_or(f64::NEG_INFINITY, f);
            let hi = v.upper.as_ref().map_or(f64::INFINITY, f);
            p.add_var(f(c), (lo, hi))
        })
        .collect();
    for (i, row) in lp.rows.iter().enumerate() {
        let a = lp.row_dense(i);
        let amax = a.iter().map(|q| f(q).abs()).fold(0.0, f64::max);
        let s = if amax > 0.0 { 1.0 / amax } else { 1.0 };
        let expr: Vec<_> = a
            .iter()
            .enumerate()
            .filter(|(_, q)| f(q) != 0.0)
            .map(|(j, q)| (vars[j], f(q) * s))
            .collect();
        let op = match row.cmp {
            Cmp::Le => ComparisonOp::Le,
            Cmp::Ge => ComparisonOp::Ge,
            Cmp::Eq => ComparisonOp::Eq,
        };
        p.add_constraint(expr, op, f(&row.rhs) * s);
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.solve())) {
        Ok(Ok(_)) => "optimal",
        Ok(Err(microlp::Error::Infeasible)) => "infeasible",
        Ok(Err(microlp::Error::Unbounded)) => "unbounded",
        _ => "error",
    }
}

/// Figures for the report: `cargo test --release -p relucert-lp --lib
/// fsimplex::tests::measure -- --ignored --nocapture` (LP files from
/// `$LPW`, default `/tmp/lpw`).
#[test]
#[ignore]
fn measure() {
    let dir = std::env::var("LPW").unwrap_or_else(|_| "/tmp/lpw".into());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "lp"));
    files.sort();
    println!("file\tours\tsteps\trefactors\tms\tmicrolp\tms");
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let Ok(lp) = crate::parse::parse_lp(&text) else {
            continue;
        };
        let Some(AnyIntLp::Big(ilp)) = AnyIntLp::from_lp_until(&lp, &Stop::never()) else {
            continue;
        };
        // Best of 5 (the machine is shared).
        let (mut ours, mut theirs) = (f64::INFINITY, f64::INFINITY);
        let (mut run, mut ml) = (None, "");
        for _ in 0..5 {
            let t0 = std::time::Instant::now();
            run = Some(solve(&ilp, &Stop::never()));
            ours = ours.min(t0.elapsed().as_secs_f64() * 1e3);
            let t1 = std::time::Instant::now();
            ml = microlp_status(&lp);
            theirs = theirs.min(t1.elapsed().as_secs_f64() * 1e3);
        }
        let Some(run) = run else { continue };
        let st = match run.status {
            Status::Optimal(_) => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::Error => "error",
        };
        println!(
            "{}\t{st}\t{}\t{}\t{ours:.1}\t{ml}\t{theirs:.1}",
            p.file_name().and_then(|s| s.to_str()).unwrap_or("?"),
            run.steps,
            run.refactors,
        );
    }
}

fn run_lp_with(lp: &Lp, stop: &Stop<'_>, budget: Option<usize>) -> Run {
    match AnyIntLp::from_lp_until(lp, &Stop::never()) {
        Some(AnyIntLp::Small(ilp)) => super::solve_with(&ilp, stop, budget),
        Some(AnyIntLp::Big(ilp)) => super::solve_with(&ilp, stop, budget),
        None => panic!("no deadline: the integer form is always built"),
    }
}

/// The step budget is a hard cap (`Error`, never more steps), and the
/// deadline turns a run into `Error` too; neither changes a finished run.
#[test]
fn step_budget_and_deadline() {
    let lp = big_lp(7, 24, 12);
    let full = run_lp_with(&lp, &Stop::never(), None);
    assert!(matches!(full.status, Status::Optimal(_)));
    assert!(full.steps > 3);
    let cut = run_lp_with(&lp, &Stop::never(), Some(full.steps / 2));
    assert_eq!(cut.status, Status::Error);
    assert!(cut.steps <= full.steps / 2);
    assert!(cut.active.is_empty());
    let again = run_lp_with(&lp, &Stop::never(), Some(full.steps));
    assert_eq!(again.status, full.status);
    let gone = crate::Deadline::after(std::time::Duration::ZERO);
    let r = run_lp_with(&lp, &Stop::at(&gone), None);
    assert_eq!(r.status, Status::Error);
}

/// Heavily degenerate LPs of cell-witness shape (many rows through few
/// points, maximise the slack t): the float answer agrees with the exact
/// simplex.
#[test]
fn degenerate_witness_family() {
    for seed in 0..30u64 {
        let mut s = seed;
        let mut next = move |k: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % k
        };
        let d = 2 + next(3) as usize;
        let mut lp = Lp::new(Sense::Maximize);
        for _ in 0..d {
            lp.add_var(Some(qf(-1, 1)), Some(qf(1, 1)));
        }
        let t = lp.add_var(None, Some(qf(1, 1)));
        // Rows a.x + c >= t with a, c small integers: many hyperplanes
        // through the origin and through the box corners.
        for _ in 0..(20 + next(20)) {
            let a: Vec<i64> = (0..d).map(|_| next(5) as i64 - 2).collect();
            let c = if next(2) == 0 { 0 } else { next(5) as i64 - 2 };
            let mut coeffs: Vec<(VarId, Q)> = a
                .iter()
                .enumerate()
                .map(|(j, &v)| (VarId(j), qf(v, 1)))
                .collect();
            coeffs.push((t, qf(-1, 1)));
            lp.add_row(coeffs, Cmp::Ge, qf(-c, 1));
        }
        lp.set_objective(vec![(t, qf(1, 1))]);
        let run = run_lp(&lp).run;
        let exact = solve_exact_simplex(&lp);
        match (&run.status, &exact) {
            (Status::Optimal(x), LpResult::Optimal { value, .. }) => {
                assert!((x[d] - f(value)).abs() <= 1e-6, "seed {seed}");
            }
            (Status::Infeasible, LpResult::Infeasible { .. })
            | (Status::Unbounded, LpResult::Unbounded { .. }) => {}
            (s, e) => panic!("seed {seed}: float {s:?} vs exact {}", e.status()),
        }
    }
}

/// The whole exact pipeline on the measurement files, with its counters:
/// `cargo test --release -p relucert-lp --lib fsimplex::tests::pipeline --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn pipeline() {
    let dir = std::env::var("LPW").unwrap_or_else(|_| "/tmp/lpw".into());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "lp"));
    files.sort();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let Ok(lp) = crate::parse::parse_lp(&text) else {
            continue;
        };
        let mut stats = crate::LpStats::default();
        let t0 = std::time::Instant::now();
        let res = crate::solve_with_stats(&lp, &mut stats);
        println!(
            "{}\t{}\t{:.1} ms\t{stats:?}",
            p.file_name().and_then(|s| s.to_str()).unwrap_or("?"),
            res.status(),
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// No variables at all: rows `0 >= b` decide alone.
#[test]
fn no_variables() {
    for (b, feasible) in [(1, false), (-1, true), (0, true)] {
        let mut lp = Lp::new(Sense::Minimize);
        lp.add_row(Vec::new(), Cmp::Ge, qf(b, 1));
        let run = run_lp(&lp).run;
        let exact = solve_exact_simplex(&lp);
        assert_eq!(
            exact.status(),
            if feasible { "optimal" } else { "infeasible" }
        );
        let want = if feasible {
            Status::Optimal(Vec::new())
        } else {
            Status::Infeasible
        };
        assert_eq!(run.status, want, "0 >= {b}");
    }
}

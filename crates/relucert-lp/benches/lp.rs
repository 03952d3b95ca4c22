//! LP engine benchmarks: LPs per second for (a) microlp alone, (b) the exact
//! path (`lp::solve`), (c) the pure exact simplex, on the cell-witness
//! family and on random dense LPs; the fallback rate of (b) is printed.
//!
//! Run: `cargo bench --bench lp` (figures recorded in docs/benchmarks.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use relucert_lp::number::qi;
use relucert_lp::{solve, solve_exact_simplex, solve_with_stats, Cmp, Lp, LpStats, Sense};
use std::hint::black_box;
use std::time::Duration;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
}

/// Plain data of one LP, shared by the microlp baseline and the exact solvers.
struct Data {
    max: bool,
    c: Vec<i64>,
    rows: Vec<(Vec<i64>, Cmp, i64)>,
    bounds: Vec<(Option<i64>, Option<i64>)>,
}

impl Data {
    fn to_lp(&self) -> Lp {
        let mut lp = Lp::new(if self.max {
            Sense::Maximize
        } else {
            Sense::Minimize
        });
        let vars: Vec<_> = self
            .bounds
            .iter()
            .map(|(l, u)| lp.add_var(l.map(qi), u.map(qi)))
            .collect();
        for (a, cmp, b) in &self.rows {
            lp.add_row(
                a.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0)
                    .map(|(j, v)| (vars[j], qi(*v)))
                    .collect(),
                *cmp,
                qi(*b),
            );
        }
        lp.set_objective(
            self.c
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0)
                .map(|(j, v)| (vars[j], qi(*v)))
                .collect(),
        );
        lp
    }

    /// microlp alone, straight from the f64 data.
    fn solve_microlp(&self) -> f64 {
        use microlp::{ComparisonOp, OptimizationDirection, Problem};
        let dir = if self.max {
            OptimizationDirection::Maximize
        } else {
            OptimizationDirection::Minimize
        };
        let mut p = Problem::new(dir);
        let vars: Vec<_> = self
            .bounds
            .iter()
            .zip(&self.c)
            .map(|((l, u), c)| {
                p.add_var(
                    *c as f64,
                    (
                        l.map_or(f64::NEG_INFINITY, |v| v as f64),
                        u.map_or(f64::INFINITY, |v| v as f64),
                    ),
                )
            })
            .collect();
        for (a, cmp, b) in &self.rows {
            let expr: Vec<(microlp::Variable, f64)> = a
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0)
                .map(|(j, v)| (vars[j], *v as f64))
                .collect();
            let op = match cmp {
                Cmp::Le => ComparisonOp::Le,
                Cmp::Ge => ComparisonOp::Ge,
                Cmp::Eq => ComparisonOp::Eq,
            };
            p.add_constraint(expr, op, *b as f64);
        }
        match p.solve() {
            Ok(out) => out.solution().map_or(f64::NAN, |s| s.objective()),
            Err(_) => f64::NAN,
        }
    }
}

/// maximise t s.t. s_j (a_j . x + b_j) - t >= 0 (12 rows, x in R^4 free), t <= 1.
fn cell_witness(seed: u64) -> Data {
    let mut r = Rng(seed);
    let mut rows = Vec::new();
    for _ in 0..12 {
        let s = if r.next() % 2 == 0 { 1 } else { -1 };
        let mut a: Vec<i64> = (0..4).map(|_| s * r.range(-5, 5)).collect();
        let b = s * r.range(-5, 5);
        a.push(-1); // -t
        rows.push((a, Cmp::Ge, -b));
    }
    let mut c = vec![0; 5];
    c[4] = 1;
    let mut bounds = vec![(None, None); 5];
    bounds[4] = (None, Some(1));
    Data {
        max: true,
        c,
        rows,
        bounds,
    }
}

/// maximise c.x s.t. A x <= b, x >= 0, with n rows, A in [0, 9], c in [1, 9].
fn dense(seed: u64, n: usize) -> Data {
    let mut r = Rng(seed);
    let rows = (0..n)
        .map(|_| {
            let a: Vec<i64> = (0..n).map(|_| r.range(0, 9)).collect();
            (a, Cmp::Le, r.range(10 * n as i64, 50 * n as i64))
        })
        .collect();
    let c = (0..n).map(|_| r.range(1, 9)).collect();
    Data {
        max: true,
        c,
        rows,
        bounds: vec![(Some(0), None); n],
    }
}

fn family(c: &mut Criterion, name: &str, data: Vec<Data>) {
    let lps: Vec<Lp> = data.iter().map(Data::to_lp).collect();
    let mut stats = LpStats::default();
    for lp in &lps {
        solve_with_stats(lp, &mut stats);
    }
    eprintln!(
        "{name}: {} LPs, fast path {}, fallbacks {} (warm {}), float errors {}, fallback rate {:.2}%",
        stats.solves,
        stats.fast_path,
        stats.fallbacks,
        stats.warm_starts,
        stats.float_errors,
        100.0 * stats.fallback_rate()
    );
    let mut g = c.benchmark_group(name);
    g.measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(10);
    g.throughput(Throughput::Elements(lps.len() as u64));
    g.bench_function(BenchmarkId::new("microlp", lps.len()), |b| {
        b.iter(|| {
            data.iter()
                .map(|d| black_box(d.solve_microlp()))
                .sum::<f64>()
        })
    });
    g.bench_function(BenchmarkId::new("exact_path", lps.len()), |b| {
        b.iter(|| {
            lps.iter()
                .map(|lp| black_box(solve(lp)).status().len())
                .sum::<usize>()
        })
    });
    g.bench_function(BenchmarkId::new("exact_simplex", lps.len()), |b| {
        b.iter(|| {
            lps.iter()
                .map(|lp| black_box(solve_exact_simplex(lp)).status().len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    family(c, "lp_cell_witness", (0..256).map(cell_witness).collect());
    for n in [10usize, 20, 40] {
        let count = if n == 40 { 8 } else { 32 };
        family(
            c,
            &format!("lp_dense_{n}"),
            (0..count).map(|s| dense(s + 1000, n)).collect(),
        );
    }
}

criterion_group!(lp_benches, benches);
criterion_main!(lp_benches);

//! Verify time of the all-dead minima of issue 14 (`tests/common/all_dead.rs`:
//! one hidden layer, binary hinge, N = 10 points, every unit strictly dead
//! on every point, the output bias at the majority label; generated here,
//! deterministically, seed 1):
//! - `all_dead/width/W` at d = 5, W = 2, 4, 8, 16, 32, 64;
//! - `all_dead/dim/D` at W = 8, D = 2, 5, 10, 20.
//!
//! Each with default limits (`verify` as the CLI runs it, the comparison
//! with the width's optimum included) and, as `local/...`, without that
//! comparison (`global_budget = 0`: the local analysis alone).
//! Every instance is checked to be `local-min` before it is timed.

#[path = "../tests/common/all_dead.rs"]
mod gen;

use criterion::{criterion_group, criterion_main, Criterion};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let sizes: Vec<(String, usize, usize)> = [2, 4, 8, 16, 32, 64]
        .iter()
        .map(|&w| (format!("width/{w}"), w, 5))
        .chain([2, 5, 10, 20].iter().map(|&d| (format!("dim/{d}"), 8, d)))
        .collect();
    for (prefix, budget) in [("", relucert::verify::DEFAULT_GLOBAL_BUDGET), ("local/", 0)] {
        let limits = Limits {
            global_budget: budget,
            ..Limits::default()
        };
        let mut group = c.benchmark_group("all_dead");
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(1));
        for (name, w, d) in &sizes {
            let inst = gen::all_dead(*w, *d, 1, Q::from_integer(1.into()));
            let out = verify(&inst, &limits).expect("the instance has a point");
            assert_eq!(out.verdict, Verdict::LocalMin, "{name}: {}", out.reason);
            group.bench_function(format!("{prefix}{name}"), |b| {
                b.iter(|| black_box(verify(&inst, &limits).ok()))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

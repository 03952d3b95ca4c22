//! Verify time (`relucert::verify::verify`, default limits):
//! - `corpus/<family>`: the first 10 instances of each default corpus
//!   family (`relucert gen`, seed 1), verified one after another; the time
//!   per instance is the reported time / 10 (the median per instance over
//!   the full corpus is printed by `relucert corpus`);
//! - `kink_points/M`: a non-flat sub-optimal local minimum with M data
//!   points on kinks (ReLU, d = 2, up to 4 units, 2 kink points each, in
//!   general position), every kink point also on its hinge corner, plus an
//!   anchor point on its corner and a positive-loss dead point; its loss
//!   near the point is `max(0, dc) + sum_k max(0, dc + v'_k relu(l_k)) - dc`
//!   over `2 + M` points, so the point has 2M + 1 zero entries and
//!   2^(2M+1) pieces. This measures how verify grows with M.

use criterion::{criterion_group, criterion_main, Criterion};
use relucert::gen::{generate, Family};
use relucert::instance::Instance;
use relucert::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use relucert::number::Q;
use relucert::verify::{verify, Limits, Verdict};
use std::hint::black_box;
use std::time::Duration;

fn q(v: i64) -> Q {
    Q::from_integer(v.into())
}

/// The kink-point family described above.
pub fn kink_points(m: usize) -> Instance {
    let dirs = [(1, 0), (-1, 0), (0, 1), (0, -1)];
    let units = m.div_ceil(2).max(1);
    let mut x: Vec<Vec<Q>> = Vec::new();
    let mut y = Vec::new();
    for k in 0..m {
        let (a, b) = dirs[k / 2];
        // on unit k/2's line u . x = 10, off the other units' lines
        let t = if k % 2 == 0 { 1 } else { -2 };
        let p = if a != 0 { (10 * a, t) } else { (t, 10 * b) };
        x.push(vec![q(p.0), q(p.1)]);
        y.push(-1);
    }
    x.push(vec![q(0), q(0)]); // anchor: dead, on its hinge corner
    y.push(-1);
    x.push(vec![q(1), q(1)]); // dead positive point, loss 2
    y.push(1);
    let w: Vec<Vec<Q>> = (0..units)
        .map(|j| vec![q(dirs[j].0), q(dirs[j].1)])
        .collect();
    let problem = Problem {
        arch: Architecture {
            widths: vec![2, units, 1],
            activation: Activation::Relu,
            bias: vec![true, true],
        },
        loss: LossKind::Hinge,
        data: Data::labelled(x, y),
    };
    let point = Params {
        layers: vec![
            LayerParams {
                w,
                b: Some(vec![q(-10); units]),
            },
            LayerParams {
                w: vec![vec![q(-1); units]],
                b: Some(vec![q(-1)]),
            },
        ],
    };
    Instance {
        name: None,
        source: None,
        problem,
        point: Some(point),
        expect: None,
    }
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("corpus");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    for family in [Family::Linear, Family::Kinks, Family::Dead, Family::Saddle] {
        let insts: Vec<Instance> = (0..10).map(|i| generate(family, 1, i).instance).collect();
        group.bench_function(format!("{family:?}").to_lowercase(), |b| {
            b.iter(|| {
                for inst in &insts {
                    black_box(verify(inst, &limits).ok());
                }
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("kink_points");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(2));
    for m in 1..=8 {
        let inst = kink_points(m);
        let out = verify(&inst, &limits).expect("the instance has a point");
        assert_eq!(out.verdict, Verdict::LocalMin, "M = {m}: {}", out.reason);
        group.bench_function(format!("{m}"), |b| {
            b.iter(|| black_box(verify(&inst, &limits).ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

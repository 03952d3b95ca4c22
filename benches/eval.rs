//! Exact loss evaluation throughput: N = 200 points, widths [4, 8, 8, 1],
//! ReLU, biases, binary hinge, small random rationals (fixed seed).
//! Also `evaluate_points` (what `relucert eval` runs; issue 18: the same
//! answers in batches of integer arithmetic), the cost of building the cell
//! polynomial of the same instance, and, as the in-run baseline the
//! figures are reported against, the same forward pass in f64 (which decides nothing in relucert; it is only a yardstick).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use relucert::cellpoly::loss_poly;
use relucert::network::{
    forward_rational, point_loss, Activation, Architecture, Data, LossKind, Params, Problem,
};
use relucert::number::Q;
use std::hint::black_box;
use std::time::Duration;

/// xorshift64*: a fixed-seed generator so the instance is the same every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// p/q with |p| <= 9, q in 1..=4.
    fn q(&mut self) -> Q {
        let p = (self.next() % 19) as i64 - 9;
        let d = (self.next() % 4) as i64 + 1;
        Q::new(BigInt::from(p), BigInt::from(d))
    }
}

fn instance() -> (Problem, Params) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let arch = Architecture {
        widths: vec![4, 8, 8, 1],
        activation: Activation::Relu,
        bias: vec![true; 3],
    };
    let n = 200;
    let x = (0..n).map(|_| (0..4).map(|_| rng.q()).collect()).collect();
    let y = (0..n)
        .map(|_| if rng.next() % 2 == 0 { 1 } else { -1 })
        .collect();
    let flat: Vec<Q> = (0..arch.num_params()).map(|_| rng.q()).collect();
    let params = Params::from_flat(&arch, &flat).unwrap();
    (
        Problem {
            arch,
            loss: LossKind::Hinge,
            data: Data::labelled(x, y),
        },
        params,
    )
}

fn f64_loss(xs: &[Vec<f64>], ys: &[f64], layers: &[(Vec<Vec<f64>>, Vec<f64>)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let mut a = x.clone();
        for (l, (w, b)) in layers.iter().enumerate() {
            let z: Vec<f64> = w
                .iter()
                .zip(b)
                .map(|(row, bj)| row.iter().zip(&a).map(|(p, q)| p * q).sum::<f64>() + bj)
                .collect();
            a = if l + 1 == layers.len() {
                z
            } else {
                z.into_iter().map(|t| t.max(0.0)).collect()
            };
        }
        total += (1.0 - y * a[0]).max(0.0);
    }
    total / xs.len() as f64
}

fn bench(c: &mut Criterion) {
    let (problem, params) = instance();
    let mut g = c.benchmark_group("eval_N200_4-8-8-1");
    g.measurement_time(Duration::from_secs(5))
        .sample_size(30)
        .throughput(Throughput::Elements(1));
    g.bench_function("exact_loss", |b| {
        b.iter(|| black_box(problem.loss(black_box(&params))))
    });
    g.bench_function("exact_signature", |b| {
        b.iter(|| black_box(problem.signature(black_box(&params))))
    });
    // what `relucert eval` runs: batched integer passes, the points' loss
    // details and the signature, no rational pre-activations kept
    g.bench_function("exact_evaluate_points", |b| {
        b.iter(|| black_box(problem.evaluate_points(black_box(&params))))
    });
    // small random rationals put some entries exactly at 0: take the + side
    let sig = problem.signature(&params);
    let sides = vec![relucert::network::Side::Pos; sig.zero_entries().len()];
    let pattern = sig
        .complete(&sides)
        .expect("binary hinge: no ties, + or - fits every entry");
    g.bench_function("cell_polynomial", |b| {
        b.iter(|| black_box(loss_poly(&problem, black_box(&pattern))))
    });
    let f = |q: &Q| q.to_f64().unwrap();
    let xs: Vec<Vec<f64>> = problem
        .data
        .x
        .iter()
        .map(|r| r.iter().map(f).collect())
        .collect();
    let ys: Vec<f64> = problem.data.y.iter().map(|&y| y as f64).collect();
    let layers: Vec<(Vec<Vec<f64>>, Vec<f64>)> = params
        .layers
        .iter()
        .map(|l| {
            (
                l.w.iter().map(|r| r.iter().map(f).collect()).collect(),
                l.b.as_ref().unwrap().iter().map(f).collect(),
            )
        })
        .collect();
    g.bench_function("rational_forward_loss", |b| {
        b.iter(|| {
            let mut total = Q::from_integer(0.into());
            for (x, &y) in problem.data.x.iter().zip(&problem.data.y) {
                let t = forward_rational(&problem.arch, &params, x);
                total += point_loss(problem.loss, &t.output, y, &Default::default()).loss;
            }
            black_box(total)
        })
    });
    g.bench_function("f64_loss_baseline", |b| {
        b.iter(|| black_box(f64_loss(black_box(&xs), &ys, &layers)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

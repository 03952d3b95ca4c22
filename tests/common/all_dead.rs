//! The all-dead minima of issue 14, generated deterministically: a
//! one-hidden-layer ReLU network, binary hinge, N = 10 integer points in
//! R^d (6 labelled +1, 4 labelled -1), width w, every hidden unit strictly
//! dead on every point (pre-activation at most -1), the output bias at the
//! majority label 1 (the six majority points on their hinge corner,
//! margin exactly 1). Near the point every unit stays dead, so the loss is
//! `L(b) = (1/N) sum_i max(0, 1 - y_i b)` of the output bias `b` alone,
//! least at `b = 1`. Shared by `tests/all_dead.rs` and
//! `benches/all_dead.rs` (included by path); it decides nothing.

use relucert::instance::Instance;
use relucert::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use relucert::number::Q;
use relucert::rng::Rng;

/// Number of data points.
pub const N: usize = 10;

fn q(v: i64) -> Q {
    Q::from_integer(v.into())
}

/// The all-dead instance of width `w` in dimension `d` (seed `seed`),
/// with output bias `b2`.
pub fn all_dead(w: usize, d: usize, seed: u64, b2: Q) -> Instance {
    let mut r = Rng::new(seed);
    let xs: Vec<Vec<i64>> = (0..N)
        .map(|_| (0..d).map(|_| r.int(-5, 5)).collect())
        .collect();
    let mut y: Vec<i64> = [1; 6].into_iter().chain([-1; N - 6]).collect();
    r.shuffle(&mut y);
    let w1: Vec<Vec<i64>> = (0..w)
        .map(|_| (0..d).map(|_| r.int(-3, 3)).collect())
        .collect();
    let b1: Vec<i64> = w1
        .iter()
        .map(|row| {
            let top = xs
                .iter()
                .map(|x| row.iter().zip(x).map(|(a, b)| a * b).sum::<i64>())
                .max()
                .unwrap_or(0);
            -top - r.int(1, 3)
        })
        .collect();
    let w2: Vec<i64> = (0..w).map(|_| r.int(-3, 3)).collect();
    let problem = Problem {
        arch: Architecture {
            widths: vec![d, w, 1],
            activation: Activation::Relu,
            bias: vec![true, true],
        },
        loss: LossKind::Hinge,
        data: Data::labelled(
            xs.iter()
                .map(|x| x.iter().map(|&v| q(v)).collect())
                .collect(),
            y,
        ),
    };
    let point = Params {
        layers: vec![
            LayerParams {
                w: w1
                    .iter()
                    .map(|row| row.iter().map(|&v| q(v)).collect())
                    .collect(),
                b: Some(b1.iter().map(|&v| q(v)).collect()),
            },
            LayerParams {
                w: vec![w2.iter().map(|&v| q(v)).collect()],
                b: Some(vec![b2]),
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

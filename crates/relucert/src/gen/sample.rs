//! Random ingredients of the generated instances, drawn from the
//! instance's stream.
//!
//! Owns: small exact rationals, data points with degenerate positions,
//! labels (random, or from a random separator), the choice of loss and
//! output width, of a kink activation, and random (or zero) layers and
//! one-hidden-layer architectures.
//!
//! Must not: decide anything, or draw from anything but the `Rng` it is
//! given; the number and order of its draws are part of every generated
//! instance (changing them changes the corpora).

use super::forward::dot;
use crate::network::{Activation, Architecture, LayerParams, LossKind};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{Signed, Zero};

/// The denominators of small rationals (1 half the time).
const DENOMINATORS: [i64; 6] = [1, 1, 1, 2, 3, 4];

/// A small rational `p/q`, `|p| <= m` (zero with probability about 1/(2m+1)).
pub(super) fn small_q(rng: &mut Rng, m: i64) -> Q {
    let p = rng.int(-m, m);
    qf(p, rng.pick(&DENOMINATORS))
}

/// A small nonzero rational.
pub(super) fn nonzero_q(rng: &mut Rng, m: i64) -> Q {
    let p = rng.int(1, m.max(1)) * if rng.chance(1, 2) { 1 } else { -1 };
    qf(p, rng.pick(&DENOMINATORS))
}

/// `n` points in dimension `d` with degenerate positions: repeated points,
/// collinear triples, the origin, zero coordinates.
pub(super) fn points(rng: &mut Rng, n: usize, d: usize) -> Vec<Vec<Q>> {
    let mut xs: Vec<Vec<Q>> = Vec::with_capacity(n);
    while xs.len() < n {
        let i = xs.len();
        let roll = rng.below(20);
        let x = if i >= 1 && roll < 2 {
            xs[rng.below(i)].clone()
        } else if i >= 2 && roll < 5 {
            let pair = rng.sample(i, 2);
            let a = xs[pair[0]].clone();
            let b = xs[pair[1]].clone();
            let t = rng.pick(&[qf(-1, 1), qf(1, 2), qi(2), qf(3, 2), qf(-1, 2), qf(1, 3)]);
            a.iter().zip(&b).map(|(p, q)| p + &t * (q - p)).collect()
        } else if roll < 6 {
            vec![Q::zero(); d]
        } else {
            (0..d)
                .map(|_| {
                    if d >= 2 && rng.chance(1, 5) {
                        Q::zero()
                    } else {
                        small_q(rng, 3)
                    }
                })
                .collect()
        };
        xs.push(x);
    }
    xs
}

/// Relu, or leaky with a small slope (1/10, 1/4, 1/3 or 1/2), evenly.
pub(super) fn kink_activation(rng: &mut Rng) -> Activation {
    if rng.chance(1, 2) {
        Activation::Relu
    } else {
        Activation::Leaky(rng.pick(&[qf(1, 10), qf(1, 4), qf(1, 3), qf(1, 2)]))
    }
}

/// The size of a one-hidden-layer instance: input dimension `d` in 1..=3,
/// number of points `n` in 2..=8, hidden width `h` in 1..=3 (drawn in that
/// order).
pub(super) fn one_hidden_size(rng: &mut Rng) -> (usize, usize, usize) {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    (d, n, h)
}

/// A kink activation (`kink_activation`), then the hidden and output bias
/// flags, each set with probability 2/3.
pub(super) fn kink_layer(rng: &mut Rng) -> (Activation, [bool; 2]) {
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    (act, bias)
}

/// A loss and its output width: binary with probability `binary` / 4.
pub(super) fn loss_choice(rng: &mut Rng, binary: u64) -> (LossKind, usize) {
    if rng.chance(binary, 4) {
        (LossKind::Hinge, 1)
    } else {
        let kind = if rng.chance(1, 2) {
            LossKind::MulticlassHinge
        } else {
            LossKind::CrammerSinger
        };
        (kind, rng.range(2, 3))
    }
}

/// `n` random labels: +-1 for the binary hinge, else classes `0..k`.
pub(super) fn labels(rng: &mut Rng, n: usize, loss: LossKind, k: usize) -> Vec<i64> {
    (0..n)
        .map(|_| {
            if loss == LossKind::Hinge {
                if rng.chance(1, 2) {
                    1
                } else {
                    -1
                }
            } else {
                rng.below(k) as i64
            }
        })
        .collect()
}

/// A `rows x cols` layer of small rationals, with a bias if `bias`.
pub(super) fn random_layer(rng: &mut Rng, rows: usize, cols: usize, bias: bool) -> LayerParams {
    LayerParams {
        w: (0..rows)
            .map(|_| (0..cols).map(|_| small_q(rng, 3)).collect())
            .collect(),
        b: bias.then(|| (0..rows).map(|_| small_q(rng, 3)).collect()),
    }
}

/// A `rows x cols` layer of zeros, with a zero bias if `bias`.
pub(super) fn zero_layer(rows: usize, cols: usize, bias: bool) -> LayerParams {
    LayerParams {
        w: vec![vec![Q::zero(); cols]; rows],
        b: bias.then(|| vec![Q::zero(); rows]),
    }
}

/// Random layers for every layer of `arch`, first to last.
pub(super) fn random_layers(rng: &mut Rng, arch: &Architecture) -> Vec<LayerParams> {
    (1..=arch.depth())
        .map(|l| random_layer(rng, arch.widths[l], arch.widths[l - 1], arch.bias[l - 1]))
        .collect()
}

/// The architecture `d-h-k` with activation `act` and the two bias flags.
pub(super) fn one_hidden(
    d: usize,
    h: usize,
    k: usize,
    act: Activation,
    bias: [bool; 2],
) -> Architecture {
    Architecture {
        widths: vec![d, h, k],
        activation: act,
        bias: bias.to_vec(),
    }
}

/// Random binary labels from an affine (or linear) separator `(u, c)`:
/// points exactly on the separating hyperplane are moved off it along `u`.
pub(super) fn separated_labels(
    rng: &mut Rng,
    xs: &mut [Vec<Q>],
    with_offset: bool,
) -> (Vec<Q>, Q, Vec<i64>) {
    let d = xs.first().map_or(0, Vec::len);
    let mut u: Vec<Q> = (0..d).map(|_| small_q(rng, 2)).collect();
    if u.iter().all(Zero::is_zero) {
        let k = rng.below(d);
        u[k] = nonzero_q(rng, 2);
    }
    let values: Vec<Q> = xs.iter().map(|x| dot(&u, x)).collect();
    let c = if with_offset {
        let a = rng.pick(&values);
        let b = rng.pick(&values);
        -(a + b) / qi(2)
    } else {
        Q::zero()
    };
    let norm2 = dot(&u, &u);
    let mut ys = Vec::with_capacity(xs.len());
    for x in xs.iter_mut() {
        let mut s = dot(&u, x) + &c;
        if s.is_zero() {
            let eps = if rng.chance(1, 2) {
                qf(1, 2)
            } else {
                qf(-1, 2)
            };
            for (xi, ui) in x.iter_mut().zip(&u) {
                *xi += &eps * ui;
            }
            s = eps * &norm2;
        }
        ys.push(if s.is_positive() { 1 } else { -1 });
    }
    (u, c, ys)
}

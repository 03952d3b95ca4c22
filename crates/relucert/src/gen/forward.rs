//! Exact arithmetic on the generated networks, written out here.
//!
//! Owns: dot products, one layer's affine map, a network's outputs and
//! hidden activations, the per-point hinge losses of FORMAT.md and their
//! average, margins with their attaining competitors, and rescaling a
//! layer. The generators use these to place points and to compute the
//! closed-form `[expect]` values independently of `network`.
//!
//! Must not: draw randomness, or decide anything (it only evaluates).

use crate::network::{Activation, LayerParams, LossKind};
use crate::number::{qi, Q};
use num_traits::{One, Signed, Zero};

/// The dot product of two equally long vectors.
pub(super) fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (p, q)| acc + p * q)
}

/// `W x + b` of one layer.
pub(super) fn affine(layer: &LayerParams, x: &[Q]) -> Vec<Q> {
    layer
        .w
        .iter()
        .enumerate()
        .map(|(j, row)| {
            let z = dot(row, x);
            match &layer.b {
                Some(b) => z + &b[j],
                None => z,
            }
        })
        .collect()
}

/// Outputs of a network with any number of hidden layers.
pub(super) fn outputs(act: &Activation, layers: &[LayerParams], x: &[Q]) -> Vec<Q> {
    let mut a = x.to_vec();
    for (l, layer) in layers.iter().enumerate() {
        let z = affine(layer, &a);
        if l + 1 == layers.len() {
            return z;
        }
        a = z.iter().map(|t| act.apply(t)).collect();
    }
    a
}

/// Hidden activations of a one-hidden-layer network.
pub(super) fn hidden(act: &Activation, layers: &[LayerParams], x: &[Q]) -> Vec<Q> {
    affine(&layers[0], x).iter().map(|t| act.apply(t)).collect()
}

/// The positive part `max(q, 0)`.
fn pos(q: Q) -> Q {
    if q.is_positive() {
        q
    } else {
        Q::zero()
    }
}

/// One point's hinge loss from its outputs (FORMAT.md), written out here.
pub(super) fn point_hinge(loss: LossKind, f: &[Q], y: i64) -> Q {
    match loss {
        // `y` read as an integer target (the classification families of
        // `gen`, the only callers, never use these losses)
        LossKind::Absolute => {
            let r = &f[0] - qi(y);
            if r.is_negative() {
                -r
            } else {
                r
            }
        }
        LossKind::Squared => {
            let r = &f[0] - qi(y);
            &r * &r
        }
        LossKind::Hinge => pos(Q::one() - qi(y) * &f[0]),
        LossKind::MulticlassHinge => {
            let fy = &f[y as usize];
            (0..f.len())
                .filter(|&k| k != y as usize)
                .fold(Q::zero(), |acc, k| acc + pos(Q::one() + &f[k] - fy))
        }
        LossKind::CrammerSinger => {
            let fy = &f[y as usize];
            let best = (0..f.len())
                .filter(|&k| k != y as usize)
                .map(|k| f[k].clone())
                .max()
                .unwrap_or_else(Q::zero);
            pos(Q::one() + best - fy)
        }
    }
}

/// Average hinge loss of given outputs.
pub(super) fn average_loss(loss: LossKind, outs: &[Vec<Q>], ys: &[i64]) -> Q {
    let total = outs
        .iter()
        .zip(ys)
        .fold(Q::zero(), |acc, (f, &y)| acc + point_hinge(loss, f, y));
    total / qi(ys.len().max(1) as i64)
}

/// Margin (binary `y f`; multiclass `f_y - max_{k != y} f_k`) and, for the
/// multiclass losses, the competitors attaining the max.
pub(super) fn margin(loss: LossKind, f: &[Q], y: i64) -> (Q, Vec<usize>) {
    if loss == LossKind::Hinge {
        return (qi(y) * &f[0], Vec::new());
    }
    let yc = y as usize;
    let best = (0..f.len())
        .filter(|&k| k != yc)
        .map(|k| f[k].clone())
        .max()
        .unwrap_or_else(Q::zero);
    let arg = (0..f.len()).filter(|&k| k != yc && f[k] == best).collect();
    (&f[yc] - best, arg)
}

/// Scale the output layer (weights and bias) by `s`.
pub(super) fn scale_layer(layer: &mut LayerParams, s: &Q) {
    for row in &mut layer.w {
        for v in row.iter_mut() {
            *v *= s;
        }
    }
    if let Some(b) = &mut layer.b {
        for v in b.iter_mut() {
            *v *= s;
        }
    }
}

//! The `linear` family: deep linear networks.
//!
//! Owns: the generator of deep linear networks (depth 2..=4, width <= 3)
//! at the origin, at factorisations of an LP-optimal affine classifier
//! (routed through the input or the output, mixed by random invertible
//! matrices), with a zero factor, or at random points; the small exact
//! matrix algebra this needs; and the `[expect]` it writes: the loss of the
//! end-to-end affine map by formula, global (and local) minimality when
//! that loss equals the LP optimum, non-global when it is above an optimum
//! the architecture can realise.
//!
//! Must not: claim minimality from anything but the exact LP optimum, or
//! change the order of its random draws.

use super::draft::Draft;
use super::forward::{affine, average_loss, dot};
use super::optimum::best_affine;
use super::sample::{labels, loss_choice, points, random_layer, small_q, zero_layer};
use crate::instance::Expect;
use crate::linalg;
use crate::network::{Activation, Architecture, LayerParams, LossKind};
use crate::number::Q;
use crate::rng::Rng;
use num_traits::{One, Zero};

/// A dense rational matrix, as rows.
type Matrix = Vec<Vec<Q>>;

/// The `r x r` identity matrix.
fn identity(r: usize) -> Vec<Vec<Q>> {
    (0..r)
        .map(|i| {
            (0..r)
                .map(|j| if i == j { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect()
}

/// The matrix product `a b`.
fn matmul(a: &[Vec<Q>], b: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let cols = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..cols)
                .map(|j| {
                    row.iter()
                        .zip(b)
                        .fold(Q::zero(), |acc, (p, brow)| acc + p * &brow[j])
                })
                .collect()
        })
        .collect()
}

/// The matrix-vector product `a v`.
fn matvec(a: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    a.iter().map(|row| dot(row, v)).collect()
}

/// The inverse of a square matrix, `None` if it is singular.
fn inverse(g: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let r = g.len();
    if linalg::determinant(g).is_zero() {
        return None;
    }
    let cols: Vec<Vec<Q>> = identity(r)
        .iter()
        .map(|e| linalg::solve(g, e))
        .collect::<Option<_>>()?;
    Some(
        (0..r)
            .map(|i| (0..r).map(|j| cols[j][i].clone()).collect())
            .collect(),
    )
}

/// A random invertible `r x r` matrix and its inverse (the identity a third of the time).
fn invertible(rng: &mut Rng, r: usize) -> (Vec<Vec<Q>>, Vec<Vec<Q>>) {
    if !rng.chance(1, 3) {
        for _ in 0..8 {
            let g: Vec<Vec<Q>> = (0..r)
                .map(|_| (0..r).map(|_| small_q(rng, 2)).collect())
                .collect();
            if let Some(inv) = inverse(&g) {
                return (g, inv);
            }
        }
    }
    (identity(r), identity(r))
}

/// End-to-end affine map `(A, c)` of a deep linear network.
fn end_to_end(layers: &[LayerParams], d: usize) -> (Vec<Vec<Q>>, Vec<Q>) {
    let mut a = identity(d);
    let mut c = vec![Q::zero(); d];
    for layer in layers {
        a = matmul(&layer.w, &a);
        c = affine(layer, &c);
    }
    (a, c)
}

/// Layers of a linear network with widths `widths` whose product is
/// `(a_star, c_star)`: the signal is routed through `r` coordinates of each
/// hidden layer (`r = K`, the output, or `r = d`, the input), mixed by random
/// invertible matrices that the next layer undoes; the other coordinates
/// carry junk that no later layer reads. The offset sits in the routed
/// coordinates of one biased layer.
fn factorise(
    rng: &mut Rng,
    a_star: &[Vec<Q>],
    c_star: &[Q],
    widths: &[usize],
    bias: &[bool],
    route_output: bool,
) -> Vec<LayerParams> {
    let depth = widths.len() - 1;
    let d = widths[0];
    let k = widths[depth];
    let r = if route_output { k } else { d };
    let gs: Vec<(Matrix, Matrix)> = (1..depth).map(|_| invertible(rng, r)).collect();
    // the transform in routed coordinates of each layer
    let core: Vec<Vec<Vec<Q>>> = (1..=depth)
        .map(|l| {
            let prev = if l == 1 {
                if route_output {
                    a_star.to_vec()
                } else {
                    identity(d)
                }
            } else {
                gs[l - 2].1.clone()
            };
            if l == depth {
                if route_output {
                    prev
                } else {
                    matmul(a_star, &prev)
                }
            } else {
                matmul(&gs[l - 1].0, &prev)
            }
        })
        .collect();
    let affine_needed = c_star.iter().any(|v| !v.is_zero());
    let biased: Vec<usize> = (1..=depth).filter(|&l| bias[l - 1]).collect();
    let carrier = if route_output {
        (!biased.is_empty()).then(|| rng.pick(&biased))
    } else {
        bias[depth - 1].then_some(depth)
    };
    (1..=depth)
        .map(|l| {
            let (rows, cols) = (widths[l], widths[l - 1]);
            let routed_rows = if l == depth { k } else { r };
            let routed_cols = if l == 1 { d } else { r };
            let w = (0..rows)
                .map(|i| {
                    (0..cols)
                        .map(|j| {
                            if i < routed_rows {
                                if j < routed_cols {
                                    core[l - 1][i][j].clone()
                                } else {
                                    Q::zero()
                                }
                            } else {
                                small_q(rng, 2)
                            }
                        })
                        .collect()
                })
                .collect();
            let b = bias[l - 1].then(|| {
                let offset: Vec<Q> = if affine_needed && carrier == Some(l) {
                    if l == depth {
                        c_star.to_vec()
                    } else {
                        matvec(&gs[l - 1].0, c_star)
                    }
                } else {
                    vec![Q::zero(); routed_rows]
                };
                (0..rows)
                    .map(|i| {
                        if i < routed_rows {
                            offset[i].clone()
                        } else {
                            small_q(rng, 2)
                        }
                    })
                    .collect()
            });
            LayerParams { w, b }
        })
        .collect()
}

/// A `linear` instance: a deep linear network at the origin, at a
/// factorisation of an LP-optimal affine (linear) classifier, with one zero
/// weight matrix, or at a random point; `[expect]` carries the loss of the
/// end-to-end map and what the LP optimum settles.
pub(super) fn linear(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let depth = rng.range(2, 4);
    let (loss, k) = loss_choice(rng, 2);
    let bias: Vec<bool> = (0..depth).map(|_| rng.chance(1, 2)).collect();
    let affine_model = bias.iter().any(|&b| b);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let lp = best_affine(loss, &x, &y, k, affine_model);
    let mut variant = rng.below(5);
    if lp.is_none() && (variant == 1 || variant == 2) {
        variant = 3;
    }
    let mut widths = vec![d];
    let layers: Vec<LayerParams>;
    let what: &str;
    match (variant, &lp) {
        (1 | 2, Some((_, a_star, c_star))) => {
            let input_ok = d <= 3 && (!affine_model || bias[depth - 1]);
            let route_output = !input_ok || rng.chance(1, 2);
            let r = if route_output { k } else { d };
            widths.extend((1..depth).map(|_| rng.range(r, 3)));
            widths.push(k);
            layers = factorise(rng, a_star, c_star, &widths, &bias, route_output);
            what = if route_output {
                "a factorisation of an LP-optimal classifier (routed through the output)"
            } else {
                "a factorisation of an LP-optimal classifier (routed through the input)"
            };
        }
        _ => {
            widths.extend((1..depth).map(|_| rng.range(1, 3)));
            widths.push(k);
            let mut ls: Vec<LayerParams> = (1..=depth)
                .map(|l| random_layer(rng, widths[l], widths[l - 1], bias[l - 1]))
                .collect();
            what = match variant {
                0 => {
                    for (l, layer) in ls.iter_mut().enumerate() {
                        *layer = zero_layer(widths[l + 1], widths[l], bias[l]);
                    }
                    "the origin"
                }
                4 => {
                    let l = rng.below(depth);
                    ls[l].w = vec![vec![Q::zero(); widths[l]]; widths[l + 1]];
                    "a random point with one zero weight matrix"
                }
                _ => "a random point",
            };
            layers = ls;
        }
    }
    let arch = Architecture {
        widths,
        activation: Activation::Linear,
        bias,
    };
    // the loss of the end-to-end affine map, by formula
    let (a, c) = end_to_end(&layers, d);
    let outs: Vec<Vec<Q>> = x
        .iter()
        .map(|xi| matvec(&a, xi).iter().zip(&c).map(|(p, q)| p + q).collect())
        .collect();
    let value = average_loss(loss, &outs, &y);
    let mut expect = Expect {
        loss: Some(value.clone()),
        ..Expect::default()
    };
    if let Some((opt, _, _)) = &lp {
        let min_hidden = arch.widths[1..depth].iter().copied().min().unwrap_or(0);
        if value == *opt {
            // the LP optimum over all affine (linear) maps bounds every network of this kind
            expect.global_min = Some(true);
            expect.local_min = Some(true);
        } else if loss == LossKind::Hinge || min_hidden >= k {
            // the network can realise every affine (linear) map of the LP
            // (route it through the output), so a higher loss is not global
            expect.global_min = Some(false);
        }
    }
    Draft::new(arch, loss, x, y, layers)
        .expect(expect)
        .what(what)
}

//! The `deep` family: networks with two or three hidden layers whose point
//! sits on cell boundaries in the first and the deeper layers.
//!
//! Owns: the generator of deep (2-3 hidden layers, widths 1-3, input
//! dimension 1-3, N 2-8) relu and leaky instances with all three hinge-type
//! losses, in four variants drawn by the instance's stream:
//! - *dead*: a relu hidden layer (the first, or a deeper one) strictly dead
//!   on every point, the layers after it constant, some of their units
//!   pinned to pre-activation exactly 0 (a kink at every point, with
//!   locally identical inputs), the output bias at the best constant or
//!   random;
//! - *kinks*: chosen pre-activations exactly 0 in the first and deeper
//!   layers (solved for), chosen margins exactly 1 (output layer rescaled or
//!   solved for);
//! - *saddle*: a zero weight matrix (any layer, the output's included),
//!   units with zero outgoing weights, or entirely zero deep units; when the
//!   output is then constant on the data, the output bias at the best
//!   constant;
//! - *every label*: each input carries every label; the outputs are scaled
//!   (or the output rows made equal, Crammer-Singer with 3 classes) into the
//!   set where every input's loss attains its least possible value.
//!
//! `[expect]`: always the loss, by this module's own forward pass
//! (`forward`); local minimality when a relu hidden layer is strictly dead
//! on every point and the output has a bias (near the point the output is
//! then the same constant `c` on every point, the loss a convex function
//! `G(c)` whose values near `c` the output bias alone reaches, so the point
//! is a local minimum iff `c` minimises `G`: the exact LP of
//! `optimum::best_constant`); global minimality for the every-label data
//! when the loss equals the per-input lower bound (binary: 2 per input, as
//! `max(0, 1 - f) + max(0, 1 + f) >= 2`; Weston-Watkins: 2 per pair of
//! classes; Crammer-Singer: `k` per input, since the label at the top
//! contributes at least `1 - (top - second)` and the others at least
//! `1 + top - f_y`).
//!
//! Must not: promise a zero entry or claim an expectation it did not
//! construct exactly, decide anything (no verifier calls), or change the
//! order of its random draws.

use super::draft::Draft;
use super::forward::{affine, average_loss, dot, margin, outputs, scale_layer};
use super::optimum::best_constant;
use super::pin::{unit_margins, zero_preactivations};
use super::sample::{kink_activation, labels, loss_choice, points, random_layers};
use crate::instance::Expect;
use crate::network::{Activation, Architecture, LayerParams, LossKind, ZeroEntry};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// The shape every variant shares: input dimension, hidden widths, loss and
/// output width.
struct Shape {
    d: usize,
    hidden: Vec<usize>,
    loss: LossKind,
    k: usize,
}

impl Shape {
    fn arch(&self, act: Activation, bias: Vec<bool>) -> Architecture {
        let mut widths = vec![self.d];
        widths.extend(&self.hidden);
        widths.push(self.k);
        Architecture {
            widths,
            activation: act,
            bias,
        }
    }
}

/// A `deep` instance: one of the four variants (dead 4/10, kinks 2/10,
/// saddle 2/10, every label 2/10).
pub(super) fn deep(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let depth = rng.range(2, 3);
    let hidden: Vec<usize> = (0..depth).map(|_| rng.range(1, 3)).collect();
    let (loss, k) = loss_choice(rng, 2);
    let shape = Shape { d, hidden, loss, k };
    match rng.below(10) {
        0..=3 => dead(rng, &shape),
        4 | 5 => kinks(rng, &shape),
        6 | 7 => saddle(rng, &shape),
        _ => every_label(rng, &shape),
    }
}

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// The inputs of layer `l` (0-based index into `layers`) at every point.
fn layer_inputs(act: &Activation, layers: &[LayerParams], xs: &[Vec<Q>], l: usize) -> Vec<Vec<Q>> {
    xs.iter()
        .map(|x| {
            let mut a = x.clone();
            for layer in &layers[..l] {
                a = affine(layer, &a).iter().map(|t| act.apply(t)).collect();
            }
            a
        })
        .collect()
}

/// Pin 1..=width units of layer `l` (0-based) to pre-activation exactly 0
/// on 1-2 chosen points each (solved for that layer's parameters, whose
/// inputs are fixed by the layers before); returns the promised entries.
fn pin_layer(
    rng: &mut Rng,
    act: &Activation,
    layers: &mut [LayerParams],
    l: usize,
    xs: &[Vec<Q>],
) -> Vec<ZeroEntry> {
    let inputs = layer_inputs(act, layers, xs, l);
    let width = layers[l].w.len();
    let mut promised = Vec::new();
    for j in rng.sample_some(width, 1, width) {
        let pts = rng.sample_some(xs.len(), 1, 2);
        let zeros = zero_preactivations(rng, &mut layers[l], j, &pts, &inputs);
        promised.extend(zeros.into_iter().map(|point| ZeroEntry::PreActivation {
            point,
            layer: l + 1,
            unit: j,
        }));
    }
    promised
}

/// Chosen margins exactly 1: `pin::unit_margins` on the last hidden
/// layer's activations, read as the inputs of a linear one-hidden-layer
/// network whose hidden layer is the identity.
fn output_margins(
    rng: &mut Rng,
    loss: LossKind,
    act: &Activation,
    layers: &mut [LayerParams],
    xs: &[Vec<Q>],
    ys: &[i64],
    chosen: &[usize],
) -> Vec<ZeroEntry> {
    let last = layers.len() - 1;
    let feats = layer_inputs(act, layers, xs, last);
    let h = layers[last].w.first().map_or(0, Vec::len);
    let identity = LayerParams {
        w: (0..h)
            .map(|i| {
                (0..h)
                    .map(|j| if i == j { Q::one() } else { Q::zero() })
                    .collect()
            })
            .collect(),
        b: None,
    };
    let mut pair = [identity, layers[last].clone()];
    let promised = unit_margins(
        rng,
        loss,
        &Activation::Linear,
        &mut pair,
        &feats,
        ys,
        chosen,
    );
    let [_, out] = pair;
    layers[last] = out;
    promised
}

/// The hinge corners (zero hinge arguments) and Crammer-Singer ties of the
/// outputs `outs`, recomputed from the outputs.
fn corners(loss: LossKind, outs: &[Vec<Q>], ys: &[i64]) -> Vec<ZeroEntry> {
    let mut promised = Vec::new();
    for (i, (f, &y)) in outs.iter().zip(ys).enumerate() {
        match loss {
            LossKind::MulticlassHinge => {
                let fy = &f[y as usize];
                promised.extend(
                    (0..f.len())
                        .filter(|&c| c != y as usize && fy - &f[c] == Q::one())
                        .map(|c| ZeroEntry::Hinge {
                            point: i,
                            class: Some(c),
                        }),
                );
            }
            _ => {
                let (m, arg) = margin(loss, f, y);
                if m == Q::one() {
                    promised.push(ZeroEntry::Hinge {
                        point: i,
                        class: None,
                    });
                }
                if loss == LossKind::CrammerSinger && arg.len() > 1 {
                    promised.push(ZeroEntry::Tie {
                        point: i,
                        classes: arg,
                    });
                }
            }
        }
    }
    promised
}

/// The first relu hidden layer (1-based) strictly dead on every point.
fn strictly_dead_layer(
    arch: &Architecture,
    layers: &[LayerParams],
    xs: &[Vec<Q>],
) -> Option<usize> {
    if arch.activation != Activation::Relu {
        return None;
    }
    (0..layers.len() - 1)
        .find(|&l| {
            layer_inputs(&arch.activation, layers, xs, l)
                .iter()
                .all(|a| affine(&layers[l], a).iter().all(Q::is_negative))
        })
        .map(|l| l + 1)
}

/// If the outputs are the same on every point and the output layer has a
/// bias, move that bias so that the common output is the best constant
/// (when the exact LP answers); true if it did.
fn output_at_best_constant(
    loss: LossKind,
    k: usize,
    layers: &mut [LayerParams],
    xs: &[Vec<Q>],
    ys: &[i64],
    act: &Activation,
) -> bool {
    let outs: Vec<Vec<Q>> = xs.iter().map(|x| outputs(act, layers, x)).collect();
    if outs.windows(2).any(|w| w[0] != w[1]) || outs.is_empty() {
        return false;
    }
    let Some((_, best)) = best_constant(loss, ys, k) else {
        return false;
    };
    let last = layers.len() - 1;
    let Some(b) = &mut layers[last].b else {
        return false;
    };
    for ((bi, fi), ci) in b.iter_mut().zip(&outs[0]).zip(&best) {
        *bi = ci - (fi - &*bi);
    }
    true
}

/// The draft with `[expect]`: the loss by the forward pass here, local
/// minimality when a relu layer is strictly dead on every point and the
/// output has a bias (see the module doc), and the promised entries plus
/// the hinge corners of the final outputs.
fn finish(
    arch: Architecture,
    loss: LossKind,
    (x, y): (Vec<Vec<Q>>, Vec<i64>),
    layers: Vec<LayerParams>,
    mut promised: Vec<ZeroEntry>,
    what: &str,
    global: bool,
) -> Draft {
    let k = arch.output_width();
    let outs: Vec<Vec<Q>> = x
        .iter()
        .map(|xi| outputs(&arch.activation, &layers, xi))
        .collect();
    let value = average_loss(loss, &outs, &y);
    let mut expect = Expect {
        loss: Some(value.clone()),
        ..Expect::default()
    };
    let dead = strictly_dead_layer(&arch, &layers, &x);
    let out_bias = arch.bias.last().copied().unwrap_or(false);
    if dead.is_some() && out_bias {
        if let Some((best, _)) = best_constant(loss, &y, k) {
            expect.local_min = Some(value == best);
        }
    }
    if global {
        expect.global_min = Some(true);
        expect.local_min = Some(true);
    }
    promised.extend(corners(loss, &outs, &y));
    promised.sort();
    promised.dedup();
    let what = match dead {
        Some(l) => format!("{what}; layer {l} strictly dead on every point"),
        None => what.to_string(),
    };
    Draft::new(arch, loss, x, y, layers)
        .expect(expect)
        .promised(promised)
        .what(&what)
}

/// The *dead* variant (relu): a hidden layer strictly dead on every point,
/// kinks before it and constant kinks after it, the output bias at the best
/// constant (2/3) or random.
fn dead(rng: &mut Rng, s: &Shape) -> Draft {
    let depth = s.hidden.len();
    let n = rng.range(2, 8);
    let x = points(rng, n, s.d);
    let y = labels(rng, n, s.loss, s.k);
    let dead_layer = if rng.chance(1, 2) {
        1
    } else {
        rng.range(2, depth)
    };
    let mut bias: Vec<bool> = (0..=depth).map(|_| rng.chance(3, 4)).collect();
    bias[dead_layer - 1] = true;
    bias[depth] = bias[depth] || rng.chance(2, 3);
    let act = Activation::Relu;
    let arch = s.arch(act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let mut promised = Vec::new();
    for l in 0..dead_layer - 1 {
        promised.extend(pin_layer(rng, &act, &mut layers, l, &x));
    }
    let l = dead_layer - 1;
    let inputs = layer_inputs(&act, &layers, &x, l);
    for j in 0..layers[l].w.len() {
        let top = inputs
            .iter()
            .map(|a| dot(&layers[l].w[j], a))
            .max()
            .unwrap_or_else(Q::zero);
        let gap = rng.pick(&[qi(1), qf(1, 2), qf(1, 3), qi(2)]);
        if let Some(b) = &mut layers[l].b {
            b[j] = -top - gap;
        }
    }
    // after the dead layer every layer's input is the same on every point:
    // a pinned unit sits on its kink at every point
    for l in dead_layer..depth {
        if rng.chance(1, 2) {
            promised.extend(pin_layer(rng, &act, &mut layers, l, &x));
        }
    }
    let at_best =
        rng.chance(2, 3) && output_at_best_constant(s.loss, s.k, &mut layers, &x, &y, &act);
    let what = format!(
        "layer {dead_layer} made dead, output bias {}",
        if !arch.bias[depth] {
            "absent"
        } else if at_best {
            "at the best constant"
        } else {
            "random"
        }
    );
    finish(arch, s.loss, (x, y), layers, promised, &what, false)
}

/// The *kinks* variant (relu or leaky): pre-activations exactly 0 in the
/// first layer and in one or more deeper layers, margins exactly 1.
fn kinks(rng: &mut Rng, s: &Shape) -> Draft {
    let depth = s.hidden.len();
    let act = kink_activation(rng);
    let bias: Vec<bool> = (0..=depth).map(|_| rng.chance(2, 3)).collect();
    let n = rng.range(2, 8);
    let x = points(rng, n, s.d);
    let y = labels(rng, n, s.loss, s.k);
    let arch = s.arch(act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let deeper = rng.range(1, depth - 1);
    let mut promised = Vec::new();
    for l in 0..depth {
        if l == 0 || l == deeper || rng.chance(1, 2) {
            promised.extend(pin_layer(rng, &act, &mut layers, l, &x));
        }
    }
    let nz = promised.len();
    let chosen = rng.sample_some(n, 1, 2);
    let hinge = output_margins(rng, s.loss, &act, &mut layers, &x, &y, &chosen);
    let what = format!(
        "{} (layers 1 and {}) and {} by construction",
        count(nz, "zero pre-activation"),
        deeper + 1,
        count(hinge.len(), "unit margin")
    );
    promised.extend(hinge);
    finish(arch, s.loss, (x, y), layers, promised, &what, false)
}

/// The *saddle* variant (relu or leaky): a zero weight matrix, units with
/// zero outgoing weights, or an entirely zero deep unit; a constant output
/// goes to the best constant (2/3).
fn saddle(rng: &mut Rng, s: &Shape) -> Draft {
    let depth = s.hidden.len();
    let act = kink_activation(rng);
    let mut bias: Vec<bool> = (0..=depth).map(|_| rng.chance(2, 3)).collect();
    bias[depth] = bias[depth] || rng.chance(1, 2);
    let n = rng.range(2, 8);
    let x = points(rng, n, s.d);
    let y = labels(rng, n, s.loss, s.k);
    let arch = s.arch(act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let mut promised = Vec::new();
    if rng.chance(2, 3) {
        promised.extend(pin_layer(rng, &act, &mut layers, 0, &x));
    }
    let what = match rng.below(3) {
        0 => {
            // a zero weight matrix: layer l's pre-activation is its bias on every point
            let l = rng.below(depth + 1);
            let (rows, cols) = (layers[l].w.len(), layers[l].w[0].len());
            layers[l].w = vec![vec![Q::zero(); cols]; rows];
            if l < depth {
                // the layer's earlier pins no longer hold: its pre-activations are its bias
                promised.retain(
                    |e| !matches!(e, ZeroEntry::PreActivation { layer, .. } if *layer == l + 1),
                );
                if let Some(b) = &mut layers[l].b {
                    for j in rng.sample_some(rows, 0, rows) {
                        b[j] = Q::zero();
                    }
                }
                for j in 0..rows {
                    let z0 = layers[l].b.as_ref().map_or_else(Q::zero, |b| b[j].clone());
                    if z0.is_zero() {
                        promised.extend((0..n).map(|point| ZeroEntry::PreActivation {
                            point,
                            layer: l + 1,
                            unit: j,
                        }));
                    }
                }
            }
            format!("weight matrix {} zero", l + 1)
        }
        1 => {
            // units of hidden layer l with zero outgoing weights, on kinks at chosen points
            let l = rng.below(depth);
            let width = layers[l].w.len();
            let units = rng.sample_some(width, 1, width);
            for &j in &units {
                for row in layers[l + 1].w.iter_mut() {
                    row[j] = Q::zero();
                }
                // unit j's earlier pins move with it
                promised.retain(|e| !matches!(e, ZeroEntry::PreActivation { layer, unit, .. } if *layer == l + 1 && *unit == j));
                let inputs = layer_inputs(&act, &layers, &x, l);
                let pts = rng.sample_some(n, 1, 2);
                let zeros = zero_preactivations(rng, &mut layers[l], j, &pts, &inputs);
                promised.extend(zeros.into_iter().map(|point| ZeroEntry::PreActivation {
                    point,
                    layer: l + 1,
                    unit: j,
                }));
            }
            format!(
                "{} of layer {} with zero outgoing weights",
                count(units.len(), "unit"),
                l + 1
            )
        }
        _ => {
            // an entirely zero unit of a deeper hidden layer: a kink at every point
            let l = rng.range(1, depth - 1);
            let j = rng.below(layers[l].w.len());
            for v in layers[l].w[j].iter_mut() {
                *v = Q::zero();
            }
            if let Some(b) = &mut layers[l].b {
                b[j] = Q::zero();
            }
            for row in layers[l + 1].w.iter_mut() {
                row[j] = Q::zero();
            }
            promised.extend((0..n).map(|point| ZeroEntry::PreActivation {
                point,
                layer: l + 1,
                unit: j,
            }));
            format!("unit {} of layer {} entirely zero", j + 1, l + 1)
        }
    };
    let at_best =
        rng.chance(2, 3) && output_at_best_constant(s.loss, s.k, &mut layers, &x, &y, &act);
    let what = if at_best {
        format!("{what}, constant output at the best constant")
    } else {
        what
    };
    finish(arch, s.loss, (x, y), layers, promised, &what, false)
}

/// The *every label* variant (relu or leaky): `m` inputs, each carrying
/// every label once; kinks in the first layer; the outputs moved into the
/// set where each input's loss attains its least value (see the module doc),
/// which makes the point a global minimum.
fn every_label(rng: &mut Rng, s: &Shape) -> Draft {
    let depth = s.hidden.len();
    let act = kink_activation(rng);
    let bias: Vec<bool> = (0..=depth).map(|_| rng.chance(2, 3)).collect();
    let classes: Vec<i64> = if s.loss == LossKind::Hinge {
        vec![1, -1]
    } else {
        (0..s.k as i64).collect()
    };
    let m = rng.range(1, 8 / classes.len());
    let inputs = points(rng, m, s.d);
    let x: Vec<Vec<Q>> = inputs
        .iter()
        .flat_map(|p| classes.iter().map(move |_| p.clone()))
        .collect();
    let y: Vec<i64> = (0..m).flat_map(|_| classes.iter().copied()).collect();
    let arch = s.arch(act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let promised = pin_layer(rng, &act, &mut layers, 0, &x);
    let last = depth;
    if s.loss == LossKind::CrammerSinger && s.k >= 3 {
        // equal output rows: every output is tied
        let (w0, b0) = (
            layers[last].w[0].clone(),
            layers[last].b.as_ref().map(|b| b[0].clone()),
        );
        for row in layers[last].w.iter_mut() {
            row.clone_from(&w0);
        }
        if let (Some(b), Some(b0)) = (&mut layers[last].b, b0) {
            for v in b.iter_mut() {
                v.clone_from(&b0);
            }
        }
    } else {
        // the largest spread |f_j - f_c| (binary: |f|), scaled to at most 1
        let spread = x
            .iter()
            .map(|xi| {
                let f = outputs(&act, &layers, xi);
                if s.loss == LossKind::Hinge {
                    f[0].abs()
                } else {
                    let hi = f.iter().max().cloned().unwrap_or_else(Q::zero);
                    let lo = f.iter().min().cloned().unwrap_or_else(Q::zero);
                    hi - lo
                }
            })
            .max()
            .unwrap_or_else(Q::zero);
        if spread.is_positive() && (spread > Q::one() || rng.chance(1, 2)) {
            scale_layer(&mut layers[last], &(Q::one() / spread));
        }
    }
    let outs: Vec<Vec<Q>> = x.iter().map(|xi| outputs(&act, &layers, xi)).collect();
    let value = average_loss(s.loss, &outs, &y);
    // the least average loss of any function on this data
    let bound = match s.loss {
        LossKind::MulticlassHinge => qi(s.k as i64 - 1),
        _ => Q::one(),
    };
    let what = format!("{m} inputs carrying every label");
    finish(
        arch,
        s.loss,
        (x, y),
        layers,
        promised,
        &what,
        value == bound,
    )
}

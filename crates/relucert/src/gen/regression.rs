//! The regression families (`absolute-*` and `squared-*`): one generator
//! per construction, each for both regression losses.
//!
//! Owns: the generators of regression instances (rational targets, output
//! width 1): `exact-fit` (targets produced by a planted network at the
//! point: loss 0, a global minimum), `dead` (relu units strictly dead on
//! every point, the output bias at the best constant (the mean for squared,
//! a median for absolute) or off it, with `[expect]` loss and local
//! minimality: near the point the loss is a convex function of the output
//! bias alone), `kinks` (chosen pre-activations exactly 0, chosen residuals
//! exactly 0, random targets elsewhere) and `random` (random architectures,
//! targets and points). Each returns the zero entries its construction
//! promises (for absolute, a zero residual is a zero "hinge" entry).
//!
//! Must not: promise a zero entry or claim an expectation it did not
//! construct exactly, or change the order of its random draws.

use super::draft::Draft;
use super::forward::{dot, outputs};
use super::pin::{pre_entries, zero_preactivations};
use super::sample::{kink_activation, one_hidden, one_hidden_size, points, random_layers, small_q};
use crate::instance::Expect;
use crate::network::{Activation, Architecture, LayerParams, LossKind, ZeroEntry};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{Signed, Zero};

/// `n` random targets, small rationals.
fn targets(rng: &mut Rng, n: usize) -> Vec<Q> {
    (0..n).map(|_| small_q(rng, 4)).collect()
}

/// The scalar output of a network at `x`.
fn output(act: &Activation, layers: &[LayerParams], x: &[Q]) -> Q {
    outputs(act, layers, x)
        .into_iter()
        .next()
        .unwrap_or_else(Q::zero)
}

/// One point's regression loss, written out here (FORMAT.md).
fn point_loss(loss: LossKind, f: &Q, t: &Q) -> Q {
    let r = f - t;
    if loss == LossKind::Squared {
        &r * &r
    } else {
        r.abs()
    }
}

/// The average loss of the constant output `c`.
fn constant_loss(loss: LossKind, c: &Q, ts: &[Q]) -> Q {
    let sum = ts.iter().fold(Q::zero(), |a, t| a + point_loss(loss, c, t));
    sum / qi(ts.len().max(1) as i64)
}

/// Zero residuals of the absolute loss, as zero entries.
fn residual_entries(loss: LossKind, pts: &[usize]) -> Vec<ZeroEntry> {
    if loss != LossKind::Absolute {
        return Vec::new();
    }
    pts.iter()
        .map(|&point| ZeroEntry::Hinge { point, class: None })
        .collect()
}

/// An `exact-fit` instance: a random one-hidden-layer network (relu or
/// leaky) at a random point, the targets its own outputs: loss 0.
pub(super) fn exact_fit(rng: &mut Rng, loss: LossKind) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let arch = one_hidden(d, h, 1, act.clone(), bias);
    let x = points(rng, n, d);
    let layers = random_layers(rng, &arch);
    let ts: Vec<Q> = x.iter().map(|xi| output(&act, &layers, xi)).collect();
    let all: Vec<usize> = (0..n).collect();
    let expect = Expect {
        local_min: Some(true),
        global_min: Some(true),
        loss: Some(Q::zero()),
    };
    Draft::regression(arch, loss, x, ts, layers)
        .expect(expect)
        .promised(residual_entries(loss, &all))
        .what("targets planted by the network itself (loss 0, a global minimum)")
}

/// The best constant outputs: the mean for squared; for absolute the
/// interval of medians `[lo, hi]` (equal for odd N). Returns `(lo, hi)`.
fn best_constants(loss: LossKind, ts: &[Q]) -> (Q, Q) {
    if loss == LossKind::Squared {
        let mean = ts.iter().fold(Q::zero(), |a, t| a + t) / qi(ts.len().max(1) as i64);
        return (mean.clone(), mean);
    }
    let mut s = ts.to_vec();
    s.sort();
    let n = s.len();
    if n % 2 == 1 {
        (s[n / 2].clone(), s[n / 2].clone())
    } else {
        (s[n / 2 - 1].clone(), s[n / 2].clone())
    }
}

/// A `dead` instance: relu units strictly negative on every point, the
/// output bias at a best constant (3 in 4) or off it; `[expect]` loss and
/// local minimality by formula (near the point the loss is
/// `G(c) = (1/N) sum loss(c, t_i)` of the output bias `c`, convex, so the
/// point is a local minimum iff `c` minimises `G`).
pub(super) fn dead(rng: &mut Rng, loss: LossKind) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let arch = one_hidden(d, h, 1, Activation::Relu, [true, true]);
    let x = points(rng, n, d);
    let ts = targets(rng, n);
    let mut layers = random_layers(rng, &arch);
    for j in 0..h {
        let top = x
            .iter()
            .map(|xi| dot(&layers[0].w[j], xi))
            .max()
            .unwrap_or_else(Q::zero);
        let gap = rng.pick(&[qi(1), qf(1, 2), qf(1, 3), qi(3)]);
        if let Some(b) = &mut layers[0].b {
            b[j] = -top - gap;
        }
    }
    let (lo, hi) = best_constants(loss, &ts);
    let at_best = rng.chance(3, 4);
    let c = if at_best {
        // lo, hi or (for absolute, even N) the midpoint: all minimise G
        match rng.below(3) {
            0 => lo.clone(),
            1 => hi.clone(),
            _ => (&lo + &hi) / qi(2),
        }
    } else {
        &hi + rng.pick(&[qi(1), qf(1, 2), qf(1, 3)])
    };
    if let Some(b) = &mut layers[1].b {
        b[0] = c.clone();
    }
    let value = constant_loss(loss, &c, &ts);
    let zero_residuals: Vec<usize> = (0..n).filter(|&i| ts[i] == c).collect();
    let expect = Expect {
        local_min: Some(at_best),
        global_min: None,
        loss: Some(value),
    };
    let what = if at_best {
        format!(
            "all units dead, output bias at the best constant ({})",
            if loss == LossKind::Squared {
                "the mean"
            } else {
                "a median"
            }
        )
    } else {
        "all units dead, output bias off the best constant".to_string()
    };
    Draft::regression(arch, loss, x, ts, layers)
        .expect(expect)
        .promised(residual_entries(loss, &zero_residuals))
        .what(&what)
}

/// A `kinks` instance: chosen first-layer pre-activations exactly 0 (solved
/// for), chosen points' targets equal to their outputs (residual exactly 0),
/// random targets elsewhere.
pub(super) fn kinks(rng: &mut Rng, loss: LossKind) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let arch = one_hidden(d, h, 1, act.clone(), bias);
    let x = points(rng, n, d);
    let mut ts = targets(rng, n);
    let mut layers = random_layers(rng, &arch);
    let mut promised = Vec::new();
    for &j in &rng.sample_some(h, 1, h) {
        let pts = rng.sample_some(n, 1, 2);
        let zeros = zero_preactivations(rng, &mut layers[0], j, &pts, &x);
        promised.extend(pre_entries(&zeros, j));
    }
    let nz = promised.len();
    let mut fitted = rng.sample_some(n, 1, n.div_ceil(2));
    fitted.sort_unstable();
    for &i in &fitted {
        ts[i] = output(&act, &layers, &x[i]);
    }
    promised.extend(residual_entries(loss, &fitted));
    let what = format!(
        "{nz} zero pre-activations and {} zero residuals by construction",
        fitted.len()
    );
    Draft::regression(arch, loss, x, ts, layers)
        .promised(promised)
        .what(&what)
}

/// A `random` instance: 0 to 2 hidden layers of width 1 to 3, any
/// activation, random data, targets and point.
pub(super) fn random(rng: &mut Rng, loss: LossKind) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(1, 8);
    let hidden_layers = rng.range(0, 2);
    let act = match rng.below(3) {
        0 => Activation::Linear,
        _ => kink_activation(rng),
    };
    let mut widths = vec![d];
    widths.extend((0..hidden_layers).map(|_| rng.range(1, 3)));
    widths.push(1);
    let bias = (0..=hidden_layers).map(|_| rng.chance(2, 3)).collect();
    let arch = Architecture {
        widths,
        activation: act,
        bias,
    };
    let x = points(rng, n, d);
    let ts = targets(rng, n);
    let layers = random_layers(rng, &arch);
    Draft::regression(arch, loss, x, ts, layers).what("random point and targets")
}

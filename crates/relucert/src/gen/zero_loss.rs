//! The `zero-loss` family: zero-loss global minima with smallest margin 1.
//!
//! Owns: the generator of one-hidden-layer instances whose point has zero
//! loss, either a network built from a random separator (binary hinge) or
//! a random network that labels the data itself (points it cannot label are
//! dropped), rescaled so that the smallest margin is exactly 1; it writes
//! `[expect]` local and global minimum with loss 0.
//!
//! Must not: claim zero loss without every margin checked positive exactly,
//! or change the order of its random draws.

use super::draft::Draft;
use super::forward::{dot, margin, outputs, scale_layer};
use super::sample::{
    kink_layer, loss_choice, one_hidden, one_hidden_size, points, random_layers, separated_labels,
};
use crate::instance::Expect;
use crate::network::{Activation, LossKind, ZeroEntry};
use crate::number::{qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// A `zero-loss` instance: a global minimum with loss 0 whose smallest
/// margin is exactly 1 (the points attaining it are promised hinge zeros).
pub(super) fn zero_loss(rng: &mut Rng) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let (act, mut bias) = kink_layer(rng);
    let (mut loss, mut k) = loss_choice(rng, 3);
    let base = points(rng, n, d);
    for attempt in 0..40 {
        if attempt == 20 {
            // fall back to the binary construction from a separator
            loss = LossKind::Hinge;
            k = 1;
            bias = [true, true];
        }
        let arch = one_hidden(d, h, k, act.clone(), bias);
        let from_separator = loss == LossKind::Hinge
            && (attempt >= 20 || rng.chance(1, 2))
            && (bias[1] || h >= 2 || act != Activation::Relu);
        let mut x = base.clone();
        let mut layers = random_layers(rng, &arch);
        let y: Vec<i64>;
        if from_separator {
            let (u, c, ys) = separated_labels(rng, &mut x, bias[0]);
            y = ys;
            // unit 0 computes g = u.x + c; relu needs the mirror unit or a bias
            layers[0].w[0].clone_from(&u);
            if let Some(b) = &mut layers[0].b {
                b[0] = c.clone();
            }
            for v in layers[1].w[0].iter_mut() {
                *v = Q::zero();
            }
            layers[1].w[0][0] = Q::one();
            if let Some(b) = &mut layers[1].b {
                b[0] = Q::zero();
            }
            if act == Activation::Relu {
                if h >= 2 {
                    layers[0].w[1] = u.iter().map(|v| -v).collect();
                    if let Some(b) = &mut layers[0].b {
                        b[1] = -c.clone();
                    }
                    layers[1].w[0][1] = qi(-1);
                } else if let Some(b) = &mut layers[1].b {
                    // f = relu(g) - eps, eps below the smallest positive g
                    let smallest = x
                        .iter()
                        .zip(&y)
                        .filter(|(_, &yi)| yi > 0)
                        .map(|(xi, _)| dot(&u, xi) + &c)
                        .min();
                    b[0] = match smallest {
                        Some(s) => -s / qi(2),
                        None => qi(-1),
                    };
                }
            }
        } else {
            // labels from the network itself; points it cannot label are dropped
            let outs: Vec<Vec<Q>> = x.iter().map(|xi| outputs(&act, &layers, xi)).collect();
            let mut keep_x = Vec::new();
            let mut keep_y = Vec::new();
            for (xi, f) in x.iter().zip(&outs) {
                let label = if loss == LossKind::Hinge {
                    match f[0].cmp(&Q::zero()) {
                        std::cmp::Ordering::Greater => Some(1),
                        std::cmp::Ordering::Less => Some(-1),
                        std::cmp::Ordering::Equal => None,
                    }
                } else {
                    let best = f.iter().max().cloned().unwrap_or_else(Q::zero);
                    let at: Vec<usize> = (0..f.len()).filter(|&r| f[r] == best).collect();
                    (at.len() == 1).then(|| at[0] as i64)
                };
                if let Some(l) = label {
                    keep_x.push(xi.clone());
                    keep_y.push(l);
                }
            }
            if keep_x.is_empty() {
                continue;
            }
            x = keep_x;
            y = keep_y;
        }
        // every margin positive; rescale so that the smallest is exactly 1
        let margins: Vec<Q> = x
            .iter()
            .zip(&y)
            .map(|(xi, &yi)| margin(loss, &outputs(&act, &layers, xi), yi).0)
            .collect();
        if margins.iter().any(|m| !m.is_positive()) {
            continue;
        }
        let Some(smallest) = margins.iter().min().cloned() else {
            continue;
        };
        scale_layer(&mut layers[1], &(Q::one() / &smallest));
        let mut promised = Vec::new();
        for (i, m) in margins.iter().enumerate() {
            if *m != smallest {
                continue;
            }
            if loss == LossKind::MulticlassHinge {
                let f = outputs(&act, &layers, &x[i]);
                let (_, arg) = margin(loss, &f, y[i]);
                promised.extend(arg.iter().map(|&kk| ZeroEntry::Hinge {
                    point: i,
                    class: Some(kk),
                }));
            } else {
                promised.push(ZeroEntry::Hinge {
                    point: i,
                    class: None,
                });
            }
        }
        let what = format!(
            "zero loss with smallest margin exactly 1 ({})",
            if from_separator {
                "network built from a separator"
            } else {
                "labels from the network"
            }
        );
        return Draft::new(arch, loss, x, y, layers)
            .expect(Expect {
                local_min: Some(true),
                global_min: Some(true),
                loss: Some(Q::zero()),
            })
            .promised(promised)
            .what(&what);
    }
    // unreachable in practice: the separator construction with both biases always succeeds
    super::random::random(rng)
}

//! The `random` family: random architectures at random points.
//!
//! Owns: the generator of instances with a random depth (0 to 2 hidden
//! layers), widths, activation, loss, data and point; also the fallback of
//! `zero_loss` when its construction does not succeed.
//!
//! Must not: claim an expectation (these instances carry none), or change
//! the order of its random draws.

use super::draft::Draft;
use super::sample::{kink_activation, labels, loss_choice, points, random_layers};
use crate::network::{Activation, Architecture};
use crate::rng::Rng;

/// A `random` instance: 0 to 2 hidden layers of width 1 to 3, any
/// activation and loss, random data and point.
pub(super) fn random(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(1, 8);
    let hidden_layers = rng.range(0, 2);
    let act = match rng.below(3) {
        0 => Activation::Linear,
        _ => kink_activation(rng),
    };
    let (loss, k) = loss_choice(rng, 2);
    let mut widths = vec![d];
    widths.extend((0..hidden_layers).map(|_| rng.range(1, 3)));
    widths.push(k);
    let bias = (0..=hidden_layers).map(|_| rng.chance(2, 3)).collect();
    let arch = Architecture {
        widths,
        activation: act,
        bias,
    };
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let layers = random_layers(rng, &arch);
    Draft::new(arch, loss, x, y, layers).what("random point")
}

//! The classification families: `separable` and `nonseparable` data.
//!
//! Owns: the two generators of one-hidden-layer binary-hinge instances at
//! random points whose data are separable by construction (labels from a
//! random separator) or non-separable by construction (an explicit
//! obstruction).
//!
//! Must not: claim an expectation (these instances carry none), or change
//! the order of their random draws.

use super::draft::Draft;
use super::sample::{
    kink_layer, one_hidden, one_hidden_size, points, random_layers, separated_labels,
};
use crate::network::LossKind;
use crate::number::{qf, Q};
use crate::rng::Rng;
use num_traits::One;

/// A `separable` instance: binary labels from a random affine (or, without
/// a first-layer bias, linear) separator; random point.
pub(super) fn separable(rng: &mut Rng) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let (act, bias) = kink_layer(rng);
    let mut x = points(rng, n, d);
    let (_, _, y) = separated_labels(rng, &mut x, bias[0]);
    let arch = one_hidden(d, h, 1, act, bias);
    let layers = random_layers(rng, &arch);
    let what = format!(
        "data {} separable, random point",
        if bias[0] { "affinely" } else { "linearly" }
    );
    Draft::new(arch, LossKind::Hinge, x, y, layers).what(&what)
}

/// A `nonseparable` instance: an obstruction to every affine separator
/// (a point with both labels, a parallelogram with alternating labels, or a
/// convex combination labelled against its ends) among random points;
/// random point.
pub(super) fn nonseparable(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let h = rng.range(1, 3);
    let (act, bias) = kink_layer(rng);
    let s = if rng.chance(1, 2) { 1 } else { -1 };
    let base = points(rng, 3, d);
    let (mut pts, obstruction): (Vec<(Vec<Q>, i64)>, &str) = match rng.below(3) {
        // one point with both labels
        0 => (
            vec![(base[0].clone(), s), (base[0].clone(), -s)],
            "a point with both labels",
        ),
        // parallelogram a, a+v, a+v+w, a+w with alternating labels:
        // g(a) + g(a+v+w) = g(a+v) + g(a+w) for every affine g
        1 => {
            let a = &base[0];
            let v = &base[1];
            let w = &base[2];
            let p2: Vec<Q> = a.iter().zip(v).map(|(p, q)| p + q).collect();
            let p3: Vec<Q> = p2.iter().zip(w).map(|(p, q)| p + q).collect();
            let p4: Vec<Q> = a.iter().zip(w).map(|(p, q)| p + q).collect();
            (
                vec![(a.clone(), s), (p2, -s), (p3, s), (p4, -s)],
                "a parallelogram with alternating labels",
            )
        }
        // a convex combination labelled against both ends
        _ => {
            let t = rng.pick(&[qf(1, 2), qf(1, 3), qf(2, 3)]);
            let mid: Vec<Q> = base[0]
                .iter()
                .zip(&base[1])
                .map(|(p, q)| &t * p + (Q::one() - &t) * q)
                .collect();
            (
                vec![(base[0].clone(), s), (base[1].clone(), s), (mid, -s)],
                "a convex combination labelled against its ends",
            )
        }
    };
    let extra = rng.range(0, 8 - pts.len());
    for x in points(rng, extra, d) {
        let y = if rng.chance(1, 2) { 1 } else { -1 };
        pts.push((x, y));
    }
    rng.shuffle(&mut pts);
    let (x, y): (Vec<Vec<Q>>, Vec<i64>) = pts.into_iter().unzip();
    let arch = one_hidden(d, h, 1, act, bias);
    let layers = random_layers(rng, &arch);
    Draft::new(arch, LossKind::Hinge, x, y, layers)
        .what(&format!("data not separable ({obstruction}), random point"))
}

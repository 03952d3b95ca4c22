//! Putting points exactly on kinks and hinge corners.
//!
//! Owns: solving small exact linear systems for first-layer parameters that
//! make chosen pre-activations exactly 0, and for output parameters (after
//! rescaling the output layer) that make chosen margins exactly 1, with the
//! zero entries of the signature this promises.
//!
//! Must not: promise a zero entry it did not construct exactly, or draw
//! randomness other than from the `Rng` it is given, in its fixed order.

use super::forward::{affine, dot, hidden, margin, scale_layer};
use crate::linalg;
use crate::network::{Activation, LayerParams, LossKind, ZeroEntry};
use crate::number::{qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// Make unit `j`'s first-layer pre-activation exactly 0 on the points
/// `pts` by solving for as many of its parameters (weight coordinates, or
/// the bias) as there are points. Tries fewer points when a system has no
/// solution. Returns the points constrained, plus every other point equal
/// to one of them (its pre-activation is then 0 as well).
pub(super) fn zero_preactivations(
    rng: &mut Rng,
    layer: &mut LayerParams,
    j: usize,
    pts: &[usize],
    xs: &[Vec<Q>],
) -> Vec<usize> {
    let d = layer.w[j].len();
    let slots = d + usize::from(layer.b.is_some());
    let coef = |x: &[Q], s: usize| -> Q {
        if s < d {
            x[s].clone()
        } else {
            Q::one()
        }
    };
    let z = |layer: &LayerParams, i: usize| -> Q {
        dot(&layer.w[j], &xs[i]) + layer.b.as_ref().map_or_else(Q::zero, |b| b[j].clone())
    };
    for m in (1..=pts.len().min(slots)).rev() {
        let chosen = &pts[..m];
        if chosen.iter().all(|&i| z(layer, i).is_zero()) {
            // already on the kink (e.g. the origin without a bias)
            return equal_points(chosen, xs);
        }
        let useful: Vec<usize> = (0..slots)
            .filter(|&s| chosen.iter().any(|&i| !coef(&xs[i], s).is_zero()))
            .collect();
        if useful.len() < m {
            continue;
        }
        // changes of the free slots: sum_s coef_s delta_s = -z_i
        let rhs: Vec<Q> = chosen.iter().map(|&i| -z(layer, i)).collect();
        let coef_of = |&i: &usize, s: usize| coef(&xs[i], s);
        if let Some((free, delta)) = solve_for_some(rng, &useful, chosen, 4, coef_of, &rhs) {
            for (&s, dv) in free.iter().zip(delta) {
                if s < d {
                    layer.w[j][s] += dv;
                } else if let Some(b) = &mut layer.b {
                    b[j] += dv;
                }
            }
            return equal_points(chosen, xs);
        }
    }
    Vec::new()
}

/// Up to `tries` random choices of `rows.len()` free unknowns among
/// `candidates` (one `Rng::sample` each): the first choice for which the
/// square system `sum_(p in free) coef(row, p) delta_p = rhs_row` (one
/// equation per row) has a unique exact solution, with that solution.
fn solve_for_some<R>(
    rng: &mut Rng,
    candidates: &[usize],
    rows: &[R],
    tries: usize,
    coef: impl Fn(&R, usize) -> Q,
    rhs: &[Q],
) -> Option<(Vec<usize>, Vec<Q>)> {
    for _ in 0..tries {
        let free: Vec<usize> = rng
            .sample(candidates.len(), rows.len())
            .into_iter()
            .map(|t| candidates[t])
            .collect();
        let a: Vec<Vec<Q>> = rows
            .iter()
            .map(|r| free.iter().map(|&p| coef(r, p)).collect())
            .collect();
        if let Some(delta) = linalg::solve(&a, rhs) {
            return Some((free, delta));
        }
    }
    None
}

/// The points equal to one of `chosen` (sorted indices).
fn equal_points(chosen: &[usize], xs: &[Vec<Q>]) -> Vec<usize> {
    (0..xs.len())
        .filter(|&i| chosen.iter().any(|&c| xs[c] == xs[i]))
        .collect()
}

/// The zero pre-activation entries of `unit` (layer 1) on `points`.
pub(super) fn pre_entries(points: &[usize], unit: usize) -> Vec<ZeroEntry> {
    points
        .iter()
        .map(|&point| ZeroEntry::PreActivation {
            point,
            layer: 1,
            unit,
        })
        .collect()
}

/// Put the chosen points of a one-hidden-layer network at margin exactly 1
/// (hinge argument exactly 0): first by rescaling the output layer (which
/// keeps every ratio, so the Weston-Watkins and Crammer-Singer competitor
/// order), then by solving a small linear system for output parameters.
/// Returns the promised hinge zero entries.
pub(super) fn unit_margins(
    rng: &mut Rng,
    loss: LossKind,
    act: &Activation,
    layers: &mut [LayerParams],
    xs: &[Vec<Q>],
    ys: &[i64],
    chosen: &[usize],
) -> Vec<ZeroEntry> {
    let Some(&first) = chosen.first() else {
        return Vec::new();
    };
    let hid: Vec<Vec<Q>> = xs.iter().map(|x| hidden(act, layers, x)).collect();
    let out_of = |layers: &[LayerParams], i: usize| affine(&layers[1], &hid[i]);
    let (m, arg) = margin(loss, &out_of(layers, first), ys[first]);
    let scaled = match loss {
        LossKind::Hinge => !m.is_zero(),
        _ => m.is_positive(),
    };
    let mut promised = Vec::new();
    if scaled {
        let s = Q::one() / &m;
        scale_layer(&mut layers[1], &s);
        promised = match loss {
            LossKind::MulticlassHinge => arg
                .iter()
                .map(|&k| ZeroEntry::Hinge {
                    point: first,
                    class: Some(k),
                })
                .collect(),
            _ => vec![ZeroEntry::Hinge {
                point: first,
                class: None,
            }],
        };
        if chosen.len() == 1 || loss == LossKind::CrammerSinger {
            return promised;
        }
    }
    // Constraints (point, competitor): binary y f = 1; multiclass f_y - f_k = 1.
    let mut constraints: Vec<(usize, Option<usize>)> = Vec::new();
    for (n, &i) in chosen.iter().enumerate() {
        if loss == LossKind::CrammerSinger && n > 0 {
            break;
        }
        let class = match loss {
            LossKind::Hinge | LossKind::Absolute | LossKind::Squared => None,
            LossKind::CrammerSinger => margin(loss, &out_of(layers, i), ys[i]).1.first().copied(),
            LossKind::MulticlassHinge => {
                if n == 0 && scaled {
                    arg.first().copied()
                } else {
                    let others: Vec<usize> = (0..layers[1].w.len())
                        .filter(|&k| k != ys[i] as usize)
                        .collect();
                    Some(rng.pick(&others))
                }
            }
        };
        constraints.push((i, class));
    }
    let h = layers[1].w.first().map_or(0, Vec::len);
    let k_out = layers[1].w.len();
    let has_bias = layers[1].b.is_some();
    let nparams = k_out * h + if has_bias { k_out } else { 0 };
    // coefficient of output parameter p in constraint c
    let coef = |p: usize, (i, class): (usize, Option<usize>)| -> Q {
        let (row, value) = if p < k_out * h {
            (p / h, hid[i][p % h].clone())
        } else {
            (p - k_out * h, Q::one())
        };
        match class {
            None => {
                if row == 0 {
                    qi(ys[i]) * value
                } else {
                    Q::zero()
                }
            }
            Some(k) => {
                let y = ys[i] as usize;
                if row == y {
                    value
                } else if row == k {
                    -value
                } else {
                    Q::zero()
                }
            }
        }
    };
    let current = |layers: &[LayerParams], (i, class): (usize, Option<usize>)| -> Q {
        let f = out_of(layers, i);
        match class {
            None => qi(ys[i]) * &f[0],
            Some(k) => &f[ys[i] as usize] - &f[k],
        }
    };
    let mut attempts: Vec<Vec<(usize, Option<usize>)>> = vec![constraints.clone()];
    if constraints.len() > 1 {
        attempts.extend(constraints.iter().map(|&c| vec![c]));
    }
    for cs in &attempts {
        let m = cs.len();
        // Crammer-Singer: only the label's row may move, so the competitor order stays
        let candidates: Vec<usize> = (0..nparams)
            .filter(|&p| cs.iter().any(|&c| !coef(p, c).is_zero()))
            .filter(|&p| {
                loss != LossKind::CrammerSinger || {
                    let row = if p < k_out * h { p / h } else { p - k_out * h };
                    row == ys[cs[0].0] as usize
                }
            })
            .collect();
        if candidates.len() < m {
            continue;
        }
        let rhs: Vec<Q> = cs.iter().map(|&c| Q::one() - current(layers, c)).collect();
        let coef_of = |&c: &(usize, Option<usize>), p: usize| coef(p, c);
        if let Some((free, delta)) = solve_for_some(rng, &candidates, cs, 6, coef_of, &rhs) {
            for (&p, dv) in free.iter().zip(delta) {
                if p < k_out * h {
                    layers[1].w[p / h][p % h] += dv;
                } else if let Some(b) = &mut layers[1].b {
                    b[p - k_out * h] += dv;
                }
            }
            return cs
                .iter()
                .map(|&(point, class)| ZeroEntry::Hinge {
                    point,
                    class: if loss == LossKind::CrammerSinger {
                        None
                    } else {
                        class
                    },
                })
                .collect();
        }
    }
    promised
}

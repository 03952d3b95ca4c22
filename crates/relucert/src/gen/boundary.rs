//! The boundary families: `kinks`, `dead` and `saddle`, one hidden layer
//! with points placed exactly on kinks and hinge corners.
//!
//! Owns: the three generators of one-hidden-layer instances whose point
//! sits on cell boundaries by construction: chosen pre-activations exactly
//! 0 and margins exactly 1 (`kinks`); relu units strictly dead on all or
//! some points, the output bias at or off the best constant (`dead`, whose
//! all-dead case writes `[expect]` loss and local minimality: the loss is
//! then a convex function of the output bias alone near the point); units
//! with zero outgoing weights (`saddle`). Each returns the zero entries its
//! construction promises.
//!
//! Must not: promise a zero entry or claim an expectation it did not
//! construct exactly, or change the order of its random draws.

use super::draft::Draft;
use super::forward::{affine, average_loss, dot, margin};
use super::optimum::best_constant;
use super::pin::{pre_entries, unit_margins, zero_preactivations};
use super::sample::{
    kink_layer, labels, loss_choice, one_hidden, one_hidden_size, points, random_layers,
    separated_labels,
};
use crate::instance::Expect;
use crate::network::{Activation, LossKind, ZeroEntry};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// A `kinks` instance: chosen first-layer pre-activations exactly 0 (solved
/// for), chosen margins exactly 1 (rescaled or solved for), all promised.
pub(super) fn kinks(rng: &mut Rng) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let (act, bias) = kink_layer(rng);
    let (loss, k) = loss_choice(rng, 2);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let arch = one_hidden(d, h, k, act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let mut promised = Vec::new();
    let units = rng.sample_some(h, 1, h);
    for &j in &units {
        let pts = rng.sample_some(n, 1, 2);
        let zeros = zero_preactivations(rng, &mut layers[0], j, &pts, &x);
        promised.extend(pre_entries(&zeros, j));
    }
    let nz = promised.len();
    let chosen = rng.sample_some(n, 1, 2);
    let hinge = unit_margins(rng, loss, &act, &mut layers, &x, &y, &chosen);
    let what = format!(
        "{nz} zero pre-activations and {} unit margins by construction",
        hinge.len()
    );
    promised.extend(hinge);
    Draft::new(arch, loss, x, y, layers)
        .promised(promised)
        .what(&what)
}

/// A `dead` instance: relu units strictly dead on every point (the output
/// bias at the best constant, random, or absent, with `[expect]` loss and
/// local minimality by formula), or dead on some points with thresholds
/// possibly exactly on a point.
pub(super) fn dead(rng: &mut Rng) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let (loss, k) = loss_choice(rng, 3);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let all_dead = rng.chance(1, 2);
    let bias = [all_dead || rng.chance(2, 3), rng.chance(3, 4)];
    let arch = one_hidden(d, h, k, Activation::Relu, bias);
    let mut layers = random_layers(rng, &arch);
    let mut expect = Expect::default();
    let mut promised = Vec::new();
    let what;
    if all_dead {
        // every unit strictly negative on every point
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
        let opt = if bias[1] {
            best_constant(loss, &y, k)
        } else {
            None
        };
        let at_optimum = opt.is_some() && rng.chance(2, 3);
        if let (true, Some((_, c))) = (at_optimum, &opt) {
            if let Some(b) = &mut layers[1].b {
                b.clone_from(c);
            }
        }
        let c: Vec<Q> = layers[1].b.clone().unwrap_or_else(|| vec![Q::zero(); k]);
        let outs = vec![c.clone(); n];
        let value = average_loss(loss, &outs, &y);
        // near the point the loss is G(c') for the output bias c' (or the
        // constant G(0) without one); G is convex, so the point is a local
        // minimum iff c minimises G
        let local = match &opt {
            Some((best, _)) => value == *best,
            None => !bias[1],
        };
        expect.loss = Some(value);
        if opt.is_some() || !bias[1] {
            // (if the LP failed its exact check, claim only the loss)
            expect.local_min = Some(local);
        }
        // points at margin exactly 1 receive output c: hinge corners
        for (i, &yi) in y.iter().enumerate() {
            let (m, arg) = margin(loss, &c, yi);
            if m == Q::one() {
                match loss {
                    LossKind::MulticlassHinge => {
                        promised.extend(arg.iter().map(|&kk| ZeroEntry::Hinge {
                            point: i,
                            class: Some(kk),
                        }))
                    }
                    _ => promised.push(ZeroEntry::Hinge {
                        point: i,
                        class: None,
                    }),
                }
            }
        }
        what = format!(
            "every unit dead on every point, output bias {}",
            if !bias[1] {
                "absent"
            } else if at_optimum {
                "at the best constant"
            } else {
                "random"
            }
        );
    } else {
        // some units dead on all points, others on a threshold subset
        let dead_units = rng.sample_some(h, 1, h);
        let mut on_boundary = 0;
        for j in 0..h {
            let mut vals: Vec<Q> = x.iter().map(|xi| dot(&layers[0].w[j], xi)).collect();
            vals.sort();
            vals.dedup();
            let top = vals.last().cloned().unwrap_or_else(Q::zero);
            let Some(b) = &mut layers[0].b else {
                continue;
            };
            if dead_units.contains(&j) {
                b[j] = -top - rng.pick(&[qi(1), qf(1, 2), qi(2)]);
            } else {
                // threshold: dead below, alive above, possibly exactly on a point
                let t = rng.below(vals.len());
                let exact = rng.chance(1, 3);
                b[j] = if exact || t + 1 == vals.len() {
                    -vals[t].clone()
                } else {
                    -(&vals[t] + &vals[t + 1]) / qi(2)
                };
                if exact || t + 1 == vals.len() {
                    on_boundary += 1;
                    let zs: Vec<usize> = (0..n)
                        .filter(|&i| dot(&layers[0].w[j], &x[i]) == vals[t])
                        .collect();
                    promised.extend(pre_entries(&zs, j));
                }
            }
        }
        if !bias[0] {
            // without a bias: make a unit dead on some points by flipping
            // its weights so that most products are negative
            for &j in &dead_units {
                let s: Q = x.iter().map(|xi| dot(&layers[0].w[j], xi)).sum();
                if s.is_positive() {
                    for v in layers[0].w[j].iter_mut() {
                        *v = -v.clone();
                    }
                }
            }
        }
        if bias[1] && loss == LossKind::Hinge {
            // the output bias at the better hinge corner of the fully dead points
            let fully_dead: Vec<usize> = (0..n)
                .filter(|&i| affine(&layers[0], &x[i]).iter().all(Q::is_negative))
                .collect();
            let plus = fully_dead.iter().filter(|&&i| y[i] > 0).count();
            let c = if plus * 2 >= fully_dead.len() {
                qi(1)
            } else {
                qi(-1)
            };
            // fully dead points receive the output c: those with y c = 1 sit on the corner
            for &i in &fully_dead {
                if qi(y[i]) * &c == Q::one() {
                    promised.push(ZeroEntry::Hinge {
                        point: i,
                        class: None,
                    });
                }
            }
            if let Some(b) = &mut layers[1].b {
                b[0] = c;
            }
        }
        let dead_everywhere = (0..h)
            .filter(|&j| x.iter().all(|xi| affine(&layers[0], xi)[j].is_negative()))
            .count();
        what = format!(
            "{dead_everywhere} of {h} units dead on every point, {on_boundary} thresholds exactly on a point",
        );
    }
    Draft::new(arch, loss, x, y, layers)
        .expect(expect)
        .promised(promised)
        .what(&what)
}

/// A `saddle` instance: some units with zero outgoing weights (some
/// entirely zero, some with pre-activations exactly 0 on chosen points),
/// the output bias possibly at the best constant.
pub(super) fn saddle(rng: &mut Rng) -> Draft {
    let (d, n, h) = one_hidden_size(rng);
    let (act, bias) = kink_layer(rng);
    let (loss, k) = loss_choice(rng, 3);
    let mut x = points(rng, n, d);
    let y = if loss == LossKind::Hinge && rng.chance(1, 2) {
        separated_labels(rng, &mut x, bias[0]).2
    } else {
        labels(rng, n, loss, k)
    };
    let arch = one_hidden(d, h, k, act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let zeroed = if rng.chance(1, 3) {
        (0..h).collect()
    } else {
        rng.sample_some(h, 1, h)
    };
    let mut promised = Vec::new();
    let mut no_orbit = 0;
    for &j in &zeroed {
        for row in layers[1].w.iter_mut() {
            row[j] = Q::zero();
        }
        match rng.below(4) {
            0 => {
                // the whole unit is zero: no rescaling orbit
                no_orbit += 1;
                layers[0].w[j] = vec![Q::zero(); d];
                if let Some(b) = &mut layers[0].b {
                    b[j] = Q::zero();
                }
            }
            1 | 2 => {
                let pts = rng.sample_some(n, 1, 2);
                let zs = zero_preactivations(rng, &mut layers[0], j, &pts, &x);
                promised.extend(pre_entries(&zs, j));
            }
            _ => {}
        }
    }
    // with no unit carrying signal, put the output bias at the best constant
    let mut best_c = false;
    if zeroed.len() == h && bias[1] && rng.chance(2, 3) {
        if let Some((_, c)) = best_constant(loss, &y, k) {
            if let Some(b) = &mut layers[1].b {
                b.clone_from(&c);
                best_c = true;
            }
        }
    } else if rng.chance(1, 3) {
        let chosen = rng.sample(n, 1);
        promised.extend(unit_margins(rng, loss, &act, &mut layers, &x, &y, &chosen));
    }
    let what = format!(
        "{} of {h} units with zero outgoing weights ({no_orbit} entirely zero){}",
        zeroed.len(),
        if best_c {
            ", output bias at the best constant"
        } else {
            ""
        }
    );
    // the margin step may have used the zeroed units' columns: zero them again
    for &j in &zeroed {
        for row in layers[1].w.iter_mut() {
            if !row[j].is_zero() {
                row[j] = Q::zero();
                promised.retain(|e| !matches!(e, ZeroEntry::Hinge { .. }));
            }
        }
    }
    Draft::new(arch, loss, x, y, layers)
        .promised(promised)
        .what(&what)
}

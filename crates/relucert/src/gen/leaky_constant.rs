//! The `leaky-constant` family: constant-output points of one-hidden-layer
//! leaky networks on separable data (THEORY section 6, P3a / P3b).
//!
//! Owns: the generator of binary-hinge instances with a leaky hidden layer,
//! an output bias and every outgoing weight `v_j = 0`, on data that the
//! linear map `x -> s x_d` separates (`s = +-1` is the majority label), and
//! the `[expect]` entries derived here by hand, independently of `verify`:
//!
//! - `loss`: the output is the constant `c` at every point, so
//!   `L = (1/N) sum_i max(0, 1 - y_i c)` (closed formula);
//! - `global_min = false`: `L > 0` in every variant, while the leaky unit
//!   `sigma(K s x_d)` with `v = 1`, `c = 0` has every margin `>= 1` for large
//!   `K` (the data are separable by `s x_d` with no offset);
//! - `local_min`, by variant (A = the `p` majority points, label `s`; B = the
//!   `m < p` minority points; `g_i = (1, sigma(z_i))` the augmented hidden
//!   activation of point i):
//!   - `c = s` (the majority corner): near the point, moving only the output
//!     layer by `(dc, dv)` changes `N L` by
//!     `F = sum_A max(0, -k_i) + sum_B k_i`, `k_i = s (dc, dv) . g_i`,
//!     a convex positively homogeneous function. If `sum_B g_i` is not in the
//!     zonotope `{sum_A lambda_i g_i : lambda in [0, 1]^A}` then `0` is not
//!     in `F`'s subdifferential and some small `(dc, dv)` descends:
//!     `local_min = false` (decided by an exact LP whose infeasibility is
//!     checked). If `sum_B g_i = sum_A lambda_i g_i` with every
//!     `lambda_i in (0, 1)` and the `g_i` (i in A) span `R^(1+h)`, the same
//!     holds with the perturbed activations `g'_i` for every nearby hidden
//!     layer (`g'` is continuous, and `lambda' = lambda + G'^+ (r' - G'
//!     lambda)` stays in the open cube), so `F >= (dc, dv) . (sum_B g'_i -
//!     sum_A lambda'_i g'_i) = 0` (as `max(0, -k) >= -lambda k`):
//!     `local_min = true`. If neither, but some unit j has the same
//!     pre-activation `z_j` on every point: moving `w_j` by `t s e_d`, `v_j`
//!     by `eps` and `c` by `-eps sigma(z_j)` changes every output by
//!     `eps (sigma(z_j + t s x_id) - sigma(z_j))`, whose sign is `y_i`
//!     (sigma strictly increasing, `y_i s x_id > 0`): every margin rises,
//!     the minority's loss falls, `local_min = false` (a descent of order
//!     2, bilinear in `t` and `eps`). Otherwise (a boundary case) nothing is
//!     claimed;
//!   - `c = -s` (the minority corner, `m < p`): moving `c` by `s eps`
//!     changes `N L` by `-(p - m) eps`: `local_min = false`;
//!   - `-1 < c < 1`: every hinge is in its linear part, so moving `c` by
//!     `s eps` changes `N L` by `-(p - m) eps < 0`: `local_min = false`;
//!   - `|c| > 1` with `c = s |c|`: the minority points carry the loss
//!     `1 + |c|` and the majority none; moving `c` towards 0 descends:
//!     `local_min = false`.
//!
//! Pre-activations are sometimes pinned to exactly 0 (kinks, promised);
//! the majority points always sit on their hinge corner when `c = s`.
//!
//! Must not: claim an expectation beyond the arguments above, decide
//! anything with the verifier, or change the order of its random draws.

use super::draft::Draft;
use super::forward::{affine, average_loss, dot};
use super::pin::pre_entries;
use super::sample::{one_hidden, small_q};
use crate::instance::Expect;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{Activation, LayerParams, LossKind, ZeroEntry};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// What the zonotope LP says about the majority corner `c = s`.
enum Corner {
    /// `sum_B g_i` is outside the closed zonotope (exact infeasibility).
    Outside,
    /// Strictly inside, with spanning generators: a local minimum.
    Interior,
    /// On the boundary, or the generators do not span, or the LP failed
    /// its exact check: nothing claimed.
    Unknown,
}

/// The augmented activations `(1, sigma(W x_i + b))` of the given points.
fn augmented(act: &Activation, layer: &LayerParams, xs: &[&Vec<Q>]) -> Vec<Vec<Q>> {
    xs.iter()
        .map(|x| {
            let mut g = vec![Q::one()];
            g.extend(affine(layer, x).iter().map(|z| act.apply(z)));
            g
        })
        .collect()
}

/// Decide where `sum_B g_i` lies relative to `{sum_A lambda_i g_i}`:
/// maximise `t` subject to `sum_A lambda_i g_i = sum_B g_i`,
/// `t <= lambda_i <= 1 - t`, `0 <= lambda_i <= 1`.
fn corner(ga: &[Vec<Q>], gb: &[Vec<Q>]) -> Corner {
    let rows = ga.first().map_or(0, Vec::len);
    let mut model = lp::Lp::new(Sense::Maximize);
    let lam: Vec<lp::VarId> = ga
        .iter()
        .map(|_| model.add_var(Some(Q::zero()), Some(Q::one())))
        .collect();
    let t = model.add_var(None, None);
    for r in 0..rows {
        let row: Vec<(lp::VarId, Q)> = lam
            .iter()
            .zip(ga)
            .map(|(v, g)| (*v, g[r].clone()))
            .collect();
        let rhs = gb.iter().fold(Q::zero(), |acc, g| acc + &g[r]);
        model.add_row(row, Cmp::Eq, rhs);
    }
    for v in &lam {
        model.add_row(vec![(*v, Q::one()), (t, -Q::one())], Cmp::Ge, Q::zero());
        model.add_row(vec![(*v, Q::one()), (t, Q::one())], Cmp::Le, Q::one());
    }
    model.set_objective(vec![(t, Q::one())]);
    let result = lp::solve(&model);
    if lp::check_result(&model, &result).is_err() {
        return Corner::Unknown;
    }
    match result {
        LpResult::Infeasible { .. } => Corner::Outside,
        LpResult::Optimal { value, .. } => {
            // the generators (columns g_i, i in A) must span R^rows
            let spans = crate::linalg::rank(ga) == rows;
            if value.is_positive() && spans {
                Corner::Interior
            } else {
                Corner::Unknown
            }
        }
        LpResult::Unbounded { .. } => Corner::Unknown,
    }
}

/// Whether some hidden unit has the same pre-activation on every point.
fn constant_unit(hidden: &LayerParams, x: &[Vec<Q>]) -> bool {
    (0..hidden.w.len()).any(|j| {
        let z: Vec<Q> = x.iter().map(|xi| affine(hidden, xi)[j].clone()).collect();
        z.iter().all(|v| *v == z[0])
    })
}

/// A `leaky-constant` instance (see the module documentation).
pub(super) fn leaky_constant(rng: &mut Rng) -> Draft {
    let h = rng.range(1, 2);
    let d = if h == 1 { rng.range(2, 3) } else { 3 };
    let alpha = rng.pick(&[qf(1, 10), qf(1, 4), qf(1, 3), qf(1, 2)]);
    let act = Activation::Leaky(alpha);
    let hidden_bias = rng.chance(2, 3);
    let s: i64 = if rng.chance(1, 2) { 1 } else { -1 };
    let p = rng.range(h + 1, 5);
    let m = rng.range(1, (p - 1).min(8 - p));
    let heights = [qi(1), qi(2), qf(1, 2), qi(3)];
    // the majority points: free first coordinates, last coordinate s t
    let mut x: Vec<Vec<Q>> = Vec::with_capacity(p + m);
    for _ in 0..p {
        let mut xi: Vec<Q> = (0..d - 1).map(|_| small_q(rng, 3)).collect();
        xi.push(qi(s) * rng.pick(&heights));
        x.push(xi);
    }
    // the minority points: mostly a convex combination of the majority
    // points (positive weights) in the first coordinates, on the other side
    // of x_d = 0
    for _ in 0..m {
        let mut xi: Vec<Q> = if rng.chance(3, 4) {
            let mu: Vec<i64> = (0..p).map(|_| rng.int(1, 3)).collect();
            let total = qi(mu.iter().sum());
            (0..d - 1)
                .map(|k| {
                    mu.iter()
                        .zip(&x)
                        .fold(Q::zero(), |acc, (w, xa)| acc + qi(*w) * &xa[k])
                        / &total
                })
                .collect()
        } else {
            (0..d - 1).map(|_| small_q(rng, 3)).collect()
        };
        xi.push(qi(-s) * rng.pick(&heights));
        x.push(xi);
    }
    let y: Vec<i64> = (0..p + m).map(|i| if i < p { s } else { -s }).collect();
    // the hidden layer: often blind to x_d (the separating direction)
    let mut hidden = LayerParams {
        w: (0..h)
            .map(|_| {
                let mut row: Vec<Q> = (0..d - 1).map(|_| small_q(rng, 3)).collect();
                row.push(if rng.chance(3, 4) {
                    Q::zero()
                } else {
                    small_q(rng, 2)
                });
                row
            })
            .collect(),
        b: hidden_bias.then(|| (0..h).map(|_| small_q(rng, 3)).collect()),
    };
    let mut promised: Vec<ZeroEntry> = Vec::new();
    if let Some(b) = &mut hidden.b {
        for (j, bj) in b.iter_mut().enumerate() {
            if rng.chance(1, 2) {
                let i = rng.below(p + m);
                *bj = -dot(&hidden.w[j], &x[i]);
                let zs: Vec<usize> = (0..p + m)
                    .filter(|&k| dot(&hidden.w[j], &x[k]) == dot(&hidden.w[j], &x[i]))
                    .collect();
                promised.extend(pre_entries(&zs, j));
            }
        }
    }
    let variant = rng.below(6);
    let c = match variant {
        0..=2 => qi(s),
        3 => qi(-s),
        4 => rng.pick(&[Q::zero(), qf(1, 2), qf(-1, 2), qf(1, 3)]),
        _ => qi(s) * rng.pick(&[qf(3, 2), qi(2)]),
    };
    let (local, what) = match variant {
        0..=2 => {
            let a: Vec<&Vec<Q>> = x[..p].iter().collect();
            let b: Vec<&Vec<Q>> = x[p..].iter().collect();
            let ga = augmented(&act, &hidden, &a);
            let gb = augmented(&act, &hidden, &b);
            match corner(&ga, &gb) {
                Corner::Interior => (Some(true), "the majority corner, inside the zonotope"),
                Corner::Outside => (Some(false), "the majority corner, outside the zonotope"),
                Corner::Unknown if constant_unit(&hidden, &x) => (
                    Some(false),
                    "the majority corner, a unit constant on the data",
                ),
                Corner::Unknown => (None, "the majority corner, on the zonotope's boundary"),
            }
        }
        3 => (Some(false), "the minority corner"),
        4 => (Some(false), "strictly inside the hinge"),
        _ => (Some(false), "beyond the majority corner"),
    };
    let arch = one_hidden(d, h, 1, act, [hidden_bias, true]);
    let outs = vec![vec![c.clone()]; p + m];
    let loss = average_loss(LossKind::Hinge, &outs, &y);
    // points receiving output c at margin exactly 1 sit on their hinge corner
    for (i, &yi) in y.iter().enumerate() {
        if qi(yi) * &c == Q::one() {
            promised.push(ZeroEntry::Hinge {
                point: i,
                class: None,
            });
        }
    }
    let layers = vec![
        hidden,
        LayerParams {
            w: vec![vec![Q::zero(); h]],
            b: Some(vec![c.clone()]),
        },
    ];
    let detail = format!(
        "every outgoing weight 0, output bias {} ({what}), {p} majority and {m} minority points",
        crate::number::fmt_q(&c)
    );
    Draft::new(arch, LossKind::Hinge, x, y, layers)
        .expect(Expect {
            local_min: local,
            global_min: Some(false),
            loss: Some(loss),
        })
        .promised(promised)
        .what(&detail)
}

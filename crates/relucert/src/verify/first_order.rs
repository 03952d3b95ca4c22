//! First-order descent directions from exact LPs, one per piece (THEORY 5.2).
//!
//! Owns: `candidates`, which for each choice of sides of the zero entries
//! (hinge corners stay as `max(0, g . d)` terms) linearises the loss on that
//! piece and minimises the one-sided directional derivative over the box
//! `|d_v| <= 1`, restricted to the directions that stay on the chosen sides
//! **to first order**: every live zero pre-activation, in every layer, keeps
//! the sign of its side (`sign * grad z . d >= 0`, the gradient taken on the
//! piece), and a Crammer-Singer tie keeps the chosen competitor on top
//! (`(grad f_k - grad f_k') . d >= 0`). On that set the LP's objective *is*
//! the exact one-sided derivative `L'(theta*; d)` (by induction over the
//! layers: a zero pre-activation whose first-order change is 0 contributes
//! nothing at first order on either side), and the sets of all pieces cover
//! every direction. Hence, when every piece is enumerated, a direction with
//! `L'(theta*; d) < 0` exists iff some LP has a negative optimum, and that
//! LP's optimiser descends at first order: the ray `theta* + t d` it proposes
//! is then confirmed by `descent::try_arc`.
//!
//! A zero pre-activation on a point whose hinge arguments are all negative
//! (a "dead" point for the hinge losses) changes no term of the loss: it
//! gets no constraint (constraining it would exclude directions for no
//! reason).
//!
//! Must not: decide anything (the arcs are checked exactly by the caller),
//! or use floats.

use crate::arc::Arc;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{LossKind, Pattern, Problem, Side, Sign, Signature, ZeroEntry};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// The forward pass of one data point on one piece, with what the backward
/// passes need: every layer's input activations and the hidden slopes.
pub(super) struct Trace {
    /// `acts[l]`: the input of weight layer `l + 1` (`acts[0] = x`).
    pub(super) acts: Vec<Vec<Q>>,
    /// `slopes[l][j]`: the slope of hidden unit j of layer `l + 1`.
    pub(super) slopes: Vec<Vec<Q>>,
    /// `pre[l][j]`: the pre-activation of unit j of weight layer `l + 1`
    /// (the last entry holds the outputs).
    pub(super) pre: Vec<Vec<Q>>,
}

pub(super) fn trace(problem: &Problem, theta: &[Q], pattern: &Pattern, i: usize) -> Trace {
    let arch = &problem.arch;
    let mut acts = vec![problem.data.x[i].clone()];
    let mut slopes = Vec::new();
    let mut pre = Vec::new();
    for l in 1..=arch.depth() {
        let a = &acts[l - 1];
        let z: Vec<Q> = (0..arch.widths[l])
            .map(|j| {
                let mut acc = a.iter().enumerate().fold(Q::zero(), |acc, (k, ak)| {
                    acc + &theta[arch.weight_index(l, j, k)] * ak
                });
                if let Some(b) = arch.bias_index(l, j) {
                    acc += &theta[b];
                }
                acc
            })
            .collect();
        if l < arch.depth() {
            let s: Vec<Q> = (0..z.len())
                .map(|j| arch.activation.slope(pattern.active[l - 1][i][j]))
                .collect();
            acts.push(z.iter().zip(&s).map(|(v, s)| v * s).collect());
            slopes.push(s);
        }
        pre.push(z);
    }
    Trace { acts, slopes, pre }
}

/// The gradient (flat, on the piece) of `sum_j seed[j] z_{layer, j}`: one
/// backward pass.
pub(super) fn gradient(
    problem: &Problem,
    theta: &[Q],
    tr: &Trace,
    layer: usize,
    seed: Vec<Q>,
) -> Vec<Q> {
    let arch = &problem.arch;
    let mut grad = vec![Q::zero(); arch.num_params()];
    let mut delta = seed;
    for l in (1..=layer).rev() {
        for (j, dj) in delta.iter().enumerate() {
            if dj.is_zero() {
                continue;
            }
            for (k, ak) in tr.acts[l - 1].iter().enumerate() {
                grad[arch.weight_index(l, j, k)] += dj * ak;
            }
            if let Some(b) = arch.bias_index(l, j) {
                grad[b] += dj;
            }
        }
        if l > 1 {
            delta = (0..arch.widths[l - 1])
                .map(|k| {
                    let s = delta.iter().enumerate().fold(Q::zero(), |acc, (j, dj)| {
                        if dj.is_zero() {
                            acc
                        } else {
                            acc + dj * &theta[arch.weight_index(l, j, k)]
                        }
                    });
                    s * &tr.slopes[l - 2][k]
                })
                .collect();
        }
    }
    grad
}

/// The unit vector `e_j` of length `m`, optionally scaled.
pub(super) fn unit(m: usize, entries: &[(usize, Q)]) -> Vec<Q> {
    let mut v = vec![Q::zero(); m];
    for (j, c) in entries {
        v[*j] += c;
    }
    v
}

/// The linearisation of the loss on one piece: the summed gradient of the
/// active terms, the gradients of the corner terms, and the rows
/// `g . d >= 0` that keep a direction on the piece's sides to first order.
struct Linearised {
    active: Vec<Q>,
    corners: Vec<Vec<Q>>,
    stay: Vec<Vec<Q>>,
}

fn linearise(
    problem: &Problem,
    theta: &[Q],
    pattern: &Pattern,
    zeros: &[ZeroEntry],
    key: &[Side],
) -> Linearised {
    let arch = &problem.arch;
    let n = arch.num_params();
    let depth = arch.depth();
    let kout = arch.widths[depth];
    let mut lin = Linearised {
        active: vec![Q::zero(); n],
        corners: Vec::new(),
        stay: Vec::new(),
    };
    for i in 0..problem.data.len() {
        let tr = trace(problem, theta, pattern, i);
        let f = &tr.pre[depth - 1];
        let args = hinge_args(problem, pattern, f, i);
        if problem.loss == LossKind::Squared {
            // smooth: d (r^2) = 2 r dr, always counted
            let r = &f[0] - problem.data.target(i);
            let two_r = Q::from_integer(2.into()) * r;
            let g = gradient(problem, theta, &tr, depth, unit(kout, &[(0, two_r)]));
            add_to(&mut lin.active, &g);
        }
        let one = Q::one();
        let live = problem.loss.is_regression() || args.iter().any(|(v, _)| !v.is_negative());
        for (v, seed) in args {
            if v.is_positive() {
                let g = gradient(problem, theta, &tr, depth, seed);
                add_to(&mut lin.active, &g);
            } else if v.is_zero() {
                lin.corners.push(gradient(problem, theta, &tr, depth, seed));
            }
        }
        if !live {
            continue;
        }
        for (z, side) in zeros.iter().zip(key) {
            match (z, side) {
                (
                    ZeroEntry::PreActivation {
                        point,
                        layer,
                        unit: j,
                    },
                    _,
                ) if *point == i => {
                    let sign = if *side == Side::Pos {
                        one.clone()
                    } else {
                        -one.clone()
                    };
                    let seed = unit(arch.widths[*layer], &[(*j, sign)]);
                    lin.stay.push(gradient(problem, theta, &tr, *layer, seed));
                }
                (ZeroEntry::Tie { point, classes }, Side::Class(k)) if *point == i => {
                    for &other in classes.iter().filter(|&&c| c != *k) {
                        let seed = unit(kout, &[(*k, one.clone()), (other, -one.clone())]);
                        lin.stay.push(gradient(problem, theta, &tr, depth, seed));
                    }
                }
                _ => {}
            }
        }
    }
    lin
}

/// The loss terms of point `i` on `pattern` as `max(0, value)` terms:
/// `(value, seed on the outputs)` (the absolute loss as two such terms;
/// the squared loss has none: it is smooth).
pub(super) fn hinge_args(
    problem: &Problem,
    pattern: &Pattern,
    f: &[Q],
    i: usize,
) -> Vec<(Q, Vec<Q>)> {
    let kout = f.len();
    let y = problem.data.y[i];
    let yc = usize::try_from(y).unwrap_or(0);
    let one = Q::one();
    let mut args: Vec<(Q, Vec<Q>)> = Vec::new();
    match problem.loss {
        LossKind::Hinge => {
            let yq = Q::from_integer(y.into());
            args.push((&one - &yq * &f[0], unit(kout, &[(0, -yq)])));
        }
        LossKind::MulticlassHinge => {
            for k in (0..kout).filter(|&k| k != yc) {
                let v = &one + &f[k] - &f[yc];
                args.push((v, unit(kout, &[(k, one.clone()), (yc, -one.clone())])));
            }
        }
        LossKind::CrammerSinger => {
            if let Some(k) = pattern.competitor[i] {
                let v = &one + &f[k] - &f[yc];
                args.push((v, unit(kout, &[(k, one.clone()), (yc, -one.clone())])));
            }
        }
        LossKind::Absolute => {
            let r = &f[0] - problem.data.target(i);
            args.push((r.clone(), unit(kout, &[(0, one.clone())])));
            args.push((-r, unit(kout, &[(0, -one.clone())])));
        }
        LossKind::Squared => {}
    }
    args
}

pub(super) fn add_to(acc: &mut [Q], g: &[Q]) {
    for (a, x) in acc.iter_mut().zip(g) {
        if !x.is_zero() {
            *a += x;
        }
    }
}

/// Most first-order LPs enumerated by `own_keys`.
const KEY_CAP: usize = 4096;

/// The sides to examine, one LP each: every completion of the live zero
/// entries other than hinge corners (which the LP keeps as max terms), in
/// the order of `completions` (the order in which the pieces' list, merged
/// over hinge corners, gives them). `None` above `KEY_CAP`: then the
/// caller's list (a sample) is used. Enumerating these directly matters
/// when the hinge corners alone push the pieces over `--max-pieces`: the
/// LPs need only the other entries' sides.
fn own_keys(problem: &Problem, sig: &Signature, zeros: &[ZeroEntry]) -> Option<Vec<Vec<Side>>> {
    let live = |z: &ZeroEntry| match z {
        ZeroEntry::Hinge { .. } => false,
        ZeroEntry::PreActivation { point, .. } => {
            problem.loss.is_regression() || sig.hinge[*point].iter().any(|(_, s)| *s != Sign::Neg)
        }
        ZeroEntry::Tie { .. } => true,
    };
    let enumerated: Vec<ZeroEntry> = zeros.iter().filter(|z| live(z)).cloned().collect();
    let list = super::completions(&enumerated, KEY_CAP)?;
    Some(
        list.into_iter()
            .map(|sides| {
                let mut it = sides.into_iter();
                zeros
                    .iter()
                    .map(|z| {
                        if live(z) {
                            it.next().unwrap_or(Side::Pos)
                        } else {
                            Side::Pos
                        }
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The first-order LP of every piece (`own_keys`, else `all`; hinge-corner
/// sides merged), in order; each negative optimum's ray goes to `consume`. Returns `true`
/// when `consume` did (a descent was found: stop), `false` when the pieces
/// or the time ran out.
pub(super) fn candidates(
    problem: &Problem,
    sig: &Signature,
    theta: &[Q],
    all: &[Vec<Side>],
    deadline: &Deadline,
    consume: &mut dyn FnMut(Arc) -> bool,
) -> bool {
    let n = problem.arch.num_params();
    let zeros = sig.zero_entries();
    let own = own_keys(problem, sig, &zeros);
    let all = own.as_deref().unwrap_or(all);
    let mut seen: Vec<Vec<Side>> = Vec::new();
    for sides in all {
        if deadline.expired() {
            return false;
        }
        // hinge-argument zeros are handled by max terms: normalise their side
        let key: Vec<Side> = zeros
            .iter()
            .zip(sides)
            .map(|(z, s)| {
                if matches!(z, ZeroEntry::Hinge { .. }) {
                    Side::Pos
                } else {
                    *s
                }
            })
            .collect();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        let Ok(pattern) = sig.complete(&key) else {
            continue;
        };
        let lin = linearise(problem, theta, &pattern, &zeros, &key);
        let mut model = lp::Lp::new(Sense::Minimize);
        let d: Vec<lp::VarId> = (0..n)
            .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
            .collect();
        let mut objective: Vec<(lp::VarId, Q)> = d
            .iter()
            .zip(&lin.active)
            .filter(|(_, g)| !g.is_zero())
            .map(|(v, g)| (*v, g.clone()))
            .collect();
        for g in &lin.corners {
            let u = model.add_var(Some(Q::zero()), None);
            objective.push((u, Q::one()));
            let mut row: Vec<(lp::VarId, Q)> = vec![(u, Q::one())];
            row.extend(
                d.iter()
                    .zip(g)
                    .filter(|(_, c)| !c.is_zero())
                    .map(|(v, c)| (*v, -c)),
            );
            model.add_row(row, Cmp::Ge, Q::zero());
        }
        for g in &lin.stay {
            let row: Vec<(lp::VarId, Q)> = d
                .iter()
                .zip(g)
                .filter(|(_, c)| !c.is_zero())
                .map(|(v, c)| (*v, c.clone()))
                .collect();
            if !row.is_empty() {
                model.add_row(row, Cmp::Ge, Q::zero());
            }
        }
        model.set_objective(objective);
        if let Ok(LpResult::Optimal { x, value, .. }) = lp::solve_within(&model, deadline) {
            if value.is_negative()
                && consume(Arc {
                    point: theta.to_vec(),
                    dirs: vec![x[..n].to_vec()],
                })
            {
                return true;
            }
        }
    }
    false
}

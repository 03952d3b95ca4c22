//! Second-order descent arcs `theta* + t d + t^2 e` at any depth (THEORY 5).
//!
//! Owns: `search`, the proposals tried after every other stage left the
//! point `undecided` (before the straight-line search). A proposal fixes an
//! *anchor* `s`: a move of some weights of one layer `l'` (one weight, or
//! all the layer's zero weights with one sign), and lets the first-order
//! part `u` range over the parameters of another layer `l` plus the output
//! biases. On a piece (a choice of sides of the zero entries) the network
//! is multilinear in the layers, so with `d = s + u`:
//! - the first-order coefficient of every output, pre-activation and loss
//!   term is `grad . (s + u)`;
//! - its second-order coefficient along `theta* + t d + t^2 e` is
//!   `(grad(theta* + s) - grad(theta*)) . u + grad . e` (the Hessian
//!   restricted to one layer plus output biases vanishes, `s^T H s = 0`
//!   since `s` lies in one layer, and `H s` is that exact difference since
//!   the piece is affine in layer `l'`).
//!
//! Everything is linear in `(u, e)`, so one LP per anchor and piece
//! minimises the `t^2` coefficient of the loss. A piece here is a choice
//! of sides of the live zero pre-activations and ties (each kept on its
//! side at first and at second order) and of the hinge corners: "on"
//! (rising at first order, counted like an active term) or "off"
//! (first-order change `<= 0`, counted by `max(0, second-order change)`);
//! the active and "on" terms' first-order sum must be `<= 0`. A negative
//! optimum proposes the arc `[s + u, e]`, which `descent::try_arc` decides
//! exactly. The pieces come from a few seeded integer moves `u` (the sides
//! they induce) and from each LP's own solution (re-solved on the sides it
//! induces). This is the output-bias compensation at order 2 that the
//! one-hidden-layer proposals lack, and the cross-layer products
//! (`W3 . W2 . W1`) that the per-piece pair arcs miss.
//!
//! Must not: decide anything (every arc goes to `try_arc`), use floats, or
//! run past the deadline or `lp_budget` LPs.

use super::descent::{try_arc, Found};
use super::first_order::{gradient, hinge_args, trace, unit, Trace};
use crate::arc::Arc;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{LossKind, Params, Pattern, Problem, Side, Sign, Signature, ZeroEntry};
use crate::number::Q;
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// Most LPs solved by one search (fewer for large networks: see
/// `lp_budget`).
const MAX_LPS: usize = 240;
/// `lp_budget`'s numerator: LPs times parameters.
const LP_WORK: usize = 20_000;

/// The LPs one search may solve for `n` parameters: `MAX_LPS`, down to 16
/// for large networks (each LP has `2 n` variables). A count, not a clock,
/// so the answer does not depend on the machine's speed.
fn lp_budget(n: usize) -> usize {
    (LP_WORK / n.max(1)).clamp(16, MAX_LPS)
}
/// Seeded integer moves `u` per anchor whose induced sides give pieces.
const SEEDED_KEYS: usize = 10;

/// One linear quantity along the arc: first-order coefficient
/// `c1 + g[U] . u` and second-order coefficient `h[U] . u + g . e`.
struct Term {
    c1: Q,
    g: Vec<Q>,
    h: Vec<Q>,
}

/// The terms of one piece for one anchor.
struct PieceTerms {
    /// Loss terms positive at the point.
    active: Vec<Term>,
    /// Loss terms at 0 (hinge corners), with the index of their zero entry
    /// and whether the piece has them rising at first order ("on": key
    /// `+`; counted by their first- and second-order change) or not ("off":
    /// key `-`; first-order change `<= 0`, counted by `max(0, second)`).
    corners: Vec<(Option<usize>, bool, Term)>,
    /// Quantities that must stay `>= 0` (sides of zero entries), with the
    /// index of their zero entry.
    stay: Vec<(usize, Term)>,
}

/// Whether point `i` can change the loss near the point.
fn live(problem: &Problem, sig: &Signature, i: usize) -> bool {
    problem.loss.is_regression() || sig.hinge[i].iter().any(|(_, s)| *s != Sign::Neg)
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| {
        if x.is_zero() || y.is_zero() {
            acc
        } else {
            acc + x * y
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn terms(
    problem: &Problem,
    sig: &Signature,
    zeros: &[ZeroEntry],
    key: &[Side],
    pattern: &Pattern,
    theta: &[Q],
    s: &[Q],
) -> PieceTerms {
    let arch = &problem.arch;
    let depth = arch.depth();
    let kout = arch.widths[depth];
    let theta_s: Vec<Q> = theta.iter().zip(s).map(|(a, b)| a + b).collect();
    let mut out = PieceTerms {
        active: Vec::new(),
        corners: Vec::new(),
        stay: Vec::new(),
    };
    let term = |tr0: &Trace, trs: &Trace, layer: usize, seed: Vec<Q>| {
        let g = gradient(problem, theta, tr0, layer, seed.clone());
        let gs = gradient(problem, &theta_s, trs, layer, seed);
        let h: Vec<Q> = gs.iter().zip(&g).map(|(a, b)| a - b).collect();
        Term {
            c1: dot(&g, s),
            g,
            h,
        }
    };
    let one = Q::one();
    for i in 0..problem.data.len() {
        if !live(problem, sig, i) {
            continue;
        }
        let tr0 = trace(problem, theta, pattern, i);
        let trs = trace(problem, &theta_s, pattern, i);
        let f = tr0.pre[depth - 1].clone();
        // the point's hinge-corner zero entries, in order
        let mut corner_entries = zeros
            .iter()
            .enumerate()
            .filter(|(_, z)| matches!(z, ZeroEntry::Hinge { point, .. } if *point == i))
            .map(|(n, _)| n);
        for (v, seed) in hinge_args(problem, pattern, &f, i) {
            if v.is_negative() {
                continue;
            }
            let t = term(&tr0, &trs, depth, seed);
            if v.is_positive() {
                out.active.push(t);
            } else {
                let n = corner_entries.next();
                let on = n.is_some_and(|n| key[n] == Side::Pos);
                out.corners.push((n, on, t));
            }
        }
        for (n, (z, side)) in zeros.iter().zip(key).enumerate() {
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
                    out.stay.push((n, term(&tr0, &trs, *layer, seed)));
                }
                (ZeroEntry::Tie { point, classes }, Side::Class(k)) if *point == i => {
                    for &other in classes.iter().filter(|&&c| c != *k) {
                        let seed = unit(kout, &[(*k, one.clone()), (other, -one.clone())]);
                        out.stay.push((n, term(&tr0, &trs, depth, seed)));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The default key: `+` for every pre-activation, hinge corners off
/// (`-`), the first class of every tie.
fn default_key(zeros: &[ZeroEntry]) -> Vec<Side> {
    zeros
        .iter()
        .map(|z| match z {
            ZeroEntry::Tie { classes, .. } => Side::Class(classes[0]),
            ZeroEntry::Hinge { .. } => Side::Neg,
            ZeroEntry::PreActivation { .. } => Side::Pos,
        })
        .collect()
}

/// The sides a move `(u, e)` induces, read from the terms of the piece
/// `key` (first-order sign, then second-order, `+` or the kept class when
/// both vanish). Ties: the class whose difference rows are all `>= 0`
/// lexicographically wins over the current one when some row is negative.
fn induced_key(
    zeros: &[ZeroEntry],
    key: &[Side],
    pt: &PieceTerms,
    uset: &[usize],
    u: &[Q],
    e: Option<&[Q]>,
) -> Vec<Side> {
    let mut out = key.to_vec();
    let first_of = |t: &Term| {
        &t.c1
            + uset
                .iter()
                .zip(u)
                .fold(Q::zero(), |a, (k, x)| a + &t.g[*k] * x)
    };
    for (n, _, t) in &pt.corners {
        if let Some(n) = n {
            out[*n] = if first_of(t).is_positive() {
                Side::Pos
            } else {
                Side::Neg
            };
        }
    }
    for (n, t) in &pt.stay {
        let first = first_of(t);
        let second = match e {
            Some(e) => uset
                .iter()
                .zip(u)
                .fold(dot(&t.g, e), |a, (k, x)| a + &t.h[*k] * x),
            None => Q::zero(),
        };
        let sign = if first.is_zero() { second } else { first };
        if !sign.is_negative() {
            continue;
        }
        match (&zeros[*n], key[*n]) {
            (ZeroEntry::PreActivation { .. }, Side::Pos) => out[*n] = Side::Neg,
            (ZeroEntry::PreActivation { .. }, _) => out[*n] = Side::Pos,
            (ZeroEntry::Tie { classes, .. }, Side::Class(k)) => {
                // move to the next class of the tie (a proposal only)
                let at = classes.iter().position(|c| *c == k).unwrap_or(0);
                out[*n] = Side::Class(classes[(at + 1) % classes.len()]);
            }
            _ => {}
        }
    }
    out
}

/// The LP of one anchor and piece: `Some((u, e))` at a negative optimum.
fn solve(
    pt: &PieceTerms,
    uset: &[usize],
    n: usize,
    deadline: &Deadline,
) -> Option<(Vec<Q>, Vec<Q>)> {
    let mut model = lp::Lp::new(Sense::Minimize);
    let one = Q::one();
    let u: Vec<lp::VarId> = uset
        .iter()
        .map(|_| model.add_var(Some(-one.clone()), Some(one.clone())))
        .collect();
    let e: Vec<lp::VarId> = (0..n)
        .map(|_| model.add_var(Some(-one.clone()), Some(one.clone())))
        .collect();
    let first = |t: &Term, scale: &Q| -> Vec<(lp::VarId, Q)> {
        uset.iter()
            .zip(&u)
            .filter(|(k, _)| !t.g[**k].is_zero())
            .map(|(k, v)| (*v, &t.g[*k] * scale))
            .collect()
    };
    let second = |t: &Term, scale: &Q| -> Vec<(lp::VarId, Q)> {
        let mut row: Vec<(lp::VarId, Q)> = uset
            .iter()
            .zip(&u)
            .filter(|(k, _)| !t.h[**k].is_zero())
            .map(|(k, v)| (*v, &t.h[*k] * scale))
            .collect();
        row.extend(
            e.iter()
                .zip(&t.g)
                .filter(|(_, g)| !g.is_zero())
                .map(|(v, g)| (*v, g * scale)),
        );
        row
    };
    let mut objective: Vec<(lp::VarId, Q)> = Vec::new();
    let mut sum_first: Vec<(lp::VarId, Q)> = Vec::new();
    let mut sum_c1 = Q::zero();
    for t in &pt.active {
        objective.extend(second(t, &one));
        sum_first.extend(first(t, &one));
        sum_c1 += &t.c1;
    }
    for (_, on, t) in &pt.corners {
        let row = first(t, &one);
        if *on {
            // rising at first order: counted like an active term
            objective.extend(second(t, &one));
            sum_first.extend(row.clone());
            sum_c1 += &t.c1;
            if row.is_empty() {
                if t.c1.is_negative() {
                    return None;
                }
            } else {
                model.add_row(row, Cmp::Ge, -&t.c1);
            }
            continue;
        }
        if row.is_empty() {
            if t.c1.is_positive() {
                return None;
            }
        } else {
            model.add_row(row, Cmp::Le, -&t.c1);
        }
        let w = model.add_var(Some(Q::zero()), None);
        objective.push((w, one.clone()));
        let mut row = vec![(w, one.clone())];
        row.extend(second(t, &-&one));
        model.add_row(row, Cmp::Ge, Q::zero());
    }
    if !sum_first.is_empty() {
        model.add_row(sum_first, Cmp::Le, -sum_c1);
    } else if sum_c1.is_positive() {
        return None;
    }
    for (_, t) in &pt.stay {
        let row = first(t, &one);
        if row.is_empty() {
            if t.c1.is_negative() {
                return None;
            }
        } else {
            model.add_row(row, Cmp::Ge, -&t.c1);
        }
        let row = second(t, &one);
        if !row.is_empty() {
            model.add_row(row, Cmp::Ge, Q::zero());
        }
    }
    model.set_objective(objective);
    match lp::solve_within(&model, deadline) {
        Ok(LpResult::Optimal { x, value, .. }) if value.is_negative() => {
            let uu = x[..uset.len()].to_vec();
            let ee = x[uset.len()..uset.len() + n].to_vec();
            Some((uu, ee))
        }
        _ => None,
    }
}

/// The anchors `(s, U)`: `s` a move of weights of one layer (all its zero
/// weights with one sign, then each zero weight, then each other weight,
/// both signs), `U` the parameters of another layer plus the output biases.
fn anchors(problem: &Problem, theta: &[Q]) -> Vec<(Vec<Q>, Vec<usize>)> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let n = arch.num_params();
    let layer_params = |l: usize| -> Vec<usize> {
        let mut v = Vec::new();
        for j in 0..arch.widths[l] {
            for k in 0..arch.widths[l - 1] {
                v.push(arch.weight_index(l, j, k));
            }
            if let Some(b) = arch.bias_index(l, j) {
                v.push(b);
            }
        }
        v
    };
    let out_biases: Vec<usize> = (0..arch.widths[depth])
        .filter_map(|j| arch.bias_index(depth, j))
        .collect();
    let mut moves: Vec<(usize, Vec<Q>)> = Vec::new();
    for lp in 1..=depth {
        let weights: Vec<usize> = (0..arch.widths[lp])
            .flat_map(|j| (0..arch.widths[lp - 1]).map(move |k| (j, k)))
            .map(|(j, k)| arch.weight_index(lp, j, k))
            .collect();
        let zero: Vec<usize> = weights
            .iter()
            .copied()
            .filter(|w| theta[*w].is_zero())
            .collect();
        let other: Vec<usize> = weights
            .iter()
            .copied()
            .filter(|w| !theta[*w].is_zero())
            .collect();
        for sign in [Q::one(), -Q::one()] {
            if zero.len() > 1 {
                let mut s = vec![Q::zero(); n];
                for w in &zero {
                    s[*w] = sign.clone();
                }
                moves.push((lp, s));
            }
        }
        for w in zero.iter().chain(&other) {
            for sign in [Q::one(), -Q::one()] {
                let mut s = vec![Q::zero(); n];
                s[*w] = sign;
                moves.push((lp, s));
            }
        }
    }
    // zero-weight anchors of every layer before the others
    moves.sort_by_key(|(lp, s)| {
        let nonzero_base = s
            .iter()
            .enumerate()
            .any(|(i, x)| !x.is_zero() && !theta[i].is_zero());
        (nonzero_base, *lp)
    });
    let mut out = Vec::new();
    for (lp, s) in moves {
        for l in 1..=depth {
            if l == lp {
                continue;
            }
            let mut uset = layer_params(l);
            for b in &out_biases {
                if !uset.contains(b) {
                    uset.push(*b);
                }
            }
            out.push((s.clone(), uset));
        }
    }
    out
}

/// Try the second-order anchor arcs; the first that `try_arc` confirms.
pub(super) fn search(
    problem: &Problem,
    params: &Params,
    loss: &Q,
    deadline: &Deadline,
) -> Option<Found> {
    if problem.loss == LossKind::Squared || problem.arch.hidden_layers() == 0 {
        return None;
    }
    let theta = params.flat();
    let n = theta.len();
    let ev = problem.evaluate(params);
    let sig = Signature::of(problem, &ev);
    let zeros = sig.zero_entries();
    // sides to choose: live zero pre-activations, ties, hinge corners (on/off)
    let has_sides = zeros.iter().any(|z| match z {
        ZeroEntry::PreActivation { point, .. } | ZeroEntry::Tie { point, .. } => {
            live(problem, &sig, *point)
        }
        ZeroEntry::Hinge { .. } => true,
    });
    let base = default_key(&zeros);
    let base_pattern = sig.complete(&base).ok()?;
    let mut rng = Rng::new(0x5eed_2a2c);
    let mut lps = 0usize;
    let budget = lp_budget(n);
    for (s, uset) in anchors(problem, &theta) {
        let mut keys = vec![base.clone()];
        if has_sides {
            let pt = terms(problem, &sig, &zeros, &base, &base_pattern, &theta, &s);
            for _ in 0..SEEDED_KEYS {
                let u: Vec<Q> = uset
                    .iter()
                    .map(|_| {
                        let m = rng.int(1, 2);
                        Q::from_integer(if rng.chance(1, 2) { m } else { -m }.into())
                    })
                    .collect();
                let k = induced_key(&zeros, &base, &pt, &uset, &u, None);
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let mut tried: Vec<Vec<Side>> = Vec::new();
        while let Some(key) = keys.pop() {
            if lps >= budget || deadline.expired() {
                return None;
            }
            if tried.contains(&key) {
                continue;
            }
            tried.push(key.clone());
            let Ok(pattern) = sig.complete(&key) else {
                continue;
            };
            let pt = terms(problem, &sig, &zeros, &key, &pattern, &theta, &s);
            lps += 1;
            let Some((u, e)) = solve(&pt, &uset, n, deadline) else {
                continue;
            };
            let mut d = s.clone();
            for (k, x) in uset.iter().zip(&u) {
                d[*k] += x;
            }
            let arc = Arc {
                point: theta.clone(),
                dirs: vec![d, e.clone()],
            };
            if let Some(found) = try_arc(problem, &arc, loss, deadline) {
                return Some(found);
            }
            if has_sides {
                let next = induced_key(&zeros, &key, &pt, &uset, &u, Some(&e));
                if !tried.contains(&next) {
                    keys.push(next);
                }
            }
        }
    }
    None
}

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
/// `lp_budget`'s numerator: LPs times the squared parameter count.
const LP_WORK: usize = 2_000_000;

/// The LPs one search may solve for `n` parameters: `MAX_LPS`, down to 8
/// for large networks (an LP has about `2 n` variables and costs about
/// `n^2`: 46 LPs took 11 s at n = 433). A count, not a clock, so the
/// answer does not depend on the machine's speed.
fn lp_budget(n: usize) -> usize {
    (LP_WORK / (n * n).max(1)).clamp(8, MAX_LPS)
}
/// Seeded integer moves `u` per anchor whose induced sides give pieces.
const SEEDED_KEYS: usize = 10;

/// One Taylor coefficient of a quantity along the arc, linear in the LP's
/// variables: `c + u_coef[U] . u + e_coef[E] . e + g_coef . g` (indexed by
/// parameter; an empty vector is zero).
#[derive(Default)]
struct Coef {
    c: Q,
    u: Vec<Q>,
    e: Vec<Q>,
    g: Vec<Q>,
}

/// A quantity's coefficients of orders `1..=K` (`K` = anchor moves + 1).
struct Term {
    orders: Vec<Coef>,
}

/// The terms of one piece for one anchor.
struct PieceTerms {
    /// Loss terms positive at the point.
    active: Vec<Term>,
    /// Loss terms at 0 (hinge corners), with the index of their zero entry
    /// and whether the piece has them rising at first order ("on": key
    /// `+`; counted like an active term) or not ("off": key `-`; every
    /// order below the last `<= 0`, counted by `max(0, last order)`).
    corners: Vec<(Option<usize>, bool, Term)>,
    /// Quantities that must stay `>= 0` (sides of zero entries), with the
    /// index of their zero entry.
    stay: Vec<(usize, Term)>,
}

/// An anchor: fixed moves `s` (one per layer, in one or two distinct
/// layers) and the free first-order set `U` (another layer's parameters
/// plus the output biases). With one move the arc is `t (s + u) + t^2 e`
/// (`e` on every parameter); with two, `t (s1 + s2 + u) + t^2 e + t^3 g`
/// (`e` on the output biases, `g` on every parameter).
struct Anchor {
    moves: Vec<Vec<Q>>,
    uset: Vec<usize>,
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

fn plus(a: &[Q], b: &[Q]) -> Vec<Q> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn minus(a: &[Q], b: &[Q]) -> Vec<Q> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// The coefficients of one quantity from its gradients on the piece at
/// `theta`, `theta + s1` and (two moves) `theta + s2`, `theta + s1 + s2`:
/// the piece is affine in each layer, so these differences are exactly the
/// second and third derivatives the orders need (module doc).
fn coefficients(moves: &[Vec<Q>], grads: &[Vec<Q>]) -> Term {
    let g0 = &grads[0];
    let d1 = minus(&grads[1], g0);
    if moves.len() == 1 {
        return Term {
            orders: vec![
                Coef {
                    c: dot(g0, &moves[0]),
                    u: g0.clone(),
                    ..Coef::default()
                },
                Coef {
                    u: d1,
                    e: g0.clone(),
                    ..Coef::default()
                },
            ],
        };
    }
    let d2 = minus(&grads[2], g0);
    let d12 = plus(&minus(&minus(&grads[3], &grads[1]), &grads[2]), g0);
    Term {
        orders: vec![
            Coef {
                c: dot(g0, &plus(&moves[0], &moves[1])),
                u: g0.clone(),
                ..Coef::default()
            },
            Coef {
                c: dot(&d1, &moves[1]),
                u: plus(&d1, &d2),
                e: g0.clone(),
                ..Coef::default()
            },
            Coef {
                u: d12,
                g: g0.clone(),
                ..Coef::default()
            },
        ],
    }
}

#[allow(clippy::too_many_arguments)]
fn terms(
    problem: &Problem,
    sig: &Signature,
    zeros: &[ZeroEntry],
    key: &[Side],
    pattern: &Pattern,
    theta: &[Q],
    moves: &[Vec<Q>],
) -> PieceTerms {
    let arch = &problem.arch;
    let depth = arch.depth();
    let kout = arch.widths[depth];
    // the points whose gradients are needed: theta, +s1, (+s2, +s1+s2)
    let mut points: Vec<Vec<Q>> = vec![theta.to_vec(), plus(theta, &moves[0])];
    if moves.len() == 2 {
        points.push(plus(theta, &moves[1]));
        points.push(plus(&points[1], &moves[1]));
    }
    let mut out = PieceTerms {
        active: Vec::new(),
        corners: Vec::new(),
        stay: Vec::new(),
    };
    let term = |trs: &[Trace], layer: usize, seed: &[Q]| {
        let grads: Vec<Vec<Q>> = points
            .iter()
            .zip(trs)
            .map(|(p, tr)| gradient(problem, p, tr, layer, seed.to_vec()))
            .collect();
        coefficients(moves, &grads)
    };
    let one = Q::one();
    for i in 0..problem.data.len() {
        if !live(problem, sig, i) {
            continue;
        }
        let trs: Vec<Trace> = points
            .iter()
            .map(|p| trace(problem, p, pattern, i))
            .collect();
        let f = trs[0].pre[depth - 1].clone();
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
            let t = term(&trs, depth, &seed);
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
                    out.stay.push((n, term(&trs, *layer, &seed)));
                }
                (ZeroEntry::Tie { point, classes }, Side::Class(k)) if *point == i => {
                    for &other in classes.iter().filter(|&&c| c != *k) {
                        let seed = unit(kout, &[(*k, one.clone()), (other, -one.clone())]);
                        out.stay.push((n, term(&trs, depth, &seed)));
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

/// The LP's variables at a solution (or a seeded move: `e`, `g` empty).
struct Move<'a> {
    uset: &'a [usize],
    u: &'a [Q],
    eset: &'a [usize],
    e: &'a [Q],
    g: &'a [Q],
}

impl Move<'_> {
    /// The value of one coefficient at this move.
    fn value(&self, c: &Coef) -> Q {
        let mut v = c.c.clone();
        let parts: [(&[usize], &[Q], &[Q]); 2] =
            [(self.uset, self.u, &c.u), (self.eset, self.e, &c.e)];
        for (set, x, coef) in parts {
            if coef.is_empty() {
                continue;
            }
            for (k, xk) in set.iter().zip(x) {
                if !xk.is_zero() && !coef[*k].is_zero() {
                    v += &coef[*k] * xk;
                }
            }
        }
        if !c.g.is_empty() && !self.g.is_empty() {
            v += dot(&c.g, self.g);
        }
        v
    }
}

/// The sides a move induces, read from the terms of the piece `key`: a
/// stay quantity's lowest nonzero order decides (kept when all vanish; a
/// tie moves to its next class, a proposal only); a corner is "on" when
/// it rises at first order.
fn induced_key(zeros: &[ZeroEntry], key: &[Side], pt: &PieceTerms, mv: &Move) -> Vec<Side> {
    let mut out = key.to_vec();
    for (n, _, t) in &pt.corners {
        if let Some(n) = n {
            out[*n] = if mv.value(&t.orders[0]).is_positive() {
                Side::Pos
            } else {
                Side::Neg
            };
        }
    }
    for (n, t) in &pt.stay {
        let sign = t
            .orders
            .iter()
            .map(|c| mv.value(c))
            .find(|v| !v.is_zero())
            .unwrap_or_else(Q::zero);
        if !sign.is_negative() {
            continue;
        }
        match (&zeros[*n], key[*n]) {
            (ZeroEntry::PreActivation { .. }, Side::Pos) => out[*n] = Side::Neg,
            (ZeroEntry::PreActivation { .. }, _) => out[*n] = Side::Pos,
            (ZeroEntry::Tie { classes, .. }, Side::Class(k)) => {
                let at = classes.iter().position(|c| *c == k).unwrap_or(0);
                out[*n] = Side::Class(classes[(at + 1) % classes.len()]);
            }
            _ => {}
        }
    }
    out
}

/// The LP of one anchor and piece: minimise the last order's coefficient
/// of the loss; `Some((u, e, g))` at a negative optimum (`g` empty with
/// one move).
fn solve(
    pt: &PieceTerms,
    uset: &[usize],
    eset: &[usize],
    n: usize,
    orders: usize,
    deadline: &Deadline,
) -> Option<(Vec<Q>, Vec<Q>, Vec<Q>)> {
    let mut model = lp::Lp::new(Sense::Minimize);
    let one = Q::one();
    let mut box_vars = |count: usize| -> Vec<lp::VarId> {
        (0..count)
            .map(|_| model.add_var(Some(-one.clone()), Some(one.clone())))
            .collect()
    };
    let u = box_vars(uset.len());
    let e = box_vars(eset.len());
    let g = box_vars(if orders == 3 { n } else { 0 });
    let all: Vec<usize> = (0..n).collect();
    // the variable part of a coefficient, times `scale`
    let row = |c: &Coef, scale: &Q| -> Vec<(lp::VarId, Q)> {
        let mut r = Vec::new();
        let parts: [(&[usize], &[lp::VarId], &[Q]); 3] =
            [(uset, &u, &c.u), (eset, &e, &c.e), (&all, &g, &c.g)];
        for (set, vars, coef) in parts {
            if coef.is_empty() {
                continue;
            }
            for (k, v) in set.iter().zip(vars) {
                if !coef[*k].is_zero() {
                    r.push((*v, &coef[*k] * scale));
                }
            }
        }
        r
    };
    // `row(c) cmp -c.c`; `false` when a constant row is violated
    let bound = |model: &mut lp::Lp, c: &Coef, cmp: Cmp| -> bool {
        let r = row(c, &one);
        if r.is_empty() {
            return match cmp {
                Cmp::Le => !c.c.is_positive(),
                Cmp::Ge => !c.c.is_negative(),
                Cmp::Eq => c.c.is_zero(),
            };
        }
        model.add_row(r, cmp, -&c.c);
        true
    };
    let last = orders - 1;
    let mut objective: Vec<(lp::VarId, Q)> = Vec::new();
    let mut constant = Q::zero();
    // sums over the active and "on" terms, order by order
    let mut sums: Vec<Coef> = (0..last).map(|_| Coef::default()).collect();
    let mut add_to_sums = |t: &Term| {
        for (k, sum) in sums.iter_mut().enumerate() {
            let c = &t.orders[k];
            sum.c += &c.c;
            for (dst, src) in [(&mut sum.u, &c.u), (&mut sum.e, &c.e), (&mut sum.g, &c.g)] {
                if src.is_empty() {
                    continue;
                }
                if dst.is_empty() {
                    *dst = vec![Q::zero(); src.len()];
                }
                for (a, b) in dst.iter_mut().zip(src) {
                    *a += b;
                }
            }
        }
    };
    for t in &pt.active {
        objective.extend(row(&t.orders[last], &one));
        constant += &t.orders[last].c;
        add_to_sums(t);
    }
    for (_, on, t) in &pt.corners {
        if *on {
            objective.extend(row(&t.orders[last], &one));
            constant += &t.orders[last].c;
            add_to_sums(t);
            if !bound(&mut model, &t.orders[0], Cmp::Ge) {
                return None;
            }
            continue;
        }
        for c in &t.orders[..last] {
            if !bound(&mut model, c, Cmp::Le) {
                return None;
            }
        }
        // w >= the last order, w >= 0
        let w = model.add_var(Some(Q::zero()), None);
        objective.push((w, one.clone()));
        let mut r = vec![(w, one.clone())];
        r.extend(row(&t.orders[last], &-&one));
        model.add_row(r, Cmp::Ge, t.orders[last].c.clone());
    }
    for sum in &sums {
        if !bound(&mut model, sum, Cmp::Le) {
            return None;
        }
    }
    for (_, t) in &pt.stay {
        for c in &t.orders {
            if !bound(&mut model, c, Cmp::Ge) {
                return None;
            }
        }
    }
    model.set_objective(objective);
    match lp::solve_within(&model, deadline) {
        Ok(LpResult::Optimal { x, value, .. }) if (&value + &constant).is_negative() => {
            let (a, b) = (uset.len(), uset.len() + eset.len());
            let gg = if orders == 3 {
                x[b..b + n].to_vec()
            } else {
                Vec::new()
            };
            Some((x[..a].to_vec(), x[a..b].to_vec(), gg))
        }
        _ => None,
    }
}

/// The anchors, in order: one move of zero weights (all of a layer's zero
/// weights with one sign, for every layer; then each zero weight, both
/// signs) with every
/// other layer as `U` (at most half of `limit`); then (three or more
/// layers) two such moves in distinct layers with a third layer as `U`;
/// then the remaining one-move anchors of zero weights; then one move of
/// each nonzero weight. At most `limit` (each costs at least one LP).
fn anchors(problem: &Problem, theta: &[Q], limit: usize) -> Vec<Anchor> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let n = arch.num_params();
    let uset = |l: usize| -> Vec<usize> {
        let mut v = Vec::new();
        for j in 0..arch.widths[l] {
            for k in 0..arch.widths[l - 1] {
                v.push(arch.weight_index(l, j, k));
            }
            if let Some(b) = arch.bias_index(l, j) {
                v.push(b);
            }
        }
        for j in 0..arch.widths[depth] {
            if let Some(b) = arch.bias_index(depth, j) {
                if !v.contains(&b) {
                    v.push(b);
                }
            }
        }
        v
    };
    // moves, sparse: (layer, the weights moved, the sign)
    type Move = (usize, Vec<usize>, bool);
    let mut zero_moves: Vec<Move> = Vec::new();
    let mut other_moves: Vec<Move> = Vec::new();
    for l in 1..=depth {
        let weights: Vec<usize> = (0..arch.widths[l])
            .flat_map(|j| (0..arch.widths[l - 1]).map(move |k| (j, k)))
            .map(|(j, k)| arch.weight_index(l, j, k))
            .collect();
        let (zero, other): (Vec<usize>, Vec<usize>) =
            weights.iter().partition(|w| theta[**w].is_zero());
        if zero.len() > 1 {
            for pos in [true, false] {
                zero_moves.push((l, zero.clone(), pos));
            }
        }
        for w in &zero {
            zero_moves.extend([true, false].map(|pos| (l, vec![*w], pos)));
        }
        for w in &other {
            other_moves.extend([true, false].map(|pos| (l, vec![*w], pos)));
        }
    }
    // the moves of whole layers (every zero weight) first
    zero_moves.sort_by_key(|m| m.1.len() == 1);
    let dense = |m: &Move| -> Vec<Q> {
        let mut s = vec![Q::zero(); n];
        let v = if m.2 { Q::one() } else { -Q::one() };
        for w in &m.1 {
            s[*w] = v.clone();
        }
        s
    };
    let one_move = |moves: &[Move]| -> Vec<Anchor> {
        let mut out = Vec::new();
        for m in moves {
            for l in (1..=depth).filter(|l| *l != m.0) {
                if out.len() >= limit {
                    return out;
                }
                out.push(Anchor {
                    moves: vec![dense(m)],
                    uset: uset(l),
                });
            }
        }
        out
    };
    let mut singles = one_move(&zero_moves).into_iter();
    let mut out: Vec<Anchor> = singles.by_ref().take(limit.div_ceil(2)).collect();
    if depth >= 3 {
        'pairs: for (a, m1) in zero_moves.iter().enumerate() {
            for m2 in zero_moves[a + 1..].iter().filter(|m2| m2.0 > m1.0) {
                for l in (1..=depth).filter(|l| *l != m1.0 && *l != m2.0) {
                    if out.len() >= limit {
                        break 'pairs;
                    }
                    out.push(Anchor {
                        moves: vec![dense(m1), dense(m2)],
                        uset: uset(l),
                    });
                }
            }
        }
    }
    out.extend(singles);
    out.extend(one_move(&other_moves));
    out.truncate(limit);
    out
}

/// Try the anchor arcs; the first that `try_arc` confirms.
pub(super) fn search(
    problem: &Problem,
    params: &Params,
    loss: &Q,
    deadline: &Deadline,
) -> Option<Found> {
    if problem.loss == LossKind::Squared || problem.arch.hidden_layers() == 0 {
        return None;
    }
    let arch = &problem.arch;
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
    let all: Vec<usize> = (0..n).collect();
    let out_biases: Vec<usize> = (0..arch.widths[arch.depth()])
        .filter_map(|j| arch.bias_index(arch.depth(), j))
        .collect();
    let base = default_key(&zeros);
    let base_pattern = sig.complete(&base).ok()?;
    let mut rng = Rng::new(0x5eed_2a2c);
    let mut lps = 0usize;
    let budget = lp_budget(n);
    for anchor in anchors(problem, &theta, budget) {
        let orders = anchor.moves.len() + 1;
        let eset: &[usize] = if orders == 2 { &all } else { &out_biases };
        let uset = &anchor.uset;
        let mut keys = vec![base.clone()];
        if has_sides {
            let pt = terms(
                problem,
                &sig,
                &zeros,
                &base,
                &base_pattern,
                &theta,
                &anchor.moves,
            );
            // fewer seeded pieces when the budget is small (large networks)
            for _ in 0..SEEDED_KEYS.min(budget / 24) {
                let u: Vec<Q> = uset
                    .iter()
                    .map(|_| {
                        let m = rng.int(1, 2);
                        Q::from_integer(if rng.chance(1, 2) { m } else { -m }.into())
                    })
                    .collect();
                let mv = Move {
                    uset,
                    u: &u,
                    eset: &[],
                    e: &[],
                    g: &[],
                };
                let k = induced_key(&zeros, &base, &pt, &mv);
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
            let pt = terms(problem, &sig, &zeros, &key, &pattern, &theta, &anchor.moves);
            lps += 1;
            let Some((u, e, g)) = solve(&pt, uset, eset, n, orders, deadline) else {
                continue;
            };
            let mut d = vec![Q::zero(); n];
            for s in &anchor.moves {
                d = plus(&d, s);
            }
            for (k, x) in uset.iter().zip(&u) {
                d[*k] += x;
            }
            let mut e_full = vec![Q::zero(); n];
            for (k, x) in eset.iter().zip(&e) {
                e_full[*k] = x.clone();
            }
            let mut dirs = vec![d, e_full];
            if orders == 3 {
                dirs.push(g.clone());
            }
            let arc = Arc {
                point: theta.clone(),
                dirs,
            };
            if let Some(found) = try_arc(problem, &arc, loss, deadline) {
                return Some(found);
            }
            if has_sides {
                let mv = Move {
                    uset,
                    u: &u,
                    eset,
                    e: &e,
                    g: &g,
                };
                let next = induced_key(&zeros, &key, &pt, &mv);
                if !tried.contains(&next) {
                    keys.push(next);
                }
            }
        }
    }
    None
}

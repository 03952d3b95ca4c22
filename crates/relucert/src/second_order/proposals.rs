//! Second-order descent arcs proposed from the local model.
//!
//! Owns: `second_order_arcs`, candidate arcs `theta* + t d + t^2 e` whose
//! second-order coefficient an exact LP in `e` makes negative, for given
//! directions (the failures of the proof) and the moves of units with a zero
//! outgoing weight.
//!
//! Must not: decide anything: every arc is only a proposal, which `verify`
//! checks exactly (`arc::loss_along`).

use super::cone::{dot, mat_vec};
use super::model::LocalModel;
use crate::arc::Arc;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// Second-order arcs `theta* + t d + t^2 e` (THEORY 5.4): for a direction
/// `d` along which the one-sided derivative of the loss is 0, the loss
/// along the arc is, up to `o(t^2)`,
/// `L* + t^2 (sum_t max_p (grad b_p . e + d^T H_p d / 2)) / N`, the max
/// over the branches `p` that lead at
/// first order along `d`; an exact LP in `e` (box `|e_i| <= 1`, kinks with
/// `n_k . d = 0` kept on the side `n_k . e >= 0`) minimises that
/// coefficient. A negative optimum proposes the arc (which `verify` then
/// checks exactly). Directions tried: the given ones, and for every unit
/// with a zero outgoing weight, moves of its incoming weights along
/// plus or minus `(x_i, 1)` and the coordinate axes, together with plus or
/// minus 1 on its outgoing weight (the saddles of THEORY P3).
pub fn second_order_arcs(model: &LocalModel, extra: &[Vec<Q>]) -> Vec<Arc> {
    second_order_arcs_within(model, extra, &Deadline::never())
}

/// `second_order_arcs`, stopping at `deadline` (then with the arcs found
/// so far: test the deadline before using them).
pub fn second_order_arcs_within(
    model: &LocalModel,
    extra: &[Vec<Q>],
    deadline: &Deadline,
) -> Vec<Arc> {
    let (problem, params) = (model.problem, model.params);
    let arch = &problem.arch;
    if arch.hidden_layers() != 1 {
        return Vec::new();
    }
    let theta = &model.theta;
    let n = theta.len();
    let mut dirs: Vec<Vec<Q>> = extra.to_vec();
    let d_in = arch.input_dim();
    for j in 0..arch.widths[1] {
        let dead_out = (0..arch.output_width()).all(|k| params.layers[1].w[k][j].is_zero());
        if !dead_out {
            continue;
        }
        let mut moves: Vec<Vec<Q>> = Vec::new();
        for x in &problem.data.x {
            let mut m: Vec<Q> = x.clone();
            m.push(Q::one());
            moves.push(m.clone());
            moves.push(m.iter().map(|v| -v).collect());
        }
        for k in 0..=d_in {
            let mut m = vec![Q::zero(); d_in + 1];
            m[k] = Q::one();
            moves.push(m.clone());
            m[k] = -Q::one();
            moves.push(m);
        }
        for m in moves {
            for k in 0..arch.output_width() {
                for sign in [Q::one(), -Q::one()] {
                    let mut d = vec![Q::zero(); n];
                    for (c, mc) in m.iter().take(d_in).enumerate() {
                        d[arch.weight_index(1, j, c)] = mc.clone();
                    }
                    if let Some(b) = arch.bias_index(1, j) {
                        d[b] = m[d_in].clone();
                    }
                    d[arch.weight_index(2, k, j)] = sign.clone();
                    dirs.push(d);
                }
            }
        }
    }
    let all_kinks = model.kinks();
    let mut out = Vec::new();
    for d in dirs {
        if deadline.expired() {
            break;
        }
        if d.len() != n {
            continue;
        }
        // the cone of d (ties on a kink: + side, with n . e >= 0)
        let dots: Vec<Q> = all_kinks.iter().map(|k| dot(&k.normal, &d)).collect();
        let sides: Vec<bool> = dots.iter().map(|x| !x.is_negative()).collect();
        let Some(tm) = model.cone_terms(&sides) else {
            continue;
        };
        let mut model = lp::Lp::new(Sense::Minimize);
        let e: Vec<lp::VarId> = (0..n)
            .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
            .collect();
        let mut objective = Vec::new();
        let mut first = Q::zero();
        for term in tm.iter() {
            let slopes: Vec<Q> = term.branches.iter().map(|b| dot(&b.grad, &d)).collect();
            let Some(top) = slopes.iter().max().cloned() else {
                continue;
            };
            first += &top;
            let u = model.add_var(None, None);
            objective.push((u, Q::one()));
            for (b, sl) in term.branches.iter().zip(&slopes) {
                if *sl != top {
                    continue;
                }
                // u - grad b . e >= d^T H d / 2
                let curv = dot(&d, &mat_vec(&b.hess, &d)) / Q::from_integer(2.into());
                let mut row = vec![(u, Q::one())];
                for (v, g) in e.iter().zip(&b.grad) {
                    if !g.is_zero() {
                        row.push((*v, -g.clone()));
                    }
                }
                model.add_row(row, Cmp::Ge, curv);
            }
        }
        if !first.is_zero() {
            continue;
        }
        for (k, x) in all_kinks.iter().zip(&dots) {
            if x.is_zero() {
                let row: Vec<(lp::VarId, Q)> = e
                    .iter()
                    .zip(&k.normal)
                    .filter(|(_, c)| !c.is_zero())
                    .map(|(v, c)| (*v, c.clone()))
                    .collect();
                if !row.is_empty() {
                    model.add_row(row, Cmp::Ge, Q::zero());
                }
            }
        }
        model.set_objective(objective);
        if let Ok(LpResult::Optimal { x, value, .. }) = lp::solve_within(&model, deadline) {
            if value.is_negative() {
                out.push(Arc {
                    point: theta.clone(),
                    dirs: vec![d.clone(), x[..n].to_vec()],
                });
            }
        }
    }
    out
}

//! The arcs stage: candidate descent arcs, each checked exactly.
//!
//! Owns: proposing descent arcs in a fixed order and checking each as soon
//! as it is proposed (`descent::try_arc`): the orthant rays and lineality
//! directions of independent kinks (THEORY 5.4c), the first-order LPs of
//! every choice of sides (THEORY 5.2), the moves towards a better linear
//! classifier for a linear model above its LP bound, then each piece's
//! gradient and mixed second derivatives. A linear model above its bound
//! with no descending arc ends here, `undecided`.
//!
//! Must not: let a proposal decide (every arc is checked exactly), or
//! change the order in which candidates are tried (it fixes the
//! certificate).

use super::bounds::LinearBound;
use super::certificate::{descended, undecided};
use super::descent::{try_arc, Found};
use super::Outcome;
use crate::arc::Arc;
use crate::instance::Instance;
use crate::network::{Params, Problem, Side, Signature};
use crate::number::{fmt_q, Q};
use crate::poly::{Poly, Var};
use crate::second_order::LocalModel;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;
use std::ops::ControlFlow;

/// How many candidate arcs the stage tried: in all, and from the
/// first-order LPs, orthant rays and linear-model moves (before the
/// pieces' own arcs).
pub(super) struct Tried {
    /// Every candidate checked.
    pub(super) tried: usize,
    /// Those before the pieces' gradient and Hessian arcs.
    pub(super) from_lp: usize,
}

/// The stage: `Break` with `not-local-min` on a descending arc, or with
/// `undecided` at the time limit or for a linear model above its bound;
/// else `Continue` with the count of arcs tried.
#[allow(clippy::too_many_arguments)]
pub(super) fn search(
    inst: &Instance,
    model: &LocalModel,
    sig: &Signature,
    all: &[Vec<Side>],
    bound: Option<&LinearBound>,
    pieces: &[Poly],
    loss: &Q,
    deadline: &Deadline,
) -> ControlFlow<Outcome, Tried> {
    let problem = &inst.problem;
    let params = model.params;
    let flat = &model.theta;
    // Search descent arcs: first-order LP directions for each choice of
    // sides of the kinks and ties, then each piece's gradient and Hessian.
    // Each candidate is checked as soon as it is proposed (same order as
    // proposing them all first, so the same certificate, less work).
    let n = problem.arch.num_params();
    let tried_cell = std::cell::Cell::new(0usize);
    let mut found: Option<Found> = None;
    let mut timed_out = false;
    let from_lp;
    {
        // once an arc descends the search is over: a later candidate must
        // neither run nor overwrite it (the first-order LPs report a
        // descent only through `found`)
        let mut attempt = |arc: Arc| -> bool {
            if found.is_some() {
                return true;
            }
            if deadline.expired() {
                timed_out = true;
                return true;
            }
            tried_cell.set(tried_cell.get() + 1);
            found = try_arc(problem, &arc, loss, deadline);
            found.is_some()
        };
        // general position first: O(M) rays instead of 2^M cones
        let mut stop_rays = false;
        for arc in orthant_ray_arcs(model) {
            if attempt(arc) {
                stop_rays = true;
                break;
            }
        }
        let mut stop = stop_rays;
        if !stop_rays {
            stop = super::first_order::candidates(problem, sig, flat, all, deadline, &mut attempt);
        }
        if let (Some(b), false) = (bound, stop) {
            for arc in linear_model_arcs(problem, params, b) {
                if attempt(arc) {
                    stop = true;
                    break;
                }
            }
        }
        from_lp = tried_cell.get();
        'pieces: for phi in pieces {
            if stop {
                break;
            }
            for arc in candidate_arcs(phi, flat, n, deadline) {
                if attempt(arc) {
                    break 'pieces;
                }
            }
        }
    }
    let tried = tried_cell.get();
    if let Some(found) = found {
        return ControlFlow::Break(descended(inst, loss.clone(), found));
    }
    if timed_out {
        return ControlFlow::Break(undecided(
            loss.clone(),
            format!("the time limit (--timeout) was reached after {tried} candidate arcs"),
        ));
    }
    if let Some(b) = bound {
        return ControlFlow::Break(undecided(
            loss.clone(),
            format!(
                "the loss {} is above the optimum {} over {} classifiers, so by the source paper's theorem (every local minimum of a deep linear network with the binary hinge loss is global) this is not a local minimum, but none of {tried} candidate descent arcs descends, so there is no certificate",
                fmt_q(loss),
                fmt_q(&b.value),
                if b.affine { "affine" } else { "linear" }
            ),
        ));
    }
    ControlFlow::Continue(Tried { tried, from_lp })
}

/// Arcs towards a better linear classifier for a linear model whose loss is
/// above the LP bound: the end-to-end map must move by `D = a* - A*` (and
/// the offset by `c* - c`). Candidates: change only the last layer (if
/// `E M = D` is solvable for the product `M` of the layers below), only the
/// first layer (if `N E = D` for the product `N` above), or every layer at
/// once by a rank-one factorisation of `D` (order-L change of the product,
/// which is what a point like the origin needs), with the offset moved in
/// the output bias at the same order.
fn linear_model_arcs(problem: &Problem, params: &Params, b: &LinearBound) -> Vec<Arc> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let d = arch.input_dim();
    let n = arch.num_params();
    let flat = params.flat();
    // end-to-end map A* (1 x d) and offset c* at the point, from the forward pass
    let zero_x = vec![Q::zero(); d];
    let c_now = crate::network::forward(arch, params, &zero_x).output[0].clone();
    let a_now: Vec<Q> = (0..d)
        .map(|k| {
            let mut e = zero_x.clone();
            e[k] = Q::one();
            &crate::network::forward(arch, params, &e).output[0] - &c_now
        })
        .collect();
    let dir_a: Vec<Q> = b
        .classifier
        .0
        .iter()
        .zip(&a_now)
        .map(|(x, y)| x - y)
        .collect();
    let dir_c = &b.classifier.1 - &c_now;
    let mut out = Vec::new();
    // (1) rank-one factorisation through unit 0 of every layer, order `depth`
    let mut d1 = vec![Q::zero(); n];
    let mut dl = vec![Q::zero(); n];
    for l in 1..=depth {
        if l == 1 {
            for k in 0..d {
                d1[arch.weight_index(1, 0, k)] = dir_a[k].clone();
            }
        } else {
            d1[arch.weight_index(l, 0, 0)] = Q::one();
        }
    }
    if let Some(bi) = arch.bias_index(depth, 0) {
        dl[bi] = dir_c.clone();
    }
    let mut dirs = vec![d1];
    while dirs.len() < depth {
        dirs.push(vec![Q::zero(); n]);
    }
    dirs[depth - 1] = dirs[depth - 1]
        .iter()
        .zip(&dl)
        .map(|(x, y)| x + y)
        .collect();
    out.push(Arc {
        point: flat.clone(),
        dirs,
    });
    // (2) last layer only: W_L + t E with E M = D, b_L + t dc
    let mut prod: Vec<Vec<Q>> = (0..d)
        .map(|k| {
            (0..d)
                .map(|j| if j == k { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect();
    // prod: current product of layers 1..l as rows (n_l x d), built layer by layer
    for layer in params.layers.iter().take(depth - 1) {
        prod = layer
            .w
            .iter()
            .map(|row| {
                (0..d)
                    .map(|k| {
                        row.iter()
                            .zip(&prod)
                            .fold(Q::zero(), |acc, (w, p)| acc + w * &p[k])
                    })
                    .collect()
            })
            .collect();
    }
    // E (1 x n_{L-1}) with E prod = dir_a: transpose system prod^T E^T = dir_a
    let m = prod.len();
    let prod_t: Vec<Vec<Q>> = (0..d)
        .map(|k| (0..m).map(|r| prod[r][k].clone()).collect())
        .collect();
    if let Some(e) = crate::linalg::solve(&prod_t, &dir_a) {
        let mut dv = vec![Q::zero(); n];
        for (j, ej) in e.iter().enumerate() {
            dv[arch.weight_index(depth, 0, j)] = ej.clone();
        }
        if let Some(bi) = arch.bias_index(depth, 0) {
            dv[bi] = dir_c.clone();
        }
        out.push(Arc {
            point: flat,
            dirs: vec![dv],
        });
    }
    out
}

/// THEORY 5.4c: when the normals of the point's kinks (one hidden layer)
/// are linearly independent, the local arrangement is a linear image of the
/// orthant arrangement; its cones share the 2M extreme rays `+-r_k`
/// (`n_j . r_k = [j = k]`, `r_k` in the row space of the normals) and the
/// lineality space `{n_k . d = 0}`. The one-sided derivative is linear on
/// each cone, so without hinge corners it is negative somewhere iff it is
/// negative on a ray or a lineality direction: these O(M + dim) directions
/// are tried as arcs before the per-cone LPs (candidates only: each arc is
/// checked exactly).
fn orthant_ray_arcs(model: &LocalModel) -> Vec<Arc> {
    if model.problem.arch.hidden_layers() != 1 {
        return Vec::new();
    }
    let normals: Vec<Vec<Q>> = model.kinks().iter().map(|k| k.normal.clone()).collect();
    let theta = model.theta.clone();
    let n = theta.len();
    let m = normals.len();
    if m == 0 || crate::linalg::rank(&normals) != m {
        return Vec::new();
    }
    // Gram matrix G = N N^T (invertible); r_k = N^T G^{-1} e_k
    let gram: Vec<Vec<Q>> = normals
        .iter()
        .map(|a| {
            normals
                .iter()
                .map(|b| a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y))
                .collect()
        })
        .collect();
    let mut dirs: Vec<Vec<Q>> = Vec::new();
    for k in 0..m {
        let e: Vec<Q> = (0..m)
            .map(|j| if j == k { Q::one() } else { Q::zero() })
            .collect();
        let Some(c) = crate::linalg::solve(&gram, &e) else {
            return Vec::new();
        };
        let r: Vec<Q> = (0..n)
            .map(|i| {
                normals
                    .iter()
                    .zip(&c)
                    .fold(Q::zero(), |acc, (row, cj)| acc + &row[i] * cj)
            })
            .collect();
        dirs.push(r);
    }
    dirs.extend(crate::linalg::nullspace(&normals, n));
    dirs.into_iter()
        .flat_map(|d| {
            let neg: Vec<Q> = d.iter().map(|x| -x).collect();
            [d, neg]
        })
        .map(|d| Arc {
            point: theta.clone(),
            dirs: vec![d],
        })
        .collect()
}

/// Candidate arcs from one piece `phi` at `theta`: minus its gradient; for
/// every pair (a, b) with a nonzero mixed second derivative h, the direction
/// `e_a - sign(h) e_b` (negative curvature, as pure second derivatives of a
/// multilinear piece vanish), alone and with the gradient step as a second-
/// order correction.
///
/// Stops early (with the candidates so far) once `deadline` passes: with
/// numbers of thousands of digits each second derivative can take a while,
/// and the caller tries no candidate after the deadline anyway.
fn candidate_arcs(phi: &Poly, theta: &[Q], n: usize, deadline: &Deadline) -> Vec<Arc> {
    let mut grad: Vec<Q> = Vec::with_capacity(n);
    for v in 0..n {
        if deadline.expired() {
            return Vec::new();
        }
        grad.push(phi.partial(v as Var).evaluate(theta));
    }
    let mut out = Vec::new();
    if grad.iter().any(|g| !g.is_zero()) {
        out.push(Arc {
            point: theta.to_vec(),
            dirs: vec![grad.iter().map(|g| -g).collect()],
        });
    }
    let first: Vec<Poly> = (0..n).map(|a| phi.partial(a as Var)).collect();
    for a in 0..n {
        if first[a].is_zero() {
            continue;
        }
        for b in (a + 1)..n {
            if deadline.expired() {
                return out;
            }
            let h = first[a].partial(b as Var).evaluate(theta);
            if h.is_zero() {
                continue;
            }
            let mut d = vec![Q::zero(); n];
            d[a] = Q::one();
            d[b] = if h.is_positive() { -Q::one() } else { Q::one() };
            out.push(Arc {
                point: theta.to_vec(),
                dirs: vec![d.clone()],
            });
            if grad.iter().any(|g| !g.is_zero()) {
                out.push(Arc {
                    point: theta.to_vec(),
                    dirs: vec![d, grad.iter().map(|g| -g).collect()],
                });
            }
        }
    }
    out
}

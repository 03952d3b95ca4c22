//! The squared loss: a local minimum by the second-order sufficient
//! condition on every piece, restricted to the gauge slice (THEORY 10 and
//! 5.4b). Evidence: `squared-second-order` (docs/certificates.md).
//!
//! Owns: [`prove`]: the quotient (`slice`), per piece the gradient `g_s` and
//! Hessian `H_s` of the exact piece polynomial at `theta*`, the Farkas
//! multipliers of the first-order condition (exact LPs, re-checked), and the
//! strict copositivity test on the critical cone (`strict`).
//!
//! The mathematics. Pieces: with one hidden layer and the point's zero
//! pre-activations `z_ij(theta*) = 0` (kinks), each choice `s` of sides
//! gives the closed polyhedral cone `P_s = {sigma_k n_k . d >= 0}` (`n_k`:
//! `x_i` on `w_j`, 1 on `b_j`), on which, for small `d`, the loss is the
//! polynomial `q_s(theta* + d)`; the `P_s` cover a neighbourhood of 0. With
//! no zero entry (any depth) there is one piece, the whole space. Other
//! cases are refused.
//!
//! Quotient 1 (rescaling). For a hidden unit `j` (ReLU, leaky or linear: all
//! positively homogeneous) with tangent `A_j = (w_j, b_j, -v_j) != 0`
//! (incoming row and bias, minus the outgoing column), the loss and every
//! sign are invariant under `(w_j, b_j, v_j) -> (k w_j, k b_j, v_j / k)`,
//! `k > 0`. The slice is `S = {A_j . d = 0}`. For `theta` near `theta*`,
//! `F_j(k) = A_j . (g_k theta - theta*) = 0` has a solution `k(theta)`
//! near 1 by the implicit function theorem: its Jacobian at `(1, theta*)`
//! is the Gram matrix of the `A_j` (the orbit tangent of unit `m` at
//! `theta*` is `A_m`), invertible iff the `A_j` are linearly independent,
//! which is required (always true with one hidden layer: disjoint
//! supports). So every nearby point has a nearby slice point of the same
//! loss. A unit with `A_j = 0` has no orbit and is simply not quotiented
//! (sound: the slice is only larger; the test then usually fails honestly).
//!
//! Quotient 2 (dead units). With one hidden layer and ReLU, a unit whose
//! pre-activations are `< 0` on every point stays dead nearby: the loss does
//! not depend on its incoming row, bias or outgoing weights, so resetting
//! them to their values at `theta*` keeps the loss and moves the point by at
//! most its distance to `theta*`; those coordinates are fixed (`d_c = 0`).
//! They are disjoint from every other unit's tangent, so the two quotients
//! compose. Leaky dead units are not free and are not fixed; deeper
//! networks fix nothing.
//!
//! The test. On the polyhedral cone `C_s = P_s cap S'`, with `y` the
//! coordinates of a basis `B` of `S'`: (a) `B^T g_s = sum lambda_k B^T
//! sigma_k n_k`, `lambda >= 0` (Farkas: `g_s . d >= 0` on `C_s`); (b) `y^T
//! B^T H_s B y > 0` on the critical cone `K_s = {y in C_s : sigma_k n_k . B
//! y = 0 where lambda_k > 0}` minus 0 (strict copositivity). For a `C^2`
//! function on a polyhedral cone, (a) and (b) make 0 a strict local
//! minimiser (classical second-order sufficient condition: a sequence of
//! lower points `t_i u_i` would give `u_i -> u in C_s` with `g_s . u = 0`
//! and `u^T H_s u <= 0`). So `L >= L*` on the slice near `theta*`, hence
//! near `theta*`: a local minimum (strict on the slice).
//!
//! Must not: claim anything on a float; give evidence for a piece set that
//! is not every completion of the zero entries; handle other losses.

pub mod slice;
pub mod strict;

use crate::network::{Problem, Side, ZeroEntry};
use crate::number::Q;
use crate::poly::Poly;
use num_traits::Zero;
use relucert_core::cert::{Evidence, Kink, SquaredPiece, Unit};
use relucert_core::Deadline;
use strict::{on_basis, strict_on_critical_cone, Strict};

/// Most kinks the proof enumerates pieces for (`2^k` pieces).
pub const MAX_KINKS: usize = 12;

/// The result of the attempt.
pub enum Sosc {
    /// The evidence and a one-line summary.
    Proof {
        /// `squared-second-order` (or `deep-second-order`) evidence.
        evidence: Box<Evidence>,
        /// What was proven.
        summary: String,
    },
    /// Why not, and directions (flat) of nonpositive curvature to try as arcs.
    Failed {
        /// The reason.
        reason: String,
        /// Candidate directions.
        candidates: Vec<Vec<Q>>,
    },
}

/// A failure with `reason` and no candidate direction.
pub(crate) fn fail(reason: impl Into<String>) -> Sosc {
    Sosc::Failed {
        reason: reason.into(),
        candidates: Vec::new(),
    }
}

/// The dot product.
pub(crate) fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// Gradient and Hessian of `p` at `theta` (`n` variables).
pub fn jet(p: &Poly, theta: &[Q], n: usize) -> (Vec<Q>, Vec<Vec<Q>>) {
    let firsts: Vec<Poly> = (0..n).map(|v| p.partial(v as u32)).collect();
    let g: Vec<Q> = firsts.iter().map(|f| f.evaluate(theta)).collect();
    let h: Vec<Vec<Q>> = firsts
        .iter()
        .map(|f| {
            (0..n)
                .map(|w| {
                    if f.is_zero() {
                        Q::zero()
                    } else {
                        f.partial(w as u32).evaluate(theta)
                    }
                })
                .collect()
        })
        .collect();
    (g, h)
}

/// `lambda >= 0` with `sum lambda_k rows_k = g` and as many positive entries
/// as the LPs find, re-checked exactly (the piecewise second-order proof's
/// Farkas multipliers); `None` if there is none (or the deadline passed).
fn farkas(rows: &[Vec<Q>], g: &[Q], deadline: &Deadline) -> Option<Vec<Q>> {
    crate::second_order::farkas_multipliers(rows, g, g.len(), deadline).ok()
}

/// Try the proof at `theta` for the squared loss. `zeros`: the signature's
/// zero entries; `sides`: every completion of them (in `completions`
/// order) and `pieces` the loss polynomial on each; `complete` says the
/// completions are all of them.
pub fn prove(
    problem: &Problem,
    theta: &[Q],
    zeros: &[ZeroEntry],
    sides: &[Vec<Side>],
    pieces: &[Poly],
    complete: bool,
    deadline: &Deadline,
) -> Sosc {
    let arch = &problem.arch;
    let n = theta.len();
    let mut kinks: Vec<Kink> = Vec::new();
    for z in zeros {
        match z {
            ZeroEntry::PreActivation { point, layer: 1, unit } if arch.hidden_layers() == 1 => {
                kinks.push(Kink {
                    point: *point,
                    unit: *unit,
                })
            }
            _ => {
                return fail("a zero entry in a network with more than one hidden layer (its pieces are not polyhedral; the squared second-order proof covers one hidden layer with kinks, or any depth without zero entries)")
            }
        }
    }
    if kinks.len() > MAX_KINKS {
        return fail(format!(
            "{} zero pre-activations give more than 2^{MAX_KINKS} pieces for the squared second-order proof",
            kinks.len()
        ));
    }
    if !complete || sides.len() != 1usize << kinks.len() || pieces.len() != sides.len() {
        return fail("not every piece around the point was built");
    }
    let params = match crate::network::Params::from_flat(arch, theta) {
        Some(p) => p,
        None => return fail("internal: parameters do not fit the architecture"),
    };
    let ev = problem.evaluate(&params);
    let pre: Vec<Vec<Vec<Q>>> = ev.traces.iter().map(|t| t.pre.clone()).collect();
    let quotient = match slice::quotient(arch, theta, &pre) {
        Ok(q) => q,
        Err(why) => return fail(why),
    };
    let basis = &quotient.basis;
    let m = basis.len();
    let restrict = |v: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(v, b)).collect() };
    let normal = |k: &Kink, pos: bool| -> Vec<Q> {
        let mut r = vec![Q::zero(); n];
        let sgn = if pos {
            Q::from_integer(1.into())
        } else {
            -Q::from_integer(1.into())
        };
        for (c, x) in problem.data.x[k.point].iter().enumerate() {
            r[arch.weight_index(1, k.unit, c)] = &sgn * x;
        }
        if let Some(b) = arch.bias_index(1, k.unit) {
            r[b] = sgn;
        }
        r
    };
    let mut out_pieces = Vec::with_capacity(pieces.len());
    for (si, (side, piece)) in sides.iter().zip(pieces).enumerate() {
        if deadline.expired() {
            return fail("the time limit (--timeout) was reached");
        }
        let pos: Vec<bool> = side.iter().map(|s| *s != Side::Neg).collect();
        let (g, h) = jet(piece, theta, n);
        let gb = restrict(&g);
        let hb: Vec<Vec<Q>> = on_basis(&h, basis);
        let rows: Vec<Vec<Q>> = kinks
            .iter()
            .zip(&pos)
            .map(|(k, &p)| restrict(&normal(k, p)))
            .collect();
        let Some(lambda) = farkas(&rows, &gb, deadline) else {
            return fail(format!(
                "piece {si}: the first-order condition fails on the slice (some direction of the piece decreases the loss at first order)"
            ));
        };
        match strict_on_critical_cone(&hb, &rows, &lambda, m, deadline) {
            Strict::Yes => {}
            Strict::No(why, witness) => {
                let candidates = witness
                    .map(|y| {
                        let d: Vec<Q> = (0..n)
                            .map(|c| (0..m).fold(Q::zero(), |acc, a| acc + &basis[a][c] * &y[a]))
                            .collect();
                        let neg: Vec<Q> = d.iter().map(|x| -x).collect();
                        vec![d, neg]
                    })
                    .unwrap_or_default();
                return Sosc::Failed {
                    reason: format!("piece {si} of {}: {why}", sides.len()),
                    candidates,
                };
            }
        }
        out_pieces.push(SquaredPiece { sides: pos, lambda });
    }
    let units = |v: &[(usize, usize)]| -> Vec<Unit> {
        v.iter()
            .map(|&(layer, unit)| Unit { layer, unit })
            .collect()
    };
    let summary = format!(
        "second-order sufficient condition on the gauge slice: {} piece{} around the point, each with the gradient in the dual of its cone and the Hessian strictly copositive on its critical cone ({} rescaling orbit{} and {} dead unit{} quotiented, slice dimension {m} of {n})",
        pieces.len(),
        if pieces.len() == 1 { "" } else { "s" },
        quotient.rescaled.len(),
        if quotient.rescaled.len() == 1 { "" } else { "s" },
        quotient.dead.len(),
        if quotient.dead.len() == 1 { "" } else { "s" },
    );
    Sosc::Proof {
        evidence: Box::new(Evidence::SquaredSecondOrder {
            kinks,
            rescaled: units(&quotient.rescaled),
            dead: units(&quotient.dead),
            pieces: out_pieces,
        }),
        summary,
    }
}

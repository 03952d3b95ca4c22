//! Second-order analysis: piecewise second-order proofs that a point is a local
//! minimum (THEORY 5.3-5.5), for networks with at most one hidden layer.
//!
//! Owns: the search for a `piecewise-second-order` certificate (format in
//! docs/certificates.md): the order of the proof attempts (which corner
//! terms are dropped from the lower bound) and their results. The parts:
//! `model` (the local model: kinks, terms, Taylor data, built once per
//! point), `regions` (regions and their lower bounds), `farkas` (first-order
//! multipliers), `cone` (PSD and copositivity tests on critical cones) and
//! `proposals` (second-order descent arcs proposed from failures).
//!
//! The model. With one hidden layer, every pre-activation is affine in the
//! parameters, so near theta* the parameter space is covered by the closed
//! polyhedral cones of the point's kinks (one side chosen for every zero
//! pre-activation, constraint `s_k n_k . d >= 0`). On such a cone every
//! network output is a polynomial of degree <= 2, and the loss is
//! `L* + (1/N) sum_t (max_p b_tp(theta* + d) - c_t)`: one term per hinge
//! argument that is >= 0 at the point, whose branches `b_tp` are the
//! argument itself, `0` when the argument is exactly 0 (a hinge corner), and
//! every tied competitor (Crammer-Singer). Each term is bounded below by
//! any one of its branches. A *region* picks a cone and one branch `p_t` per
//! term, and adds the linear constraints `(grad b_tp - grad b_tq) . d >= 0`
//! (the chosen branch leads to first order). The regions cover a
//! neighbourhood, and on its region the loss is at least `L* + G(d)/N` with
//! the exact quadratic `G(d) = g . d + d^T H d / 2` (sum of chosen branches).
//!
//! The proof. For a quadratic on a polyhedral cone the second-order
//! necessary conditions are sufficient (Majthay 1971, Contesse 1980):
//! `G >= 0` near 0 on the cone iff (a) `g = sum mu_k r_k` with `mu >= 0`
//! over the cone's rows `r_k` (Farkas), and (b) `H` is copositive on the
//! critical cone `{d in cone : r_k . d = 0 for mu_k > 0}`. (b) is decided
//! exactly: restrict to the subspace of the equalities, keep a linearly
//! independent set of the remaining inequalities (dropping rows only
//! enlarges the cone, so this is a relaxation, still a proof), change
//! coordinates so they read `s >= 0` with the rest `w` free, minimise over
//! `w` (Schur complement; needs the `w` block PSD and a range condition),
//! and test the Schur complement `S` for copositivity by the criterion of
//! Cottle, Habetler and Lemke (1970): a symmetric matrix whose principal
//! submatrices of order n-1 are copositive fails to be copositive iff it is
//! invertible with an entrywise nonpositive inverse. The positive rescaling
//! symmetry needs no gauge slice here: condition (b) is non-strict.
//!
//! A region that fails gives its reason and, where the failure exhibits a
//! direction, candidate descent arcs for `verify` to check exactly.
//!
//! Must not: claim anything itself. It returns certificate evidence that
//! `verify` hands to `check`-compatible output; deeper networks (outputs of
//! degree > 2 in the parameters) are refused, never approximated.

mod cone;
mod farkas;
pub(crate) use cone::{cone_coords, ConeCoords};
pub(crate) use farkas::farkas_multipliers;
mod model;
mod proposals;
mod regions;

pub use cone::{copositive, inverse, psd};
pub use model::{kinks, Kink, LocalModel};
pub use proposals::{second_order_arcs, second_order_arcs_within};

use crate::arc::Arc;
use relucert_core::cert::Evidence;
use relucert_core::Deadline;

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub enum SecondOrder {
    /// Every region proven: the certificate evidence and a summary.
    Proof {
        /// The `piecewise-second-order` evidence for the certificate
        /// (boxed: it is much larger than a failure).
        evidence: Box<Evidence>,
        /// A one-line account of the proof (the verdict's reason).
        summary: String,
    },
    /// Not proven: why (first failing region), plus candidate arcs.
    Failed {
        /// Why the proof failed (the last attempt's first failing region).
        reason: String,
        /// Descent arcs proposed by the failures (to be checked exactly).
        candidates: Vec<Arc>,
    },
}

/// Try to prove that the point is a local minimum by the piecewise
/// second-order argument. `max_regions` bounds the work of each attempt.
///
/// Terms that are hinge corners (value 0 at the point, with a `0` branch)
/// are `>= 0 =` their value, so they may be dropped from the lower bound
/// altogether; then neither their branches nor the kinks of points with no
/// remaining term need splitting. Attempts, cheapest first: drop every
/// corner term; drop the corner terms of points on a kink; drop nothing.
///
/// An attempt that ran to its end (not stopped by `max_regions` or the
/// time limit) is kept in the model: calling `prove` again (say with a
/// larger `max_regions`) reuses it, which gives the same result as running
/// it again, since `max_regions` only refuses attempts before they start.
pub fn prove(model: &LocalModel, max_regions: usize, deadline: &Deadline) -> SecondOrder {
    let arch = &model.problem.arch;
    if arch.hidden_layers() > 1 {
        return SecondOrder::Failed {
            reason: format!(
                "the piecewise second-order proof needs at most one hidden layer (the outputs are then of degree <= 2 on each cone); this network has {}",
                arch.hidden_layers()
            ),
            candidates: Vec::new(),
        };
    }
    let all_kinks = model.kinks();
    let all_pos = vec![true; all_kinks.len()];
    let Some(shape) = model.cone_terms(&all_pos) else {
        return SecondOrder::Failed {
            reason: "an output has degree > 2 in the parameters".to_string(),
            candidates: Vec::new(),
        };
    };
    let shape: Vec<_> = shape.iter().map(|t| (t.point, t.corner)).collect();
    let corner = |t: usize| shape[t].1;
    let on_kink = |t: usize| all_kinks.iter().any(|k| k.point == shape[t].0);
    let attempts: Vec<Vec<bool>> = vec![
        (0..shape.len()).map(corner).collect(),
        (0..shape.len()).map(|t| corner(t) && on_kink(t)).collect(),
        vec![false; shape.len()],
    ];
    let points: Vec<usize> = shape.iter().map(|t| t.0).collect();
    let mut candidates = Vec::new();
    let mut last: Option<String> = None;
    for (a, dropped) in attempts.iter().enumerate() {
        if attempts[..a].contains(dropped) {
            continue;
        }
        let kept = model
            .attempts
            .borrow()
            .iter()
            .find(|(d, _)| d == dropped)
            .map(|(_, result)| result.clone());
        let result = match kept {
            Some(result) => result,
            None => {
                let (result, complete) =
                    regions::prove_with(model, &points, dropped, max_regions, deadline);
                if complete {
                    model
                        .attempts
                        .borrow_mut()
                        .push((dropped.clone(), result.clone()));
                }
                result
            }
        };
        match result {
            SecondOrder::Proof { evidence, summary } => {
                return SecondOrder::Proof { evidence, summary }
            }
            SecondOrder::Failed {
                reason,
                candidates: c,
            } => {
                candidates.extend(c);
                last = Some(reason);
            }
        }
        if deadline.expired() {
            return SecondOrder::Failed {
                reason: "the time limit (--timeout) was reached in the second-order analysis"
                    .to_string(),
                candidates,
            };
        }
    }
    SecondOrder::Failed {
        reason: last.unwrap_or_else(|| "no attempt was made".to_string()),
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::{prove, LocalModel};
    use crate::instance;
    use std::path::Path;

    /// Reusing completed attempts changes nothing: on every fixture with at
    /// most one hidden layer, a model that first ran `prove` with a tiny
    /// region budget (and then a second time with the full one) gives
    /// exactly what a fresh model gives with the full budget.
    #[test]
    fn reused_attempts_give_the_fresh_result() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let never = relucert_core::Deadline::never();
        let mut compared = 0;
        for path in files {
            let inst = instance::load(&path).expect("fixture loads");
            let Some(params) = inst.point.as_ref() else {
                continue;
            };
            let problem = &inst.problem;
            if problem.arch.hidden_layers() > 1 {
                continue;
            }
            let sig = problem.signature(params);
            let fresh = prove(&LocalModel::new(problem, params, &sig), 4096, &never);
            let reused = LocalModel::new(problem, params, &sig);
            for budget in [1, 4, 4096, 4096] {
                let _ = prove(&reused, budget, &never);
            }
            assert_eq!(prove(&reused, 4096, &never), fresh, "{}", path.display());
            compared += 1;
        }
        assert!(compared >= 10, "only {compared} fixtures compared");
    }
}

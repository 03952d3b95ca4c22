//! Regions of the piecewise second-order proof and their lower bounds.
//!
//! Owns: one proof attempt (`prove_with`): enumerating the regions (a kink
//! cone times one leading branch per corner/tie term), their rows (kink
//! sides and first-order dominance of the chosen branches), the quadratic
//! lower bounds tried on each (leading branches, then convex combinations
//! balanced at first order by exact LPs), deduplicating regions that are
//! the same set, and building the typed `piecewise-second-order` evidence
//! (`cert::Evidence`; its JSON is `Certificate::to_json`'s business).
//!
//! Must not: prove a region by anything but `farkas::prove_bound` (exact
//! multipliers and an exact cone test), or change the region order, the
//! attempt's budget checks or the evidence bytes.

use super::cone::{dot, mat_vec};
use super::farkas::{prove_bound, RegionFailure};
use super::model::{ConeTerms, Kink, LocalModel, Quad};
use super::SecondOrder;
use crate::arc::Arc;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::cert::{self, Evidence, Region, RegionProof};
use relucert_core::Deadline;

/// The reason of an attempt stopped by the deadline.
const TIME_REASON: &str = "the time limit (--timeout) was reached in the second-order analysis";

/// The attempt stopped by the deadline: incomplete, with the candidate
/// arcs found so far.
fn stopped(candidates: Vec<Arc>) -> (SecondOrder, bool) {
    (
        SecondOrder::Failed {
            reason: TIME_REASON.to_string(),
            candidates,
        },
        false,
    )
}

/// One attempt: the lower bound keeps the terms not `dropped` (indices in
/// the order of the model's terms; only corner terms may be dropped).
/// Also says whether the attempt ran to its end (`false` when `max_regions`
/// refused it or the time limit stopped it): only then is its result the
/// same under any budget.
pub(super) fn prove_with(
    model: &LocalModel,
    term_points: &[usize],
    dropped: &[bool],
    max_regions: usize,
    deadline: &Deadline,
) -> (SecondOrder, bool) {
    let failed = |reason: String| SecondOrder::Failed {
        reason,
        candidates: Vec::new(),
    };
    let theta = &model.theta;
    let n = theta.len();
    let all_kinks = model.kinks();
    // only the kinks of points with a kept term: the sides of the others
    // change no kept term
    let kept_points: Vec<usize> = term_points
        .iter()
        .zip(dropped)
        .filter(|(_, d)| !**d)
        .map(|(p, _)| *p)
        .collect();
    let kept_kinks: Vec<usize> = (0..all_kinks.len())
        .filter(|&k| kept_points.contains(&all_kinks[k].point))
        .collect();
    let kinks: Vec<&Kink> = kept_kinks.iter().map(|&k| &all_kinks[k]).collect();
    if kinks.len() >= 40 {
        return (
            failed(format!("{} kinks are too many cones", kinks.len())),
            true,
        );
    }
    let cones = 1usize << kinks.len();
    // sides of every kink of the model: the kept ones as chosen, the others
    // on the negative side (they change no kept term)
    let full_sides = |sides: &[bool]| -> Vec<bool> {
        let mut full = vec![false; all_kinks.len()];
        for (&k, &s) in kept_kinks.iter().zip(sides) {
            full[k] = s;
        }
        full
    };
    // term structure (the same on every cone)
    let all_pos = vec![true; kinks.len()];
    let Some(shape) = model.cone_terms(&full_sides(&all_pos)) else {
        return (
            failed("an output has degree > 2 in the parameters".to_string()),
            true,
        );
    };
    let shape: Vec<&[Quad]> = keep(&shape, dropped);
    let multi: Vec<usize> = (0..shape.len()).filter(|&t| shape[t].len() > 1).collect();
    let mut total = cones;
    for &t in &multi {
        total = match total.checked_mul(shape[t].len()) {
            Some(v) if v <= max_regions => v,
            _ => {
                return (
                    failed(format!(
                        "{} kinks and {} hinge corners/ties give more than {max_regions} regions (--max-pieces)",
                        kinks.len(),
                        multi.len()
                    )),
                    false,
                )
            }
        };
    }
    if total > max_regions {
        return (
            failed(format!(
                "{} kinks give {cones} cones, more than {max_regions} regions (--max-pieces)",
                kinks.len()
            )),
            false,
        );
    }
    let mut regions: Vec<Region> = Vec::new();
    let mut proven: Vec<(Vec<Vec<Q>>, usize)> = Vec::new();
    let mut candidates: Vec<Arc> = Vec::new();
    let mut first_failure: Option<String> = None;
    let mut hardest = 0usize;
    for mask in 0..cones {
        let sides: Vec<bool> = (0..kinks.len()).map(|k| mask >> k & 1 == 0).collect();
        let Some(cone) = model.cone_terms(&full_sides(&sides)) else {
            return (
                failed("an output has degree > 2 in the parameters".to_string()),
                true,
            );
        };
        let tm = keep(&cone, dropped);
        let mut choice = vec![0usize; multi.len()];
        loop {
            if deadline.expired() {
                return stopped(candidates);
            }
            // rows: kinks, then dominance rows
            let mut rows: Vec<Vec<Q>> = kinks
                .iter()
                .zip(&sides)
                .map(|(k, &s)| {
                    if s {
                        k.normal.clone()
                    } else {
                        k.normal.iter().map(|x| -x).collect()
                    }
                })
                .collect();
            for (c, &t) in choice.iter().zip(&multi) {
                for q in 0..tm[t].len() {
                    if q != *c {
                        rows.push(
                            tm[t][*c]
                                .grad
                                .iter()
                                .zip(&tm[t][q].grad)
                                .map(|(a, b)| a - b)
                                .collect(),
                        );
                    }
                }
            }
            // lower bounds to try: the leading branches, then the convex
            // combination (with first-order balance) using the least weight
            // on curved branches
            let mut lambdas: Vec<Vec<Vec<Q>>> = vec![multi
                .iter()
                .zip(&choice)
                .map(|(&t, &c)| {
                    (0..tm[t].len())
                        .map(|q| if q == c { Q::one() } else { Q::zero() })
                        .collect()
                })
                .collect()];
            if let Some(l) = flattest_balanced(&tm, &multi, &rows, n, deadline) {
                if l != lambdas[0] {
                    lambdas.push(l);
                }
            }
            let sides_text: String = sides.iter().map(|&s| if s { '+' } else { '-' }).collect();
            let key = canonical_rows(&rows);
            let region = if let Some((_, idx)) = proven.iter().find(|(k, _)| *k == key) {
                Some(Region {
                    sides: sides.clone(),
                    choice: choice.clone(),
                    proof: RegionProof::SameAs(*idx),
                })
            } else {
                match prove_region(&rows, &tm, &multi, &lambdas, n, deadline) {
                    Ok((lambda, mu, kept)) => {
                        hardest = hardest.max(kept.len());
                        proven.push((key, regions.len()));
                        Some(Region {
                            sides: sides.clone(),
                            choice: choice.clone(),
                            proof: RegionProof::Multipliers {
                                lambda: Some(lambda),
                                mu,
                            },
                        })
                    }
                    Err((why, dirs)) => {
                        for d in dirs {
                            candidates.push(Arc {
                                point: theta.clone(),
                                dirs: vec![d],
                            });
                        }
                        if first_failure.is_none() {
                            first_failure = Some(format!(
                                "region with kink sides [{sides_text}] and branch choice {choice:?}: {why}"
                            ));
                        }
                        None
                    }
                }
            };
            if let Some(r) = region {
                regions.push(r);
            }
            // next choice
            let mut pos = 0;
            while pos < multi.len() {
                choice[pos] += 1;
                if choice[pos] < tm[multi[pos]].len() {
                    break;
                }
                choice[pos] = 0;
                pos += 1;
            }
            if pos == multi.len() {
                break;
            }
        }
    }
    // an LP stopped by the deadline proves nothing and fails nothing: the
    // attempt then ends here, incomplete
    if deadline.expired() {
        return stopped(candidates);
    }
    if let Some(reason) = first_failure {
        return (SecondOrder::Failed { reason, candidates }, true);
    }
    let dropped_list: Vec<usize> = (0..dropped.len()).filter(|&t| dropped[t]).collect();
    let summary = format!(
        "piecewise second order: on each of {} regions ({} kink{} on live points, {} corner/tie term{} split by leading branch, {} corner term{} bounded below by 0) a quadratic lower bound of the loss passes the first-order Farkas condition and its Hessian is copositive on the critical cone (largest copositivity test: {} inequalit{})",
        regions.len(),
        kinks.len(),
        if kinks.len() == 1 { "" } else { "s" },
        multi.len(),
        if multi.len() == 1 { "" } else { "s" },
        dropped_list.len(),
        if dropped_list.len() == 1 { "" } else { "s" },
        hardest,
        if hardest == 1 { "y" } else { "ies" }
    );
    let evidence = Evidence::PiecewiseSecondOrder {
        dropped: dropped_list,
        kinks: kinks
            .iter()
            .map(|k| cert::Kink {
                point: k.point,
                unit: k.unit,
            })
            .collect(),
        corner_terms: multi.len(),
        regions,
    };
    (
        SecondOrder::Proof {
            evidence: Box::new(evidence),
            summary,
        },
        true,
    )
}

/// The branches of the terms not dropped.
fn keep<'t>(terms: &'t ConeTerms, dropped: &[bool]) -> Vec<&'t [Quad]> {
    terms
        .iter()
        .zip(dropped)
        .filter(|(_, d)| !**d)
        .map(|(t, _)| t.branches.as_slice())
        .collect()
}

/// Rows up to positive scaling, zero rows dropped, sorted: two regions with
/// the same key are the same set.
fn canonical_rows(rows: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let mut out: Vec<Vec<Q>> = rows
        .iter()
        .filter_map(|r| {
            let lead = r.iter().find(|x| !x.is_zero())?.abs();
            Some(r.iter().map(|x| x / &lead).collect())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The lower bound `sum_t sum_q lambda_tq b_tq` (single-branch terms with
/// weight 1): its gradient and Hessian.
fn combine(tm: &[&[Quad]], multi: &[usize], lambda: &[Vec<Q>], n: usize) -> (Vec<Q>, Vec<Vec<Q>>) {
    let mut g = vec![Q::zero(); n];
    let mut h = vec![vec![Q::zero(); n]; n];
    let mut add = |b: &Quad, w: &Q| {
        if w.is_zero() {
            return;
        }
        // (zero entries, most of a Hessian, add nothing: skipped)
        for (x, y) in g.iter_mut().zip(&b.grad) {
            if !y.is_zero() {
                *x += y * w;
            }
        }
        for (hr, br) in h.iter_mut().zip(&b.hess) {
            for (x, y) in hr.iter_mut().zip(br) {
                if !y.is_zero() {
                    *x += y * w;
                }
            }
        }
    };
    let one = Q::one();
    for (t, branches) in tm.iter().enumerate() {
        match multi.iter().position(|&m| m == t) {
            Some(k) => {
                for (b, w) in branches.iter().zip(&lambda[k]) {
                    add(b, w);
                }
            }
            None => add(&branches[0], &one),
        }
    }
    (g, h)
}

/// Convex weights on the corner/tie terms' branches, balanced at first
/// order by the region's rows, putting the least weight on branches with a
/// nonzero Hessian (an exact LP; `None` if infeasible).
fn flattest_balanced(
    tm: &[&[Quad]],
    multi: &[usize],
    rows: &[Vec<Q>],
    n: usize,
    deadline: &Deadline,
) -> Option<Vec<Vec<Q>>> {
    balanced_weights(tm, multi, rows, n, deadline, &|b: &Quad| {
        if b.hess.iter().flatten().any(|x| !x.is_zero()) {
            Q::one()
        } else {
            Q::zero()
        }
    })
}

/// Convex weights balanced at first order minimising `sum lambda_tq cost(b_tq)`.
fn balanced_weights(
    tm: &[&[Quad]],
    multi: &[usize],
    rows: &[Vec<Q>],
    n: usize,
    deadline: &Deadline,
    cost: &dyn Fn(&Quad) -> Q,
) -> Option<Vec<Vec<Q>>> {
    let mut model = lp::Lp::new(Sense::Minimize);
    let lam: Vec<Vec<lp::VarId>> = multi
        .iter()
        .map(|&t| {
            (0..tm[t].len())
                .map(|_| model.add_var(Some(Q::zero()), None))
                .collect()
        })
        .collect();
    let mu: Vec<lp::VarId> = rows
        .iter()
        .map(|_| model.add_var(Some(Q::zero()), None))
        .collect();
    let fixed: Vec<usize> = (0..tm.len()).filter(|t| !multi.contains(t)).collect();
    for c in 0..n {
        let rhs = fixed
            .iter()
            .fold(Q::zero(), |acc, &t| acc + &tm[t][0].grad[c]);
        let mut coeffs: Vec<(lp::VarId, Q)> = Vec::new();
        for (k, &t) in multi.iter().enumerate() {
            for (q, b) in tm[t].iter().enumerate() {
                if !b.grad[c].is_zero() {
                    coeffs.push((lam[k][q], -b.grad[c].clone()));
                }
            }
        }
        for (r, v) in rows.iter().zip(&mu) {
            if !r[c].is_zero() {
                coeffs.push((*v, r[c].clone()));
            }
        }
        if coeffs.is_empty() && rhs.is_zero() {
            continue;
        }
        // sum mu r - sum lambda grad = fixed gradient
        model.add_row(coeffs, Cmp::Eq, rhs);
    }
    for l in &lam {
        model.add_row(
            l.iter().map(|v| (*v, Q::one())).collect(),
            Cmp::Eq,
            Q::one(),
        );
    }
    let mut objective = Vec::new();
    for (k, &t) in multi.iter().enumerate() {
        for (q, b) in tm[t].iter().enumerate() {
            let c = cost(b);
            if !c.is_zero() {
                objective.push((lam[k][q], c));
            }
        }
    }
    model.set_objective(objective);
    match lp::solve_within(&model, deadline) {
        Ok(LpResult::Optimal { x, .. }) => Some(
            lam.iter()
                .map(|l| l.iter().map(|v| x[v.0].clone()).collect())
                .collect(),
        ),
        _ => None,
    }
}

/// For each candidate lower bound: first order (Farkas multipliers with
/// the largest support) and the copositivity test on the critical cone.
/// Returns the first that succeeds, or the first failure.
#[allow(clippy::type_complexity)]
fn prove_region(
    rows: &[Vec<Q>],
    tm: &[&[Quad]],
    multi: &[usize],
    lambdas: &[Vec<Vec<Q>>],
    n: usize,
    deadline: &Deadline,
) -> Result<(Vec<Vec<Q>>, Vec<Q>, Vec<usize>), RegionFailure> {
    let mut failure: Option<RegionFailure> = None;
    let mut dirs_all: Vec<Vec<Q>> = Vec::new();
    let stopped = || {
        (
            "the time limit (--timeout) was reached".to_string(),
            Vec::new(),
        )
    };
    for lambda in lambdas {
        if deadline.expired() {
            return Err(stopped());
        }
        let (g, h) = combine(tm, multi, lambda, n);
        match prove_bound(rows, &g, &h, n, deadline) {
            Ok((mu, kept)) => return Ok((lambda.clone(), mu, kept)),
            Err((why, dirs)) => {
                dirs_all.extend(dirs);
                failure.get_or_insert((why, Vec::new()));
            }
        }
    }
    // a few more rounds: the weights, balanced at first order, that give
    // the failing directions the most curvature
    let mut tried: Vec<Vec<Vec<Q>>> = lambdas.to_vec();
    for _ in 0..3 {
        if deadline.expired() {
            return Err(stopped());
        }
        if dirs_all.is_empty() || multi.is_empty() {
            break;
        }
        let unit: Vec<Vec<Q>> = dirs_all
            .iter()
            .filter_map(|d| {
                let m = d.iter().map(|x| x.abs()).max()?;
                (!m.is_zero()).then(|| d.iter().map(|x| x / &m).collect())
            })
            .collect();
        let curvature = |b: &Quad| -> Q {
            -unit
                .iter()
                .fold(Q::zero(), |acc, d| acc + dot(d, &mat_vec(&b.hess, d)))
        };
        let Some(lambda) = balanced_weights(tm, multi, rows, n, deadline, &curvature) else {
            break;
        };
        if tried.contains(&lambda) {
            break;
        }
        let (g, h) = combine(tm, multi, &lambda, n);
        match prove_bound(rows, &g, &h, n, deadline) {
            Ok((mu, kept)) => return Ok((lambda, mu, kept)),
            Err((_, dirs)) => dirs_all.extend(dirs),
        }
        tried.push(lambda);
    }
    let (why, _) = failure.unwrap_or_else(|| ("no lower bound to try".to_string(), Vec::new()));
    Err((why, dirs_all))
}

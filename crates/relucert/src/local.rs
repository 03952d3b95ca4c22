//! Local analysis: piecewise second-order proofs that a point is a local
//! minimum (THEORY 5.3-5.5), for networks with at most one hidden layer.
//!
//! Owns: the local model of the loss around the point and the search for a
//! `piecewise-second-order` certificate (format in docs/certificates.md).
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

use crate::arc::Arc;
use crate::cellpoly::output_polys;
use crate::linalg;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{LossKind, Params, Pattern, Problem, Sign};
use crate::number::{fmt_q, Q};
use crate::poly::Poly;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Value};

/// Exact Taylor data of a branch at theta*:
/// `b(theta* + d) = b(theta*) + grad . d + d^T hess d / 2` (degree <= 2).
#[derive(Clone, Debug)]
struct Quad {
    grad: Vec<Q>,
    hess: Vec<Vec<Q>>,
}

impl Quad {
    fn zero(n: usize) -> Quad {
        Quad {
            grad: vec![Q::zero(); n],
            hess: vec![vec![Q::zero(); n]; n],
        }
    }

    /// Taylor data of `p` at `theta`; `None` above degree 2.
    fn of(p: &Poly, theta: &[Q]) -> Option<Quad> {
        let n = theta.len();
        let mut q = Quad::zero(n);
        for (m, c) in p.terms() {
            match m.pairs() {
                [] => {}
                [(a, 1)] => q.grad[*a as usize] += c,
                [(a, 2)] => {
                    let a = *a as usize;
                    let two_c = c * Q::from_integer(2.into());
                    q.grad[a] += &two_c * &theta[a];
                    q.hess[a][a] += two_c;
                }
                [(a, 1), (b, 1)] => {
                    let (a, b) = (*a as usize, *b as usize);
                    q.grad[a] += c * &theta[b];
                    q.grad[b] += c * &theta[a];
                    q.hess[a][b] += c;
                    q.hess[b][a] += c;
                }
                _ => return None,
            }
        }
        Some(q)
    }
}

/// A kink: a zero first-layer pre-activation, with `n . d` the first-order
/// change of the pre-activation along `d`.
#[derive(Clone, Debug)]
pub struct Kink {
    pub point: usize,
    pub unit: usize,
    pub normal: Vec<Q>,
}

/// The kinks of the point (first hidden layer, activations with a kink).
pub fn kinks(problem: &Problem, params: &Params) -> Vec<Kink> {
    let arch = &problem.arch;
    if arch.hidden_layers() == 0 || !arch.activation.has_kink() {
        return Vec::new();
    }
    let sig = problem.signature(params);
    let n = arch.num_params();
    let mut out = Vec::new();
    for (i, units) in sig.hidden[0].iter().enumerate() {
        for (j, s) in units.iter().enumerate() {
            if *s == Sign::Zero {
                let mut normal = vec![Q::zero(); n];
                for (k, xk) in problem.data.x[i].iter().enumerate() {
                    normal[arch.weight_index(1, j, k)] = xk.clone();
                }
                if let Some(b) = arch.bias_index(1, j) {
                    normal[b] = Q::one();
                }
                out.push(Kink {
                    point: i,
                    unit: j,
                    normal,
                });
            }
        }
    }
    out
}

/// A term of the loss near the point: its data point, whether it is a
/// hinge corner (value exactly 0, first branch the constant 0), and its
/// branches.
struct Term {
    point: usize,
    corner: bool,
    branches: Vec<Quad>,
}

/// The terms of the loss on the closed cone with kink sides `sides`
/// (`true` = positive side), each a list of branches; `None` if an output
/// has degree > 2.
fn terms(
    problem: &Problem,
    params: &Params,
    kinks: &[Kink],
    sides: &[bool],
    theta: &[Q],
) -> Option<Vec<Term>> {
    let arch = &problem.arch;
    let n = theta.len();
    let sig = problem.signature(params);
    let mut active: Vec<Vec<Vec<bool>>> = sig
        .hidden
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|u| {
                    u.iter()
                        .map(|s| *s == Sign::Pos || !arch.activation.has_kink())
                        .collect()
                })
                .collect()
        })
        .collect();
    for (k, side) in kinks.iter().zip(sides) {
        active[0][k.point][k.unit] = *side;
    }
    let pattern = Pattern {
        active,
        hinge_active: Vec::new(),
        competitor: Vec::new(),
    };
    let one = Poly::constant(Q::one());
    let mut out = Vec::new();
    for i in 0..problem.data.len() {
        let f = output_polys(problem, &pattern, i);
        let y = problem.data.y[i];
        let fv: Vec<Q> = f.iter().map(|p| p.evaluate(theta)).collect();
        // (arguments of the max, value at theta*)
        let mut groups: Vec<Vec<Poly>> = Vec::new();
        let mut values: Vec<Q> = Vec::new();
        match problem.loss {
            LossKind::Hinge => {
                groups.push(vec![one.sub(&f[0].scale(&Q::from_integer(y.into())))]);
                values.push(Q::one() - Q::from_integer(y.into()) * &fv[0]);
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..f.len()).filter(|&k| k != yc) {
                    groups.push(vec![one.add(&f[k]).sub(&f[yc])]);
                    values.push(Q::one() + &fv[k] - &fv[yc]);
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                let best = (0..f.len()).filter(|&k| k != yc).map(|k| &fv[k]).max()?;
                let tied: Vec<usize> = (0..f.len())
                    .filter(|&k| k != yc && fv[k] == *best)
                    .collect();
                groups.push(tied.iter().map(|&k| one.add(&f[k]).sub(&f[yc])).collect());
                values.push(Q::one() + best - &fv[yc]);
            }
        }
        for (args, v) in groups.into_iter().zip(values) {
            if v.is_negative() {
                continue;
            }
            let mut branches = Vec::new();
            if v.is_zero() {
                branches.push(Quad::zero(n));
            }
            for a in &args {
                branches.push(Quad::of(a, theta)?);
            }
            out.push(Term {
                point: i,
                corner: v.is_zero(),
                branches,
            });
        }
    }
    Some(out)
}

/// What the search found.
pub enum SecondOrder {
    /// Every region proven: the certificate evidence and a summary.
    Proof { evidence: Value, summary: String },
    /// Not proven: why (first failing region), plus candidate arcs.
    Failed {
        reason: String,
        candidates: Vec<Arc>,
    },
}

/// Result of the copositivity test on one critical cone.
enum ConeTest {
    /// Nonnegative on the cone; `kept` = inequality rows used.
    Nonneg(Vec<usize>),
    /// A direction (in the parameter space) of negative curvature on the
    /// relaxed cone, if one was exhibited, and the reason.
    Fails(Vec<Vec<Q>>, String),
}

/// Try to prove that the point is a local minimum by the piecewise
/// second-order argument. `max_regions` bounds the work of each attempt.
///
/// Terms that are hinge corners (value 0 at the point, with a `0` branch)
/// are `>= 0 =` their value, so they may be dropped from the lower bound
/// altogether; then neither their branches nor the kinks of points with no
/// remaining term need splitting. Attempts, cheapest first: drop every
/// corner term; drop the corner terms of points on a kink; drop nothing.
pub fn prove(
    problem: &Problem,
    params: &Params,
    max_regions: usize,
    out_of_time: &dyn Fn() -> bool,
) -> SecondOrder {
    let arch = &problem.arch;
    if arch.hidden_layers() > 1 {
        return SecondOrder::Failed {
            reason: format!(
                "the piecewise second-order proof needs at most one hidden layer (the outputs are then of degree <= 2 on each cone); this network has {}",
                arch.hidden_layers()
            ),
            candidates: Vec::new(),
        };
    }
    let theta = params.flat();
    let all_kinks = kinks(problem, params);
    let all_pos = vec![true; all_kinks.len()];
    let Some(shape) = terms(problem, params, &all_kinks, &all_pos, &theta) else {
        return SecondOrder::Failed {
            reason: "an output has degree > 2 in the parameters".to_string(),
            candidates: Vec::new(),
        };
    };
    let corner = |t: usize| shape[t].corner;
    let on_kink = |t: usize| all_kinks.iter().any(|k| k.point == shape[t].point);
    let attempts: Vec<Vec<bool>> = vec![
        (0..shape.len()).map(corner).collect(),
        (0..shape.len()).map(|t| corner(t) && on_kink(t)).collect(),
        vec![false; shape.len()],
    ];
    let points: Vec<usize> = shape.iter().map(|t| t.point).collect();
    let mut candidates = Vec::new();
    let mut last: Option<String> = None;
    for (a, dropped) in attempts.iter().enumerate() {
        if attempts[..a].contains(dropped) {
            continue;
        }
        match prove_with(
            problem,
            params,
            &all_kinks,
            &points,
            dropped,
            max_regions,
            out_of_time,
        ) {
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
        if out_of_time() {
            break;
        }
    }
    SecondOrder::Failed {
        reason: last.unwrap_or_else(|| "no attempt was made".to_string()),
        candidates,
    }
}

/// One attempt: the lower bound keeps the terms not `dropped` (indices in
/// the order of `terms`; only corner terms may be dropped).
fn prove_with(
    problem: &Problem,
    params: &Params,
    all_kinks: &[Kink],
    term_points: &[usize],
    dropped: &[bool],
    max_regions: usize,
    out_of_time: &dyn Fn() -> bool,
) -> SecondOrder {
    let failed = |reason: String| SecondOrder::Failed {
        reason,
        candidates: Vec::new(),
    };
    let theta = params.flat();
    let n = theta.len();
    // only the kinks of points with a kept term: the sides of the others
    // change no kept term
    let kept_points: Vec<usize> = term_points
        .iter()
        .zip(dropped)
        .filter(|(_, d)| !**d)
        .map(|(p, _)| *p)
        .collect();
    let kinks: Vec<Kink> = all_kinks
        .iter()
        .filter(|k| kept_points.contains(&k.point))
        .cloned()
        .collect();
    if kinks.len() >= 40 {
        return failed(format!("{} kinks are too many cones", kinks.len()));
    }
    let cones = 1usize << kinks.len();
    // term structure (the same on every cone)
    let all_pos = vec![true; kinks.len()];
    let Some(shape) = terms(problem, params, &kinks, &all_pos, &theta) else {
        return failed("an output has degree > 2 in the parameters".to_string());
    };
    let shape: Vec<Vec<Quad>> = keep(shape, dropped);
    let multi: Vec<usize> = (0..shape.len()).filter(|&t| shape[t].len() > 1).collect();
    let mut total = cones;
    for &t in &multi {
        total = match total.checked_mul(shape[t].len()) {
            Some(v) if v <= max_regions => v,
            _ => {
                return failed(format!(
                    "{} kinks and {} hinge corners/ties give more than {max_regions} regions (--max-pieces)",
                    kinks.len(),
                    multi.len()
                ))
            }
        };
    }
    if total > max_regions {
        return failed(format!(
            "{} kinks give {cones} cones, more than {max_regions} regions (--max-pieces)",
            kinks.len()
        ));
    }
    let mut regions: Vec<Value> = Vec::new();
    let mut proven: Vec<(Vec<Vec<Q>>, usize)> = Vec::new();
    let mut candidates: Vec<Arc> = Vec::new();
    let mut first_failure: Option<String> = None;
    let mut hardest = 0usize;
    for mask in 0..cones {
        let sides: Vec<bool> = (0..kinks.len()).map(|k| mask >> k & 1 == 0).collect();
        let Some(tm) = terms(problem, params, &kinks, &sides, &theta) else {
            return failed("an output has degree > 2 in the parameters".to_string());
        };
        let tm = keep(tm, dropped);
        let mut choice = vec![0usize; multi.len()];
        loop {
            if out_of_time() {
                return SecondOrder::Failed {
                    reason: "the time limit (--timeout) was reached in the second-order analysis"
                        .to_string(),
                    candidates,
                };
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
            let mut picked = vec![0usize; tm.len()];
            for (c, &t) in choice.iter().zip(&multi) {
                picked[t] = *c;
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
            if let Some(l) = flattest_balanced(&tm, &multi, &rows, n) {
                if l != lambdas[0] {
                    lambdas.push(l);
                }
            }
            let sides_text: String = sides.iter().map(|&s| if s { '+' } else { '-' }).collect();
            let key = canonical_rows(&rows);
            let region_json = if let Some((_, idx)) = proven.iter().find(|(k, _)| *k == key) {
                Some(json!({"sides": sides_text, "choice": choice, "same_as": idx}))
            } else {
                match prove_region(&rows, &tm, &multi, &lambdas, n) {
                    Ok((lambda, mu, kept)) => {
                        hardest = hardest.max(kept.len());
                        proven.push((key, regions.len()));
                        Some(json!({
                            "sides": sides_text,
                            "choice": choice,
                            "lambda": lambda.iter().map(|l| l.iter().map(|x| Value::String(fmt_q(x))).collect::<Vec<_>>()).collect::<Vec<_>>(),
                            "mu": mu.iter().map(|m| Value::String(fmt_q(m))).collect::<Vec<_>>(),
                        }))
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
            if let Some(r) = region_json {
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
    if let Some(reason) = first_failure {
        return SecondOrder::Failed { reason, candidates };
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
    let evidence = json!({
        "kind": "piecewise-second-order",
        "dropped": dropped_list,
        "kinks": kinks.iter().map(|k| json!({"point": k.point, "unit": k.unit})).collect::<Vec<_>>(),
        "corner_terms": multi.len(),
        "regions": regions,
    });
    SecondOrder::Proof { evidence, summary }
}

/// The branches of the terms not dropped.
fn keep(terms: Vec<Term>, dropped: &[bool]) -> Vec<Vec<Quad>> {
    terms
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !**d)
        .map(|(t, _)| t.branches)
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
fn combine(
    tm: &[Vec<Quad>],
    multi: &[usize],
    lambda: &[Vec<Q>],
    n: usize,
) -> (Vec<Q>, Vec<Vec<Q>>) {
    let mut g = vec![Q::zero(); n];
    let mut h = vec![vec![Q::zero(); n]; n];
    let mut add = |b: &Quad, w: &Q| {
        if w.is_zero() {
            return;
        }
        for (x, y) in g.iter_mut().zip(&b.grad) {
            *x += y * w;
        }
        for (hr, br) in h.iter_mut().zip(&b.hess) {
            for (x, y) in hr.iter_mut().zip(br) {
                *x += y * w;
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
    tm: &[Vec<Quad>],
    multi: &[usize],
    rows: &[Vec<Q>],
    n: usize,
) -> Option<Vec<Vec<Q>>> {
    balanced_weights(tm, multi, rows, n, &|b: &Quad| {
        if b.hess.iter().flatten().any(|x| !x.is_zero()) {
            Q::one()
        } else {
            Q::zero()
        }
    })
}

/// Convex weights balanced at first order minimising `sum lambda_tq cost(b_tq)`.
fn balanced_weights(
    tm: &[Vec<Quad>],
    multi: &[usize],
    rows: &[Vec<Q>],
    n: usize,
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
    match lp::solve(&model) {
        LpResult::Optimal { x, .. } => Some(
            lam.iter()
                .map(|l| l.iter().map(|v| x[v.0].clone()).collect())
                .collect(),
        ),
        _ => None,
    }
}

type RegionFailure = (String, Vec<Vec<Q>>);

/// For each candidate lower bound: first order (Farkas multipliers with
/// the largest support) and the copositivity test on the critical cone.
/// Returns the first that succeeds, or the first failure.
#[allow(clippy::type_complexity)]
fn prove_region(
    rows: &[Vec<Q>],
    tm: &[Vec<Quad>],
    multi: &[usize],
    lambdas: &[Vec<Vec<Q>>],
    n: usize,
) -> Result<(Vec<Vec<Q>>, Vec<Q>, Vec<usize>), RegionFailure> {
    let mut failure: Option<RegionFailure> = None;
    let mut dirs_all: Vec<Vec<Q>> = Vec::new();
    for lambda in lambdas {
        let (g, h) = combine(tm, multi, lambda, n);
        match prove_bound(rows, &g, &h, n) {
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
        let Some(lambda) = balanced_weights(tm, multi, rows, n, &curvature) else {
            break;
        };
        if tried.contains(&lambda) {
            break;
        }
        let (g, h) = combine(tm, multi, &lambda, n);
        match prove_bound(rows, &g, &h, n) {
            Ok((mu, kept)) => return Ok((lambda, mu, kept)),
            Err((_, dirs)) => dirs_all.extend(dirs),
        }
        tried.push(lambda);
    }
    let (why, _) = failure.unwrap_or_else(|| ("no lower bound to try".to_string(), Vec::new()));
    Err((why, dirs_all))
}

/// First order (Farkas multipliers with the largest support) and the
/// copositivity test on the critical cone, for one quadratic lower bound.
fn prove_bound(
    rows: &[Vec<Q>],
    g: &[Q],
    h: &[Vec<Q>],
    n: usize,
) -> Result<(Vec<Q>, Vec<usize>), RegionFailure> {
    let mu = match farkas_multipliers(rows, g, n) {
        Ok(mu) => mu,
        Err(d) => {
            return Err((
                "the first-order condition fails (a direction in the region decreases the lower bound at first order)"
                    .to_string(),
                d.into_iter().collect(),
            ))
        }
    };
    let eq: Vec<Vec<Q>> = rows
        .iter()
        .zip(&mu)
        .filter(|(_, m)| m.is_positive())
        .map(|(r, _)| r.clone())
        .collect();
    let ineq: Vec<(usize, Vec<Q>)> = rows
        .iter()
        .zip(&mu)
        .enumerate()
        .filter(|(_, (r, m))| m.is_zero() && r.iter().any(|x| !x.is_zero()))
        .map(|(i, (r, _))| (i, r.clone()))
        .collect();
    match cone_test(h, &eq, &ineq, n) {
        ConeTest::Nonneg(kept) => Ok((mu, kept)),
        ConeTest::Fails(d, why) => Err((why, d)),
    }
}

/// `mu >= 0` with `sum mu_k rows_k = g` and as many positive entries as
/// possible; `Err(Some(d))` with a first-order descent direction of the
/// lower bound if there is none.
fn farkas_multipliers(rows: &[Vec<Q>], g: &[Q], n: usize) -> Result<Vec<Q>, Option<Vec<Q>>> {
    let solve = |target: Option<usize>| -> LpResult {
        let mut model = lp::Lp::new(Sense::Maximize);
        let mu: Vec<lp::VarId> = rows
            .iter()
            .map(|_| model.add_var(Some(Q::zero()), None))
            .collect();
        for (c, gc) in g.iter().enumerate() {
            let coeffs: Vec<(lp::VarId, Q)> = rows
                .iter()
                .zip(&mu)
                .filter(|(r, _)| !r[c].is_zero())
                .map(|(r, v)| (*v, r[c].clone()))
                .collect();
            if coeffs.is_empty() && gc.is_zero() {
                continue;
            }
            model.add_row(coeffs, Cmp::Eq, gc.clone());
        }
        if let Some(k) = target {
            let tau = model.add_var(Some(Q::zero()), Some(Q::one()));
            model.add_row(
                vec![(tau, Q::one()), (mu[k], -Q::one())],
                Cmp::Le,
                Q::zero(),
            );
            model.set_objective(vec![(tau, Q::one())]);
        }
        lp::solve(&model)
    };
    let first = solve(None);
    let mut mu = match first {
        LpResult::Optimal { x, .. } => x[..rows.len()].to_vec(),
        _ => {
            // a descent direction of the bound: min g.d over rows.d >= 0, |d| <= 1
            let mut model = lp::Lp::new(Sense::Minimize);
            let d: Vec<lp::VarId> = (0..n)
                .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
                .collect();
            for r in rows {
                let coeffs: Vec<(lp::VarId, Q)> = r
                    .iter()
                    .zip(&d)
                    .filter(|(x, _)| !x.is_zero())
                    .map(|(x, v)| (*v, x.clone()))
                    .collect();
                if !coeffs.is_empty() {
                    model.add_row(coeffs, Cmp::Ge, Q::zero());
                }
            }
            model.set_objective(d.iter().zip(g).map(|(v, x)| (*v, x.clone())).collect());
            return Err(match lp::solve(&model) {
                LpResult::Optimal { x, value, .. } if value.is_negative() => Some(x[..n].to_vec()),
                _ => None,
            });
        }
    };
    let mut count = 1usize;
    for k in 0..rows.len() {
        if mu[k].is_positive() || rows[k].iter().all(|x| x.is_zero()) {
            continue;
        }
        if let LpResult::Optimal { x, value, .. } = solve(Some(k)) {
            if value.is_positive() {
                // running average of feasible multipliers keeps feasibility
                count += 1;
                let w = Q::new(1.into(), (count as i64).into());
                for (m, xm) in mu.iter_mut().zip(&x) {
                    *m = &*m + (xm - &*m) * &w;
                }
            }
        }
    }
    for (m, r) in mu.iter_mut().zip(rows) {
        if r.iter().all(|x| x.is_zero()) {
            *m = Q::zero();
        }
    }
    // re-check exactly: mu >= 0 and sum mu_k rows_k = g
    let ok = mu.iter().all(|m| !m.is_negative())
        && (0..n).all(|c| {
            rows.iter()
                .zip(&mu)
                .fold(Q::zero(), |acc, (r, m)| acc + &r[c] * m)
                == g[c]
        });
    if ok {
        Ok(mu)
    } else {
        Err(None)
    }
}

fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    m.iter()
        .map(|r| r.iter().zip(v).fold(Q::zero(), |acc, (a, b)| acc + a * b))
        .collect()
}

/// Is `d^T h d >= 0` on `{d : eq . d = 0, ineq . d >= 0}`? Dependent
/// inequality rows are relaxed to a maximal independent subset.
fn cone_test(h: &[Vec<Q>], eq: &[Vec<Q>], ineq: &[(usize, Vec<Q>)], n: usize) -> ConeTest {
    // basis of the subspace V = {eq . d = 0}: columns of b (n x m)
    let basis = linalg::nullspace(eq, n);
    let m = basis.len();
    if m == 0 {
        return ConeTest::Nonneg(Vec::new());
    }
    let restrict = |r: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(r, b)).collect() };
    // independent inequality rows (restricted to V), greedily
    let mut kept: Vec<usize> = Vec::new();
    let mut c_rows: Vec<Vec<Q>> = Vec::new();
    let mut relaxed = false;
    for (idx, r) in ineq {
        let rr = restrict(r);
        if rr.iter().all(|x| x.is_zero()) {
            continue;
        }
        let mut trial = c_rows.clone();
        trial.push(rr.clone());
        if linalg::rank(&trial) == trial.len() {
            c_rows = trial;
            kept.push(*idx);
        } else {
            relaxed = true;
        }
    }
    let r = c_rows.len();
    // complete to an invertible T (m x m) with unit rows
    let mut t = c_rows.clone();
    for e in 0..m {
        if t.len() == m {
            break;
        }
        let mut unit = vec![Q::zero(); m];
        unit[e] = Q::one();
        let mut trial = t.clone();
        trial.push(unit);
        if linalg::rank(&trial) == trial.len() {
            t = trial;
        }
    }
    let Some(u) = inverse(&t) else {
        return ConeTest::Fails(
            Vec::new(),
            "internal: completion not invertible".to_string(),
        );
    };
    // P = B U (n x m): d = P z, z = (s, w)
    let p: Vec<Vec<Q>> = (0..n)
        .map(|row| {
            (0..m)
                .map(|col| (0..m).fold(Q::zero(), |acc, k| acc + &basis[k][row] * &u[k][col]))
                .collect()
        })
        .collect();
    // M = P^T H P
    let hp: Vec<Vec<Q>> = (0..n)
        .map(|i| {
            (0..m)
                .map(|col| (0..n).fold(Q::zero(), |acc, k| acc + &h[i][k] * &p[k][col]))
                .collect()
        })
        .collect();
    let mm: Vec<Vec<Q>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| (0..n).fold(Q::zero(), |acc, k| acc + &p[k][a] * &hp[k][b]))
                .collect()
        })
        .collect();
    let dir = |z: &[Q]| -> Vec<Q> { mat_vec(&p, z) };
    let w_idx: Vec<usize> = (r..m).collect();
    let s_idx: Vec<usize> = (0..r).collect();
    let sub = |rs: &[usize], cs: &[usize]| -> Vec<Vec<Q>> {
        rs.iter()
            .map(|&i| cs.iter().map(|&j| mm[i][j].clone()).collect())
            .collect()
    };
    let wmat = sub(&w_idx, &w_idx);
    if let Err(wv) = psd(&wmat) {
        let mut z = vec![Q::zero(); m];
        for (k, x) in w_idx.iter().zip(wv) {
            z[*k] = x;
        }
        return ConeTest::Fails(
            vec![dir(&z)],
            "the Hessian is not positive semidefinite on the critical subspace (a direction of negative curvature with every inequality slack)".to_string(),
        );
    }
    // X with W X = M_ws (column by column)
    let mws = sub(&w_idx, &s_idx);
    let mut x_cols: Vec<Vec<Q>> = Vec::new();
    for c in 0..r {
        let col: Vec<Q> = mws.iter().map(|row| row[c].clone()).collect();
        if w_idx.is_empty() {
            x_cols.push(Vec::new());
            continue;
        }
        match linalg::solve(&wmat, &col) {
            Some(x) => x_cols.push(x),
            None => {
                // a zero-curvature free direction nv coupled with s = e_c:
                // q(e_c + tau nv) = M_cc + 2 tau (nv . M_ws e_c), unbounded
                // below; propose a few such directions
                let mut dirs = Vec::new();
                for nv in linalg::nullspace(&wmat, w_idx.len()) {
                    let coupling = dot(&nv, &col);
                    if coupling.is_zero() {
                        continue;
                    }
                    for tau in [1i64, 4, 16] {
                        let f = Q::from_integer((-tau).into()) * coupling.signum();
                        let mut z = vec![Q::zero(); m];
                        z[c] = Q::one();
                        for (k, &wi) in w_idx.iter().enumerate() {
                            z[wi] = &f * &nv[k];
                        }
                        dirs.push(dir(&z));
                    }
                }
                return ConeTest::Fails(
                    dirs,
                    "the Hessian couples a free direction of zero curvature with the cone (range condition fails)".to_string(),
                );
            }
        }
    }
    // S = M_ss - M_sw X
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    let corr = w_idx
                        .iter()
                        .enumerate()
                        .fold(Q::zero(), |acc, (k, &wi)| acc + &mm[a][wi] * &x_cols[b][k]);
                    &mm[a][b] - corr
                })
                .collect()
        })
        .collect();
    match copositive(&s) {
        Ok(()) => ConeTest::Nonneg(kept),
        Err(sv) => {
            let mut z = vec![Q::zero(); m];
            for (k, x) in sv.iter().enumerate() {
                z[k] = x.clone();
            }
            for (k, &wi) in w_idx.iter().enumerate() {
                z[wi] = -(0..r).fold(Q::zero(), |acc, c| acc + &x_cols[c][k] * &sv[c]);
            }
            ConeTest::Fails(
                vec![dir(&z)],
                if relaxed {
                    "the Hessian is not copositive on the critical cone relaxed to independent inequalities (the cone's rows are dependent; the relaxation may be too coarse)".to_string()
                } else {
                    "the Hessian is not copositive on the critical cone".to_string()
                },
            )
        }
    }
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// Inverse of a square rational matrix by Gauss-Jordan; `None` if singular.
pub fn inverse(a: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let n = a.len();
    let mut m: Vec<Vec<Q>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| if i == j { Q::one() } else { Q::zero() }));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n).find(|&r| !m[r][c].is_zero())?;
        m.swap(c, p);
        let piv = m[c][c].clone();
        for x in m[c].iter_mut() {
            *x = &*x / &piv;
        }
        let pivot_row = m[c].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != c && !row[c].is_zero() {
                let f = row[c].clone();
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x -= &f * y;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// Positive semidefiniteness by symmetric elimination with positive
/// pivots; `Err(v)` with `v^T a v < 0` otherwise.
pub fn psd(a: &[Vec<Q>]) -> Result<(), Vec<Q>> {
    let n = a.len();
    let mut m = a.to_vec();
    let mut alive: Vec<usize> = (0..n).collect();
    // eliminated pivots, to lift a witness back: v_p = -sum m_pj v_j / m_pp
    let mut steps: Vec<(usize, Vec<(usize, Q)>)> = Vec::new();
    loop {
        if let Some(&i) = alive.iter().find(|&&i| m[i][i].is_positive()) {
            let row: Vec<(usize, Q)> = alive
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| (j, &m[i][j] / &m[i][i]))
                .collect();
            for &(j, ref fj) in &row {
                for &(k, _) in &row {
                    let delta = fj * &m[i][k];
                    m[j][k] -= delta;
                }
            }
            steps.push((i, row));
            alive.retain(|&j| j != i);
            continue;
        }
        // no positive pivot left
        let mut v = vec![Q::zero(); n];
        if let Some(&i) = alive.iter().find(|&&i| m[i][i].is_negative()) {
            v[i] = Q::one();
        } else if let Some((i, j)) = alive
            .iter()
            .flat_map(|&i| alive.iter().map(move |&j| (i, j)))
            .find(|&(i, j)| !m[i][j].is_zero())
        {
            // zero diagonal, nonzero off-diagonal: v = e_i - sign(m_ij) e_j
            v[i] = Q::one();
            v[j] = if m[i][j].is_positive() {
                -Q::one()
            } else {
                Q::one()
            };
        } else {
            return Ok(());
        }
        // lift through the eliminated pivots (in reverse)
        for (p, row) in steps.iter().rev() {
            v[*p] = -row.iter().fold(Q::zero(), |acc, (j, f)| acc + f * &v[*j]);
        }
        return Err(v);
    }
}

/// Copositivity of a symmetric matrix (`x^T s x >= 0` for all `x >= 0`) by
/// the Cottle-Habetler-Lemke criterion over all principal submatrices;
/// `Err(x)` with `x >= 0`, `x^T s x < 0` otherwise. Exponential in the
/// order; callers keep it small.
pub fn copositive(s: &[Vec<Q>]) -> Result<(), Vec<Q>> {
    let r = s.len();
    if s.iter().flatten().all(|x| !x.is_negative()) || psd(s).is_ok() {
        return Ok(());
    }
    // subsets in order of size, so the first failure is a minimal one
    let mut subsets: Vec<u32> = (1..(1u32 << r)).collect();
    subsets.sort_by_key(|m| m.count_ones());
    for mask in subsets {
        let idx: Vec<usize> = (0..r).filter(|&i| mask >> i & 1 == 1).collect();
        let sub: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| idx.iter().map(|&j| s[i][j].clone()).collect())
            .collect();
        if let Some(inv) = inverse(&sub) {
            if inv.iter().flatten().all(|x| !x.is_positive()) {
                let mut x = vec![Q::zero(); r];
                for (k, &i) in idx.iter().enumerate() {
                    x[i] = -inv[k].iter().fold(Q::zero(), |acc, v| acc + v);
                }
                return Err(x);
            }
        }
    }
    Ok(())
}

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
pub fn second_order_arcs(problem: &Problem, params: &Params, extra: &[Vec<Q>]) -> Vec<Arc> {
    let arch = &problem.arch;
    if arch.hidden_layers() != 1 {
        return Vec::new();
    }
    let theta = params.flat();
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
    let all_kinks = kinks(problem, params);
    let mut out = Vec::new();
    for d in dirs {
        if d.len() != n {
            continue;
        }
        // the cone of d (ties on a kink: + side, with n . e >= 0)
        let dots: Vec<Q> = all_kinks.iter().map(|k| dot(&k.normal, &d)).collect();
        let sides: Vec<bool> = dots.iter().map(|x| !x.is_negative()).collect();
        let Some(tm) = terms(problem, params, &all_kinks, &sides, &theta) else {
            continue;
        };
        let mut model = lp::Lp::new(Sense::Minimize);
        let e: Vec<lp::VarId> = (0..n)
            .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
            .collect();
        let mut objective = Vec::new();
        let mut first = Q::zero();
        for term in &tm {
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
        if let LpResult::Optimal { x, value, .. } = lp::solve(&model) {
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

//! The local-minimum verifier: exact verdicts with certificates.
//!
//! Owns: deciding, for an instance's point, one of `global-min`,
//! `local-min`, `not-local-min`, `undecided`, and building the certificate
//! that `check` re-verifies. Proofs produced here:
//! - `global-min` by the lower bound 0: the loss at the point is exactly 0;
//! - `global-min` for linear models (linear activation or no hidden layer):
//!   the loss equals the LP optimum over all linear (affine) classifiers,
//!   binary or multiclass, proven by the LP's dual solution;
//! - `local-min` by flatness: every piece of the loss next to the point
//!   (every completion of the signature's live zero entries, see
//!   `network::Signature::complete`) is the constant polynomial L(theta*),
//!   so the loss is constant on a neighbourhood;
//! - `local-min` by the piecewise second-order argument of `local` (at most
//!   one hidden layer);
//! - `not-local-min` by a first-order descent direction: `probe` proposes
//!   directions in floats, and the exact one-sided directional derivative
//!   (`Problem::directional_derivative`) must be negative, with an exact
//!   point of lower loss on the ray (tried first, after the zero-loss test:
//!   most points that are not minima end here);
//! - `not-local-min` by a descent arc `theta* + t d` or `theta* + t d + t^2 e`
//!   (or of order L for deep linear networks) whose exact loss germ (`arc`)
//!   decreases, with an exact point of lower loss on it. Candidate arcs are
//!   proposed by first-order LPs, orthant rays, the pieces' gradients and
//!   Hessians, and the second-order analysis (exact, but only proposals: the
//!   arc itself is what is checked).
//!
//! Everything else is `undecided`, with the reason.
//!
//! Must not: give a verdict without a certificate that `check` accepts, or
//! let a float, a sample or a time limit decide (a limit only stops the
//! search, giving `undecided`).

use crate::arc::{loss_along, Arc, UPoly};
use crate::cellpoly::{loss_poly, output_polys};
use crate::instance::{canonical_hash, Instance};
use crate::local::SecondOrder;
use crate::lp::{self, Cmp, LpResult, Sense};
use crate::network::{LossKind, Params, PointView, Problem, Side, Signature, ZeroEntry};
use crate::number::{fmt_q, Q};
use crate::poly::{Poly, Var};
use crate::probe::Probe;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Certificate format version written and read.
pub const CERT_VERSION: u64 = 1;

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    GlobalMin,
    LocalMin,
    NotLocalMin,
    Undecided,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::GlobalMin => "global-min",
            Verdict::LocalMin => "local-min",
            Verdict::NotLocalMin => "not-local-min",
            Verdict::Undecided => "undecided",
        }
    }

    /// What the verdict says about (local_min, global_min); None = not decided.
    pub fn implies(self) -> (Option<bool>, Option<bool>) {
        match self {
            Verdict::GlobalMin => (Some(true), Some(true)),
            Verdict::LocalMin => (Some(true), None),
            Verdict::NotLocalMin => (Some(false), Some(false)),
            Verdict::Undecided => (None, None),
        }
    }
}

/// Limits on the search; reaching one gives `undecided`, never a verdict.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most pieces (completions of zero entries) examined.
    pub max_pieces: usize,
    /// Wall-clock budget for the search.
    pub timeout: Option<Duration>,
    /// Try the first-order probe (float-proposed descent directions,
    /// decided by the exact directional derivative) before everything
    /// else. Off, `not-local-min` points are found only by the arc search
    /// (`relucert verify --no-probe`; used to test that search alone).
    pub probe: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pieces: 4096,
            timeout: None,
            probe: true,
        }
    }
}

/// The outcome: verdict, loss, reason, certificate (JSON, `None` when undecided).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub loss: Q,
    pub reason: String,
    pub certificate: Option<Value>,
}

fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

fn header(inst: &Instance, claim: Verdict, loss: &Q, evidence: Value) -> Value {
    json!({
        "format": "relucert-certificate",
        "version": CERT_VERSION,
        "instance_sha256": canonical_hash(inst),
        "claim": claim.name(),
        "loss": qs(loss),
        "evidence": evidence,
    })
}

/// All completions of the zero entries (sides for each), in a fixed order;
/// `None` if there are more than `cap`.
pub fn completions(zeros: &[ZeroEntry], cap: usize) -> Option<Vec<Vec<Side>>> {
    let mut total: usize = 1;
    for z in zeros {
        let k = match z {
            ZeroEntry::Tie { classes, .. } => classes.len(),
            _ => 2,
        };
        total = total.checked_mul(k)?;
        if total > cap {
            return None;
        }
    }
    let mut out: Vec<Vec<Side>> = vec![Vec::new()];
    for z in zeros {
        let options: Vec<Side> = match z {
            ZeroEntry::Tie { classes, .. } => classes.iter().map(|&c| Side::Class(c)).collect(),
            _ => vec![Side::Pos, Side::Neg],
        };
        out = out
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| {
                    let mut p = prefix.clone();
                    p.push(*o);
                    p
                })
            })
            .collect();
    }
    Some(out)
}

/// Decide the instance's point. `Err` only for an instance without a point.
pub fn verify(inst: &Instance, limits: &Limits) -> Result<Outcome, String> {
    let start = Instant::now();
    let out_of_time = || limits.timeout.is_some_and(|t| start.elapsed() > t);
    let Some(params) = inst.point.as_ref() else {
        return Err("point: missing table: verify needs a [point] table".to_string());
    };
    let problem = &inst.problem;
    let (loss, views) = problem.loss_and_views(params);
    if loss.is_zero() {
        return Ok(decided(
            inst,
            Verdict::GlobalMin,
            loss,
            json!({"kind": "zero-loss"}),
            "the loss is exactly 0, and a hinge loss is never negative".to_string(),
        ));
    }
    // A first-order descent direction, proposed in floats and decided by
    // the exact one-sided directional derivative: most points that are not
    // local minima are settled here, before any LP or piece is built.
    if let Some(found) = limits
        .probe
        .then(|| quick_descent(problem, params, &views, &loss))
        .flatten()
    {
        return Ok(descended(inst, loss, found));
    }
    // Linear models (deep linear networks, or no hidden layer) with the
    // binary hinge: the loss is at least the optimum over all linear
    // (affine, with any bias) classifiers, an LP whose dual proves it.
    let bound = linear_lower_bound(problem);
    let kind_of = |affine: bool| if affine { "affine" } else { "linear" };
    if let Some(b) = bound.as_ref().filter(|b| b.value == loss) {
        let evidence = json!({
            "kind": "linear-lp-bound",
            "affine": b.affine,
            "lambda": b.lambda.iter().map(qs).collect::<Vec<_>>(),
        });
        let reason = format!(
            "the loss equals the optimum {} of the hinge loss over all {} classifiers (an LP; its dual solution is the certificate), which no network of this kind can beat",
            fmt_q(&b.value),
            kind_of(b.affine)
        );
        return Ok(decided(inst, Verdict::GlobalMin, loss, evidence, reason));
    }
    if let Some(b) = multiclass_lower_bound(problem).filter(|b| b.value == loss) {
        let evidence = json!({
            "kind": "multiclass-lp-bound",
            "affine": b.affine,
            "lambda": b.lambda.iter().map(|row| row.iter().map(qs).collect::<Vec<_>>()).collect::<Vec<_>>(),
        });
        let reason = format!(
            "the loss equals the optimum {} of the {} loss over all {} multiclass classifiers (an LP; its dual solution is the certificate), which no network computing a linear map can beat",
            fmt_q(&b.value),
            problem.loss.name(),
            kind_of(b.affine)
        );
        return Ok(decided(inst, Verdict::GlobalMin, loss, evidence, reason));
    }
    let ev = problem.evaluate(params);
    let sig = Signature::of(problem, &ev);
    let all_zeros = sig.zero_entries();
    // a kink on a point whose hinge arguments are all < 0 changes no term of
    // the loss near the point (only that point's outputs depend on it): its
    // side is fixed to +, not enumerated
    let live = |z: &ZeroEntry| match z {
        ZeroEntry::PreActivation { point, .. } => ev.points[*point]
            .terms
            .iter()
            .any(|h| !h.argument.is_negative()),
        _ => true,
    };
    let zeros: Vec<ZeroEntry> = all_zeros.iter().filter(|z| live(z)).cloned().collect();
    // too many completions: skip the flatness test and the per-piece arc
    // proposals, but still try the (cheaper) second-order analysis
    let capped = completions(&zeros, limits.max_pieces).map(|list| {
        list.into_iter()
            .map(|sides| {
                let mut it = sides.into_iter();
                all_zeros
                    .iter()
                    .map(|z| {
                        if live(z) {
                            it.next().unwrap_or(Side::Pos)
                        } else {
                            Side::Pos
                        }
                    })
                    .collect::<Vec<Side>>()
            })
            .collect::<Vec<_>>()
    });
    // above the cap, arcs are still proposed from a deterministic sample
    // of completions (proposals only: every arc is checked exactly)
    let all = capped.clone().unwrap_or_else(|| {
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        (0..256u64)
            .map(|s| {
                all_zeros
                    .iter()
                    .map(|z| match z {
                        ZeroEntry::Tie { classes, .. } => Side::Class(rng.pick(classes)),
                        _ if !live(z) => Side::Pos,
                        _ if s == 0 => Side::Pos,
                        _ if s == 1 => Side::Neg,
                        _ if rng.chance(1, 2) => Side::Pos,
                        _ => Side::Neg,
                    })
                    .collect()
            })
            .collect()
    });
    let pieces_note = if capped.is_none() {
        format!(
            "{} zero entries give more than {} pieces (--max-pieces), so flatness and per-piece arcs were not examined; ",
            zeros.len(),
            limits.max_pieces
        )
    } else {
        String::new()
    };
    // Many pieces: with one hidden layer, the second-order proof (whose
    // regions split only live kinks and kept corners) is tried before the
    // enumeration of every piece; if it fails, the search goes on below.
    // (a small region budget here; the full attempt comes last)
    if all.len() > 64 && problem.arch.hidden_layers() == 1 && bound.is_none() {
        if let SecondOrder::Proof { evidence, summary } =
            crate::local::prove(problem, params, limits.max_pieces.min(256), &out_of_time)
        {
            return Ok(decided(inst, Verdict::LocalMin, loss, evidence, summary));
        }
    }
    let flat = params.flat();
    let mut pieces: Vec<Poly> = Vec::with_capacity(all.len());
    for sides in &all {
        if out_of_time() {
            return Ok(undecided(
                loss,
                "the time limit (--timeout) was reached while building pieces".to_string(),
            ));
        }
        let pattern = sig.complete(sides)?;
        pieces.push(loss_poly(problem, &pattern));
    }
    let constant = Poly::constant(loss.clone());
    if capped.is_some() && pieces.iter().all(|p| *p == constant) {
        return Ok(decided(
            inst,
            Verdict::LocalMin,
            loss,
            json!({"kind": "flat", "zero_entries": zeros.len(), "pieces": pieces.len()}),
            format!(
                "flat: {} of the loss around the point {} the constant {}",
                if pieces.len() == 1 {
                    "the only piece".to_string()
                } else {
                    format!("all {} pieces", pieces.len())
                },
                if pieces.len() == 1 { "is" } else { "are" },
                fmt_q(&pieces[0].constant_term())
            ),
        ));
    }
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
        let mut attempt = |arc: Arc| -> bool {
            if out_of_time() {
                timed_out = true;
                return true;
            }
            tried_cell.set(tried_cell.get() + 1);
            found = try_arc(problem, &arc, &loss);
            found.is_some()
        };
        // general position first: O(M) rays instead of 2^M cones
        let mut stop_rays = false;
        for arc in orthant_ray_arcs(problem, params) {
            if attempt(arc) {
                stop_rays = true;
                break;
            }
        }
        if !stop_rays {
            first_order_candidates(problem, &sig, &flat, &all, &mut attempt);
        }
        let mut stop = false;
        if let Some(b) = &bound {
            for arc in linear_model_arcs(problem, params, b) {
                if attempt(arc) {
                    stop = true;
                    break;
                }
            }
        }
        from_lp = tried_cell.get();
        'pieces: for phi in &pieces {
            if stop {
                break;
            }
            for arc in candidate_arcs(phi, &flat, n) {
                if attempt(arc) {
                    break 'pieces;
                }
            }
        }
    }
    let mut tried = tried_cell.get();
    if let Some(found) = found {
        return Ok(descended(inst, loss, found));
    }
    if timed_out {
        return Ok(undecided(
            loss,
            format!("the time limit (--timeout) was reached after {tried} candidate arcs"),
        ));
    }
    if let Some(b) = &bound {
        return Ok(undecided(
            loss.clone(),
            format!(
                "the loss {} is above the optimum {} over {} classifiers, so by the source paper's theorem (every local minimum of a deep linear network with the binary hinge loss is global) this is not a local minimum, but none of {tried} candidate descent arcs descends, so there is no certificate",
                fmt_q(&loss),
                fmt_q(&b.value),
                if b.affine { "affine" } else { "linear" }
            ),
        ));
    }
    match crate::local::prove(problem, params, limits.max_pieces, &out_of_time) {
        SecondOrder::Proof { evidence, summary } => {
            Ok(decided(inst, Verdict::LocalMin, loss, evidence, summary))
        }
        SecondOrder::Failed { reason, candidates } => {
            // the failures' directions, also with second-order corrections
            let dirs: Vec<Vec<Q>> = candidates
                .iter()
                .filter_map(|a| a.dirs.first().cloned())
                .collect();
            let mut candidates = candidates;
            candidates.extend(crate::local::second_order_arcs(problem, params, &dirs));
            let extra = candidates.len();
            for arc in candidates {
                if out_of_time() {
                    break;
                }
                tried += 1;
                if let Some(found) = try_arc(problem, &arc, &loss) {
                    return Ok(descended(inst, loss, found));
                }
            }
            let nonconst = pieces.iter().filter(|p| **p != constant).count();
            Ok(undecided(
                loss,
                format!(
                    "{pieces_note}not flat ({nonconst} of {} pieces around the point are not constant), none of {tried} candidate descent arcs descends ({from_lp} from first-order LPs and linear-model moves, {extra} from the second-order analysis), and the piecewise second-order proof fails: {reason}",
                    pieces.len()
                ),
            ))
        }
    }
}

/// The LP lower bound for linear models with the binary hinge loss.
pub struct LinearBound {
    /// `min over classifiers of the average hinge loss` (= the dual optimum).
    pub value: Q,
    /// Whether an offset is allowed (some layer has a bias).
    pub affine: bool,
    /// Dual multipliers: `0 <= lambda_i <= 1`, `sum lambda_i y_i x_i = 0`,
    /// `sum lambda_i y_i = 0` if affine; `value = (1/N) sum lambda_i`.
    pub lambda: Vec<Q>,
    /// An optimal classifier `(a, c)` (`c = 0` if not affine), from the primal.
    pub classifier: (Vec<Q>, Q),
}

/// For a network computing a linear (affine) function of its input (linear
/// activation, or no hidden layer) with the binary hinge loss: the optimum
/// of the hinge loss over all linear (affine) classifiers, by an exact LP,
/// with its dual certificate. Weak duality: for every (a, c),
/// `(1/N) sum max(0, 1 - y_i (a.x_i + c)) >= (1/N) sum lambda_i (1 - y_i (a.x_i + c)) = (1/N) sum lambda_i`.
pub fn linear_lower_bound(problem: &Problem) -> Option<LinearBound> {
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || problem.loss != LossKind::Hinge {
        return None;
    }
    let affine = arch.bias.iter().any(|&b| b);
    let n = problem.data.len();
    let d = arch.input_dim();
    let nq = Q::from_integer((n as i64).into());
    // primal: min (1/N) sum xi_i, xi_i >= 1 - y_i (a.x_i + c), xi >= 0
    let mut model = lp::Lp::new(Sense::Minimize);
    let a: Vec<lp::VarId> = (0..d).map(|_| model.add_var(None, None)).collect();
    let c = affine.then(|| model.add_var(None, None));
    let xi: Vec<lp::VarId> = (0..n)
        .map(|_| model.add_var(Some(Q::zero()), None))
        .collect();
    for ((slack, xrow), &label) in xi.iter().zip(&problem.data.x).zip(&problem.data.y) {
        let y = Q::from_integer(label.into());
        // xi_i + y x_i . a + y c >= 1
        let mut row: Vec<(lp::VarId, Q)> = vec![(*slack, Q::one())];
        row.extend(a.iter().zip(xrow).map(|(v, x)| (*v, &y * x)));
        if let Some(c) = c {
            row.push((c, y.clone()));
        }
        model.add_row(row, Cmp::Ge, Q::one());
    }
    model.set_objective(xi.iter().map(|v| (*v, Q::one() / &nq)).collect());
    let LpResult::Optimal { x, duals, value } = lp::solve(&model) else {
        return None;
    };
    // duals of the >= rows of a minimisation are >= 0 and are the
    // multipliers of (1/N) lambda_i; recheck the dual conditions exactly
    let lambda: Vec<Q> = duals.iter().map(|y| y * &nq).collect();
    let ok = lambda.iter().all(|l| !l.is_negative() && *l <= Q::one())
        && (0..d).all(|k| {
            (0..n)
                .fold(Q::zero(), |acc, i| {
                    acc + &lambda[i]
                        * Q::from_integer(problem.data.y[i].into())
                        * &problem.data.x[i][k]
                })
                .is_zero()
        })
        && (!affine
            || (0..n)
                .fold(Q::zero(), |acc, i| {
                    acc + &lambda[i] * Q::from_integer(problem.data.y[i].into())
                })
                .is_zero())
        && lambda.iter().fold(Q::zero(), |acc, l| acc + l) / &nq == value;
    if !ok {
        return None;
    }
    let classifier = (
        a.iter().map(|v| x[v.0].clone()).collect(),
        c.map_or_else(Q::zero, |v| x[v.0].clone()),
    );
    Some(LinearBound {
        value,
        affine,
        lambda,
        classifier,
    })
}

/// The LP lower bound for linear models with a multiclass loss.
pub struct MulticlassBound {
    /// The optimum over all multiclass classifiers `x -> W x (+ c)`.
    pub value: Q,
    /// Whether offsets `c` are allowed (some layer has a bias).
    pub affine: bool,
    /// Dual multipliers `lambda[i][k]` (0 for `k = y_i`): in `[0, 1]`
    /// (Weston-Watkins) or `>= 0` with row sums `<= 1` (Crammer-Singer);
    /// `sum_i sum_k lambda_ik (e_k - e_{y_i}) x_i^T = 0` (and `... = 0`
    /// without `x_i` if affine); `value = (1/N) sum lambda_ik`.
    pub lambda: Vec<Vec<Q>>,
}

/// For a network computing a linear (affine) map (linear activation, or no
/// hidden layer) with the Weston-Watkins or Crammer-Singer loss: the
/// optimum over all linear (affine) multiclass classifiers by an exact LP,
/// with its dual certificate (weak duality: every hinge term is at least
/// its multiplier times its argument, and the arguments' classifier parts
/// cancel).
pub fn multiclass_lower_bound(problem: &Problem) -> Option<MulticlassBound> {
    let arch = &problem.arch;
    let linear_model = arch.hidden_layers() == 0 || !arch.activation.has_kink();
    if !linear_model || problem.loss == LossKind::Hinge {
        return None;
    }
    let cs = problem.loss == LossKind::CrammerSinger;
    let affine = arch.bias.iter().any(|&b| b);
    let n = problem.data.len();
    let d = arch.input_dim();
    let classes = arch.output_width();
    let nq = Q::from_integer((n as i64).into());
    let mut model = lp::Lp::new(Sense::Minimize);
    let w: Vec<Vec<lp::VarId>> = (0..classes)
        .map(|_| (0..d).map(|_| model.add_var(None, None)).collect())
        .collect();
    let c: Vec<Option<lp::VarId>> = (0..classes)
        .map(|_| affine.then(|| model.add_var(None, None)))
        .collect();
    let mut objective = Vec::new();
    // row index of (i, k)
    let mut row_of = vec![vec![None; classes]; n];
    for (i, (x, &label)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let y = usize::try_from(label).ok()?;
        let shared = cs.then(|| model.add_var(Some(Q::zero()), None));
        if let Some(v) = shared {
            objective.push((v, Q::one() / &nq));
        }
        for k in (0..classes).filter(|&k| k != y) {
            let xi = match shared {
                Some(v) => v,
                None => {
                    let v = model.add_var(Some(Q::zero()), None);
                    objective.push((v, Q::one() / &nq));
                    v
                }
            };
            // xi - (w_k - w_y) . x - (c_k - c_y) >= 1
            let mut row = vec![(xi, Q::one())];
            for (j, xj) in x.iter().enumerate() {
                if !xj.is_zero() {
                    row.push((w[k][j], -xj.clone()));
                    row.push((w[y][j], xj.clone()));
                }
            }
            if let (Some(ck), Some(cy)) = (c[k], c[y]) {
                row.push((ck, -Q::one()));
                row.push((cy, Q::one()));
            }
            row_of[i][k] = Some(model.add_row(row, Cmp::Ge, Q::one()));
        }
    }
    model.set_objective(objective);
    let LpResult::Optimal { duals, value, .. } = lp::solve(&model) else {
        return None;
    };
    let lambda: Vec<Vec<Q>> = row_of
        .iter()
        .map(|r| {
            r.iter()
                .map(|x| x.map_or_else(Q::zero, |row| &duals[row] * &nq))
                .collect()
        })
        .collect();
    // recheck the dual conditions exactly
    let sums_ok = lambda.iter().all(|row| {
        row.iter().all(|l| !l.is_negative())
            && if cs {
                row.iter().fold(Q::zero(), |a, l| a + l) <= Q::one()
            } else {
                row.iter().all(|l| *l <= Q::one())
            }
    });
    let balance = |m: usize, coord: Option<usize>| -> Q {
        (0..n).fold(Q::zero(), |acc, i| {
            let y = problem.data.y[i] as usize;
            let xv = coord.map_or_else(Q::one, |j| problem.data.x[i][j].clone());
            let mut t = Q::zero();
            for (k, l) in lambda[i].iter().enumerate() {
                if k == y || l.is_zero() {
                    continue;
                }
                if m == k {
                    t += l;
                }
                if m == y {
                    t -= l;
                }
            }
            acc + t * xv
        })
    };
    let balanced = (0..classes).all(|m| {
        (0..d).all(|j| balance(m, Some(j)).is_zero()) && (!affine || balance(m, None).is_zero())
    });
    let total = lambda.iter().flatten().fold(Q::zero(), |a, l| a + l) / &nq;
    (sums_ok && balanced && total == value).then_some(MulticlassBound {
        value,
        affine,
        lambda,
    })
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

/// A decided verdict with its certificate.
fn decided(inst: &Instance, verdict: Verdict, loss: Q, evidence: Value, reason: String) -> Outcome {
    let certificate = Some(header(inst, verdict, &loss, evidence));
    Outcome {
        verdict,
        loss,
        reason,
        certificate,
    }
}

/// A `not-local-min` verdict from a descent direction or arc.
fn descended(inst: &Instance, loss: Q, found: Found) -> Outcome {
    decided(
        inst,
        Verdict::NotLocalMin,
        loss,
        found.evidence,
        found.reason,
    )
}

fn undecided(loss: Q, reason: String) -> Outcome {
    Outcome {
        verdict: Verdict::Undecided,
        loss,
        reason,
        certificate: None,
    }
}

struct Found {
    evidence: Value,
    reason: String,
}

/// The first-order probe (`probe`): float proposals of descent directions,
/// each rounded to a small integer direction `d` and decided exactly: the
/// one-sided directional derivative `L'(theta*; d)` must be negative, and an
/// explicit step `t` (proposed by a float line search, then evaluated
/// exactly) must lower the loss. If no proposed step is confirmed, the ray
/// goes to `try_arc`, whose exact radius always yields a lower point when
/// `L'(theta*; d) < 0`.
fn quick_descent(
    problem: &Problem,
    params: &Params,
    views: &[PointView],
    loss: &Q,
) -> Option<Found> {
    let probe = Probe::new(problem, params, views);
    let flat = params.flat();
    let theta_f: Vec<f64> = flat.iter().map(|q| q.to_f64().unwrap_or(0.0)).collect();
    let nf = problem.data.len() as f64;
    let base = probe.loss_at(&theta_f, &theta_f, 0.0);
    for d in probe.directions(4) {
        let max = d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if max == 0.0 || !max.is_finite() {
            continue;
        }
        let ints: Vec<i64> = d
            .iter()
            .map(|v| (v * 1024.0 / max).round() as i64)
            .collect();
        let g = ints.iter().fold(0i64, |g, &v| num_integer::gcd(g, v));
        if g == 0 {
            continue;
        }
        let ints: Vec<i64> = ints.iter().map(|v| v / g).collect();
        let dq: Vec<Q> = ints.iter().map(|&v| Q::from_integer(v.into())).collect();
        let dparams = Params::from_flat(&problem.arch, &dq)?;
        let deriv = problem.directional_derivative(params, &dparams);
        if !deriv.is_negative() {
            continue;
        }
        // a float Armijo step proposes t = 2^-k (from a step about as long
        // as the direction's largest entry, 1024, is over 2^8); the exact
        // loss decides
        let df: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
        let slope = deriv.to_f64().unwrap_or(0.0) * nf;
        let mut exact_tries = 0;
        for k in 8..=100u32 {
            let t = 0.5f64.powi(k as i32);
            if probe.loss_at(&theta_f, &df, t) > base + 0.5 * t * slope {
                continue;
            }
            let tq = Q::new(1.into(), num_bigint::BigInt::from(1u8) << k);
            let at: Vec<Q> = flat
                .iter()
                .zip(&ints)
                .map(|(x, &v)| step_coordinate(x, v, k))
                .collect();
            let lower_params = Params::from_flat(&problem.arch, &at)?;
            let lower = problem.loss(&lower_params);
            if &lower < loss {
                let evidence = json!({
                    "kind": "descent-direction",
                    "dir": dq.iter().map(qs).collect::<Vec<_>>(),
                    "derivative": qs(&deriv),
                    "lower_point": {
                        "t": qs(&tq),
                        "params": at.iter().map(qs).collect::<Vec<_>>(),
                        "loss": qs(&lower),
                    },
                });
                let reason = format!(
                    "first-order descent direction: the one-sided directional derivative of the loss along it is {} < 0; at t = {} the loss is {} < {}",
                    fmt_q(&deriv),
                    fmt_q(&tq),
                    fmt_q(&lower),
                    fmt_q(loss)
                );
                return Some(Found { evidence, reason });
            }
            exact_tries += 1;
            if exact_tries >= 3 {
                break;
            }
        }
        let arc = Arc {
            point: flat.clone(),
            dirs: vec![dq],
        };
        if let Some(found) = try_arc(problem, &arc, loss) {
            return Some(found);
        }
    }
    None
}

/// `x + v 2^-k`, exactly; in `i128` when the numbers fit (the reduction
/// then needs no BigInt gcd), else in rationals.
fn step_coordinate(x: &Q, v: i64, k: u32) -> Q {
    let small = (|| {
        let (a, b) = (x.numer().to_i128()?, x.denom().to_i128()?);
        let p = 1i128.checked_shl(k).filter(|p| *p > 0 && k < 120)?;
        let num = a.checked_mul(p)?.checked_add((v as i128).checked_mul(b)?)?;
        let den = b.checked_mul(p)?;
        let g = num_integer::gcd(num, den);
        Some(Q::new_raw((num / g).into(), (den / g).into()))
    })();
    small.unwrap_or_else(|| x + Q::new(v.into(), num_bigint::BigInt::from(1u8) << k))
}

/// Check an arc exactly; on descent, return the certificate evidence.
fn try_arc(problem: &Problem, arc: &Arc, loss: &Q) -> Option<Found> {
    let al = loss_along(problem, arc)?;
    if al.descends() != Some(true) {
        return None;
    }
    // an explicit point of lower loss: halve t below both radii until exact
    let diff = al.loss.sub(&UPoly::constant(loss.clone()));
    let mut t = if diff.sign_radius() < al.t0 {
        diff.sign_radius()
    } else {
        al.t0.clone()
    };
    let two = Q::from_integer(2.into());
    let mut lower = None;
    for _ in 0..200 {
        t = &t / &two;
        let params = Params::from_flat(&problem.arch, &arc.at(&t))?;
        let l = problem.loss(&params);
        if &l < loss {
            lower = Some((t.clone(), l));
            break;
        }
    }
    let (t, lower_loss) = lower?;
    let order = al
        .loss
        .0
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, a)| !a.is_zero())
        .map_or(0, |(i, _)| i);
    let evidence = json!({
        "kind": "descent-arc",
        "dirs": arc.dirs.iter().map(|d| d.iter().map(qs).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "loss_polynomial": al.loss.0.iter().map(qs).collect::<Vec<_>>(),
        "lower_point": {
            "t": qs(&t),
            "params": arc.at(&t).iter().map(qs).collect::<Vec<_>>(),
            "loss": qs(&lower_loss),
        },
    });
    Some(Found {
        evidence,
        reason: format!(
            "descent arc of order {order}: the loss along it is {} for small t > 0; at t = {} the loss is {} < {}",
            poly_text(&al.loss),
            fmt_q(&t),
            fmt_q(&lower_loss),
            fmt_q(loss)
        ),
    })
}

fn poly_text(p: &UPoly) -> String {
    let mut q = Poly::zero();
    for (i, c) in p.0.iter().enumerate() {
        q.add_term(
            crate::poly::Monomial::from_pairs([(0, i as u32)]),
            c.clone(),
        );
    }
    q.to_text(&|_| "t".to_string())
}

/// First-order descent directions (THEORY 5.2), proposed by exact LPs: for
/// each choice of sides of the zero pre-activations and ties (hinge
/// arguments at 0 stay as `max(0, g . d)` terms), minimise the one-sided
/// directional derivative `sum_active g_i . d + sum_corner max(0, g_i . d)`
/// over the box `|d_v| <= 1`, with the first hidden layer's chosen sides as
/// linear constraints. A negative optimum proposes the arc `theta* + t d`,
/// which is then checked exactly like every other candidate.
fn first_order_candidates(
    problem: &Problem,
    sig: &Signature,
    theta: &[Q],
    all: &[Vec<Side>],
    consume: &mut dyn FnMut(Arc) -> bool,
) {
    let arch = &problem.arch;
    let n = arch.num_params();
    let zeros = sig.zero_entries();
    let mut seen: Vec<Vec<Side>> = Vec::new();
    for sides in all {
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
        let grad = |p: &Poly| -> Vec<Q> {
            (0..n)
                .map(|v| p.partial(v as Var).evaluate(theta))
                .collect()
        };
        let mut active = vec![Q::zero(); n];
        let mut corners: Vec<Vec<Q>> = Vec::new();
        for i in 0..problem.data.len() {
            let f = output_polys(problem, &pattern, i);
            let y = problem.data.y[i];
            let one = Poly::constant(Q::one());
            let args: Vec<Poly> = match problem.loss {
                LossKind::Hinge => vec![one.sub(&f[0].scale(&Q::from_integer(y.into())))],
                LossKind::MulticlassHinge => (0..f.len())
                    .filter(|&k| k != y as usize)
                    .map(|k| one.add(&f[k]).sub(&f[y as usize]))
                    .collect(),
                LossKind::CrammerSinger => match pattern.competitor[i] {
                    Some(k) => vec![one.add(&f[k]).sub(&f[y as usize])],
                    None => Vec::new(),
                },
            };
            for a in args {
                let v = a.evaluate(theta);
                if v.is_positive() {
                    for (acc, g) in active.iter_mut().zip(grad(&a)) {
                        *acc += g;
                    }
                } else if v.is_zero() {
                    corners.push(grad(&a));
                }
            }
        }
        let mut model = lp::Lp::new(Sense::Minimize);
        let d: Vec<lp::VarId> = (0..n)
            .map(|_| model.add_var(Some(-Q::one()), Some(Q::one())))
            .collect();
        let mut objective: Vec<(lp::VarId, Q)> = d
            .iter()
            .zip(&active)
            .map(|(v, g)| (*v, g.clone()))
            .collect();
        for g in &corners {
            let u = model.add_var(Some(Q::zero()), None);
            objective.push((u, Q::one()));
            let mut row: Vec<(lp::VarId, Q)> = vec![(u, Q::one())];
            row.extend(d.iter().zip(g).map(|(v, c)| (*v, -c)));
            model.add_row(row, Cmp::Ge, Q::zero());
        }
        // first-layer kinks: stay on the chosen side to first order
        for (z, side) in zeros.iter().zip(&key) {
            if let ZeroEntry::PreActivation {
                point,
                layer: 1,
                unit,
            } = z
            {
                let sign = if *side == Side::Pos {
                    Q::one()
                } else {
                    -Q::one()
                };
                let mut row: Vec<(lp::VarId, Q)> = (0..arch.input_dim())
                    .map(|k| {
                        (
                            d[arch.weight_index(1, *unit, k)],
                            &sign * &problem.data.x[*point][k],
                        )
                    })
                    .collect();
                if let Some(b) = arch.bias_index(1, *unit) {
                    row.push((d[b], sign.clone()));
                }
                model.add_row(row, Cmp::Ge, Q::zero());
            }
        }
        model.set_objective(objective);
        if let LpResult::Optimal { x, value, .. } = lp::solve(&model) {
            if value.is_negative()
                && consume(Arc {
                    point: theta.to_vec(),
                    dirs: vec![x[..n].to_vec()],
                })
            {
                return;
            }
        }
    }
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
fn orthant_ray_arcs(problem: &Problem, params: &Params) -> Vec<Arc> {
    if problem.arch.hidden_layers() != 1 {
        return Vec::new();
    }
    let normals: Vec<Vec<Q>> = crate::local::kinks(problem, params)
        .into_iter()
        .map(|k| k.normal)
        .collect();
    let theta = params.flat();
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
fn candidate_arcs(phi: &Poly, theta: &[Q], n: usize) -> Vec<Arc> {
    let grad: Vec<Q> = (0..n)
        .map(|v| phi.partial(v as Var).evaluate(theta))
        .collect();
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

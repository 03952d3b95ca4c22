//! Exact descent to a certified local minimum.
//!
//! Owns: following the verifier's certified descent arcs from a starting
//! point until the verifier certifies a (local or global) minimum, gives
//! up (`undecided`), or a step limit is reached; and random starts, for the
//! bifurcation statistic of the source paper (leaky networks on separable
//! data should always end at loss 0; ReLU networks sometimes at sub-optimal
//! minima).
//!
//! Each step: `verify` the current point; on `not-local-min` take its
//! certificate's arc `theta(t) = theta + t d_1 + ...` and choose the step
//! by an exact line search over candidate steps (the exact minimiser of the
//! arc's loss polynomial on its first piece when that is a convex
//! quadratic; when it has higher degree, as the squared loss gives, its
//! local minimisers in (0, 256] found in floats and rounded to dyadic
//! rationals; the arc's breakpoints; and the dyadic steps 2^k, k = 8 ..
//! -60), plus the exact piecewise walk of `linesearch` (the piece's exact
//! minimiser when it lies inside the piece, else its end kink, exactly or,
//! when irrational, bracketed by simple rationals and snapped onto by a
//! bias shift), keeping of the points within `2^-10` of the best decrease
//! the one with the most zero pre-activations and loss arguments (a kink
//! reached), then the fewest bits; for the hinge losses, from the third
//! step on, also a walk along the line from the point two steps back
//! through the new point (the parallel-tangent step against the zigzag of
//! exact line searches), the corner a creeping descent approaches
//! (`corner`: every nearly zero kink made exactly zero at once), and a
//! long point rounded to a dyadic grid and snapped back onto its kinks.
//! Regression losses then try, each kept only when its exact loss is lower: bias shifts that
//! put a nearly zero residual or pre-activation exactly on its corner, the
//! point rounded to a short dyadic grid (when it keeps half the decrease),
//! and for the squared loss the exact least-squares output layer. A
//! descent that lowers the loss by less than 2^-30 of it over 8 steps
//! stops as stalled (still `not-local-min`), and so does one whose step
//! carries a number longer than `BIT_CAP` bits that no dyadic rounding
//! keeps below the current loss (otherwise the numbers double at every
//! step of a descent creeping towards a corner). Every loop reads the
//! deadline. Every comparison is between exact losses, so the loss
//! strictly decreases at every step.
//!
//! Must not: accept a step that does not lower the exact loss, or report a
//! minimum the verifier has not certified.

mod corner;
pub mod linesearch;
mod starts;

pub use starts::{random_starts, End, StartError, StartRun, Starts};

use crate::instance::Instance;
use crate::network::Params;
use crate::number::Q;
use crate::verify::{verify, Limits, Outcome, Verdict, VerifyError};
use num_traits::{Signed, Zero};
use relucert_core::cert::{Certificate, Evidence, LowerPoint};

/// Where a descent ended.
#[derive(Clone, Debug)]
pub struct Descent {
    /// The final point (the instance with its point replaced).
    pub end: Instance,
    /// The verifier's outcome at the final point.
    pub outcome: Outcome,
    /// Steps taken.
    pub steps: usize,
    /// Exact loss after each step (starting loss first).
    pub losses: Vec<Q>,
    /// Why it stopped (a sentence).
    pub stop: String,
    /// Why it stopped (the kind).
    pub stop_kind: Stop,
    /// Steps whose new point has more zero pre-activations or loss
    /// arguments than the point before it (a kink reached).
    pub kink_steps: usize,
    /// The zero pre-activations and loss arguments of the final point
    /// (every one of them, exactly).
    pub end_zeros: Vec<linesearch::Kink>,
}

/// Why a descent stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stop {
    /// The verifier certified a global minimum.
    GlobalMin,
    /// The verifier certified a local minimum.
    LocalMin,
    /// The verifier could not decide.
    Undecided,
    /// The step limit was reached (still `not-local-min`).
    StepLimit,
    /// The deadline passed (still `not-local-min` or undecided).
    TimeLimit,
    /// Regression: the loss stopped decreasing measurably (still
    /// `not-local-min`).
    Stall,
}

impl Stop {
    /// The kind's name in `descend --json` (`stop`).
    pub fn name(self) -> &'static str {
        match self {
            Stop::GlobalMin => "global-min",
            Stop::LocalMin => "local-min",
            Stop::Undecided => "undecided",
            Stop::StepLimit => "step-limit",
            Stop::TimeLimit => "time-limit",
            Stop::Stall => "stall",
        }
    }

    /// Did a limit (steps or time) end the descent?
    pub fn is_limit(self) -> bool {
        matches!(self, Stop::StepLimit | Stop::TimeLimit)
    }
}

/// The arc of a descent certificate and its lower point: `dirs` of a
/// `descent-arc`, or the one `dir` of a `descent-direction` (a ray); `None`
/// for any other evidence.
fn arc_of(cert: &Certificate) -> Option<(Vec<Vec<Q>>, &LowerPoint)> {
    match &cert.evidence {
        Evidence::DescentArc {
            dirs, lower_point, ..
        } => Some((dirs.clone(), lower_point)),
        Evidence::DescentDirection {
            dir, lower_point, ..
        } => Some((vec![dir.clone()], lower_point)),
        _ => None,
    }
}

/// Why a descent could not run. Its text (`Display`) is the message the
/// descent has always given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DescendError {
    /// The verifier could not run at some step (e.g. no `[point]`).
    Verify(VerifyError),
    /// An internal consistency check failed (a bug, reported, never hidden).
    Internal(&'static str),
}

impl std::fmt::Display for DescendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DescendError::Verify(e) => write!(f, "{e}"),
            DescendError::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for DescendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DescendError::Verify(e) => Some(e),
            DescendError::Internal(_) => None,
        }
    }
}

/// Descend from the instance's point for at most `max_steps` steps (and,
/// until `limits.deadline`, in all; the deadline only stops the descent,
/// it decides nothing: every step taken is a certified descent, and the
/// steps taken before it are the steps taken without it).
pub fn descend(
    inst: &Instance,
    max_steps: usize,
    limits: &Limits,
) -> Result<Descent, DescendError> {
    let deadline = &limits.deadline;
    let mut current = inst.clone();
    let problem = inst.problem.clone();
    let arch = &problem.arch;
    let mut losses = Vec::new();
    let mut kink_steps = 0usize;
    // the points of the last two steps (for the parallel-tangent step)
    let mut history: Vec<Vec<Q>> = Vec::new();
    for step in 0..=max_steps {
        let outcome = verify(&current, limits).map_err(DescendError::Verify)?;
        losses.push(outcome.loss.clone());
        let time = || (Stop::TimeLimit, "time limit reached".to_string());
        let stop = match outcome.verdict {
            Verdict::GlobalMin => Some((Stop::GlobalMin, "certified minimum".to_string())),
            Verdict::LocalMin => Some((Stop::LocalMin, "certified minimum".to_string())),
            Verdict::Undecided if deadline.expired() => Some(time()),
            Verdict::Undecided => Some((
                Stop::Undecided,
                format!("the verifier could not decide: {}", outcome.reason),
            )),
            Verdict::NotLocalMin if deadline.expired() => Some(time()),
            Verdict::NotLocalMin if step == max_steps => Some((
                Stop::StepLimit,
                format!("step limit {max_steps} reached"),
            )),
            Verdict::NotLocalMin if stalled(&losses) => Some((Stop::Stall, format!(
                "stalled: the last {STALL_STEPS} steps lowered the loss by less than 2^-30 of it (a descent creeping towards a corner it cannot reach exactly)"
            ))),
            Verdict::NotLocalMin => None,
        };
        if let Some((stop_kind, stop)) = stop {
            return Ok(finish(
                current, outcome, step, losses, stop_kind, stop, kink_steps,
            ));
        }
        let cert = outcome
            .certificate
            .as_ref()
            .ok_or(DescendError::Internal("a verdict without certificate"))?;
        let (dirs, lower_point) = arc_of(cert).ok_or(DescendError::Internal(
            "a descent certificate without an arc",
        ))?;
        let theta = current
            .point
            .as_ref()
            .ok_or(DescendError::Internal("no point"))?
            .flat();
        let mut candidates: Vec<Q> = (-60..=8)
            .map(|k: i32| {
                if k >= 0 {
                    Q::from_integer((1i64 << k).into())
                } else {
                    Q::new(1.into(), num_bigint::BigInt::from(2u32).pow((-k) as u32))
                }
            })
            .collect();
        let arc = crate::arc::Arc { point: theta, dirs };
        let along = crate::arc::loss_along(&problem, &arc);
        // the exact minimiser of a convex quadratic loss polynomial (order-1 arcs)
        if let Some(c) = along.as_ref().map(|al| &al.loss.0) {
            if arc.dirs.len() == 1 && c.len() == 3 && c[2].is_positive() && c[1].is_negative() {
                candidates.push(-&c[1] / (&c[2] * Q::from_integer(2.into())));
            }
        }
        // the squared loss (and deep networks) make the first piece's loss
        // a polynomial of higher degree: its local minimisers, found in
        // floats and rounded to short dyadic rationals, are only proposals
        if let Some(al) = along.as_ref() {
            if al.loss.0.len() > 3 {
                candidates.extend(float_minimisers(&al.loss.0));
            }
        }
        candidates.push(lower_point.t.clone());
        // breakpoints of the arc: land exactly on kinks and hinge corners
        // (otherwise a descent can creep towards a kink forever)
        if let Some(al) = along {
            candidates.extend(al.breakpoints);
        }
        // the exact piecewise walk: the piece's minimiser or its end
        let polys = linesearch::arc_polys(&arc);
        let walk = linesearch::walk(&problem, &polys, deadline);
        candidates.extend(walk.steps);
        candidates.sort();
        candidates.dedup();
        let mut points: Vec<Vec<Q>> = Vec::with_capacity(candidates.len());
        for t in &candidates {
            points.push(arc.at(t));
        }
        // points exactly on an irrational kink the walk bracketed
        for (t, z) in &walk.near_kinks {
            if deadline.expired() {
                break;
            }
            if let Some(p) = Params::from_flat(arch, &arc.at(t)) {
                points.extend(
                    linesearch::kink_snaps(&problem, &p, z)
                        .iter()
                        .map(Params::flat),
                );
            }
        }
        let mut scored: Vec<(Q, Vec<Q>)> = Vec::new();
        for flat in points {
            if deadline.expired() {
                // still `not-local-min` at the current point, certified
                let (kind, why) = time();
                return Ok(finish(
                    current, outcome, step, losses, kind, why, kink_steps,
                ));
            }
            let Some(p) = Params::from_flat(arch, &flat) else {
                continue;
            };
            let l = problem.loss(&p);
            if l < outcome.loss {
                scored.push((l, flat));
            }
        }
        let zeros_now = current
            .point
            .as_ref()
            .map_or(0, |p| linesearch::zeros(&problem, p).len());
        let Some((mut best_loss, mut flat)) = linesearch::choose(&problem, &outcome.loss, scored)
        else {
            return Err(DescendError::Internal(
                "no step along a certified descent arc lowers the loss",
            ));
        };
        // the parallel-tangent step (against the zigzag of exact line
        // searches in a valley): on along the line from the point two
        // steps back through the new point, kept when its exact loss is
        // lower
        history.push(arc.point.clone());
        if history.len() > 2 {
            history.remove(0);
        }
        if history.len() == 2 && !problem.loss.is_regression() {
            let d: Vec<Q> = flat.iter().zip(&history[0]).map(|(a, b)| a - b).collect();
            let line = crate::arc::Arc {
                point: flat.clone(),
                dirs: vec![d],
            };
            let w = linesearch::walk(&problem, &linesearch::arc_polys(&line), deadline);
            for t in w.steps {
                if deadline.expired() {
                    break;
                }
                let cand = line.at(&t);
                if let Some(p) = Params::from_flat(arch, &cand) {
                    let l = problem.loss(&p);
                    if l < best_loss {
                        best_loss = l;
                        flat = cand;
                    }
                }
            }
        }
        // the corner a creeping descent approaches (several kinks at
        // once), kept when its exact loss is lower
        if !problem.loss.is_regression() && !deadline.expired() {
            if let Some(c) =
                Params::from_flat(arch, &flat).and_then(|p| corner::corner_snap(&problem, &p))
            {
                let l = problem.loss(&c);
                if l < best_loss {
                    best_loss = l;
                    flat = c.flat();
                }
            }
        }
        // keep the numbers short: the point rounded to a dyadic grid
        // replaces the step when its exact loss keeps at least half the
        // decrease (a smooth squared-loss descent otherwise doubles its
        // digits at every step and never lands anywhere exact)
        let enough = (&outcome.loss + &best_loss) / Q::from_integer(2.into());
        let grids: &[u32] = if problem.loss.is_regression() {
            &[8, 16, 24, 32, 48]
        } else {
            &[]
        };
        // the hinge losses: a point of more than 64 bits a number, rounded
        // to a dyadic grid and snapped back onto its kinks (bias shifts),
        // replaces the step when it keeps half the decrease and as many
        // zeros (the exact steps otherwise double the digits at each step)
        if !problem.loss.is_regression() && flat.iter().any(|q| q.denom().bits() > 64) {
            if let Some(p) = Params::from_flat(arch, &flat) {
                if let Some(r) = linesearch::round_keeping_kinks(&problem, &p, &enough, deadline) {
                    flat = r.flat();
                }
            }
        }
        for &bits in grids {
            let rounded: Vec<Q> = flat.iter().map(|q| round_dyadic(q, bits)).collect();
            if rounded == flat {
                break;
            }
            if let Some(p) = Params::from_flat(arch, &rounded) {
                if problem.loss(&p) <= enough {
                    flat = rounded;
                    break;
                }
            }
        }
        // regression: snap a nearly zero residual or pre-activation of the
        // new point exactly to zero through its bias (a descent creeping
        // towards a corner whose place on the ray is irrational otherwise
        // never reaches it), kept when the exact loss is lower
        if problem.loss.is_regression() {
            if let Some(p) = Params::from_flat(arch, &flat) {
                let mut best_loss = problem.loss(&p);
                for cand in snaps(&problem, &p) {
                    let l = problem.loss(&cand);
                    if l < best_loss {
                        best_loss = l;
                        flat = cand.flat();
                    }
                }
            }
        }
        // the bit cap: a point with a number longer than `BIT_CAP` bits is
        // rounded to the coarsest dyadic grid that still lowers the exact
        // loss; when none does, the step is refused and the descent stops
        // (numbers that double at every step would otherwise stall the
        // process for minutes inside one exact evaluation)
        if max_bits(&flat) > BIT_CAP {
            match cap_bits(&problem, &flat, &outcome.loss, deadline) {
                Some(r) => flat = r,
                None => {
                    let why = if deadline.expired() {
                        time()
                    } else {
                        (Stop::Stall, format!(
                            "stalled: the step's numbers exceed {BIT_CAP} bits and no point rounded to a dyadic grid of at most {} bits lowers the loss (a descent creeping towards a corner it cannot reach exactly)",
                            CAP_GRIDS[CAP_GRIDS.len() - 1]
                        ))
                    };
                    return Ok(finish(
                        current, outcome, step, losses, why.0, why.1, kink_steps,
                    ));
                }
            }
        }
        let mut next = Params::from_flat(arch, &flat);
        // squared loss: the exact least-squares output layer for the
        // hidden activations of the new point (a convex quadratic in the
        // output layer), kept when its exact loss is lower
        if problem.loss == crate::network::LossKind::Squared {
            if let Some(p) = next.as_ref() {
                if let Some(fit) = output_layer_fit(&problem, p) {
                    if problem.loss(&fit) < problem.loss(p) {
                        next = Some(fit);
                    }
                }
            }
        }
        if next
            .as_ref()
            .is_some_and(|p| linesearch::zeros(&problem, p).len() > zeros_now)
        {
            kink_steps += 1;
        }
        current.point = next;
    }
    Err(DescendError::Internal("descent loop ended"))
}

/// The descent that ends at `end` with `outcome`.
fn finish(
    end: Instance,
    outcome: Outcome,
    steps: usize,
    losses: Vec<Q>,
    stop_kind: Stop,
    stop: String,
    kink_steps: usize,
) -> Descent {
    let end_zeros = end
        .point
        .as_ref()
        .map(|p| linesearch::zeros(&end.problem, p))
        .unwrap_or_default();
    Descent {
        end,
        outcome,
        steps,
        losses,
        stop,
        stop_kind,
        kink_steps,
        end_zeros,
    }
}

/// The output layer (weights and bias) minimising the squared loss for
/// the hidden activations of `params`, exactly from the normal equations
/// (free variables 0 when they are singular); `None` if there is no output
/// layer to fit.
fn output_layer_fit(problem: &crate::network::Problem, params: &Params) -> Option<Params> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let bias = arch.bias_index(depth, 0).is_some();
    let rows: Vec<Vec<Q>> = problem
        .data
        .x
        .iter()
        .map(|x| {
            let trace = crate::network::forward(arch, params, x);
            let mut row: Vec<Q> = match trace.pre.last() {
                Some(z) => z
                    .iter()
                    .map(|v| arch.activation.slope(v.is_positive()) * v)
                    .collect(),
                None => x.clone(),
            };
            if bias {
                row.push(Q::from_integer(1.into()));
            }
            row
        })
        .collect();
    let m = rows.first()?.len();
    let ata: Vec<Vec<Q>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| rows.iter().map(|r| &r[a] * &r[b]).sum())
                .collect()
        })
        .collect();
    let atb: Vec<Q> = (0..m)
        .map(|a| {
            rows.iter()
                .enumerate()
                .map(|(i, r)| &r[a] * problem.data.target(i))
                .sum()
        })
        .collect();
    let u = crate::linalg::solve(&ata, &atb)?;
    let mut out = params.clone();
    let layer = out.layers.last_mut()?;
    let width = layer.w.first()?.len();
    layer.w[0] = u[..width].to_vec();
    if let Some(b) = layer.b.as_mut() {
        b[0] = u.get(width)?.clone();
    }
    Some(out)
}

/// Candidate points: for every data point's residual (regression output
/// minus target) or hidden pre-activation that is nonzero but at most
/// `1e-6` times the largest of its layer over the data, `params` with that
/// unit's bias shifted to make it exactly zero (at most 16 candidates).
fn snaps(problem: &crate::network::Problem, params: &Params) -> Vec<Params> {
    let arch = &problem.arch;
    // values[i][l][j]: hidden pre-activations, then the residual
    let values: Vec<Vec<Vec<Q>>> = problem
        .data
        .x
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let trace = crate::network::forward(arch, params, x);
            let mut v = trace.pre;
            v.push(vec![&trace.output[0] - problem.data.target(i)]);
            v
        })
        .collect();
    let mut big: Vec<Q> = vec![Q::zero(); arch.depth()];
    for v in &values {
        for (l, zs) in v.iter().enumerate() {
            for z in zs {
                if z.abs() > big[l] {
                    big[l] = z.abs();
                }
            }
        }
    }
    let million = Q::from_integer(1_000_000.into());
    let mut out = Vec::new();
    for v in &values {
        for (l, zs) in v.iter().enumerate() {
            for (j, z) in zs.iter().enumerate() {
                if z.is_zero() || z.abs() * &million > big[l] || out.len() >= 16 {
                    continue;
                }
                let mut p = params.clone();
                if let Some(b) = p.layers[l].b.as_mut() {
                    b[j] -= z;
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The longest number (numerator plus denominator bits) a descent step
/// may carry to the next step (longer points are rounded, or the step is
/// refused).
pub const BIT_CAP: u64 = 1200;

/// The dyadic grids (bits after the point) tried when a point exceeds
/// [`BIT_CAP`], coarsest first.
const CAP_GRIDS: [u32; 5] = [32, 64, 128, 256, 512];

/// The longest number of `flat` (numerator plus denominator bits).
pub(crate) fn max_bits(flat: &[Q]) -> u64 {
    flat.iter()
        .map(|q| q.numer().bits() + q.denom().bits())
        .max()
        .unwrap_or(0)
}

/// `flat` rounded to the coarsest grid of `CAP_GRIDS` whose point is
/// within [`BIT_CAP`] and has exact loss below `current`; `None` when no
/// grid does (or the deadline passed).
fn cap_bits(
    problem: &crate::network::Problem,
    flat: &[Q],
    current: &Q,
    deadline: &crate::Deadline,
) -> Option<Vec<Q>> {
    for bits in CAP_GRIDS {
        if deadline.expired() {
            return None;
        }
        let rounded: Vec<Q> = flat.iter().map(|q| round_dyadic(q, bits)).collect();
        if max_bits(&rounded) > BIT_CAP {
            continue;
        }
        let p = Params::from_flat(&problem.arch, &rounded)?;
        if problem.loss(&p) < *current {
            return Some(rounded);
        }
    }
    None
}

/// Steps over which [`stalled`] measures the decrease.
const STALL_STEPS: usize = 8;

/// Did the last `STALL_STEPS` steps lower the loss by less than `2^-30`
/// of it? (A stop rule only: the point stays certified `not-local-min`.)
fn stalled(losses: &[Q]) -> bool {
    if losses.len() <= STALL_STEPS {
        return false;
    }
    let last = &losses[losses.len() - 1];
    let before = &losses[losses.len() - 1 - STALL_STEPS];
    (before - last) * Q::from_integer((1i64 << 30).into()) < *last
}

/// `q` rounded to the nearest multiple of `2^-bits` (ties up).
pub(crate) fn round_dyadic(q: &Q, bits: u32) -> Q {
    let scale = num_bigint::BigInt::from(1u8) << bits;
    let scaled = q * Q::from_integer(scale.clone()) + Q::new(1.into(), 2.into());
    Q::new(scaled.floor().to_integer(), scale)
}

/// Proposed local minimisers in `(0, 256]` of the polynomial with
/// coefficients `c` (constant first): sign changes of its derivative from
/// negative to positive on a geometric grid, refined by float bisection and
/// rounded to 24 significant bits (a dyadic rational). Floats only
/// propose: the caller compares exact losses.
pub(crate) fn float_minimisers(c: &[Q]) -> Vec<Q> {
    use num_traits::ToPrimitive;
    let dc: Vec<f64> = c
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, a)| k as f64 * a.to_f64().unwrap_or(0.0))
        .collect();
    if dc.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let deriv = |t: f64| dc.iter().rev().fold(0.0, |acc, a| acc * t + a);
    let grid: Vec<f64> = (0..=544)
        .map(|i| (2f64).powf(-60.0 + i as f64 / 8.0))
        .collect();
    let mut out = Vec::new();
    for w in grid.windows(2) {
        let (mut lo, mut hi) = (w[0], w[1]);
        if !(deriv(lo) < 0.0 && deriv(hi) >= 0.0) {
            continue;
        }
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if deriv(mid) < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let e = 23 - hi.log2().floor() as i32;
        let scaled = (hi * (2f64).powi(e)).round();
        if scaled <= 0.0 || !scaled.is_finite() {
            continue;
        }
        let num = num_bigint::BigInt::from(scaled as i64);
        out.push(if e >= 0 {
            Q::new(num, num_bigint::BigInt::from(1u8) << e as u32)
        } else {
            Q::from_integer(num << (-e) as u32)
        });
        if out.len() >= 8 {
            break;
        }
    }
    out
}

/// A pseudo-random starting point (fixed seed): every parameter an
/// independent p/q with |p| <= 4, q in 1..=4.
pub fn random_point(arch: &crate::network::Architecture, seed: u64) -> Params {
    let mut rng = crate::rng::Rng::new(seed);
    let flat: Vec<Q> = (0..arch.num_params())
        .map(|_| {
            let p = rng.int(-4, 4);
            let q = rng.int(1, 4);
            Q::new(p.into(), q.into())
        })
        .collect();
    Params::from_flat(arch, &flat).expect("the flat vector has num_params entries")
}

/// Is the loss exactly zero at the end?
pub fn ended_at_zero(d: &Descent) -> bool {
    d.outcome.loss.is_zero()
}

impl Descent {
    /// The final point as an instance to write out: the end point, named
    /// after `file`, its `source` the command that produced it, and no
    /// `[expect]` (the start's expectations do not hold at the end).
    pub fn end_instance(&self, file: &str) -> Instance {
        let mut end = self.end.clone();
        end.name = Some(format!("descended from {file}"));
        end.source = Some(format!(
            "relucert descend {file} ({} steps, {})",
            self.steps,
            self.outcome.verdict.name()
        ));
        end.expect = None;
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{generate, Family};

    #[test]
    fn float_minimisers_find_the_quartic_minimum() {
        // (t - 3/4)^2 (t + 1)^2 + 1: minimum at t = 3/4 on (0, 256]
        let q = |n: i64, d: i64| Q::new(n.into(), d.into());
        // expand: (t^2 + t/4 - 3/4)^2 + 1
        let c = vec![q(25, 16), q(-3, 8), q(-23, 16), q(1, 2), q(1, 1)];
        let m = float_minimisers(&c);
        assert_eq!(m, vec![q(3, 4)]);
    }

    #[test]
    fn end_instance_names_its_origin_and_drops_expect() {
        let mut inst = generate(Family::Linear, 1, 0).instance;
        inst.expect = Some(crate::instance::Expect::default());
        let d = descend(&inst, 5, &Limits::default()).expect("descent runs");
        let end = d.end_instance("start.toml");
        assert_eq!(end.name.as_deref(), Some("descended from start.toml"));
        assert_eq!(
            end.source,
            Some(format!(
                "relucert descend start.toml ({} steps, {})",
                d.steps,
                d.outcome.verdict.name()
            ))
        );
        assert!(end.expect.is_none());
        assert_eq!(end.point, d.end.point);
        assert_eq!(end.problem, d.end.problem);
    }
}

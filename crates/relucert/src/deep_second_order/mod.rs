//! Second-order proofs of a local minimum for the hinge-type losses
//! (`hinge`, `multiclass-hinge`, `crammer-singer`) at any depth, where the
//! pieces around the point are polyhedral. Evidence: `deep-second-order`
//! (docs/certificates.md). Used by `verify` for two or more hidden layers
//! (one hidden layer has the piecewise proof of `second_order`).
//!
//! Owns: [`prove`]: which zero entries are polyhedral, the regions (a side
//! for every live zero entry), their rows and lower-bound polynomials, the
//! gauge slice (`squared::slice::quotient_with`, dead ReLU units fixed at
//! any depth), the Farkas multipliers on the slice (exact LPs, re-checked)
//! and the strict copositivity test (`squared::strict`).
//!
//! The local picture. Fix `theta*`, `theta = theta* + d`. A term whose
//! hinge argument is `< 0` stays 0 nearby; a point all of whose terms are
//! `< 0` contributes nothing, so its zero pre-activations are not *live*.
//! A live zero pre-activation `z` of unit `j`, layer `l`, point `i` is
//! *polyhedral* when `z(theta* + d)` is linear in `d` near 0: `l = 1`
//! (`z = W_1[j] x_i + b_1[j]`), or the activation is ReLU and every unit of
//! layer `l - 1` is `< 0` on point `i` (they stay dead, the layer's output
//! is 0 nearby, and `z = b_l[j]`: normal `e_b`, or 0 without a bias). Any
//! other live kink is refused (its side is a polynomial condition).
//! A hinge corner (argument exactly 0) contributes `max(0, Delta(d))` and a
//! Crammer-Singer tie `max_k Delta_k(d)` with polynomials `Delta`: not
//! polyhedral at depth >= 2, so they are split by *leading branch* as in
//! the one-hidden-layer proof: a region picks a side for every live entry;
//! its rows are `s n . d >= 0` per kink (`s = +-1`), `+-grad Delta . d >= 0`
//! per hinge corner (the gradient on the region's pattern), and
//! `grad (Delta_k - Delta_k') . d >= 0` per tie (`k` the chosen class).
//! The regions cover a neighbourhood (each `d` satisfies the rows of the
//! kink cone it lies in and of the branches leading at first order), and
//! on the closed kink cone, near 0, the loss is at least the piece
//! polynomial `phi_s` of the region's completion (each max is at least its
//! chosen branch; on the closed cone the network is the pattern's
//! polynomial). A hinge corner may also be *dropped*: always its 0 branch,
//! no row, no split (`max(0, .) >= 0`).
//!
//! The test, on the slice. With `B` a basis of the slice `S'` (rescaling
//! orbits quotiented, dead ReLU coordinates fixed: `squared::slice`), the
//! gradient `g` and Hessian `H` of `phi_s` at `theta*`, and rows `r_k`:
//! (a) `B^T g = sum lambda_k B^T r_k`, `lambda >= 0`; (b) `y^T B^T H B y > 0`
//! for every nonzero `y` of the critical cone `{r_k . B y = 0 (lambda_k >
//! 0), >= 0 (else)}`. Claim: then `phi_s(theta* + B y) > phi_s(theta*)` for
//! every small nonzero `y` of the region's cone `C`. Proof: else take
//! `y_i -> 0` in `C`, `phi_s(theta* + B y_i) <= L*`, `t_i = |y_i|`,
//! `u_i = y_i / t_i -> u in C`, `|u| = 1`. Taylor with a uniform remainder
//! (a polynomial): `t_i g.u_i + t_i^2 u_i^T H u_i / 2 + O(t_i^3) <= 0`
//! (on the slice, `g` for `B^T g`). Since `g.u_i >= 0` on `C` (a), dividing
//! by `t_i` gives `g.u = 0`, so `r_k.u = 0` where `lambda_k > 0`: `u` is in
//! the critical cone; dividing by `t_i^2` gives `u^T H u <= 0`, against
//! (b). So on the slice near `theta*` the loss is `>= L*` on every region,
//! hence everywhere near `theta*` on the slice; every point near `theta*`
//! has a point of the slice near `theta*` with the same loss (implicit
//! function theorem on the rescalings `k_j`, whose Jacobian is the Gram
//! matrix of the tangents `A'_j` with dead coordinates left out, required
//! independent; then the dead coordinates reset): a local minimum.
//!
//! Why strict. The non-strict condition (copositive, not strictly) is what
//! suffices for quadratics (one hidden layer, `second_order`); with two or
//! more hidden layers `phi_s` has terms of degree 3 and more, and a direction of zero
//! curvature in the critical cone leaves the sign to them (e.g. `x y z` at
//! 0 with `x, y, z` free: gradient and Hessian vanish, yet it changes
//! sign). So a zero-curvature direction is refused (undecided with the
//! reason), and a negative one is returned as a candidate descent arc
//! (decided only by the exact arc check in `verify`).
//!
//! Must not: claim anything on a float; prove a region by anything but
//! exact multipliers and the exact strict test; accept a non-polyhedral
//! live kink; handle the regression losses (they have their own proofs).

use crate::cellpoly::{loss_poly, output_polys};
use crate::network::{Activation, LossKind, Params, Pattern, Problem, Side, Signature, ZeroEntry};
use crate::number::Q;
use crate::poly::Poly;
use crate::squared::jet;
use crate::squared::slice::quotient_with;
use crate::squared::strict::{on_basis, strict_on_critical_cone, Strict};
use num_traits::{One, Signed, Zero};
use relucert_core::cert::{DeepRegion, Evidence, Unit};
use relucert_core::Deadline;

/// The result of the attempt: the squared proof's type (the evidence is
/// `deep-second-order` here).
pub use crate::squared::Sosc as DeepSosc;
use crate::squared::{dot, fail};

/// A live zero entry and what the regions do with it.
enum Live {
    /// A polyhedral kink: index into the zero entries, its normal.
    Kink(usize, Vec<Q>),
    /// A hinge corner: index, point, Weston-Watkins class.
    Corner(usize, usize, Option<usize>),
    /// A Crammer-Singer tie: index, point, the tied classes.
    Tie(usize, usize, Vec<usize>),
}

/// The normal of a live zero pre-activation if it is polyhedral (module
/// doc), else `None`.
fn polyhedral_normal(problem: &Problem, pre: &[Vec<Vec<Q>>], z: &ZeroEntry) -> Option<Vec<Q>> {
    let ZeroEntry::PreActivation { point, layer, unit } = z else {
        return None;
    };
    let arch = &problem.arch;
    let mut r = vec![Q::zero(); arch.num_params()];
    if *layer == 1 {
        for (c, x) in problem.data.x[*point].iter().enumerate() {
            r[arch.weight_index(1, *unit, c)] = x.clone();
        }
    } else if matches!(arch.activation, Activation::Relu)
        && pre[*point][layer - 2].iter().all(Signed::is_negative)
    {
        // the previous layer stays dead: z = b nearby
    } else {
        return None;
    }
    if let Some(b) = arch.bias_index(*layer, *unit) {
        r[b] = Q::one();
    }
    Some(r)
}

/// The gradient of `p` at `theta`.
fn gradient(p: &Poly, theta: &[Q]) -> Vec<Q> {
    (0..theta.len())
        .map(|v| p.partial(v as u32).evaluate(theta))
        .collect()
}

/// Hinge argument `t` of point `i` on `pattern` (`class`: Weston-Watkins
/// competitor; Crammer-Singer uses `competitor`).
fn argument(problem: &Problem, pattern: &Pattern, i: usize, competitor: usize) -> Poly {
    let f = output_polys(problem, pattern, i);
    let y = problem.data.y[i];
    let one = Poly::constant(Q::one());
    match problem.loss {
        LossKind::Hinge => one.sub(&f[0].scale(&Q::from_integer(y.into()))),
        _ => one.add(&f[competitor]).sub(&f[y as usize]),
    }
}

/// Most regions of one attempt (the checker has the same limit).
pub const MAX_DEEP_REGIONS: usize = 4096;

/// Try the proof at `params` (signature `sig`) for a hinge-type loss;
/// `max_regions` bounds each attempt. Attempts: every hinge corner dropped,
/// then none.
pub fn prove(
    problem: &Problem,
    params: &Params,
    sig: &Signature,
    max_regions: usize,
    deadline: &Deadline,
) -> DeepSosc {
    if !matches!(
        problem.loss,
        LossKind::Hinge | LossKind::MulticlassHinge | LossKind::CrammerSinger
    ) {
        return fail("the deep second-order proof is for the hinge-type losses");
    }
    let arch = &problem.arch;
    let theta = params.flat();
    let n = theta.len();
    let ev = problem.evaluate(params);
    let pre: Vec<Vec<Vec<Q>>> = ev.traces.iter().map(|t| t.pre.clone()).collect();
    let zeros = sig.zero_entries();
    let live_point = |i: usize| ev.points[i].terms.iter().any(|h| !h.argument.is_negative());
    let mut live: Vec<Live> = Vec::new();
    for (e, z) in zeros.iter().enumerate() {
        match z {
            ZeroEntry::PreActivation { point, layer, unit } => {
                if !live_point(*point) {
                    continue;
                }
                match polyhedral_normal(problem, &pre, z) {
                    Some(r) => live.push(Live::Kink(e, r)),
                    None => {
                        return fail(format!(
                            "the zero pre-activation of unit {unit} of layer {layer} at point {point} is not polyhedral (its inputs move with the parameters), so the pieces around the point are not polyhedral cones"
                        ))
                    }
                }
            }
            ZeroEntry::Hinge { point, class } => live.push(Live::Corner(e, *point, *class)),
            ZeroEntry::Tie { point, classes } => live.push(Live::Tie(e, *point, classes.clone())),
        }
    }
    let quotient = match quotient_with(arch, &theta, &pre, true) {
        Ok(q) => q,
        Err(why) => return fail(why),
    };
    let corners: Vec<usize> = (0..live.len())
        .filter(|&k| matches!(live[k], Live::Corner(..)))
        .collect();
    let mut attempts: Vec<Vec<usize>> = vec![corners.clone()];
    if !corners.is_empty() {
        attempts.push(Vec::new());
    }
    let mut reason = String::new();
    let mut candidates = Vec::new();
    for dropped in attempts {
        if deadline.expired() {
            return fail("the time limit (--timeout) was reached");
        }
        match attempt(
            problem,
            &theta,
            sig,
            &zeros,
            &live,
            &quotient,
            &dropped,
            max_regions,
            deadline,
        ) {
            Ok(regions) => {
                let units = |v: &[(usize, usize)]| -> Vec<Unit> {
                    v.iter()
                        .map(|&(layer, unit)| Unit { layer, unit })
                        .collect()
                };
                let m = quotient.basis.len();
                let kinks = live.iter().filter(|l| matches!(l, Live::Kink(..))).count();
                let split = live.len() - dropped.len() - kinks;
                let summary = format!(
                    "second-order sufficient condition on the gauge slice: on each of {} regions ({kinks} polyhedral kinks, {split} hinge corners and ties split by leading branch, {} corners bounded below by 0) the gradient lies in the dual of the region's cone and the Hessian is strictly copositive on its critical cone ({} rescaling orbits and {} dead units quotiented, slice dimension {m} of {n})",
                    regions.len(),
                    dropped.len(),
                    quotient.rescaled.len(),
                    quotient.dead.len(),
                );
                return DeepSosc::Proof {
                    evidence: Box::new(Evidence::DeepSecondOrder {
                        rescaled: units(&quotient.rescaled),
                        dead: units(&quotient.dead),
                        dropped,
                        regions,
                    }),
                    summary,
                };
            }
            Err((why, c)) => {
                reason = why;
                candidates.extend(c);
            }
        }
    }
    DeepSosc::Failed { reason, candidates }
}

/// One attempt with the corners `dropped` (indices into `live`).
#[allow(clippy::too_many_arguments)]
fn attempt(
    problem: &Problem,
    theta: &[Q],
    sig: &Signature,
    zeros: &[ZeroEntry],
    live: &[Live],
    quotient: &crate::squared::slice::Quotient,
    dropped: &[usize],
    max_regions: usize,
    deadline: &Deadline,
) -> Result<Vec<DeepRegion>, (String, Vec<Vec<Q>>)> {
    let n = theta.len();
    let basis = &quotient.basis;
    let m = basis.len();
    let restrict = |v: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(v, b)).collect() };
    // the options of every live entry
    let options: Vec<Vec<usize>> = live
        .iter()
        .enumerate()
        .map(|(k, l)| match l {
            _ if dropped.contains(&k) => vec![0],
            Live::Tie(_, _, classes) => classes.clone(),
            _ => vec![1, 0],
        })
        .collect();
    let mut total = 1usize;
    for o in &options {
        total = total.saturating_mul(o.len());
    }
    if total > max_regions.min(MAX_DEEP_REGIONS) {
        return Err((
            format!(
                "{} live zero entries give {total} regions, more than {} (--max-pieces)",
                live.len(),
                max_regions.min(MAX_DEEP_REGIONS)
            ),
            Vec::new(),
        ));
    }
    let mut regions = Vec::with_capacity(total);
    let mut pick = vec![0usize; live.len()];
    for index in 0..total {
        if deadline.expired() {
            return Err(("the time limit (--timeout) was reached".into(), Vec::new()));
        }
        let choice: Vec<usize> = (0..live.len()).map(|k| options[k][pick[k]]).collect();
        // the completion: live entries as chosen, the others on +
        let mut full = vec![Side::Pos; zeros.len()];
        for (l, &c) in live.iter().zip(&choice) {
            match l {
                Live::Kink(e, _) | Live::Corner(e, ..) => {
                    full[*e] = if c == 1 { Side::Pos } else { Side::Neg }
                }
                Live::Tie(e, ..) => full[*e] = Side::Class(c),
            }
        }
        let pattern = sig
            .complete(&full)
            .map_err(|e| (format!("internal: {e}"), Vec::new()))?;
        let piece = loss_poly(problem, &pattern);
        let (g, h) = jet(&piece, theta, n);
        let mut rows: Vec<Vec<Q>> = Vec::new();
        for (k, (l, &c)) in live.iter().zip(&choice).enumerate() {
            if dropped.contains(&k) {
                continue;
            }
            let sgn = if c == 1 { Q::one() } else { -Q::one() };
            match l {
                Live::Kink(_, r) => rows.push(r.iter().map(|x| x * &sgn).collect()),
                Live::Corner(_, i, class) => {
                    let comp = class.or(pattern.competitor[*i]).unwrap_or(0);
                    let a = gradient(&argument(problem, &pattern, *i, comp), theta);
                    rows.push(a.iter().map(|x| x * &sgn).collect());
                }
                Live::Tie(_, i, classes) => {
                    let lead = gradient(&argument(problem, &pattern, *i, c), theta);
                    for &o in classes.iter().filter(|&&o| o != c) {
                        let other = gradient(&argument(problem, &pattern, *i, o), theta);
                        rows.push(lead.iter().zip(&other).map(|(a, b)| a - b).collect());
                    }
                }
            }
        }
        let gb = restrict(&g);
        let rb: Vec<Vec<Q>> = rows.iter().map(|r| restrict(r)).collect();
        let lift = |y: &[Q]| -> Vec<Vec<Q>> {
            let d: Vec<Q> = (0..n)
                .map(|c| (0..m).fold(Q::zero(), |acc, a| acc + &basis[a][c] * &y[a]))
                .collect();
            let neg: Vec<Q> = d.iter().map(|x| -x).collect();
            vec![d, neg]
        };
        let mut lambda = match crate::second_order::farkas_multipliers(&rb, &gb, m, deadline) {
            Ok(l) => l,
            Err(dir) => {
                return Err((
                    format!(
                        "region {index} (choice {choice:?}): the first-order condition fails on the slice (a direction of the region decreases the lower bound at first order)"
                    ),
                    dir.filter(|y| y.len() == m).map(|y| lift(&y)).unwrap_or_default(),
                ))
            }
        };
        // a row that vanishes on the slice carries no multiplier
        for (l, r) in lambda.iter_mut().zip(&rb) {
            if r.iter().all(Zero::is_zero) {
                *l = Q::zero();
            }
        }
        let hb: Vec<Vec<Q>> = on_basis(&h, basis);
        match strict_on_critical_cone(&hb, &rb, &lambda, m, deadline) {
            Strict::Yes => {}
            Strict::No(why, witness) => {
                let dirs = witness.map(|y| lift(&y)).unwrap_or_default();
                return Err((
                    format!("region {index} (choice {choice:?}) of {total}: {why}"),
                    dirs,
                ));
            }
        }
        regions.push(DeepRegion { choice, lambda });
        // next combination
        for k in 0..live.len() {
            pick[k] += 1;
            if pick[k] < options[k].len() {
                break;
            }
            pick[k] = 0;
        }
    }
    Ok(regions)
}

//! `piecewise-second-order` certificates: a local minimum by a quadratic
//! lower bound on every region (networks with at most one hidden layer).
//!
//! Owns: rebuilding the terms of the loss and their branches at the point
//! (every hinge argument `>= 0` is a term; its branches are `0` for a hinge
//! corner, then the argument, or each tied Crammer-Singer competitor's
//! argument), their gradients and Hessians from the checker's own cell
//! polynomials on each region's cone, the region's rows (kink normals times
//! sides, then dominance rows of the chosen branches), and re-proving for
//! every region: convex `lambda`, `sum mu_k r_k = g` with `mu >= 0`, and the
//! Hessian of the lower bound copositive on the critical cone
//! ([`crate::linalg::cone_copositive`]); finally that the regions cover
//! every combination of kink sides and branch choices exactly once.
//!
//! Must not: examine more than [`MAX_REGIONS`] regions (checked before the
//! first), use the library's signature, cell polynomials or second-order
//! code, or run past the deadline (tested once per region and inside the
//! eliminations and copositivity tests of [`crate::linalg`]).

use crate::cell::{output_polys, Pattern, Side};
use crate::error::Stop;
use crate::forward::{Evaluation, Zero};
use crate::linalg::cone_copositive;
use crate::poly::{Jet2, Poly};
use crate::CheckError;
use num_traits::{One, Signed, Zero as _};
use relucert_core::cert::{Kink, Region, RegionProof};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::Q;
use relucert_core::Deadline;
use std::collections::HashSet;

/// Most regions the checker will examine for a `piecewise-second-order` certificate.
pub const MAX_REGIONS: usize = 1 << 16;

/// The parts of a `piecewise-second-order` certificate.
pub struct SecondOrder<'a> {
    /// `dropped`.
    pub dropped: &'a [usize],
    /// `kinks`.
    pub kinks: &'a [Kink],
    /// `corner_terms`.
    pub corner_terms: usize,
    /// `regions`.
    pub regions: &'a [Region],
}

/// The terms of one region: per term its branches' jets, and per term its
/// point and whether it is a hinge corner.
type Terms = (Vec<Vec<Jet2>>, Vec<(usize, bool)>);

/// Rebuild the terms of the loss on the cone with kink sides `pos`.
fn terms_on(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    kinks: &[Kink],
    pos: &[bool],
) -> Result<Terms, String> {
    let n = theta.len();
    let choices: Vec<(Zero, Side)> = ev
        .zero_entries()
        .into_iter()
        .map(|z| {
            let side = match &z {
                Zero::Kink { point, unit, .. } => {
                    match kinks
                        .iter()
                        .position(|k| (k.point, k.unit) == (*point, *unit))
                    {
                        Some(at) if !pos[at] => Side::Neg,
                        _ => Side::Pos,
                    }
                }
                Zero::Tie { classes, .. } => Side::Class(classes[0]),
                Zero::Hinge { .. } => Side::Pos,
            };
            (z, side)
        })
        .collect();
    let pattern = Pattern::complete(ev, &choices);
    let mut terms: Vec<Vec<Jet2>> = Vec::new();
    let mut info: Vec<(usize, bool)> = Vec::new();
    let one = Poly::constant(Q::one());
    for i in 0..problem.data.len() {
        let f = output_polys(problem, &pattern, i);
        let fv: Vec<Q> = f.iter().map(|p| p.evaluate(theta)).collect();
        let yc = problem.data.y[i];
        let arg = |k: usize, t: usize| one.add(&f[k]).sub(&f[t]);
        let groups: Vec<(Vec<Poly>, Q)> = match problem.loss {
            LossKind::Hinge => {
                let y = Q::from_integer(yc.into());
                vec![(vec![one.sub(&f[0].scale(&y))], Q::one() - &y * &fv[0])]
            }
            LossKind::MulticlassHinge => (0..f.len())
                .filter(|&k| k as i64 != yc)
                .map(|k| {
                    (
                        vec![arg(k, yc as usize)],
                        Q::one() + &fv[k] - &fv[yc as usize],
                    )
                })
                .collect(),
            LossKind::CrammerSinger => {
                let t = yc as usize;
                let others: Vec<usize> = (0..f.len()).filter(|&k| k != t).collect();
                let Some(best) = others.iter().map(|&k| fv[k].clone()).max() else {
                    return Err("a Crammer-Singer point needs a competitor".to_string());
                };
                let tied: Vec<Poly> = others
                    .iter()
                    .filter(|&&k| fv[k] == best)
                    .map(|&k| arg(k, t))
                    .collect();
                vec![(tied, Q::one() + best - &fv[t])]
            }
            LossKind::Absolute => {
                // |r| = max(0, r) + max(0, -r), r = f - t: two hinge terms
                let t = problem.data.targets.get(i).cloned().unwrap_or_default();
                let r = f[0].sub(&Poly::constant(t.clone()));
                let rv = &fv[0] - &t;
                vec![
                    (vec![r.clone()], rv.clone()),
                    (vec![Poly::zero().sub(&r)], -rv),
                ]
            }
            LossKind::Squared => {
                return Err(
                    "piecewise-second-order certificates are for the hinge and absolute losses"
                        .to_string(),
                );
            }
        };
        for (args, value) in groups {
            if value.is_negative() {
                continue;
            }
            let mut branches = Vec::new();
            if value.is_zero() {
                branches.push((vec![Q::zero(); n], vec![vec![Q::zero(); n]; n]));
            }
            for a in &args {
                branches.push(
                    a.jet2(theta, n)
                        .ok_or("an output has degree > 2 in the parameters")?,
                );
            }
            info.push((i, value.is_zero()));
            terms.push(branches);
        }
    }
    Ok((terms, info))
}

/// Re-proves: on every region (a kink cone and one branch per hinge
/// corner / tie term, with the chosen branch leading at first order) the
/// quadratic lower bound `G = sum of chosen branches` satisfies (a) `g = sum
/// mu_k r_k`, `mu >= 0` over the region's rows, and (b) `H` copositive on
/// `{r_k . d = 0 (mu_k > 0), r_k . d >= 0 (k kept)}`. By the second-order
/// theory of quadratic programs, `G >= 0` near 0 on each region, and the
/// loss is at least `L* + G / N` there.
pub fn check_second_order(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &SecondOrder<'_>,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    check(problem, ev, theta, cert, deadline)
        .map_err(|e| e.into_error(CheckError::PiecewiseSecondOrder))
}

fn fail<T>(detail: String) -> Result<T, Stop> {
    Err(Stop::Fail(detail))
}

fn check(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &SecondOrder<'_>,
    deadline: &Deadline,
) -> Result<(), Stop> {
    let arch = &problem.arch;
    if arch.hidden_layers() > 1 {
        return fail("needs at most one hidden layer".to_string());
    }
    let n = theta.len();
    let all_kinks: Vec<(usize, usize)> = ev
        .zero_entries()
        .iter()
        .filter_map(|z| match z {
            Zero::Kink { point, unit, .. } => Some((*point, *unit)),
            _ => None,
        })
        .collect();
    let (kinks, dropped) = (cert.kinks, cert.dropped);
    if dropped.windows(2).any(|w| w[0] >= w[1]) {
        return fail("`dropped` must be strictly increasing".to_string());
    }
    let normal = |k: &Kink, pos: bool| -> Vec<Q> {
        let mut r = vec![Q::zero(); n];
        let sgn = if pos { Q::one() } else { -Q::one() };
        for (c, x) in problem.data.x[k.point].iter().enumerate() {
            r[arch.weight_index(1, k.unit, c)] = &sgn * x;
        }
        if let Some(b) = arch.bias_index(1, k.unit) {
            r[b] = sgn;
        }
        r
    };
    if cert.regions.len() > MAX_REGIONS {
        return fail(format!(
            "{} regions exceed the limit MAX_REGIONS = {MAX_REGIONS}",
            cert.regions.len()
        ));
    }
    let mut seen: HashSet<(&[bool], &[usize])> = HashSet::with_capacity(cert.regions.len());
    let mut keys: Vec<Option<Vec<Vec<Q>>>> = Vec::new();
    let mut radix: Option<Vec<usize>> = None;
    for (ri, region) in cert.regions.iter().enumerate() {
        deadline.check()?;
        let where_ = format!("region {ri}");
        let (pos, choice) = (&region.sides, &region.choice);
        if pos.len() != kinks.len() {
            return fail(format!("{where_}: `sides` must have one + or - per kink"));
        }
        if !seen.insert((pos.as_slice(), choice.as_slice())) {
            return fail(format!("{where_}: listed twice"));
        }
        let (terms, term_info) = terms_on(problem, ev, theta, kinks, pos)?;
        // dropped terms: corners only (max(0, .) >= 0 = their value)
        if dropped.iter().any(|&t| t >= terms.len() || !term_info[t].1) {
            return fail(format!(
                "{where_}: only hinge-corner terms (value exactly 0) may be dropped"
            ));
        }
        let kept_points: Vec<usize> = (0..terms.len())
            .filter(|t| !dropped.contains(t))
            .map(|t| term_info[t].0)
            .collect();
        // a kink may be omitted only if its point has no kept term
        let mut rest = kinks.iter().map(|k| (k.point, k.unit)).peekable();
        for k in &all_kinks {
            if rest.peek() == Some(k) {
                rest.next();
            } else if kept_points.contains(&k.0) {
                return fail(format!(
                    "the kink of unit {} on point {} is omitted, but a kept term belongs to that point",
                    k.1, k.0
                ));
            }
        }
        if rest.next().is_some() {
            return fail(
                "`kinks` is not a subsequence of the point's zero first-layer pre-activations"
                    .to_string(),
            );
        }
        let terms: Vec<Vec<Jet2>> = terms
            .into_iter()
            .enumerate()
            .filter(|(t, _)| !dropped.contains(t))
            .map(|(_, b)| b)
            .collect();
        let multi: Vec<usize> = (0..terms.len()).filter(|&t| terms[t].len() > 1).collect();
        let this_radix: Vec<usize> = multi.iter().map(|&t| terms[t].len()).collect();
        if cert.corner_terms != multi.len() {
            return fail(format!(
                "{where_}: the point has {} corner/tie terms, not `corner_terms`",
                multi.len()
            ));
        }
        if radix.get_or_insert_with(|| this_radix.clone()) != &this_radix {
            return fail(format!(
                "{where_}: the term structure differs between cones"
            ));
        }
        if choice.len() != multi.len() || choice.iter().zip(&this_radix).any(|(c, r)| c >= r) {
            return fail(format!(
                "{where_}: `choice` must pick one branch of each of the {} corner/tie terms",
                multi.len()
            ));
        }
        // rows: kinks, then dominance rows; g and H of the chosen branches
        let mut rows: Vec<Vec<Q>> = kinks.iter().zip(pos).map(|(k, &p)| normal(k, p)).collect();
        for (&t, &c) in multi.iter().zip(choice) {
            for q in (0..terms[t].len()).filter(|&q| q != c) {
                rows.push(
                    terms[t][c]
                        .0
                        .iter()
                        .zip(&terms[t][q].0)
                        .map(|(a, b)| a - b)
                        .collect(),
                );
            }
        }
        // the lower bound: convex weights `lambda` on each corner/tie term's
        // branches (weight 1 on single-branch terms)
        let (lambda, mu) = match &region.proof {
            RegionProof::Multipliers {
                lambda: Some(l),
                mu,
            } => (l.clone(), Some(mu)),
            proof => {
                let unit = multi
                    .iter()
                    .zip(choice)
                    .map(|(&t, &c)| {
                        (0..terms[t].len())
                            .map(|q| if q == c { Q::one() } else { Q::zero() })
                            .collect()
                    })
                    .collect();
                match proof {
                    RegionProof::Multipliers { mu, .. } => (unit, Some(mu)),
                    RegionProof::SameAs(_) => (unit, None),
                }
            }
        };
        if lambda.len() != multi.len()
            || lambda.iter().zip(&multi).any(|(w, &t)| {
                w.len() != terms[t].len()
                    || w.iter().any(Signed::is_negative)
                    || w.iter().fold(Q::zero(), |acc, x| acc + x) != Q::one()
            })
        {
            return fail(format!("{where_}: `lambda` must give convex weights to every branch of each corner/tie term"));
        }
        let mut g = vec![Q::zero(); n];
        let mut h = vec![vec![Q::zero(); n]; n];
        for (t, branches) in terms.iter().enumerate() {
            let weights: Vec<Q> = match multi.iter().position(|&m| m == t) {
                Some(k) => lambda[k].clone(),
                None => vec![Q::one()],
            };
            for ((bg, bh), w) in branches.iter().zip(&weights) {
                for (x, y) in g.iter_mut().zip(bg) {
                    *x += y * w;
                }
                for (hr, br) in h.iter_mut().zip(bh) {
                    for (x, y) in hr.iter_mut().zip(br) {
                        *x += y * w;
                    }
                }
            }
        }
        let key = region_key(&rows);
        let Some(mu) = mu else {
            let RegionProof::SameAs(t) = region.proof else {
                return fail("internal: a region without multipliers".to_string());
            };
            match keys.get(t) {
                Some(Some(k)) if t < ri && *k == key => {}
                _ => return fail(format!("{where_}: `same_as` must name an earlier proven region with the same constraints")),
            }
            keys.push(None);
            continue;
        };
        keys.push(Some(key));
        if mu.len() != rows.len() || mu.iter().any(Signed::is_negative) {
            return fail(format!(
                "{where_}: `mu` must be {} nonnegative multipliers",
                rows.len()
            ));
        }
        for (c, gc) in g.iter().enumerate() {
            if rows
                .iter()
                .zip(mu)
                .fold(Q::zero(), |acc, (r, m)| acc + &r[c] * m)
                != *gc
            {
                return fail(format!("{where_}: sum mu_k r_k differs from the gradient of the lower bound (first-order condition)"));
            }
        }
        if rows
            .iter()
            .zip(mu)
            .any(|(r, m)| r.iter().all(Q::is_zero) && !m.is_zero())
        {
            return fail(format!("{where_}: a zero row must have multiplier 0"));
        }
        let pick = |positive: bool| -> Vec<Vec<Q>> {
            rows.iter()
                .zip(mu)
                .filter(|(_, m)| m.is_positive() == positive)
                .map(|(r, _)| r.clone())
                .collect()
        };
        cone_copositive(&h, &pick(true), &pick(false), n, deadline)?
            .map_err(|e| format!("{where_}: {e}"))?;
    }
    // coverage: every (sides, choice) combination is listed
    let radix = radix.unwrap_or_default();
    let combos = radix
        .iter()
        .try_fold(1usize << kinks.len().min(30), |acc, &r| acc.checked_mul(r));
    if kinks.len() >= 30 || combos != Some(seen.len()) {
        return fail(
            "the regions do not cover every kink cone and branch choice exactly once".to_string(),
        );
    }
    Ok(())
}

/// Rows up to positive scaling, zero rows dropped, sorted and deduplicated.
fn region_key(rows: &[Vec<Q>]) -> Vec<Vec<Q>> {
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

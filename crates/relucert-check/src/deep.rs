//! `deep-second-order` certificates: a hinge-type loss at any depth has a
//! local minimum by the second-order sufficient condition on the gauge
//! slice, on every region (a side for every live zero entry) around the
//! point (docs/certificates.md; the library's `deep_second_order` module
//! doc has the proof).
//!
//! Owns: recomputing from the point alone the live zero entries (in the
//! order of [`Evaluation::zero_entries`], kinks of points with a term
//! `>= 0`), each live kink's normal, refusing a kink that is not
//! polyhedral (layer 1: `(x_i, 1)`; a deeper ReLU layer whose previous
//! layer is `< 0` on the point: the bias coordinate), the slice
//! (`squared::quotient` with dead ReLU units at any depth, lists equal to
//! the certificate's, tangents independent); the `dropped` entries (hinge
//! corners only, side `-`, no row); every combination of the others' sides
//! exactly once; and per region the lower-bound polynomial
//! ([`crate::cell::loss_poly`] on the region's completion), its gradient
//! and Hessian, the rows (kink `+-n`, corner `+-grad Delta`, tie
//! `grad (Delta_k - Delta_k')` over the other tied classes), (a)
//! `B^T g = sum lambda_k B^T r_k`, `lambda >= 0`, 0 on rows vanishing on the
//! slice, and (b) strict copositivity on the critical cone
//! (`squared::strict_on_cone`).
//!
//! Must not: use the library's evaluation, polynomials or linear algebra;
//! examine more than [`MAX_DEEP_REGIONS`] regions; run past the deadline.

use crate::cell::{loss_poly, output_polys, Pattern, Side};
use crate::error::Stop;
use crate::forward::{Evaluation, Zero};
use crate::linalg::{nullspace, rank};
use crate::poly::Poly;
use crate::squared::{dot, fail, jet, quotient, strict_on_cone};
use crate::CheckError;
use num_traits::{One, Signed, Zero as _};
use relucert_core::cert::{DeepRegion, Unit};
use relucert_core::network::{Activation, LossKind, Problem};
use relucert_core::number::Q;
use relucert_core::Deadline;
use std::collections::HashSet;

/// Most regions of a `deep-second-order` certificate.
pub const MAX_DEEP_REGIONS: usize = 4096;

/// The parts of a `deep-second-order` certificate.
pub struct DeepParts<'a> {
    /// `rescaled`.
    pub rescaled: &'a [Unit],
    /// `dead`.
    pub dead: &'a [Unit],
    /// `dropped`.
    pub dropped: &'a [usize],
    /// `regions`.
    pub regions: &'a [DeepRegion],
}

/// See the module documentation.
pub fn check_deep(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &DeepParts<'_>,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    check(problem, ev, theta, cert, deadline).map_err(|e| e.into_error(CheckError::DeepSecondOrder))
}

/// Hinge argument of point `i` on `pattern` with competitor class `k`.
fn argument(problem: &Problem, pattern: &Pattern, i: usize, k: usize) -> Poly {
    let f = output_polys(problem, pattern, i);
    let y = problem.data.y[i];
    let one = Poly::constant(Q::one());
    match problem.loss {
        LossKind::Hinge => one.sub(&f[0].scale(&Q::from_integer(y.into()))),
        _ => one.add(&f[k]).sub(&f[y as usize]),
    }
}

fn check(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &DeepParts<'_>,
    deadline: &Deadline,
) -> Result<(), Stop> {
    let arch = &problem.arch;
    let n = theta.len();
    if !matches!(
        problem.loss,
        LossKind::Hinge | LossKind::MulticlassHinge | LossKind::CrammerSinger
    ) {
        return fail("the certificate is for the hinge-type losses");
    }
    let live: Vec<Zero> = ev
        .zero_entries()
        .into_iter()
        .filter(|z| ev.live(z))
        .collect();
    // kink normals (polyhedral only)
    let mut normals: Vec<Option<Vec<Q>>> = Vec::with_capacity(live.len());
    for z in &live {
        let Zero::Kink { point, layer, unit } = z else {
            normals.push(None);
            continue;
        };
        let mut r = vec![Q::zero(); n];
        if *layer == 1 {
            for (c, x) in problem.data.x[*point].iter().enumerate() {
                r[arch.weight_index(1, *unit, c)] = x.clone();
            }
        } else if !(matches!(arch.activation, Activation::Relu)
            && ev.points[*point].pre[layer - 2]
                .iter()
                .all(Signed::is_negative))
        {
            return fail(format!(
                "the zero pre-activation of unit {unit} of layer {layer} at point {point} is not polyhedral"
            ));
        }
        if let Some(b) = arch.bias_index(*layer, *unit) {
            r[b] = Q::one();
        }
        normals.push(Some(r));
    }
    // the slice
    let (dead, rescaled, mut rows, tangents) = quotient(problem, ev, theta, true);
    if dead.as_slice() != cert.dead || rescaled.as_slice() != cert.rescaled {
        return fail("`dead` and `rescaled` must list exactly the dead units and the units with a rescaling orbit");
    }
    if rank(&tangents, n) != tangents.len() {
        return fail("the rescaling orbits' tangents are linearly dependent");
    }
    rows.extend(tangents);
    let basis = nullspace(&rows, n);
    let m = basis.len();
    let restrict = |v: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(v, b)).collect() };
    // dropped entries and the regions' cover
    let dropped: HashSet<usize> = cert.dropped.iter().copied().collect();
    if dropped.len() != cert.dropped.len()
        || cert
            .dropped
            .iter()
            .any(|&k| !matches!(live.get(k), Some(Zero::Hinge { .. })))
    {
        return fail("`dropped` must list distinct live hinge corners");
    }
    let options = |k: usize| -> Vec<usize> {
        match &live[k] {
            _ if dropped.contains(&k) => vec![0],
            Zero::Tie { classes, .. } => classes.clone(),
            _ => vec![0, 1],
        }
    };
    let mut total = 1usize;
    for k in 0..live.len() {
        total = total.saturating_mul(options(k).len());
    }
    if total > MAX_DEEP_REGIONS || cert.regions.len() != total {
        return fail(format!(
            "`regions` must list every combination of sides exactly once ({total}, at most MAX_DEEP_REGIONS = {MAX_DEEP_REGIONS})"
        ));
    }
    let mut seen: HashSet<&[usize]> = HashSet::new();
    for (ri, region) in cert.regions.iter().enumerate() {
        deadline.check()?;
        let at = format!("region {ri}");
        let choice = &region.choice;
        if choice.len() != live.len()
            || (0..live.len()).any(|k| !options(k).contains(&choice[k]))
            || !seen.insert(choice.as_slice())
        {
            return fail(format!(
                "{at}: `choice` must be a new combination of one side per live zero entry"
            ));
        }
        let sides: Vec<(Zero, Side)> = live
            .iter()
            .zip(choice)
            .map(|(z, &c)| {
                let side = match z {
                    Zero::Tie { .. } => Side::Class(c),
                    _ if c == 1 => Side::Pos,
                    _ => Side::Neg,
                };
                (z.clone(), side)
            })
            .collect();
        let pattern = Pattern::complete(ev, &sides);
        let (g, h) = jet(&loss_poly(problem, &pattern), theta, n);
        let grad = |p: &Poly| jet(p, theta, n).0;
        let mut region_rows: Vec<Vec<Q>> = Vec::new();
        for (k, (z, &c)) in live.iter().zip(choice).enumerate() {
            if dropped.contains(&k) {
                continue;
            }
            let sgn = if c == 1 { Q::one() } else { -Q::one() };
            match z {
                Zero::Kink { .. } => {
                    let r = normals[k]
                        .as_ref()
                        .map_or_else(Vec::new, |r| r.iter().map(|x| x * &sgn).collect());
                    region_rows.push(r);
                }
                Zero::Hinge { point, class } => {
                    let comp = class.or(pattern.competitor[*point]).unwrap_or(0);
                    let a = grad(&argument(problem, &pattern, *point, comp));
                    region_rows.push(a.iter().map(|x| x * &sgn).collect());
                }
                Zero::Tie { point, classes } => {
                    let lead = grad(&argument(problem, &pattern, *point, c));
                    for &o in classes.iter().filter(|&&o| o != c) {
                        let other = grad(&argument(problem, &pattern, *point, o));
                        region_rows.push(lead.iter().zip(&other).map(|(a, b)| a - b).collect());
                    }
                }
            }
        }
        let rb: Vec<Vec<Q>> = region_rows.iter().map(|r| restrict(r)).collect();
        let lambda = &region.lambda;
        if lambda.len() != rb.len() || lambda.iter().any(Signed::is_negative) {
            return fail(format!(
                "{at}: `lambda` must be one nonnegative multiplier per row"
            ));
        }
        if rb
            .iter()
            .zip(lambda)
            .any(|(r, l)| r.iter().all(Q::is_zero) && !l.is_zero())
        {
            return fail(format!(
                "{at}: a row that vanishes on the slice must have multiplier 0"
            ));
        }
        let gb = restrict(&g);
        if (0..m).any(|c| {
            rb.iter()
                .zip(lambda)
                .fold(Q::zero(), |acc, (r, l)| acc + &r[c] * l)
                != gb[c]
        }) {
            return fail(format!(
                "{at}: sum lambda_k r_k differs from the gradient on the slice (first-order condition)"
            ));
        }
        let hb: Vec<Vec<Q>> = basis
            .iter()
            .map(|b| h.iter().map(|row| dot(row, b)).collect())
            .collect();
        let hb: Vec<Vec<Q>> = basis
            .iter()
            .map(|a| hb.iter().map(|x| dot(a, x)).collect())
            .collect();
        let pick = |positive: bool| -> Vec<Vec<Q>> {
            rb.iter()
                .zip(lambda)
                .filter(|(r, l)| l.is_positive() == positive && r.iter().any(|x| !x.is_zero()))
                .map(|(r, _)| r.clone())
                .collect()
        };
        strict_on_cone(&hb, &pick(true), &pick(false), m, deadline).map_err(|e| match e {
            Stop::Fail(s) => Stop::Fail(format!("{at}: {s}")),
            t => t,
        })?;
    }
    Ok(())
}

//! Checking a proposed descent arc exactly.
//!
//! Owns: `try_arc` (the exact loss germ along an arc, `arc::loss_along`,
//! must decrease, and an explicit point of lower loss on it is found by
//! halving `t` below the arc's exact radii) and the typed `descent-arc`
//! evidence it builds; `Found`, the evidence and reason of a `not-local-min`
//! proof.
//!
//! Must not: accept an arc on anything but exact arithmetic: a descent is
//! the sign of an exact coefficient plus an exactly evaluated lower point.

use crate::arc::{loss_along_within, Arc, UPoly};
use crate::network::{Params, Problem};
use crate::number::{fmt_q, Q};
use crate::poly::Poly;
use num_traits::Zero;
use relucert_core::cert::{Evidence, LowerPoint};
use relucert_core::Deadline;

/// The evidence and reason of a `not-local-min` proof (a descent direction
/// or arc with an exact point of lower loss).
pub(super) struct Found {
    pub(super) evidence: Evidence,
    pub(super) reason: String,
}

/// Check an arc exactly; on descent, return the certificate evidence.
/// `None` also when `deadline` passes (the caller reports the time limit).
pub(super) fn try_arc(
    problem: &Problem,
    arc: &Arc,
    loss: &Q,
    deadline: &Deadline,
) -> Option<Found> {
    let al = loss_along_within(problem, arc, deadline).ok()??;
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
        if deadline.expired() {
            return None;
        }
        t = &t / &two;
        let params = Params::from_flat(&problem.arch, &arc.at(&t))?;
        let l = problem.loss_within(&params, deadline).ok()?;
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
    let reason = format!(
            "descent arc of order {order}: the loss along it is {} for small t > 0; at t = {} the loss is {} < {}",
            poly_text(&al.loss),
            fmt_q(&t),
        fmt_q(&lower_loss),
        fmt_q(loss)
    );
    let evidence = Evidence::DescentArc {
        dirs: arc.dirs.clone(),
        loss_polynomial: al.loss.0.clone(),
        lower_point: LowerPoint {
            params: arc.at(&t),
            t,
            loss: lower_loss,
        },
    };
    Some(Found { evidence, reason })
}

/// `L(t)` as text, in the variable `t`.
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

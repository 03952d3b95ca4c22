//! `flat` certificates: the loss is constant near the point.
//!
//! Owns: enumerating every completion of the point's live zero entries (a
//! side for each kink and hinge corner, a leading class for each
//! Crammer-Singer tie; a kink whose point has every hinge argument `< 0` is
//! not live and stays on its + side), building each piece's loss polynomial
//! with [`crate::cell`], and requiring each to be the constant loss, with the
//! certificate's counts matching.
//!
//! Must not: enumerate more than [`MAX_FLAT_PIECES`] pieces (checked before
//! any piece is built), use the library's signature or cell polynomials, or
//! run past the deadline (tested once per piece).

use crate::cell::{loss_poly, Pattern, Side};
use crate::forward::{Evaluation, Zero};
use crate::poly::Poly;
use crate::CheckError;
use relucert_core::network::Problem;
use relucert_core::Deadline;

/// Most completions the checker will enumerate for a `flat` certificate.
pub const MAX_FLAT_PIECES: usize = 1 << 16;

/// `flat`: see the module documentation.
pub fn check_flat(
    problem: &Problem,
    ev: &Evaluation,
    zero_entries: usize,
    pieces: usize,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::Flat(s));
    let all_zeros = ev.zero_entries();
    // a kink that is not live keeps its + side in every piece
    let fixed: Vec<(Zero, Side)> = all_zeros
        .iter()
        .filter(|z| !ev.live(z))
        .map(|z| (z.clone(), Side::Pos))
        .collect();
    let zeros: Vec<Zero> = all_zeros.into_iter().filter(|z| ev.live(z)).collect();
    if zero_entries != zeros.len() {
        return fail(format!(
            "the point has {} zero entries, not the certificate's `zero_entries`",
            zeros.len()
        ));
    }
    let options: Vec<Vec<Side>> = zeros
        .iter()
        .map(|z| match z {
            Zero::Tie { classes, .. } => classes.iter().map(|&c| Side::Class(c)).collect(),
            _ => vec![Side::Pos, Side::Neg],
        })
        .collect();
    let total = options.iter().try_fold(1usize, |acc, o| {
        acc.checked_mul(o.len()).filter(|&t| t <= MAX_FLAT_PIECES)
    });
    let Some(total) = total else {
        return fail(format!(
            "more than {MAX_FLAT_PIECES} pieces to check (the limit MAX_FLAT_PIECES)"
        ));
    };
    if pieces != total {
        return fail(format!(
            "the point has {total} pieces, not the certificate's `pieces`"
        ));
    }
    let constant = Poly::constant(ev.loss.clone());
    // a mixed-radix counter over the options
    let mut digits = vec![0usize; zeros.len()];
    for _ in 0..total {
        deadline.check()?;
        let choices: Vec<(Zero, Side)> = zeros
            .iter()
            .zip(&digits)
            .zip(&options)
            .map(|((z, &d), o)| (z.clone(), o[d]))
            .chain(fixed.iter().cloned())
            .collect();
        if loss_poly(problem, &Pattern::complete(ev, &choices)) != constant {
            return fail("a piece of the loss next to the point is not constant".to_string());
        }
        for (d, o) in digits.iter_mut().zip(&options) {
            *d += 1;
            if *d < o.len() {
                break;
            }
            *d = 0;
        }
    }
    Ok(())
}

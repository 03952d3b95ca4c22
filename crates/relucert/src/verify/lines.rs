//! The last resort before `undecided`: straight lines `theta* + t d` in
//! fixed pseudo-random directions, each decided by the exact loss germ.
//!
//! Why it finds what the other stages miss: where the loss is smooth or
//! piecewise polynomial with a vanishing first- and second-order part
//! (deep linear networks at the origin, a zero layer behind a bottleneck,
//! products of three or more zero weight blocks), the lowest nonconstant
//! term of `L(theta* + t d) - L(theta*)` is a form of degree `k >= 3` in
//! `d`. A form that is not identically zero is nonzero at almost every
//! `d`, and for odd `k` one of `d`, `-d` descends; for even `k` the form
//! takes either sign with positive probability when it is indefinite. The
//! first-order LPs and the second-order analysis see only orders 1 and 2.
//!
//! Owns: the directions (seeded, reproducible: entries in `{-2..2}`, dense
//! and sparse, per layer and across layers; [`LINES`] of them, each tried
//! with both signs) and handing each line to `descent::try_arc`, which
//! decides it exactly and builds the `descent-arc` certificate.
//!
//! Must not: decide anything itself (only an exact germ plus an exactly
//! evaluated lower point, in `try_arc`, proves a descent), turn a decided
//! outcome into another, or run past the deadline.

use super::descent::{try_arc, Found};
use crate::arc::Arc;
use crate::network::{Params, Problem};
use crate::number::Q;
use crate::rng::Rng;
use relucert_core::Deadline;

/// Number of directions tried (each with both signs).
pub const LINES: usize = 96;

/// The seed of the directions (fixed: a verdict never depends on a run).
const SEED: u64 = 0x6c69_6e65_7331;

/// The directions: the first third dense, the second sparse (each entry
/// nonzero with probability 1/3), the last third supported on the
/// parameters of two weight layers (a product of two blocks moves the
/// output at order 2 whatever the others do).
fn directions(problem: &Problem) -> Vec<Vec<Q>> {
    let arch = &problem.arch;
    let n = arch.num_params();
    // the flat index ranges of each weight layer (weights and bias)
    let ranges: Vec<_> = (1..=arch.depth())
        .map(|l| arch.layer_offset(l)..arch.layer_offset(l + 1))
        .collect();
    let mut rng = Rng::new(SEED);
    let mut out = Vec::with_capacity(LINES);
    for k in 0..LINES {
        let keep: Vec<bool> = match k * 3 / LINES {
            0 => vec![true; n],
            1 => (0..n).map(|_| rng.chance(1, 3)).collect(),
            _ => {
                let a = rng.below(ranges.len());
                let b = rng.below(ranges.len());
                (0..n)
                    .map(|i| ranges[a].contains(&i) || ranges[b].contains(&i))
                    .collect()
            }
        };
        let d: Vec<Q> = keep
            .iter()
            .map(|&on| {
                if on {
                    Q::from_integer(rng.int(-2, 2).into())
                } else {
                    Q::from_integer(0.into())
                }
            })
            .collect();
        if d.iter().any(|v| *v != Q::from_integer(0.into())) {
            out.push(d);
        }
    }
    out
}

/// The first line that descends, exactly; `None` if none does or the
/// deadline passes.
pub(super) fn search(
    problem: &Problem,
    params: &Params,
    loss: &Q,
    deadline: &Deadline,
) -> Option<Found> {
    let point = params.flat();
    for d in directions(problem) {
        for sign in [1i64, -1] {
            if deadline.expired() {
                return None;
            }
            let dir: Vec<Q> = d.iter().map(|v| v * Q::from_integer(sign.into())).collect();
            let arc = Arc {
                point: point.clone(),
                dirs: vec![dir],
            };
            if let Some(found) = try_arc(problem, &arc, loss, deadline) {
                return Some(found);
            }
        }
    }
    None
}

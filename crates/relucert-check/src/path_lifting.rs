//! `path-lifting-bound`: on every completion of the point's zero
//! pre-activations, the loss is at least a convex optimum over free path
//! products, and every such optimum is at least the loss at the point.
//!
//! Owns: recomputing, with the checker's own forward pass, the zero
//! pre-activations (by layer, point, unit) and their tie groups (entries
//! of one unit whose inputs are identical near the point: the same data
//! point `x`, or, under relu, a previous layer strictly dead on both
//! points; a zero behind a later layer strictly dead at its point (relu)
//! changes no feature and is in no group, on its `+` side; groups in
//! order of their first entry; completion `c` puts
//! group `g` on its `-` side iff bit `g` of `c` is set; a certificate
//! whose `kinks` counts the entries one by one, as before ties, is read
//! with one group per entry), each completion's feature
//! matrix in the canonical path order of docs/certificates.md, the dedupe
//! of identical matrices in order of first completion (one multiplier
//! matrix each, in that order, no more, no fewer), and each bound by
//! [`crate::regression_bounds::dual_bound`].
//!
//! Must not: enumerate more than [`MAX_LIFTING_PIECES`] completions or
//! build more than [`MAX_LIFTING_PATHS`] feature columns (both checked
//! before any matrix is built), or run past the deadline (tested once per
//! completion).

use crate::forward::{negative_slope, Evaluation};
use crate::regression_bounds::dual_bound;
use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::network::Problem;
use relucert_core::number::{fmt_q, Q};
use relucert_core::Deadline;
use std::collections::HashSet;

/// Most completions the checker enumerates.
pub const MAX_LIFTING_PIECES: usize = 1 << 16;

/// Most feature columns the checker builds.
pub const MAX_LIFTING_PATHS: usize = 1 << 12;

/// Point `i`'s features with the slopes `slope[l][j]`.
fn features(problem: &Problem, x: &[Q], slope: &[Vec<Q>]) -> Vec<Q> {
    let arch = &problem.arch;
    let mut v = x.to_vec();
    for (l, slopes) in slope.iter().enumerate() {
        if arch.bias[l] {
            v.push(Q::one());
        }
        let mut next = Vec::with_capacity(v.len() * slopes.len());
        for s in slopes {
            next.extend(v.iter().map(|b| b * s));
        }
        v = next;
    }
    if arch.bias[arch.depth() - 1] {
        v.push(Q::one());
    }
    v
}

/// The tie group of each zero entry `(l, i, j)` of `zeros`: entries of
/// one unit are tied when the unit's input is the same function of the
/// parameters near the point at both points. Inputs of layer 0 are tied
/// when the data points are equal; inputs of layer `l + 1` when those of
/// layer `l` are, or (`relu`) when every unit of layer `l` is strictly
/// negative at both points (its output is 0 near the point).
fn tie_groups(
    problem: &Problem,
    ev: &Evaluation,
    zeros: &[(usize, usize, usize)],
    relu: bool,
) -> Vec<usize> {
    let x = &problem.data.x;
    let n = ev.points.len();
    // same[l][i]: the least point whose layer-l input is tied to point i's
    let mut same: Vec<Vec<usize>> = vec![(0..n)
        .map(|i| (0..i).find(|&k| x[k] == x[i]).unwrap_or(i))
        .collect()];
    for l in 0..problem.arch.hidden_layers() {
        let dead = |i: usize| relu && ev.points[i].pre[l].iter().all(|z| z.is_negative());
        let prev = &same[l];
        let row = (0..n)
            .map(|i| {
                (0..i)
                    .find(|&k| prev[k] == prev[i] || (dead(k) && dead(i)))
                    .unwrap_or(i)
            })
            .collect();
        same.push(row);
    }
    let mut keys: Vec<(usize, usize, usize)> = Vec::new();
    zeros
        .iter()
        .map(|&(l, i, j)| {
            let key = (l, same[l][i], j);
            keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                keys.len() - 1
            })
        })
        .collect()
}

/// `path-lifting-bound`: see the module documentation.
pub fn check(
    problem: &Problem,
    ev: &Evaluation,
    kinks: usize,
    pieces: usize,
    duals: &[Vec<Vec<Q>>],
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let fail = |s: String| Err(CheckError::PathLiftingBound(s));
    let arch = &problem.arch;
    let mut paths = Some(arch.input_dim());
    for l in 0..arch.hidden_layers() {
        paths = paths.and_then(|p| (p + usize::from(arch.bias[l])).checked_mul(arch.widths[l + 1]));
    }
    if paths.is_none_or(|p| p + 1 > MAX_LIFTING_PATHS) {
        return fail(format!(
            "more than {MAX_LIFTING_PATHS} paths (MAX_LIFTING_PATHS)"
        ));
    }
    let kinky = crate::forward::has_kink(&arch.activation);
    let mut zeros = Vec::new();
    if kinky {
        for l in 0..arch.hidden_layers() {
            for (i, p) in ev.points.iter().enumerate() {
                for (j, z) in p.pre[l].iter().enumerate() {
                    if z.is_zero() {
                        zeros.push((l, i, j));
                    }
                }
            }
        }
    }
    let neg = negative_slope(&arch.activation);
    let relu = neg.is_zero();
    // a zero behind a later layer strictly dead at its point (relu) does
    // not change that point's features: it takes the + side, in no group
    let dead_after = |l: usize, i: usize| {
        relu && ev.points[i].pre[l + 1..]
            .iter()
            .any(|layer| layer.iter().all(|z| z.is_negative()))
    };
    let live: Vec<(usize, usize, usize)> = zeros
        .iter()
        .copied()
        .filter(|&(l, i, _)| !dead_after(l, i))
        .collect();
    let tied = tie_groups(problem, ev, &live, relu);
    let groups = tied.iter().max().map_or(0, |g| g + 1);
    let group_of: Vec<Option<usize>> = if kinks == groups {
        let mut next = tied.into_iter();
        zeros
            .iter()
            .map(|&(l, i, _)| if dead_after(l, i) { None } else { next.next() })
            .collect()
    } else if kinks == zeros.len() {
        (0..zeros.len()).map(Some).collect()
    } else {
        return fail(format!(
            "the point has {} zero pre-activations ({} not behind a dead layer) in {groups} tie groups, not the certificate's `kinks`",
            zeros.len(),
            live.len()
        ));
    };
    let total = u32::try_from(kinks)
        .ok()
        .and_then(|k| 1usize.checked_shl(k))
        .filter(|&t| kinks < 63 && t <= MAX_LIFTING_PIECES);
    let Some(total) = total else {
        return fail(format!(
            "more than {MAX_LIFTING_PIECES} completions (MAX_LIFTING_PIECES)"
        ));
    };
    if pieces != total {
        return fail(format!(
            "the point has {total} completions, not the certificate's `pieces`"
        ));
    }
    let mut seen: HashSet<Vec<Vec<Q>>> = HashSet::new();
    let mut next = 0usize;
    for c in 0..total {
        deadline.check()?;
        let phi: Vec<Vec<Q>> = ev
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let slope: Vec<Vec<Q>> = p
                    .pre
                    .iter()
                    .enumerate()
                    .map(|(l, zs)| {
                        zs.iter()
                            .enumerate()
                            .map(|(j, z)| {
                                let positive = if z.is_zero() && kinky {
                                    let e = zeros.iter().position(|&k| k == (l, i, j));
                                    let g = e.and_then(|e| group_of[e]);
                                    g.is_none_or(|g| (c >> g) & 1 == 0)
                                } else {
                                    !z.is_negative()
                                };
                                if positive {
                                    Q::one()
                                } else {
                                    neg.clone()
                                }
                            })
                            .collect()
                    })
                    .collect();
                features(problem, &problem.data.x[i], &slope)
            })
            .collect();
        if seen.contains(&phi) {
            continue;
        }
        let Some(lambda) = duals.get(next) else {
            return fail(format!(
                "`duals` has {next} entries, fewer than the distinct feature matrices"
            ));
        };
        let bound = dual_bound(problem, &phi, lambda)
            .map_err(|s| CheckError::PathLiftingBound(format!("duals[{next}]: {s}")))?;
        if bound < ev.loss {
            return fail(format!(
                "duals[{next}] bounds the loss by {}, below the loss {}",
                fmt_q(&bound),
                fmt_q(&ev.loss)
            ));
        }
        seen.insert(phi);
        next += 1;
    }
    if next != duals.len() {
        return fail(format!(
            "`duals` has {} entries, but there are {next} distinct feature matrices",
            duals.len()
        ));
    }
    Ok(())
}

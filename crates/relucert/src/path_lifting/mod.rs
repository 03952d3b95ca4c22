//! The path-lifting bound (THEORY section 9, last bullet): a local lower
//! bound for every depth and all five losses.
//!
//! Near a point, every zero pre-activation of a hidden unit takes one of
//! its two sides, every nonzero one keeps its sign. With the sides fixed
//! (one *completion*), output k at point i is
//! `f_k(x_i) = sum over paths p of T_p,k * Phi_i,p`: `T` the product of the
//! weights along the path, `Phi_i,p` the product of the activation slopes
//! of point i along it times the path's start (an input coordinate, or 1
//! for a bias). Relaxing `T` to free variables gives a convex problem over
//! the fixed features `Phi` (an LP for the hinge losses and the absolute
//! loss, least squares for the squared loss, `fit`) whose optimum bounds
//! the loss of every network near the point with those sides. The point
//! itself lies in every completion (at a zero pre-activation both slopes
//! give the same output), so each bound is at most `L(theta*)`; when every
//! completion's bound equals it, the point is a local minimum.
//!
//! Hinge corners and Crammer-Singer ties need no completion: the relaxed
//! problem keeps the loss itself, convex in the outputs.
//!
//! Zero pre-activations of one unit whose inputs are the same function of
//! the parameters near the point (equal data points, or, under relu, a
//! previous layer strictly dead on both points) are *tied*: near the point
//! they have one sign, so they take one side in every completion. Untied
//! completions would also be sound, only looser (a duplicated input with
//! both sides is a network no parameter gives).
//!
//! Owns: the features `Phi` per completion in the canonical column order
//! of docs/certificates.md (`path-lifting-bound`), the enumeration of the
//! completions (zero pre-activations by layer, point, unit, in tie groups
//! numbered by first entry; completion `c`'s group `g` is on its `-` side
//! iff bit `g` of `c` is set), dedupe of
//! identical feature matrices (first occurrence order), and the bound with
//! its multipliers.
//!
//! Must not: claim anything (it returns the bound; `verify` decides), let
//! a float decide, or run past its caps (`MAX_PATHS` feature columns,
//! the caller's completion cap) or the deadline: it answers `None` instead.

pub mod fit;

use crate::network::{Params, Problem};
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;
use std::collections::{HashMap, HashSet};

pub use fit::{convex_fit, Fit};

/// Most feature columns (paths into one output) the bound builds.
pub const MAX_PATHS: usize = 4096;

/// The path-lifting bound at a point: every completion's bound is
/// `min_value` or more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathLifting {
    /// Number of tie groups of zero pre-activations (the completions are
    /// `2^kinks`).
    pub kinks: usize,
    /// Number of zero pre-activations.
    pub zeros: usize,
    /// Number of completions.
    pub pieces: usize,
    /// One multiplier matrix per distinct feature matrix, in order of the
    /// first completion that has it.
    pub duals: Vec<Vec<Vec<Q>>>,
    /// The least of the completions' bounds.
    pub min_value: Q,
}

/// The zero pre-activations `(layer, point, unit)` (layer 0-based among
/// the hidden layers) that can change a feature, by layer, point, unit;
/// none for linear activation. A zero behind a later layer strictly dead
/// at its point (relu: every unit of that layer negative) is left out: every
/// path through it has slope 0 there, on either side (it takes the `+`
/// side).
pub fn zero_preactivations(problem: &Problem, pre: &[Vec<Vec<Q>>]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    if !problem.arch.activation.has_kink() {
        return out;
    }
    let relu = problem.arch.activation.slope(false).is_zero();
    let hidden = problem.arch.hidden_layers();
    for l in 0..hidden {
        for (i, p) in pre.iter().enumerate() {
            let dead_after = relu
                && p[l + 1..hidden]
                    .iter()
                    .any(|layer| layer.iter().all(Signed::is_negative));
            if dead_after {
                continue;
            }
            for (j, z) in p[l].iter().enumerate() {
                if z.is_zero() {
                    out.push((l, i, j));
                }
            }
        }
    }
    out
}

/// The tie group of each entry of `zeros` (see the module documentation),
/// groups numbered in order of their first entry.
pub fn tie_groups(
    problem: &Problem,
    pre: &[Vec<Vec<Q>>],
    zeros: &[(usize, usize, usize)],
) -> Vec<usize> {
    let x = &problem.data.x;
    let n = pre.len();
    let relu = problem.arch.activation.slope(false).is_zero();
    // same[l][i]: the least point whose input to hidden layer l is tied to
    // point i's
    let mut same: Vec<Vec<usize>> = Vec::with_capacity(problem.arch.hidden_layers() + 1);
    same.push(
        (0..n)
            .map(|i| (0..i).find(|&k| x[k] == x[i]).unwrap_or(i))
            .collect(),
    );
    for l in 0..problem.arch.hidden_layers() {
        let dead = |i: usize| relu && pre[i][l].iter().all(Signed::is_negative);
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
    let mut first: HashMap<(usize, usize, usize), usize> = HashMap::new();
    zeros
        .iter()
        .map(|&(l, i, j)| {
            let next = first.len();
            *first.entry((l, same[l][i], j)).or_insert(next)
        })
        .collect()
}

/// Point i's feature row: `v` starts as `x_i`; hidden layer l's unit j
/// carries `slope_lj * (v ++ [1 if layer l has a bias])`, and the next
/// layer's `v` is the concatenation over its units; the row is the last
/// `v` followed by `1` if the output layer has a bias. `slope(l, j)` is the
/// slope of unit j of hidden layer l (0-based) at this point.
pub fn feature_row(problem: &Problem, x: &[Q], slope: impl Fn(usize, usize) -> Q) -> Vec<Q> {
    let arch = &problem.arch;
    let mut v: Vec<Q> = x.to_vec();
    for l in 0..arch.hidden_layers() {
        let mut base = v.clone();
        if arch.bias[l] {
            base.push(Q::one());
        }
        v = (0..arch.widths[l + 1])
            .flat_map(|j| {
                let s = slope(l, j);
                base.iter().map(move |b| b * &s).collect::<Vec<_>>()
            })
            .collect();
    }
    if arch.bias[arch.depth() - 1] {
        v.push(Q::one());
    }
    v
}

/// Number of feature columns of the architecture.
pub fn num_paths(problem: &Problem) -> Option<usize> {
    let arch = &problem.arch;
    let mut size = arch.input_dim();
    for l in 0..arch.hidden_layers() {
        size = (size + usize::from(arch.bias[l])).checked_mul(arch.widths[l + 1])?;
    }
    size.checked_add(usize::from(arch.bias[arch.depth() - 1]))
}

/// The path-lifting bound of `params`: `None` when the features exceed
/// [`MAX_PATHS`], the completions exceed `max_pieces`, a fit fails or the
/// deadline passes. Stops at the first completion whose bound is below
/// `stop_below` (then `min_value` is that bound and `duals` is partial).
pub fn path_lifting_bound(
    problem: &Problem,
    params: &Params,
    max_pieces: usize,
    stop_below: Option<&Q>,
    deadline: &Deadline,
) -> Option<PathLifting> {
    if num_paths(problem)? > MAX_PATHS {
        return None;
    }
    let ev = problem.evaluate(params);
    let pre: Vec<Vec<Vec<Q>>> = ev.traces.iter().map(|t| t.pre.clone()).collect();
    let zeros = zero_preactivations(problem, &pre);
    let group = tie_groups(problem, &pre, &zeros);
    let kinks = group.iter().max().map_or(0, |g| g + 1);
    let pieces = 1usize.checked_shl(u32::try_from(kinks).ok()?)?;
    if kinks >= usize::BITS as usize || pieces > max_pieces {
        return None;
    }
    let act = &problem.arch.activation;
    let data = &problem.data;
    let targets: Vec<Q> = (0..data.len()).map(|i| data.target(i)).collect();
    let classes = problem.arch.output_width();
    let mut index_of: HashMap<(usize, usize, usize), usize> = HashMap::new();
    for (z, g) in zeros.iter().zip(&group) {
        index_of.insert(*z, *g);
    }
    let mut seen: HashSet<Vec<Vec<Q>>> = HashSet::new();
    let mut duals = Vec::new();
    let mut min_value: Option<Q> = None;
    for c in 0..pieces {
        if deadline.expired() {
            return None;
        }
        let phi: Vec<Vec<Q>> = (0..data.len())
            .map(|i| {
                feature_row(problem, &data.x[i], |l, j| {
                    let z = &pre[i][l][j];
                    let positive = if z.is_zero() {
                        index_of.get(&(l, i, j)).is_none_or(|e| (c >> e) & 1 == 0)
                    } else {
                        z.is_positive()
                    };
                    act.slope(positive)
                })
            })
            .collect();
        if seen.contains(&phi) {
            continue;
        }
        let found = convex_fit(problem.loss, &phi, &data.y, &targets, classes, deadline)?;
        seen.insert(phi);
        let below = stop_below.is_some_and(|s| found.value < *s);
        if min_value.as_ref().is_none_or(|m| found.value < *m) {
            min_value = Some(found.value.clone());
        }
        duals.push(found.lambda);
        if below {
            break;
        }
    }
    Some(PathLifting {
        kinks,
        zeros: zeros.len(),
        pieces,
        duals,
        min_value: min_value?,
    })
}

//! The checker's own symbolic forward pass on one piece of the loss.
//!
//! Owns: `Pattern` (which hidden units are on their positive side, which
//! hinge terms are counted, which Crammer-Singer competitor leads, per data
//! point), completing the point's own pattern by a side for each zero entry,
//! and the network's outputs and the loss on a pattern as [`Poly`]s in the
//! flat parameters (variable `v` is flat parameter `v`).
//!
//! Must not: use the library's `cellpoly` or `poly`; decide whether a piece
//! matters (that is the caller's). On the closure of the pattern's cell the
//! loss equals [`loss_poly`].

use crate::forward::{slope, Evaluation, Zero};
use crate::poly::Poly;
use num_traits::{One, Signed};
use relucert_core::network::{LossKind, Problem};
use relucert_core::number::Q;

/// A side chosen for a zero entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Positive side (unit active, hinge term counted).
    Pos,
    /// Negative side.
    Neg,
    /// The leading class of a Crammer-Singer tie.
    Class(usize),
}

/// A complete sign pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// `active[l][i][j]`: unit j of hidden layer l+1 on its positive side on point i.
    pub active: Vec<Vec<Vec<bool>>>,
    /// `hinge_active[i][t]`: hinge term t of point i is counted.
    pub hinge_active: Vec<Vec<bool>>,
    /// Crammer-Singer: the competitor class of point i's term.
    pub competitor: Vec<Option<usize>>,
}

impl Pattern {
    /// The point's pattern with `choices` on its zero entries (others take
    /// their sign; a linear unit is always active; a tie's default is its
    /// first class).
    pub fn complete(ev: &Evaluation, choices: &[(Zero, Side)]) -> Pattern {
        let layers = ev.points.first().map_or(0, |p| p.pre.len());
        let mut active: Vec<Vec<Vec<bool>>> = (0..layers)
            .map(|l| {
                ev.points
                    .iter()
                    .map(|p| {
                        p.pre[l]
                            .iter()
                            .map(|z| z.is_positive() || !ev.kinks)
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut hinge_active: Vec<Vec<bool>> = ev
            .points
            .iter()
            .map(|p| p.terms.iter().map(|(_, a)| a.is_positive()).collect())
            .collect();
        let mut competitor: Vec<Option<usize>> = ev
            .points
            .iter()
            .map(|p| p.argmax.as_ref().and_then(|s| s.first().copied()))
            .collect();
        for (zero, side) in choices {
            match (zero, side) {
                (Zero::Kink { point, layer, unit }, _) => {
                    active[layer - 1][*point][*unit] = *side == Side::Pos;
                }
                (Zero::Hinge { point, class }, _) => {
                    let terms = &ev.points[*point].terms;
                    if let Some(t) = terms.iter().position(|(c, _)| c == class) {
                        hinge_active[*point][t] = *side == Side::Pos;
                    }
                }
                (Zero::Tie { point, .. }, Side::Class(k)) => competitor[*point] = Some(*k),
                (Zero::Tie { .. }, _) => {}
            }
        }
        Pattern {
            active,
            hinge_active,
            competitor,
        }
    }
}

/// The outputs `f_k(x_i; theta)` of data point `i` on `pattern`.
pub fn output_polys(problem: &Problem, pattern: &Pattern, i: usize) -> Vec<Poly> {
    let arch = &problem.arch;
    let mut a: Vec<Poly> = problem.data.x[i]
        .iter()
        .map(|v| Poly::constant(v.clone()))
        .collect();
    for l in 1..=arch.depth() {
        let z: Vec<Poly> = (0..arch.widths[l])
            .map(|j| {
                let mut zj = a.iter().enumerate().fold(Poly::zero(), |acc, (k, ak)| {
                    acc.add(&ak.mul(&Poly::var(arch.weight_index(l, j, k) as u32)))
                });
                if let Some(b) = arch.bias_index(l, j) {
                    zj = zj.add(&Poly::var(b as u32));
                }
                zj
            })
            .collect();
        if l == arch.depth() {
            return z;
        }
        a = z
            .iter()
            .enumerate()
            .map(|(j, zj)| zj.scale(&slope(&arch.activation, pattern.active[l - 1][i][j])))
            .collect();
    }
    a
}

/// The loss on `pattern`: `(1/N) sum_i` of point i's counted hinge arguments.
pub fn loss_poly(problem: &Problem, pattern: &Pattern) -> Poly {
    let one = Poly::constant(Q::one());
    let mut total = Poly::zero();
    for i in 0..problem.data.len() {
        let f = output_polys(problem, pattern, i);
        let y = problem.data.y[i];
        let counted = |t: usize| pattern.hinge_active[i].get(t).copied().unwrap_or(false);
        match problem.loss {
            LossKind::Hinge => {
                if counted(0) {
                    total = total.add(&one.sub(&f[0].scale(&Q::from_integer(y.into()))));
                }
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for (t, k) in (0..f.len()).filter(|&k| k != yc).enumerate() {
                    if counted(t) {
                        total = total.add(&one.add(&f[k]).sub(&f[yc]));
                    }
                }
            }
            LossKind::CrammerSinger => {
                if let (true, Some(k)) = (counted(0), pattern.competitor[i]) {
                    total = total.add(&one.add(&f[k]).sub(&f[y as usize]));
                }
            }
            LossKind::Absolute => {
                let t = problem
                    .data
                    .targets
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| Q::from_integer(0.into()));
                let r = f[0].sub(&Poly::constant(t));
                // the branch f - t on the positive side, t - f on the negative
                total = if counted(0) {
                    total.add(&r)
                } else {
                    total.sub(&r)
                };
            }
            LossKind::Squared => {
                let t = problem
                    .data
                    .targets
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| Q::from_integer(0.into()));
                let r = f[0].sub(&Poly::constant(t));
                total = total.add(&r.mul(&r));
            }
        }
    }
    total.scale(&(Q::one() / Q::from_integer((problem.data.len() as i64).into())))
}

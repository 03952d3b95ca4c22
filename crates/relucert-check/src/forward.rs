//! The checker's own exact forward pass.
//!
//! Owns: evaluating the network at a flat parameter vector in plain rational
//! arithmetic, layer by layer (pre-activations, the activations relu / leaky
//! / linear, the outputs), the hinge arguments of the three losses (binary
//! hinge `1 - y f`; Weston-Watkins `1 + f_k - f_y` for each `k != y` in
//! increasing order; Crammer-Singer `1 + max_{k != y} f_k - f_y` with its
//! sorted arg-max set; absolute: the residual `f - t`, whose absolute value
//! is the loss; squared: no term, the loss is `(f - t)^2`), the exact loss
//! `(1/N) sum_i loss_i`, and
//! the point's zero entries in the order certificates index them: every zero
//! pre-activation (only when the activation has a kink) by layer, point,
//! unit; then per point its zero hinge arguments and its Crammer-Singer tie.
//!
//! Must not: call the library's evaluation (`Problem::loss`, `evaluate`,
//! `signature`, `network::int`): this is the independent recomputation the
//! certificates are checked against. No floats, no tolerance: zero means
//! exactly zero.

use num_traits::{One, Signed, Zero as _};
use relucert_core::network::{Activation, LossKind, Problem};
use relucert_core::number::Q;

/// Slope of the activation on the negative side (0 relu, alpha leaky, 1 linear).
pub fn negative_slope(act: &Activation) -> Q {
    match act {
        Activation::Relu => Q::zero(),
        Activation::Leaky(a) => a.clone(),
        Activation::Linear => Q::one(),
    }
}

/// Slope of the activation on the side `positive`.
pub fn slope(act: &Activation, positive: bool) -> Q {
    if positive {
        Q::one()
    } else {
        negative_slope(act)
    }
}

/// Whether a zero pre-activation is a kink (every activation but linear).
pub fn has_kink(act: &Activation) -> bool {
    !matches!(act, Activation::Linear)
}

/// A place where the point sits on a boundary between pieces of the loss.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zero {
    /// Pre-activation of `unit` of hidden layer `layer` (1-based) is 0 on `point`.
    Kink {
        /// Data point.
        point: usize,
        /// Hidden layer, 1-based.
        layer: usize,
        /// Unit in that layer.
        unit: usize,
    },
    /// A hinge argument of `point` is 0 (`class`: the Weston-Watkins competitor).
    Hinge {
        /// Data point.
        point: usize,
        /// Competitor class (Weston-Watkins only).
        class: Option<usize>,
    },
    /// Crammer-Singer: several competitors of `point` attain the max.
    Tie {
        /// Data point.
        point: usize,
        /// The tied classes, increasing.
        classes: Vec<usize>,
    },
}

/// A hinge term: the Weston-Watkins competitor class (if any) and the argument.
pub type Term = (Option<usize>, Q);

/// The exact evaluation at one data point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointEval {
    /// `pre[l][j]`: pre-activation of unit j of hidden layer l+1.
    pub pre: Vec<Vec<Q>>,
    /// The network's outputs.
    pub output: Vec<Q>,
    /// Hinge terms: `(competitor class for Weston-Watkins, argument)`.
    pub terms: Vec<Term>,
    /// Crammer-Singer: the competitors attaining the max, increasing.
    pub argmax: Option<Vec<usize>>,
}

/// The exact evaluation at a parameter point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// One entry per data point.
    pub points: Vec<PointEval>,
    /// The loss `(1/N) sum_i loss_i`.
    pub loss: Q,
    /// Whether zero pre-activations are kinks.
    pub kinks: bool,
    /// A regression loss (every point's loss depends on its output).
    pub regression: bool,
}

/// Evaluate `problem` at the flat parameter vector `theta` (FORMAT.md order,
/// `arch.num_params()` entries).
pub fn evaluate(problem: &Problem, theta: &[Q]) -> Evaluation {
    let arch = &problem.arch;
    let depth = arch.depth();
    let mut points = Vec::with_capacity(problem.data.len());
    let mut total = Q::zero();
    for (i, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let mut a: Vec<Q> = x.clone();
        let mut pre = Vec::new();
        for l in 1..=depth {
            let z: Vec<Q> = (0..arch.widths[l])
                .map(|j| {
                    let s = a.iter().enumerate().fold(Q::zero(), |acc, (k, ak)| {
                        acc + &theta[arch.weight_index(l, j, k)] * ak
                    });
                    match arch.bias_index(l, j) {
                        Some(b) => s + &theta[b],
                        None => s,
                    }
                })
                .collect();
            if l < depth {
                a = z
                    .iter()
                    .map(|t| t * slope(&arch.activation, !t.is_negative()))
                    .collect();
                pre.push(z);
            } else {
                a = z;
            }
        }
        let target = problem.data.targets.get(i).cloned().unwrap_or_else(Q::zero);
        let (terms, argmax) = hinge_terms(problem.loss, &a, y, &target);
        match problem.loss {
            LossKind::Absolute => {
                for (_, arg) in &terms {
                    total += if arg.is_negative() { -arg } else { arg.clone() };
                }
            }
            LossKind::Squared => {
                let r = &a[0] - &target;
                total += &r * &r;
            }
            _ => {
                for (_, arg) in &terms {
                    if arg.is_positive() {
                        total += arg;
                    }
                }
            }
        }
        points.push(PointEval {
            pre,
            output: a,
            terms,
            argmax,
        });
    }
    let n = Q::from_integer((problem.data.len() as i64).into());
    Evaluation {
        points,
        loss: total / n,
        kinks: has_kink(&arch.activation),
        regression: matches!(problem.loss, LossKind::Absolute | LossKind::Squared),
    }
}

/// The exact loss at `theta`.
pub fn loss(problem: &Problem, theta: &[Q]) -> Q {
    evaluate(problem, theta).loss
}

/// Hinge arguments of one point from its outputs `f` and label `y` (or
/// target), and the Crammer-Singer arg-max set. Absolute loss: one term, the
/// residual `f - t` (the loss is its absolute value); squared loss: none.
fn hinge_terms(kind: LossKind, f: &[Q], y: i64, target: &Q) -> (Vec<Term>, Option<Vec<usize>>) {
    match kind {
        LossKind::Absolute => (vec![(None, &f[0] - target)], None),
        LossKind::Squared => (Vec::new(), None),
        LossKind::Hinge => {
            let yq = Q::from_integer(y.into());
            (vec![(None, Q::one() - yq * &f[0])], None)
        }
        LossKind::MulticlassHinge => {
            let yc = y as usize;
            let terms = (0..f.len())
                .filter(|&k| k != yc)
                .map(|k| (Some(k), Q::one() + &f[k] - &f[yc]))
                .collect();
            (terms, None)
        }
        LossKind::CrammerSinger => {
            let yc = y as usize;
            let others: Vec<usize> = (0..f.len()).filter(|&k| k != yc).collect();
            let best = others
                .iter()
                .map(|&k| &f[k])
                .max()
                .cloned()
                .unwrap_or_else(Q::zero);
            let tied = others.into_iter().filter(|&k| f[k] == best).collect();
            (vec![(None, Q::one() + best - &f[yc])], Some(tied))
        }
    }
}

impl Evaluation {
    /// The zero entries, in the order certificates index them.
    pub fn zero_entries(&self) -> Vec<Zero> {
        let mut out = Vec::new();
        if self.kinks {
            let layers = self.points.first().map_or(0, |p| p.pre.len());
            for layer in 0..layers {
                for (point, p) in self.points.iter().enumerate() {
                    for (unit, z) in p.pre[layer].iter().enumerate() {
                        if z.is_zero() {
                            out.push(Zero::Kink {
                                point,
                                layer: layer + 1,
                                unit,
                            });
                        }
                    }
                }
            }
        }
        for (point, p) in self.points.iter().enumerate() {
            for (class, arg) in &p.terms {
                if arg.is_zero() {
                    out.push(Zero::Hinge {
                        point,
                        class: *class,
                    });
                }
            }
            if let Some(set) = p.argmax.as_ref().filter(|s| s.len() > 1) {
                out.push(Zero::Tie {
                    point,
                    classes: set.clone(),
                });
            }
        }
        out
    }

    /// Whether a zero entry's side can matter: a kink on a point whose hinge
    /// arguments are all `< 0` changes no term of the loss nearby (hinge
    /// losses only: a regression point's loss depends on its output always).
    pub fn live(&self, z: &Zero) -> bool {
        if self.regression {
            return true;
        }
        match z {
            Zero::Kink { point, .. } => self.points[*point]
                .terms
                .iter()
                .any(|(_, a)| !a.is_negative()),
            _ => true,
        }
    }
}

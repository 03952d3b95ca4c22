//! The exact evaluation of a network on its data.
//!
//! Owns: the forward pass (`forward`, fraction-free through `int`, and
//! `forward_rational`, the plain rational reference), the five losses
//! per point (`point_loss`), and `Problem`'s exact loss, evaluation,
//! signature and one-sided directional derivative.
//!
//! Must not: read files, build polynomials or decide anything about
//! minimality; no tolerance anywhere (zero means exactly zero).

use super::*;
use relucert_deadline::{Deadline, Expired};

/// The activation's exact action (evaluation only; the checker has its own).
impl Activation {
    /// Slope on the negative side: 0 for ReLU, alpha for leaky, 1 for linear.
    pub fn negative_slope(&self) -> Q {
        match self {
            Activation::Relu => Q::zero(),
            Activation::Leaky(a) => a.clone(),
            Activation::Linear => Q::one(),
        }
    }

    /// Slope on the side `positive`.
    pub fn slope(&self, positive: bool) -> Q {
        if positive {
            Q::one()
        } else {
            self.negative_slope()
        }
    }

    /// Whether a zero pre-activation is a kink (false only for linear).
    pub fn has_kink(&self) -> bool {
        !matches!(self, Activation::Linear)
    }

    /// Apply the activation.
    pub fn apply(&self, t: &Q) -> Q {
        if sign(t) >= 0 {
            t.clone()
        } else {
            t * self.negative_slope()
        }
    }
}

/// The exact forward pass at one data point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// `pre[l][j]`: pre-activation of hidden unit j of hidden layer l+1.
    pub pre: Vec<Vec<Q>>,
    /// Network output `f(x)`.
    pub output: Vec<Q>,
}

/// Forward pass of one input through `params` (shapes assumed to fit).
/// Fraction-free (see `int`); for many inputs, prepare `IntParams` once.
pub fn forward(arch: &Architecture, params: &Params, x: &[Q]) -> Trace {
    IntParams::new(params, &arch.activation).forward(x)
}

/// The same forward pass in plain rational arithmetic: the reference the
/// fraction-free pass is tested against (slower: a gcd per operation).
pub fn forward_rational(arch: &Architecture, params: &Params, x: &[Q]) -> Trace {
    let mut a: Vec<Q> = x.to_vec();
    let mut pre = Vec::with_capacity(arch.hidden_layers());
    for (l, layer) in params.layers.iter().enumerate() {
        let mut z: Vec<Q> = layer
            .w
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&a)
                    .fold(Q::zero(), |acc, (w, v)| acc + w * v)
            })
            .collect();
        if let Some(b) = &layer.b {
            for (zj, bj) in z.iter_mut().zip(b) {
                *zj += bj;
            }
        }
        if l + 1 == params.layers.len() {
            return Trace { pre, output: z };
        }
        a = z.iter().map(|t| arch.activation.apply(t)).collect();
        pre.push(z);
    }
    Trace { pre, output: a }
}

/// One hinge term of one data point: its argument, and for the multiclass
/// losses which competitor class it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HingeTerm {
    /// Weston-Watkins: the competitor class k. Binary and Crammer-Singer: None.
    pub class: Option<usize>,
    /// The hinge argument (`1 - y f`, `1 + f_k - f_y`, or `1 + max - f_y`);
    /// for the absolute loss the residual `f - t` (the term is `|f - t|`).
    pub argument: Q,
}

/// Per-point loss details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointLoss {
    /// The network output `f(x_i)` (one entry per output unit).
    pub output: Vec<Q>,
    /// Binary: `y f`. Multiclass: `f_y - max_{k != y} f_k`. Regression: the
    /// residual `f - t`.
    pub margin: Q,
    /// The hinge terms of this point's loss, with their arguments (absolute:
    /// one term, the residual; squared: none).
    pub terms: Vec<HingeTerm>,
    /// Crammer-Singer: the competitor classes attaining the max (sorted).
    pub argmax: Option<Vec<usize>>,
    /// This point's loss (before averaging).
    pub loss: Q,
}

/// Hinge terms, margin and loss of one point from its output; `y` is the
/// label (hinge losses), `target` the target (regression losses; ignored
/// otherwise).
pub fn point_loss(kind: LossKind, output: &[Q], y: i64, target: &Q) -> PointLoss {
    if kind.is_regression() {
        let residual = &output[0] - target;
        let (terms, loss) = if kind == LossKind::Absolute {
            let term = HingeTerm {
                class: None,
                argument: residual.clone(),
            };
            (vec![term], abs(&residual))
        } else {
            (Vec::new(), &residual * &residual)
        };
        return PointLoss {
            output: output.to_vec(),
            margin: residual,
            terms,
            argmax: None,
            loss,
        };
    }
    let one = Q::one();
    // binary: y f; multiclass: f_y - max_{k != y} f_k (with its arg-max set)
    let (margin, others) = match kind {
        LossKind::Hinge => (qi(y) * &output[0], Vec::new()),
        _ => {
            let yc = y as usize;
            let others: Vec<usize> = (0..output.len()).filter(|&k| k != yc).collect();
            let best = others
                .iter()
                .map(|&k| &output[k])
                .max()
                .cloned()
                .unwrap_or_else(Q::zero);
            (&output[yc] - &best, others)
        }
    };
    let (terms, argmax) = match kind {
        LossKind::MulticlassHinge => {
            let fy = &output[y as usize];
            let terms = others
                .iter()
                .map(|&k| HingeTerm {
                    class: Some(k),
                    argument: &one + &output[k] - fy,
                })
                .collect();
            (terms, None)
        }
        // binary hinge and Crammer-Singer: one term, 1 - margin
        _ => {
            let argmax = (kind == LossKind::CrammerSinger).then(|| {
                let best = &output[y as usize] - &margin;
                others
                    .iter()
                    .copied()
                    .filter(|&k| output[k] == best)
                    .collect()
            });
            (
                vec![HingeTerm {
                    class: None,
                    argument: &one - &margin,
                }],
                argmax,
            )
        }
    };
    let loss = terms
        .iter()
        .fold(Q::zero(), |acc, t| acc + pos(&t.argument));
    PointLoss {
        output: output.to_vec(),
        margin,
        terms,
        argmax,
        loss,
    }
}

fn abs(q: &Q) -> Q {
    if sign(q) < 0 {
        -q.clone()
    } else {
        q.clone()
    }
}

fn pos(q: &Q) -> Q {
    if sign(q) > 0 {
        q.clone()
    } else {
        Q::zero()
    }
}

/// Full exact evaluation of a point: per-data-point traces and losses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The forward pass at each data point.
    pub traces: Vec<Trace>,
    /// The loss details at each data point.
    pub points: Vec<PointLoss>,
    /// `(1/N) sum_i loss_i`.
    pub loss: Q,
}

impl Problem {
    /// Exact loss at `params` (shapes assumed to fit, N >= 1).
    pub fn loss(&self, params: &Params) -> Q {
        IntParams::new(params, &self.arch.activation)
            .loss_and_views(self.loss, &self.data, false)
            .0
    }

    /// [`Problem::loss`], stopped with [`Expired`] once `deadline` passes
    /// (tested before each data point).
    pub fn loss_within(&self, params: &Params, deadline: &Deadline) -> Result<Q, Expired> {
        deadline.check()?;
        Ok(IntParams::new(params, &self.arch.activation)
            .loss_and_views_within(self.loss, &self.data, false, deadline)?
            .0)
    }

    /// The one-sided directional derivative of the loss at `params` along
    /// the parameter direction `dir` (same shapes):
    /// `L'(theta; d) = lim_{t -> 0+} (L(theta + t d) - L(theta)) / t`, exactly.
    ///
    /// Along the ray every value is a polynomial in `t` for small `t > 0`,
    /// and its first-order coefficient follows the chain rule with the
    /// one-sided rules `max(0, .)'(0; v) = max(0, v)` (hinge corners, ReLU
    /// kinks), `max(v, alpha v)` (leaky kinks) and, at a Crammer-Singer tie,
    /// the largest tangent among the tied competitors. A negative value
    /// proves that `params` is not a local minimum:
    /// `L(theta + t d) = L(theta) + t L'(theta; d) + O(t^2)`.
    pub fn directional_derivative(&self, params: &Params, dir: &Params) -> Q {
        let prepared = IntParams::new(params, &self.arch.activation);
        let dprepared = IntParams::new(dir, &self.arch.activation);
        prepared.directional_derivative(&dprepared, self.loss, &self.data)
    }

    /// The exact loss together with each point's `PointView` (exact signs of
    /// the hidden pre-activations and hinge arguments, float magnitudes), in
    /// one fraction-free pass: what the first-order probe starts from.
    pub fn loss_and_views(&self, params: &Params) -> (Q, Vec<PointView>) {
        IntParams::new(params, &self.arch.activation).loss_and_views(self.loss, &self.data, true)
    }

    /// Exact evaluation with all per-point details.
    pub fn evaluate(&self, params: &Params) -> Evaluation {
        let prepared = IntParams::new(params, &self.arch.activation);
        let traces: Vec<Trace> = self.data.x.iter().map(|x| prepared.forward(x)).collect();
        let points: Vec<PointLoss> = traces
            .iter()
            .enumerate()
            .map(|(i, t)| point_loss(self.loss, &t.output, self.data.y[i], &self.data.target(i)))
            .collect();
        let total = points.iter().fold(Q::zero(), |acc, p| acc + &p.loss);
        Evaluation {
            traces,
            points,
            loss: total / qi(self.data.len() as i64),
        }
    }

    /// The signature of `params` (see `Signature`).
    pub fn signature(&self, params: &Params) -> Signature {
        Signature::of(self, &self.evaluate(params))
    }
}

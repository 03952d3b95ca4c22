//! Networks and their exact evaluation.
//!
//! Owns: the architecture (`Architecture`: widths, hidden activation, bias
//! flags), parameter points (`Params`, and the flat parameter order of
//! FORMAT.md), data sets, the five losses (three hinge, two regression), the exact forward pass, the
//! exact loss, per-point margins, and the *signature* of a point (signs of
//! every hidden pre-activation and every hinge argument, Crammer-Singer
//! arg-max sets) with its list of zero entries, and the exact one-sided
//! directional derivative of the loss.
//!
//! This file holds the model types (what an instance describes); the exact
//! evaluation (forward pass, losses, `Problem`'s loss, signature and
//! directional derivative) lives in `eval` and its fraction-free engine in
//! `int`; the signature of a point, its zero entries and their completion to
//! a cell pattern live in `signature` (all re-exported here). The
//! independent checker uses only the types of this file: it evaluates with
//! its own forward pass.
//!
//! Must not: read files (that is `instance`), build polynomials (that is
//! `cellpoly`), or decide anything about minimality. Everything here is exact
//! rational arithmetic; there is no tolerance anywhere: a pre-activation is
//! zero only if it is exactly zero. The one float output, the magnitudes in
//! a `PointView`, is rounded from exact values for `probe`'s proposals; its
//! signs and zero flags are exact, and nothing decides on the magnitudes.

mod eval;
mod int;
mod names;
mod signature;

pub use eval::{forward, forward_rational, point_loss, Evaluation, HingeTerm, PointLoss, Trace};
pub use int::{IntParams, PointView, PointsEvaluation};
pub use names::{ParamKind, ParamSlot};
pub use signature::{Pattern, Side, SideError, Sign, Signature, ZeroEntry};

use crate::number::{qi, sign, Q};
use num_traits::{One, Zero};

/// Hidden-layer activation `sigma_alpha(t) = max(t, alpha t)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `max(t, 0)`.
    Relu,
    /// `max(t, alpha t)` with `0 < alpha < 1`.
    Leaky(Q),
    /// `t` (deep linear network).
    Linear,
}

impl Activation {
    /// The name used in instance files.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Leaky(_) => "leaky",
            Activation::Linear => "linear",
        }
    }
}

/// The five losses of FORMAT.md: three hinge-type classification losses
/// and two regression losses (THEORY section 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// Binary hinge `max(0, 1 - y f)`, output width 1, labels +-1.
    Hinge,
    /// Weston-Watkins: `sum_{k != y} max(0, 1 + f_k - f_y)`.
    MulticlassHinge,
    /// Crammer-Singer: `max(0, 1 + max_{k != y} f_k - f_y)`.
    CrammerSinger,
    /// Regression, `|f - t|` with a rational target `t`, output width 1. Its
    /// one "hinge" term has the argument `f - t` and two branches, `f - t`
    /// on the positive side and `t - f` on the negative side (a corner at
    /// `f = t`).
    Absolute,
    /// Regression, `(f - t)^2` with a rational target `t`, output width 1.
    /// Smooth: no hinge terms; on a cell the loss is a polynomial of degree
    /// two per layer, not multilinear.
    Squared,
}

impl LossKind {
    /// The name used in instance files.
    pub fn name(&self) -> &'static str {
        match self {
            LossKind::Hinge => "hinge",
            LossKind::MulticlassHinge => "multiclass-hinge",
            LossKind::CrammerSinger => "crammer-singer",
            LossKind::Absolute => "absolute",
            LossKind::Squared => "squared",
        }
    }

    /// True for the regression losses (`absolute`, `squared`): rational
    /// targets in `Data::targets`, output width 1.
    pub fn is_regression(&self) -> bool {
        matches!(self, LossKind::Absolute | LossKind::Squared)
    }

    /// True for the three hinge-type classification losses.
    pub fn is_hinge_type(&self) -> bool {
        !self.is_regression()
    }

    /// The slope of a loss term on the negative side of its argument:
    /// 0 for the hinge losses (`max(0, a)`), -1 for the absolute loss
    /// (`|a| = max(a, -a)`). On the positive side it is always 1. The
    /// squared loss has no terms (`None`).
    pub fn term_negative_slope(&self) -> Option<i64> {
        match self {
            LossKind::Hinge | LossKind::MulticlassHinge | LossKind::CrammerSinger => Some(0),
            LossKind::Absolute => Some(-1),
            LossKind::Squared => None,
        }
    }
}

/// The shape of a network: `widths = [n_0, n_1, ..., n_L]`, one activation
/// for all hidden layers, one bias flag per weight layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Architecture {
    /// Layer widths `[n_0, n_1, ..., n_L]`: input, hidden layers, output.
    pub widths: Vec<usize>,
    /// The activation of every hidden layer.
    pub activation: Activation,
    /// One flag per weight layer: does it have a bias vector?
    pub bias: Vec<bool>,
}

impl Architecture {
    /// Number of weight layers L (`widths.len() - 1`).
    pub fn depth(&self) -> usize {
        self.widths.len() - 1
    }

    /// Number of hidden layers (L - 1).
    pub fn hidden_layers(&self) -> usize {
        self.depth() - 1
    }

    /// Output width.
    pub fn output_width(&self) -> usize {
        self.widths[self.widths.len() - 1]
    }

    /// Input dimension.
    pub fn input_dim(&self) -> usize {
        self.widths[0]
    }

    /// Number of parameters of weight layer `l` (1-based).
    pub fn layer_params(&self, l: usize) -> usize {
        let (rows, cols) = (self.widths[l], self.widths[l - 1]);
        rows * cols + if self.bias[l - 1] { rows } else { 0 }
    }

    /// Flat index of the first parameter of layer `l` (1-based).
    pub fn layer_offset(&self, l: usize) -> usize {
        (1..l).map(|k| self.layer_params(k)).sum()
    }

    /// Total number of parameters.
    pub fn num_params(&self) -> usize {
        self.layer_offset(self.depth() + 1)
    }

    /// Flat index of `W_l[row, col]`.
    pub fn weight_index(&self, l: usize, row: usize, col: usize) -> usize {
        self.layer_offset(l) + row * self.widths[l - 1] + col
    }

    /// Flat index of `b_l[row]`, if layer `l` has a bias.
    pub fn bias_index(&self, l: usize, row: usize) -> Option<usize> {
        self.bias[l - 1].then(|| self.layer_offset(l) + self.widths[l] * self.widths[l - 1] + row)
    }
}

/// One weight layer's parameters: `w` has `widths[l]` rows of `widths[l-1]`
/// entries; `b` is present iff the layer has a bias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerParams {
    /// The weight matrix, row by row (`widths[l]` rows of `widths[l-1]`).
    pub w: Vec<Vec<Q>>,
    /// The bias vector (`widths[l]` entries), if the layer has one.
    pub b: Option<Vec<Q>>,
}

/// A parameter point: one `LayerParams` per weight layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Weight layers 1..=L in order.
    pub layers: Vec<LayerParams>,
}

impl Params {
    /// The flat parameter vector in FORMAT.md order.
    pub fn flat(&self) -> Vec<Q> {
        let mut out = Vec::new();
        for layer in &self.layers {
            for row in &layer.w {
                out.extend(row.iter().cloned());
            }
            if let Some(b) = &layer.b {
                out.extend(b.iter().cloned());
            }
        }
        out
    }

    /// Rebuild from a flat vector; `None` if its length is wrong.
    pub fn from_flat(arch: &Architecture, flat: &[Q]) -> Option<Params> {
        if flat.len() != arch.num_params() {
            return None;
        }
        let mut it = flat.iter().cloned();
        let mut layers = Vec::with_capacity(arch.depth());
        for l in 1..=arch.depth() {
            let (rows, cols) = (arch.widths[l], arch.widths[l - 1]);
            let w = (0..rows)
                .map(|_| it.by_ref().take(cols).collect())
                .collect();
            let b = arch.bias[l - 1].then(|| it.by_ref().take(rows).collect());
            layers.push(LayerParams { w, b });
        }
        Some(Params { layers })
    }

    /// Whether the shapes match `arch`.
    pub fn fits(&self, arch: &Architecture) -> bool {
        self.layers.len() == arch.depth()
            && self.layers.iter().enumerate().all(|(i, layer)| {
                let (rows, cols) = (arch.widths[i + 1], arch.widths[i]);
                layer.w.len() == rows
                    && layer.w.iter().all(|r| r.len() == cols)
                    && match &layer.b {
                        Some(b) => arch.bias[i] && b.len() == rows,
                        None => !arch.bias[i],
                    }
            })
    }
}

/// A labelled data set. For `hinge`, labels are +1 / -1; for the multiclass
/// losses, class indices `0..K`; for the regression losses, rational
/// targets in `targets` (and `y` is all zeros, one per point, so that code
/// walking the points by their labels still walks all of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    /// Inputs, one row of `widths[0]` entries per point.
    pub x: Vec<Vec<Q>>,
    /// Labels, one per point (all 0 for the regression losses).
    pub y: Vec<i64>,
    /// Regression targets, one per point; empty for the hinge losses.
    pub targets: Vec<Q>,
}

impl Data {
    /// A classification data set (no targets).
    pub fn labelled(x: Vec<Vec<Q>>, y: Vec<i64>) -> Data {
        Data {
            x,
            y,
            targets: Vec::new(),
        }
    }

    /// A regression data set: `y` is set to zeros.
    pub fn regression(x: Vec<Vec<Q>>, targets: Vec<Q>) -> Data {
        Data {
            y: vec![0; x.len()],
            x,
            targets,
        }
    }

    /// Point `i`'s regression target (0 when there are no targets).
    pub fn target(&self, i: usize) -> Q {
        self.targets.get(i).cloned().unwrap_or_else(Q::zero)
    }

    /// Number of points N.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True iff there are no points.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// A network together with its data and loss: everything needed to evaluate
/// a parameter point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The network's shape.
    pub arch: Architecture,
    /// The loss.
    pub loss: LossKind,
    /// The labelled data.
    pub data: Data,
}

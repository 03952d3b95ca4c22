//! The data of the activation-pattern LP certificates (THEORY section 9):
//! `pattern-lp` (the point is a global minimum over its width),
//! `width-optimum` (the least loss over all networks of a width, with a
//! network attaining it) and `width-optimum-shard` (the same over one shard
//! of the sets of pairs), and of `function-space-bound`.
//!
//! Owns: the types only; reading and writing are in `read` and `write`,
//! the meaning and the checks in docs/certificates.md and the checker.
//!
//! Must not: judge anything.

use crate::network::Sign;
use crate::number::Q;

/// A sparse vector: `(index, value)` entries, in the JSON as `[[i, "v"], ...]`.
pub type Sparse = Vec<(usize, Q)>;

/// One chamber of the arrangement of the data's (extended) inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chamber {
    /// `signs`: one per data point: `+`/`-` on the points that define a
    /// hyperplane, `0` on the others (zero extended input, or a linear
    /// activation, where no point does).
    pub signs: Vec<Sign>,
    /// `witness`: a vector `u` with `sign(u . x~_i) = signs[i]` strictly on
    /// every hyperplane point.
    pub witness: Vec<Q>,
}

/// A Gordan vector proving that flipping a chamber's signs on one
/// hyperplane (all points parallel to `point`) gives an empty cone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmptyFlip {
    /// `chamber`: index into `chambers`.
    pub chamber: usize,
    /// `point`: a data point on the flipped hyperplane.
    pub point: usize,
    /// `farkas`: `y >= 0`, not all zero, with `sum_k y_k eps'_k x~_k = 0`.
    pub farkas: Sparse,
}

/// A pair's membership in the polar cone of a dual: `nu >= 0` with
/// `sum_k nu_k eps_P,k x~_k = -g` (docs/certificates.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairProof {
    /// `pair`: `2 * chamber + (0 for s = +1, 1 for s = -1)`.
    pub pair: usize,
    /// `nu`.
    pub nu: Sparse,
}

/// One dual solution and the pairs it is valid for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DualBound {
    /// `lambda`: one multiplier in [0, 1] per data point.
    pub lambda: Vec<Q>,
    /// `pairs`: the pairs proven compatible with `lambda`.
    pub pairs: Vec<PairProof>,
}

/// One unit of a witness network: `s sigma(u . x~)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessUnit {
    /// `pair`: the unit's pair (its sign `s` and chamber).
    pub pair: usize,
    /// `u`: the unit's extended weight vector (input weights, then the bias
    /// when the hidden layer has one).
    pub u: Vec<Q>,
}

/// A network attaining the claimed loss.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessNet {
    /// `units`: at most `width` units.
    pub units: Vec<WitnessUnit>,
    /// `c`: the output bias (0 without one).
    pub c: Q,
}

/// A shard `index` of `count` (1-based): the sets whose position in the
/// lexicographic enumeration is `index - 1` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `index`, 1-based.
    pub index: usize,
    /// `count`.
    pub count: usize,
}

/// The evidence of the three pattern-LP kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternLp {
    /// `width`: the number of hidden units.
    pub width: usize,
    /// `chambers`: every chamber of the arrangement.
    pub chambers: Vec<Chamber>,
    /// `empty`: the flip-closure's emptiness proofs.
    pub empty: Vec<EmptyFlip>,
    /// `duals`.
    pub duals: Vec<DualBound>,
    /// `witness` (`width-optimum` and `width-optimum-shard` only).
    pub witness: Option<WitnessNet>,
    /// `shard` (`width-optimum-shard` only).
    pub shard: Option<Shard>,
}

//! The data of the `pattern-star-bound` certificate (THEORY sections 9 and
//! 10, "Local pattern-star bound"; docs/certificates.md): one hidden layer,
//! binary hinge, absolute or squared loss.
//!
//! Owns: the types only; reading and writing are in `read` and `write`,
//! the meaning and the checks in docs/certificates.md and the checker's
//! `star` module.
//!
//! Must not: judge anything.

use super::Sparse;
use crate::number::Q;

/// One local chamber of a unit: a sign vector on the unit's zero set with
/// a witness direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarChamber {
    /// `sides`: one side per point of the unit's zero set (in its order),
    /// `true` for `+`.
    pub sides: Vec<bool>,
    /// `witness`: `d` with `sign(d . x~_k)` the listed side, strictly, on
    /// every point `k` of the zero set.
    pub witness: Vec<Q>,
}

/// A sign vector on a unit's zero set shown empty by a Gordan vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarEmpty {
    /// `sides`, as in [`StarChamber`].
    pub sides: Vec<bool>,
    /// `farkas`: `y >= 0` indexed by data point (points of the zero set
    /// only), not all zero, with `sum_k y_k eps_k x~_k = 0`.
    pub farkas: Sparse,
}

/// One hidden unit's local chambers and their completeness proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarUnit {
    /// `zero`: the points with `w~*_j . x~_i = 0` and `x~_i != 0`, increasing.
    pub zero: Vec<usize>,
    /// `chambers`: the realisable sign vectors on `zero`.
    pub chambers: Vec<StarChamber>,
    /// `empty`: every other sign vector on `zero`, with its emptiness proof.
    pub empty: Vec<StarEmpty>,
}

/// A unit's option (local chamber, output sign) with its polar-cone multipliers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarOption {
    /// `chamber`: index into the unit's `chambers`.
    pub chamber: usize,
    /// `sign`: the sign `s` of the unit's outgoing weight, `true` for `+`.
    pub positive: bool,
    /// `nu`: `nu_k >= 0` indexed by data point, with `g = sum_k nu_k eps_k x~_k`.
    pub nu: Sparse,
}

/// One tangent (a linear minorant of every point's loss) and the options it
/// proves the bound for, per unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarBlock {
    /// `tangent`: one number per data point (`lambda` in [0, 1] for the
    /// hinge, in [-1, 1] for the absolute loss; the tangent output `f0`
    /// for the squared loss).
    pub tangent: Vec<Q>,
    /// `options`: per hidden unit, the options this tangent covers.
    pub options: Vec<Vec<StarOption>>,
}

/// The evidence of `pattern-star-bound`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternStar {
    /// `units`: one per hidden unit.
    pub units: Vec<StarUnit>,
    /// `blocks`: every choice of one option per unit lies in some block.
    pub blocks: Vec<StarBlock>,
}

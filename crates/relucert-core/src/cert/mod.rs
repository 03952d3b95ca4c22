//! The certificate model: a typed mirror of the certificate JSON of
//! docs/certificates.md (format `relucert-certificate`, version 1).
//!
//! Owns: the types [`Certificate`], [`Header`], [`Claim`], [`Evidence`] (one
//! variant per proof kind) and their parts, reading them from JSON
//! ([`Certificate::from_json`], failing with a [`CertFormatError`] that names
//! the offending field by its path, e.g. `evidence.regions[3].mu[2]`) and
//! writing them back ([`Certificate::to_json`], same keys in the same order
//! as the verifier writes them, rationals as canonical `"p/q"` strings). This
//! module is the one place where certificate JSON is read and written.
//!
//! Must not: judge a certificate. Reading checks shapes and spellings only
//! (a rational is a string, an index is a nonnegative integer, `sides` is a
//! string of `+`/`-`); whether the numbers prove anything is the checker's
//! business. No floats: every number is an exact rational or an index.
//!
//! The types and errors are here; reading is in `read` (part of the
//! checker's trusted base), writing in `write` (used by the verifier only).

mod pattern;
mod read;
mod star;
mod write;

pub use pattern::{
    Chamber, DualBound, EmptyFlip, PairProof, PatternLp, Shard, Sparse, WitnessNet, WitnessUnit,
};
pub use star::{PatternStar, StarBlock, StarChamber, StarEmpty, StarOption, StarUnit};

use crate::number::{NumberError, Q};

/// The value of the `format` field.
pub const FORMAT_NAME: &str = "relucert-certificate";

/// The value of the `version` field: the one version this model reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// What a certificate claims about the instance's point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    /// The point is a global minimum (`"global-min"`).
    GlobalMin,
    /// The point is a local minimum (`"local-min"`).
    LocalMin,
    /// The point is not a local minimum (`"not-local-min"`).
    NotLocalMin,
    /// The least loss over all networks of the certificate's width is
    /// exactly the certificate's `loss` (`"global-optimum"`; needs no point).
    GlobalOptimum,
    /// The least loss over the networks of one shard of the sets of pairs
    /// is exactly `loss` (`"shard-optimum"`; a part for `global --merge`).
    ShardOptimum,
}

impl Claim {
    /// The claim's name in certificates.
    pub fn name(self) -> &'static str {
        match self {
            Claim::GlobalMin => "global-min",
            Claim::LocalMin => "local-min",
            Claim::NotLocalMin => "not-local-min",
            Claim::GlobalOptimum => "global-optimum",
            Claim::ShardOptimum => "shard-optimum",
        }
    }

    /// The claim with this name.
    pub fn from_name(name: &str) -> Option<Claim> {
        [
            Claim::GlobalMin,
            Claim::LocalMin,
            Claim::NotLocalMin,
            Claim::GlobalOptimum,
            Claim::ShardOptimum,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of an [`Evidence`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// `zero-loss`.
    ZeroLoss,
    /// `flat`.
    Flat,
    /// `descent-arc`.
    DescentArc,
    /// `descent-direction`.
    DescentDirection,
    /// `linear-lp-bound`.
    LinearLpBound,
    /// `multiclass-lp-bound`.
    MulticlassLpBound,
    /// `piecewise-second-order`.
    PiecewiseSecondOrder,
    /// `function-space-bound`.
    FunctionSpaceBound,
    /// `pattern-lp`.
    PatternLp,
    /// `width-optimum`.
    WidthOptimum,
    /// `width-optimum-shard`.
    WidthOptimumShard,
    /// `linear-regression-bound`.
    LinearRegressionBound,
    /// `path-lifting-bound`.
    PathLiftingBound,
    /// `squared-second-order`.
    SquaredSecondOrder,
    /// `pattern-star-bound`.
    PatternStarBound,
    /// `deep-second-order`.
    DeepSecondOrder,
}

impl EvidenceKind {
    const ALL: [EvidenceKind; 16] = [
        EvidenceKind::ZeroLoss,
        EvidenceKind::Flat,
        EvidenceKind::DescentArc,
        EvidenceKind::DescentDirection,
        EvidenceKind::LinearLpBound,
        EvidenceKind::MulticlassLpBound,
        EvidenceKind::PiecewiseSecondOrder,
        EvidenceKind::FunctionSpaceBound,
        EvidenceKind::PatternLp,
        EvidenceKind::WidthOptimum,
        EvidenceKind::WidthOptimumShard,
        EvidenceKind::LinearRegressionBound,
        EvidenceKind::PathLiftingBound,
        EvidenceKind::SquaredSecondOrder,
        EvidenceKind::PatternStarBound,
        EvidenceKind::DeepSecondOrder,
    ];

    /// The kind's name in certificates (the `kind` field).
    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::ZeroLoss => "zero-loss",
            EvidenceKind::Flat => "flat",
            EvidenceKind::DescentArc => "descent-arc",
            EvidenceKind::DescentDirection => "descent-direction",
            EvidenceKind::LinearLpBound => "linear-lp-bound",
            EvidenceKind::MulticlassLpBound => "multiclass-lp-bound",
            EvidenceKind::PiecewiseSecondOrder => "piecewise-second-order",
            EvidenceKind::FunctionSpaceBound => "function-space-bound",
            EvidenceKind::PatternLp => "pattern-lp",
            EvidenceKind::WidthOptimum => "width-optimum",
            EvidenceKind::WidthOptimumShard => "width-optimum-shard",
            EvidenceKind::LinearRegressionBound => "linear-regression-bound",
            EvidenceKind::PathLiftingBound => "path-lifting-bound",
            EvidenceKind::SquaredSecondOrder => "squared-second-order",
            EvidenceKind::PatternStarBound => "pattern-star-bound",
            EvidenceKind::DeepSecondOrder => "deep-second-order",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<EvidenceKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The one claim this kind of evidence proves.
    pub fn proves(self) -> Claim {
        match self {
            EvidenceKind::ZeroLoss
            | EvidenceKind::LinearLpBound
            | EvidenceKind::MulticlassLpBound
            | EvidenceKind::FunctionSpaceBound
            | EvidenceKind::PatternLp
            | EvidenceKind::LinearRegressionBound => Claim::GlobalMin,
            EvidenceKind::WidthOptimum => Claim::GlobalOptimum,
            EvidenceKind::WidthOptimumShard => Claim::ShardOptimum,
            EvidenceKind::Flat
            | EvidenceKind::PiecewiseSecondOrder
            | EvidenceKind::PathLiftingBound => Claim::LocalMin,
            EvidenceKind::SquaredSecondOrder => Claim::LocalMin,
            EvidenceKind::PatternStarBound | EvidenceKind::DeepSecondOrder => Claim::LocalMin,
            EvidenceKind::DescentArc | EvidenceKind::DescentDirection => Claim::NotLocalMin,
        }
    }
}

impl std::fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The fields every certificate has besides its evidence (`format` and
/// `version` are the constants [`FORMAT_NAME`] and [`FORMAT_VERSION`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `instance_sha256`: the canonical hash of the instance (hex).
    pub instance_sha256: String,
    /// `claim`.
    pub claim: Claim,
    /// `loss`: the exact loss at the point.
    pub loss: Q,
}

/// A point of lower loss on a descent arc or ray (`lower_point`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerPoint {
    /// `t`: the arc parameter (> 0 in a valid certificate).
    pub t: Q,
    /// `params`: the flat parameter vector of the arc at `t`.
    pub params: Vec<Q>,
    /// `loss`: the exact loss there.
    pub loss: Q,
}

/// A zero first-layer pre-activation named by a `piecewise-second-order`
/// certificate (`{"point": i, "unit": j}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kink {
    /// Data point index.
    pub point: usize,
    /// Hidden unit index (first hidden layer).
    pub unit: usize,
}

/// A hidden unit named by a `squared-second-order` certificate
/// (`{"layer": l, "unit": j}`, `l` 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unit {
    /// Hidden layer, 1-based.
    pub layer: usize,
    /// Unit in that layer.
    pub unit: usize,
}

/// One piece (a side per kink) of a `squared-second-order` certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SquaredPiece {
    /// `sides`: one side per kink, `true` for `+`.
    pub sides: Vec<bool>,
    /// `lambda`: one Farkas multiplier per kink.
    pub lambda: Vec<Q>,
}

/// One region of a `deep-second-order` certificate: a side for every live
/// zero entry and the Farkas multipliers of its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeepRegion {
    /// `choice`: per live zero entry, 1 (`+`) or 0 (`-`) for a kink or a
    /// hinge corner, the leading class for a Crammer-Singer tie.
    pub choice: Vec<usize>,
    /// `lambda`: one nonnegative multiplier per row of the region.
    pub lambda: Vec<Q>,
}

/// How a region of a `piecewise-second-order` certificate is proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionProof {
    /// `same_as`: the index of an earlier proven region with the same rows.
    SameAs(usize),
    /// `lambda` (optional: weight 1 on the chosen branches when absent) and `mu`.
    Multipliers {
        /// Convex weights on the branches of each multi-branch term.
        lambda: Option<Vec<Vec<Q>>>,
        /// One multiplier per row of the region.
        mu: Vec<Q>,
    },
}

/// One region (kink cone x leading branches) of a `piecewise-second-order`
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// `sides`: one side per listed kink, `true` for `+`.
    pub sides: Vec<bool>,
    /// `choice`: the leading branch of each multi-branch term.
    pub choice: Vec<usize>,
    /// `same_as`, or `lambda` and `mu`.
    pub proof: RegionProof,
}

/// The proof part of a certificate, one variant per kind (docs/certificates.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// `zero-loss`: the loss is exactly 0.
    ZeroLoss,
    /// `flat`: every piece of the loss next to the point is the constant loss.
    Flat {
        /// `zero_entries`: number of live zero entries.
        zero_entries: usize,
        /// `pieces`: number of completions of those zero entries.
        pieces: usize,
    },
    /// `descent-arc`: `theta* + t d_1 + ... + t^k d_k` lowers the loss.
    DescentArc {
        /// `dirs`: the arc's directions `d_1, ..., d_k`.
        dirs: Vec<Vec<Q>>,
        /// `loss_polynomial`: the loss along the arc, lowest degree first.
        loss_polynomial: Vec<Q>,
        /// `lower_point`.
        lower_point: LowerPoint,
    },
    /// `descent-direction`: a negative one-sided directional derivative.
    DescentDirection {
        /// `dir`: the direction.
        dir: Vec<Q>,
        /// `derivative`: the one-sided directional derivative along `dir`.
        derivative: Q,
        /// `lower_point`.
        lower_point: LowerPoint,
    },
    /// `linear-lp-bound`: weak LP duality for a linear model, binary hinge.
    LinearLpBound {
        /// `affine`: whether the bound allows an offset.
        affine: bool,
        /// `lambda`: one multiplier per data point.
        lambda: Vec<Q>,
    },
    /// `multiclass-lp-bound`: weak LP duality for a linear model, multiclass loss.
    MulticlassLpBound {
        /// `affine`: whether the bound allows an offset.
        affine: bool,
        /// `lambda`: one row of multipliers per data point, one per class.
        lambda: Vec<Vec<Q>>,
    },
    /// `piecewise-second-order`: a quadratic lower bound on every region.
    PiecewiseSecondOrder {
        /// `dropped`: indices of the hinge-corner terms left out.
        dropped: Vec<usize>,
        /// `kinks`: the zero first-layer pre-activations whose side matters.
        kinks: Vec<Kink>,
        /// `corner_terms`: number of kept terms with more than one branch.
        corner_terms: usize,
        /// `regions`.
        regions: Vec<Region>,
    },
    /// `function-space-bound`: weak LP duality with a free output per
    /// distinct input (any depth); `lambda` has one row per data point (one
    /// entry for the binary hinge, one per class for multiclass losses).
    FunctionSpaceBound {
        /// `lambda`.
        lambda: Vec<Vec<Q>>,
    },
    /// `pattern-lp`: the point's loss is the least over its width (one
    /// hidden layer, binary hinge); no `witness`, no `shard`.
    PatternLp(PatternLp),
    /// `width-optimum`: the least loss over a width, with a witness network.
    WidthOptimum(PatternLp),
    /// `width-optimum-shard`: the same over one shard of the sets of pairs.
    WidthOptimumShard(PatternLp),
    /// `linear-regression-bound`: weak duality for a linear model with a
    /// regression loss; one multiplier per data point.
    LinearRegressionBound {
        /// `affine`: whether the bound allows an offset.
        affine: bool,
        /// `lambda`.
        lambda: Vec<Q>,
    },
    /// `path-lifting-bound`: on every completion of the zero
    /// pre-activations, weak duality over the free path products.
    PathLiftingBound {
        /// `kinks`: number of zero pre-activations.
        kinks: usize,
        /// `pieces`: number of completions (`2^kinks`).
        pieces: usize,
        /// `duals`: one multiplier matrix (a row per data point) per
        /// distinct feature matrix, in order of first completion.
        duals: Vec<Vec<Vec<Q>>>,
    },
    /// `squared-second-order`: the squared loss, the second-order sufficient
    /// condition on every piece restricted to the gauge slice.
    SquaredSecondOrder {
        /// `kinks`: every zero pre-activation of the point, in order.
        kinks: Vec<Kink>,
        /// `rescaled`: the units whose rescaling orbit is quotiented.
        rescaled: Vec<Unit>,
        /// `dead`: the units dead on every point, their parameters fixed.
        dead: Vec<Unit>,
        /// `pieces`: one per combination of kink sides.
        pieces: Vec<SquaredPiece>,
    },
    /// `pattern-star-bound`: the local pattern-star bound (one hidden
    /// layer) equals the loss.
    PatternStarBound(PatternStar),
    /// `deep-second-order`: a hinge-type loss at any depth, the
    /// second-order sufficient condition on the gauge slice on every region
    /// (polyhedral kinks times leading branches).
    DeepSecondOrder {
        /// `rescaled`: the units whose rescaling orbit is quotiented.
        rescaled: Vec<Unit>,
        /// `dead`: the ReLU units dead on every point, their parameters fixed.
        dead: Vec<Unit>,
        /// `dropped`: live zero entries (hinge corners) bounded below by 0.
        dropped: Vec<usize>,
        /// `regions`: one per combination of the other live entries' sides.
        regions: Vec<DeepRegion>,
    },
}

impl Evidence {
    /// This evidence's kind.
    pub fn kind(&self) -> EvidenceKind {
        match self {
            Evidence::ZeroLoss => EvidenceKind::ZeroLoss,
            Evidence::Flat { .. } => EvidenceKind::Flat,
            Evidence::DescentArc { .. } => EvidenceKind::DescentArc,
            Evidence::DescentDirection { .. } => EvidenceKind::DescentDirection,
            Evidence::LinearLpBound { .. } => EvidenceKind::LinearLpBound,
            Evidence::MulticlassLpBound { .. } => EvidenceKind::MulticlassLpBound,
            Evidence::PiecewiseSecondOrder { .. } => EvidenceKind::PiecewiseSecondOrder,
            Evidence::FunctionSpaceBound { .. } => EvidenceKind::FunctionSpaceBound,
            Evidence::PatternLp(_) => EvidenceKind::PatternLp,
            Evidence::WidthOptimum(_) => EvidenceKind::WidthOptimum,
            Evidence::WidthOptimumShard(_) => EvidenceKind::WidthOptimumShard,
            Evidence::LinearRegressionBound { .. } => EvidenceKind::LinearRegressionBound,
            Evidence::PathLiftingBound { .. } => EvidenceKind::PathLiftingBound,
            Evidence::SquaredSecondOrder { .. } => EvidenceKind::SquaredSecondOrder,
            Evidence::PatternStarBound(_) => EvidenceKind::PatternStarBound,
            Evidence::DeepSecondOrder { .. } => EvidenceKind::DeepSecondOrder,
        }
    }
}

/// A certificate: header and evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Hash, claim and loss.
    pub header: Header,
    /// The proof.
    pub evidence: Evidence,
}

/// What is wrong with a field of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatProblem {
    /// The field is absent.
    Missing,
    /// `format` is not [`FORMAT_NAME`].
    WrongFormat,
    /// `version` is not [`FORMAT_VERSION`].
    UnsupportedVersion,
    /// Not a JSON string.
    NotString,
    /// Not a JSON string (where a rational was expected).
    NotRational,
    /// A string that is not a rational.
    BadRational(NumberError),
    /// Not a JSON array.
    NotArray,
    /// Not a nonnegative integer.
    NotIndex,
    /// Not `true` or `false`.
    NotBool,
    /// Not an object.
    NotObject,
    /// `claim` names no claim.
    UnknownClaim(String),
    /// `kind` names no evidence kind.
    UnknownKind(String),
    /// `sides` has a character other than `+` and `-`.
    BadSides,
    /// `signs` has a character other than `+`, `-` and `0`.
    BadSigns,
    /// A sparse entry is not `[index, "rational"]`.
    BadSparse,
    /// A field this evidence kind does not have.
    Unexpected,
}

/// Why a JSON value is not a version-1 certificate: the field (a path such
/// as `evidence.regions[3].mu[2]`) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFormatError {
    /// Path of the offending field from the certificate's root.
    pub field: String,
    /// What is wrong with it.
    pub problem: FormatProblem,
}

impl std::fmt::Display for CertFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = &self.field;
        match &self.problem {
            FormatProblem::Missing => write!(f, "certificate: missing field `{field}`"),
            FormatProblem::WrongFormat => {
                write!(f, "certificate: `format` is not \"{FORMAT_NAME}\"")
            }
            FormatProblem::UnsupportedVersion => write!(
                f,
                "certificate: unsupported `version` (this checker reads version {FORMAT_VERSION})"
            ),
            FormatProblem::NotString => write!(f, "certificate: field `{field}` must be a string"),
            FormatProblem::NotRational => write!(
                f,
                "certificate: {field}: expected a rational written as a string"
            ),
            FormatProblem::BadRational(e) => write!(f, "certificate: {field}: {e}"),
            FormatProblem::NotArray => write!(f, "certificate: {field}: expected an array"),
            FormatProblem::NotIndex => {
                write!(f, "certificate: {field}: expected a nonnegative integer")
            }
            FormatProblem::NotBool => write!(f, "certificate: {field}: expected true or false"),
            FormatProblem::NotObject => write!(f, "certificate: {field}: expected an object"),
            FormatProblem::UnknownClaim(c) => write!(
                f,
                "certificate: {field}: `{c}` is not a claim (global-min, local-min, not-local-min, global-optimum, shard-optimum)"
            ),
            FormatProblem::UnknownKind(k) => {
                write!(f, "certificate: {field}: unknown evidence kind `{k}`")
            }
            FormatProblem::BadSides => write!(
                f,
                "certificate: {field}: expected a string of + and - (one per kink)"
            ),
            FormatProblem::BadSigns => write!(
                f,
                "certificate: {field}: expected a string of +, - and 0 (one per data point)"
            ),
            FormatProblem::Unexpected => {
                write!(f, "certificate: field `{field}` does not belong to this kind")
            }
            FormatProblem::BadSparse => write!(
                f,
                "certificate: {field}: expected a sparse entry [index, \"rational\"]"
            ),
        }
    }
}

impl std::error::Error for CertFormatError {}

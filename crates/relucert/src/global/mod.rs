//! Exact global optima of one-hidden-layer networks with the binary hinge
//! loss (THEORY section 9): `L*_m`, the least loss over all networks of
//! width `m`, by exact LPs over sets of (chamber, sign) pairs, with a
//! network attaining it and a `width-optimum` certificate.
//!
//! Owns: the scope test, the chambers of the data's arrangement with their
//! flip-closure completeness proof, the per-set LPs, the dual bounds and
//! their pair cover, shards and merging shard certificates.
//!
//! Must not: claim an optimum without an exact witness evaluation and an
//! exact dual bound for every set; the float LP solver only proposes.

mod chambers;
pub mod merge;
mod run;
mod setlp;
pub mod sets;
mod setting;
mod witness;

pub use merge::merge;
pub use run::{plan, sets_lower_bound, solve, EXACT_COUNT_CHAMBERS, MAX_CHAMBERS, MAX_WIDTH};
pub use setting::SCOPE_MESSAGE;
pub use witness::witness_instance;

use crate::cert::{PatternLp, Shard};
use crate::network::{Architecture, Params};
use crate::number::Q;
use relucert_core::Deadline;

/// Why `global` cannot answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlobalError {
    /// The instance is outside what `global` covers (the message says what).
    Scope(String),
    /// More sets than `max_sets` allows.
    TooManySets {
        /// Sets this run would solve.
        sets: u128,
        /// The limit.
        max: u128,
    },
    /// The arrangement may have too many chambers to list (`bound` is the
    /// count for hyperplanes in general position, an upper bound).
    TooManyChambers {
        /// The upper bound on the chambers.
        bound: u128,
        /// The limit it exceeds.
        max: u128,
    },
    /// A bad option (width 0, shard index out of range, ...).
    Options(String),
    /// An internal consistency check failed (a bug; never hidden).
    Internal(String),
    /// The deadline passed while `plan` listed the chambers (`solve`
    /// answers an incomplete run instead).
    TimeLimit,
}

impl std::fmt::Display for GlobalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GlobalError::Scope(s) => write!(f, "{s}"),
            GlobalError::TooManySets { sets, max } => write!(
                f,
                "{sets} sets of pairs to solve, more than --max-sets {max}"
            ),
            GlobalError::TooManyChambers { bound, max } => write!(
                f,
                "the data's arrangement may have up to {bound} chambers, more than the {max} global lists"
            ),
            GlobalError::Options(s) => write!(f, "{s}"),
            GlobalError::Internal(s) => write!(f, "internal error: {s}"),
            GlobalError::TimeLimit => write!(
                f,
                "the time limit (--timeout) was reached while listing the chambers"
            ),
        }
    }
}

impl std::error::Error for GlobalError {}

/// What to compute.
pub struct Options<'a> {
    /// The hidden width `m` (the instance's width by default in the CLI).
    pub width: usize,
    /// Only this shard's sets.
    pub shard: Option<Shard>,
    /// Refuse a run with more sets than this.
    pub max_sets: Option<u128>,
    /// Refuse arrangements that may have more chambers than this (at most
    /// [`MAX_CHAMBERS`], the default).
    pub max_chambers: Option<u128>,
    /// Stop (with `complete = false`) once this deadline has passed.
    pub deadline: Deadline,
    /// Called now and then with (sets done, sets in this run).
    pub progress: Option<&'a dyn Fn(u128, u128)>,
    /// Extend every dual to all pairs it is valid for and skip the sets an
    /// earlier dual covers (default). Off, every set is solved by its own
    /// LP and certified by its own dual only: the benchmark's baseline.
    #[doc(hidden)]
    pub reuse_duals: bool,
}

impl Options<'_> {
    /// Width `width`, whole enumeration, no limits.
    pub fn new(width: usize) -> Options<'static> {
        Options {
            width,
            shard: None,
            max_sets: None,
            max_chambers: None,
            deadline: Deadline::never(),
            progress: None,
            reuse_duals: true,
        }
    }
}

/// The answer.
#[derive(Clone, Debug)]
pub struct Optimum {
    /// The best loss found: `L*_m` when `complete` (over the shard's sets for a shard).
    pub value: Q,
    /// A lower bound on the loss of every network of the width: `value`
    /// when complete (for a shard, over its sets only), else the
    /// function-space bound.
    pub lower_bound: Q,
    /// Whether every set was solved or covered.
    pub complete: bool,
    /// The width-`m` architecture of the witness.
    pub arch: Architecture,
    /// A network of that architecture whose exact loss is `value`.
    pub witness: Params,
    /// Number of chambers of the arrangement.
    pub chambers: usize,
    /// Number of (chamber, sign) pairs.
    pub pairs: usize,
    /// Sets of pairs in this run (the shard's share for a shard).
    pub sets_total: u128,
    /// Sets done (solved by an LP or covered by an earlier dual).
    pub sets_done: u128,
    /// Sets solved by an LP.
    pub lps: u64,
    /// The certificate body (complete runs only).
    pub certificate: Option<PatternLp>,
}

/// The size of a run, known before any LP is solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Number of chambers of the arrangement.
    pub chambers: usize,
    /// Number of (chamber, sign) pairs.
    pub pairs: usize,
    /// Sets of pairs this run would go through (the shard's share for a shard).
    pub sets_total: u128,
}

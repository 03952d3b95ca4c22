//! Seedable generators of instances: the corpora that `relucert gen` writes
//! and `relucert corpus` runs the verifier on.
//!
//! Owns: the public API of the generators: the families of generated
//! instances (`Family`, their command-line names and parse errors), the
//! seeded stream of each instance (`instance_rng`, drawn from `crate::rng`),
//! `generate` (one generator per family, returning an `Instance` (FORMAT.md
//! content) together with the zero entries its construction promises), and
//! the `source` line and file name of an instance. Every instance is a pure
//! function of (family, seed, index) and carries the `source` line that
//! reproduces it (`relucert gen --family F --seed S --index I`). All
//! coordinates are exact rationals with small numerators and denominators;
//! data sets include degenerate positions (repeated points, collinear
//! points, the origin, zero coordinates).
//!
//! Submodules (private): `draft` (the `Draft` every family builds, and its
//! naming), `sample` (random points, labels, losses, activations, layers),
//! `forward` (exact outputs, margins and hinge losses), `pin` (solving for
//! parameters that put points exactly on kinks and hinge corners),
//! `optimum` (exact LPs for the best affine map or constant), and the
//! families by kind: `classify` (separable, nonseparable), `boundary`
//! (kinks, dead, saddle), `zero_loss`, `linear`, `random`.
//!
//! Families:
//! - `separable` / `nonseparable`: binary data that some affine (linear,
//!   without a first-layer bias) map separates, or that an explicit
//!   obstruction (a point with both labels, a parallelogram with alternating
//!   labels, a convex combination labelled against its ends) makes
//!   non-separable; one hidden layer, relu or leaky, random points;
//! - `kinks`: one hidden layer; chosen pre-activations made exactly 0 by
//!   solving for the bias or weight coordinates, chosen margins made exactly
//!   1 by rescaling the output layer or solving for output parameters;
//! - `dead`: relu units with strictly negative pre-activations on all or
//!   some points, the output bias at (or off) the best constant, which puts
//!   dead points on the hinge corner;
//! - `zero-loss`: zero-loss global minima with smallest margin exactly 1;
//! - `linear`: deep linear networks (depth 2..=4, width <= 3) at the origin,
//!   at factorisations of an LP-optimal affine classifier, with a zero
//!   factor, or at random points;
//! - `saddle`: one hidden layer with zero outgoing weights for some units;
//! - `random`: random architectures and points;
//! - `leaky-constant`: one hidden leaky layer, binary hinge, separable data,
//!   every outgoing weight 0 and the output bias at, beside or beyond the
//!   majority hinge corner (the positive-loss minima of THEORY 6's P3a and
//!   their non-minimal twins, `leaky_constant`);
//! - `deep`: two or three hidden layers, relu or leaky, all three hinge
//!   losses: a relu layer strictly dead on every point (the first or a
//!   deeper one, constant kinks after it), pinned kinks in the first and
//!   deeper layers with unit margins, zero weight matrices and zero units,
//!   or inputs carrying every label at a global minimum (`gen/deep.rs`);
//! - `squared-exact-fit` / `absolute-exact-fit`: regression targets produced
//!   by a planted one-hidden-layer network at the point (loss 0: a global
//!   minimum);
//! - `squared-dead` / `absolute-dead`: relu units strictly dead on every
//!   point, the output bias at the best constant (the mean for squared, a
//!   median for absolute) or off it;
//! - `squared-kinks` / `absolute-kinks`: chosen pre-activations and chosen
//!   residuals exactly 0;
//! - `squared-random` / `absolute-random`: random architectures, targets
//!   and points.
//!
//! `[expect]` entries are written only where the construction establishes
//! them independently of the verifier: zero loss (global minimum); the loss
//! of an end-to-end affine map or of a constant output, computed here by a
//! closed formula; the optimum of an exact LP over all affine classifiers
//! (a lower bound no network of the family can beat); local minimality of
//! an output bias over strictly dead relu units (the loss is then a convex
//! function of the output bias alone near the point).
//!
//! Must not: decide anything about the instances it writes (that is
//! `verify`), weaken an expectation to make it pass, read files, draw
//! randomness from anywhere but the seed, or change the order of its draws
//! (a corpus is named by family, seed and index: the same triple must give
//! the same bytes).

use crate::instance::Instance;
use crate::network::{LossKind, ZeroEntry};
use crate::rng::Rng;
use std::fmt;

mod boundary;
mod classify;
mod deep;
mod draft;
mod forward;
mod leaky_constant;
mod linear;
mod optimum;
mod pin;
mod random;
mod regression;
mod sample;
mod zero_loss;

/// A family of generated instances; `name()` is its command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Binary data separable by an affine (or linear) map; one hidden layer.
    Separable,
    /// Binary data made non-separable by an explicit obstruction.
    Nonseparable,
    /// Chosen pre-activations exactly 0 and margins exactly 1.
    Kinks,
    /// Strictly dead relu units, the output bias on or off the best constant.
    Dead,
    /// Zero-loss global minima with smallest margin exactly 1.
    ZeroLoss,
    /// Deep linear networks (depth 2..=4, width <= 3).
    Linear,
    /// One hidden layer with zero outgoing weights for some units.
    Saddle,
    /// Random architectures and points.
    Random,
    /// Leaky, separable data, every outgoing weight 0 (THEORY 6, P3a/P3b).
    LeakyConstant,
    /// Two or three hidden layers: dead layers, deep kinks, zero weights, every label.
    Deep,
    /// Regression: targets planted by the network (loss 0).
    ExactFit(Regression),
    /// Regression: all units dead, output bias at or off the best constant.
    RegressionDead(Regression),
    /// Regression: chosen pre-activations and residuals exactly 0.
    RegressionKinks(Regression),
    /// Regression: random architectures, targets and points.
    RegressionRandom(Regression),
}

/// The regression loss of a regression family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Regression {
    /// `kind = "squared"`.
    Squared,
    /// `kind = "absolute"`.
    Absolute,
}

impl Regression {
    /// The loss kind.
    pub fn loss(self) -> LossKind {
        match self {
            Regression::Squared => LossKind::Squared,
            Regression::Absolute => LossKind::Absolute,
        }
    }
}

/// Why a command-line family name (or list of names) was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FamilyError {
    /// A name that is not one of `Family::ALL` (the trimmed text).
    Unknown(String),
    /// An empty name in a comma-separated list (the whole list).
    EmptyName(String),
}

impl fmt::Display for FamilyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = Family::ALL.map(Family::name).join(", ");
        match self {
            FamilyError::Unknown(t) => {
                write!(f, "unknown family `{t}` (expected one of: {names})")
            }
            FamilyError::EmptyName(text) => write!(
                f,
                "empty family name in `{text}` (expected comma-separated names from: {names})"
            ),
        }
    }
}

impl std::error::Error for FamilyError {}

impl Family {
    /// Every family, in the order of `relucert gen --help`.
    pub const ALL: [Family; 18] = [
        Family::Separable,
        Family::Nonseparable,
        Family::Kinks,
        Family::Dead,
        Family::ZeroLoss,
        Family::Linear,
        Family::Saddle,
        Family::Random,
        Family::LeakyConstant,
        Family::Deep,
        Family::ExactFit(Regression::Squared),
        Family::RegressionDead(Regression::Squared),
        Family::RegressionKinks(Regression::Squared),
        Family::RegressionRandom(Regression::Squared),
        Family::ExactFit(Regression::Absolute),
        Family::RegressionDead(Regression::Absolute),
        Family::RegressionKinks(Regression::Absolute),
        Family::RegressionRandom(Regression::Absolute),
    ];

    /// The regression corpus of `relucert corpus --regression`: the exact
    /// fits, dead units and kinks of both regression losses.
    pub const REGRESSION_CORPUS: [Family; 6] = [
        Family::ExactFit(Regression::Squared),
        Family::RegressionDead(Regression::Squared),
        Family::RegressionKinks(Regression::Squared),
        Family::ExactFit(Regression::Absolute),
        Family::RegressionDead(Regression::Absolute),
        Family::RegressionKinks(Regression::Absolute),
    ];

    /// The default corpus of `relucert corpus` (issue 5: deep linear depth
    /// 2-4 width <= 3; one hidden layer width <= 3, N <= 8, d <= 3, points
    /// on kinks and hinge corners).
    pub const DEFAULT_CORPUS: [Family; 4] =
        [Family::Linear, Family::Kinks, Family::Dead, Family::Saddle];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Separable => "separable",
            Family::Nonseparable => "nonseparable",
            Family::Kinks => "kinks",
            Family::Dead => "dead",
            Family::ZeroLoss => "zero-loss",
            Family::Linear => "linear",
            Family::Saddle => "saddle",
            Family::Random => "random",
            Family::LeakyConstant => "leaky-constant",
            Family::Deep => "deep",
            Family::ExactFit(Regression::Squared) => "squared-exact-fit",
            Family::RegressionDead(Regression::Squared) => "squared-dead",
            Family::RegressionKinks(Regression::Squared) => "squared-kinks",
            Family::RegressionRandom(Regression::Squared) => "squared-random",
            Family::ExactFit(Regression::Absolute) => "absolute-exact-fit",
            Family::RegressionDead(Regression::Absolute) => "absolute-dead",
            Family::RegressionKinks(Regression::Absolute) => "absolute-kinks",
            Family::RegressionRandom(Regression::Absolute) => "absolute-random",
        }
    }

    /// Parse a command-line name.
    pub fn parse(text: &str) -> Result<Family, FamilyError> {
        let t = text.trim();
        Family::ALL
            .iter()
            .copied()
            .find(|f| f.name() == t)
            .ok_or_else(|| FamilyError::Unknown(t.to_string()))
    }

    /// Parse a comma-separated list of names (duplicates dropped, order
    /// kept); the name `regression` stands for `REGRESSION_CORPUS`.
    pub fn parse_list(text: &str) -> Result<Vec<Family>, FamilyError> {
        let mut out: Vec<Family> = Vec::new();
        for part in text.split(',') {
            if part.trim().is_empty() {
                return Err(FamilyError::EmptyName(text.to_string()));
            }
            let group = if part.trim() == "regression" {
                Family::REGRESSION_CORPUS.to_vec()
            } else {
                vec![Family::parse(part)?]
            };
            for f in group {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        Ok(out)
    }

    /// A tag mixed into the seed: FNV-1a of the name, so that the streams
    /// do not depend on the order of `ALL`.
    fn tag(self) -> u64 {
        self.name().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

/// The random stream of one generated instance.
pub fn instance_rng(family: Family, seed: u64, index: u64) -> Rng {
    let mut r = Rng::new(seed);
    let a = r.next_u64();
    let mut r = Rng::new(
        a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ family.tag().wrapping_mul(0x8CB9_2BA7_2F3D_8DD7),
    );
    r.next_u64();
    r
}

/// A generated instance and the zero entries of its signature that the
/// construction promises (zero pre-activations, unit margins); the
/// signature may have more, never fewer.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The instance, with its name, `source` line, point and `[expect]`.
    pub instance: Instance,
    /// The zero entries (pre-activations, hinge arguments) promised at the point.
    pub promised: Vec<ZeroEntry>,
}

/// The command that reproduces one instance.
pub fn source_line(family: Family, seed: u64, index: u64) -> String {
    format!(
        "relucert gen --family {} --seed {seed} --index {index}",
        family.name()
    )
}

/// The file name `gen` gives one instance: `F-SEED-INDEX.toml`.
pub fn file_name(family: Family, seed: u64, index: u64) -> String {
    format!("{}-{seed}-{index}.toml", family.name())
}

/// Generate instance `index` of `family` from `seed`. Deterministic.
pub fn generate(family: Family, seed: u64, index: u64) -> Generated {
    let mut rng = instance_rng(family, seed, index);
    let draft = match family {
        Family::Separable => classify::separable(&mut rng),
        Family::Nonseparable => classify::nonseparable(&mut rng),
        Family::Kinks => boundary::kinks(&mut rng),
        Family::Dead => boundary::dead(&mut rng),
        Family::ZeroLoss => zero_loss::zero_loss(&mut rng),
        Family::Linear => linear::linear(&mut rng),
        Family::Saddle => boundary::saddle(&mut rng),
        Family::Random => random::random(&mut rng),
        Family::LeakyConstant => leaky_constant::leaky_constant(&mut rng),
        Family::Deep => deep::deep(&mut rng),
        Family::ExactFit(r) => regression::exact_fit(&mut rng, r.loss()),
        Family::RegressionDead(r) => regression::dead(&mut rng, r.loss()),
        Family::RegressionKinks(r) => regression::kinks(&mut rng, r.loss()),
        Family::RegressionRandom(r) => regression::random(&mut rng, r.loss()),
    };
    draft.finish(family, seed, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.name()), Ok(f));
        }
        assert!(Family::parse("nope").is_err());
        assert_eq!(
            Family::parse_list("linear, kinks,linear"),
            Ok(vec![Family::Linear, Family::Kinks])
        );
        assert!(Family::parse_list("linear,,kinks").is_err());
        assert_eq!(
            Family::parse_list("kinks,regression"),
            Ok([&[Family::Kinks][..], &Family::REGRESSION_CORPUS[..]].concat())
        );
        assert!(Family::parse("regression").is_err());
    }

    #[test]
    fn family_errors_keep_their_text() {
        let all = "separable, nonseparable, kinks, dead, zero-loss, linear, saddle, random, leaky-constant, deep, \
                   squared-exact-fit, squared-dead, squared-kinks, squared-random, \
                   absolute-exact-fit, absolute-dead, absolute-kinks, absolute-random";
        assert_eq!(
            Family::parse(" nope ").map_err(|e| e.to_string()),
            Err(format!("unknown family `nope` (expected one of: {all})"))
        );
        assert_eq!(
            Family::parse_list("linear,,kinks").map_err(|e| e.to_string()),
            Err(format!(
                "empty family name in `linear,,kinks` (expected comma-separated names from: {all})"
            ))
        );
        assert_eq!(
            Family::parse_list("linear,nope"),
            Err(FamilyError::Unknown("nope".to_string()))
        );
    }
}

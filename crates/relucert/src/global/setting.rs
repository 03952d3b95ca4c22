//! The data of a `global` run in the coordinates of THEORY section 9: the
//! extended inputs `x~_i`, the labels, the hyperplane points and their
//! groups (parallel extended inputs), and the slopes `mu`.
//!
//! Owns: the scope test (one hidden layer, binary hinge) and these derived
//! quantities.
//!
//! Must not: solve anything.

use super::GlobalError;
use crate::cells::{unit_normals, Arrangement, Role};
use crate::network::{Activation, LossKind, Problem, Sign};
use crate::number::Q;
use num_traits::{One, Zero};

/// What every part of a run shares.
pub(super) struct Setting {
    /// Number of points N.
    pub n: usize,
    /// Length D of the extended inputs.
    pub dim: usize,
    /// `x~_i`.
    pub xt: Vec<Vec<Q>>,
    /// `y_i` as a rational (+-1).
    pub y: Vec<Q>,
    /// Whether the output layer has a bias.
    pub output_bias: bool,
    /// The activation.
    pub activation: Activation,
    /// The arrangement of the hyperplane points (empty for `linear`).
    pub arrangement: Arrangement,
    /// The group (distinct hyperplane) of each point, `None` off the hyperplanes.
    pub group: Vec<Option<usize>>,
    /// The points of each group.
    pub groups: Vec<Vec<usize>>,
}

/// The one-line message for an instance outside `global`'s scope.
pub const SCOPE_MESSAGE: &str = "global covers one hidden layer with the binary hinge loss \
(relu, leaky or linear, with or without either bias)";

impl Setting {
    pub(super) fn new(problem: &Problem) -> Result<Setting, GlobalError> {
        let arch = &problem.arch;
        if arch.hidden_layers() != 1 {
            return Err(GlobalError::Scope(format!(
                "{SCOPE_MESSAGE}; this network has {} hidden layers",
                arch.hidden_layers()
            )));
        }
        if problem.loss != LossKind::Hinge || arch.output_width() != 1 {
            return Err(GlobalError::Scope(format!(
                "{SCOPE_MESSAGE}; this instance's loss is {}",
                problem.loss.name()
            )));
        }
        let hidden_bias = arch.bias[0];
        let xt = unit_normals(&problem.data.x, hidden_bias);
        let dim = arch.input_dim() + usize::from(hidden_bias);
        let kinked = !matches!(arch.activation, Activation::Linear);
        let normals = if kinked {
            xt.clone()
        } else {
            vec![vec![Q::zero(); dim]; xt.len()]
        };
        let arrangement = Arrangement::new(dim, normals);
        let group: Vec<Option<usize>> = arrangement
            .roles
            .iter()
            .map(|r| match r {
                Role::Zero => None,
                Role::Plane { id, .. } => Some(*id),
            })
            .collect();
        let mut groups = vec![Vec::new(); arrangement.distinct.len()];
        for (i, g) in group.iter().enumerate() {
            if let Some(g) = g {
                groups[*g].push(i);
            }
        }
        Ok(Setting {
            n: xt.len(),
            dim,
            y: problem
                .data
                .y
                .iter()
                .map(|&y| Q::from_integer(y.into()))
                .collect(),
            xt,
            output_bias: arch.bias[1],
            activation: arch.activation.clone(),
            arrangement,
            group,
            groups,
        })
    }

    /// The slope of the activation on a point with chamber sign `s`.
    pub(super) fn mu(&self, s: Sign) -> Q {
        match (&self.activation, s) {
            (Activation::Linear, _) | (_, Sign::Pos) => Q::one(),
            (Activation::Relu, _) => Q::zero(),
            (Activation::Leaky(a), _) => a.clone(),
        }
    }
}

/// `a . b`.
pub(super) fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// `+1`, `-1` or `0` as a rational.
pub(super) fn sign_q(s: Sign) -> Q {
    match s {
        Sign::Pos => Q::one(),
        Sign::Neg => -Q::one(),
        Sign::Zero => Q::zero(),
    }
}

//! The local pattern-star bound (THEORY sections 9 and 10): a lower bound on
//! the loss of every network near a point of a one-hidden-layer, scalar-
//! output network with the binary hinge, absolute or squared loss, and the
//! `pattern-star-bound` certificate when it equals the loss at the point.
//!
//! # The argument
//!
//! Write `f(x) = sum_j a_j sigma(w~_j . x~) + c` (`x~ = (x, 1)` with a
//! hidden bias, `c = 0` without an output bias). Since `sigma` is positively
//! homogeneous, `a_j sigma(w~_j . x~) = s_j sigma(u_j . x~)` with
//! `s_j = sign(a_j)` and `u_j = |a_j| w~_j`. Fix `theta*` and unit `j`; let
//! `Z_j = {i : w~*_j . x~_i = 0, x~_i != 0}` (points with `x~_i = 0`
//! contribute `sigma(0) = 0` always and are ignored). For `theta` close to
//! `theta*`:
//! - every point `i` outside `Z_j` keeps its strict sign `e_ji` of
//!   `w~_j . x~_i`;
//! - on `Z_j`, `w~_j . x~_i = (w~_j - w~*_j) . x~_i`, so the sign vector of
//!   `w~_j` on `Z_j` is that of a vector `d` in the central arrangement of
//!   the hyperplanes `x~_i-perp`, `i in Z_j`. Every face of a central
//!   arrangement lies in the closure of a chamber (perturb `d` generically),
//!   so some chamber `P` (sign vector `eps` on `Z_j` realised strictly) has
//!   `eps_i w~_j . x~_i >= 0` on `Z_j`;
//! - `s_j = sign(a*_j)` if `a*_j != 0`; if `a*_j = 0`, `a_j` may take either
//!   sign (or be 0, when `u_j = 0` fits every option).
//!
//! So `u_j` lies in the closed cone `K = {u : eps_i u . x~_i >= 0 (i in Z_j),
//! e_ji u . x~_i >= 0 (other i)}` of one option `(P, s_j)`, where
//! `sigma(u . x~_i) = mu_i u . x~_i` with `mu_i` the slope on the side
//! `eps_i` / `e_ji`: the outputs are linear in `(u, c)`. Whether the strict
//! signs of the other points must be imposed: they need not be (dropping
//! them enlarges the feasible set and the program is still a lower bound,
//! since the actual `(u, c)` stays feasible and its objective is the actual
//! loss), but they may be, and must be for tightness: when `a*_j = 0` the
//! whole cone is reachable from `u*_j = 0`, and a unit active on a point
//! outside `Z_j` may only grow on that side. We impose them.
//!
//! Hence `L(theta) >= min over choices (one option per unit) of
//! P(choice) = min_{u_j in K_j, c} (1/N) sum_i l_i(f_i(u, c))`, a convex
//! program (LP for hinge and absolute, convex QP for squared). The point's
//! own `u*` is feasible for every choice, so each `P(choice) <= L(theta*)`;
//! equality for every choice proves a local minimum.
//!
//! # The certificate: tangents and polar multipliers
//!
//! A tangent gives per point a minorant `l_i(f) >= alpha_i + beta_i f`
//! (hinge: `lambda in [0, 1]`; absolute: `lambda in [-1, 1]`; squared: the
//! tangent line at `f0`: `alpha = t^2 - f0^2`, `beta = 2 (f0 - t)`). Then
//! `L(theta) >= (1/N) sum alpha_i + sum_j g_j . u_j + c (1/N) sum beta_i`
//! with `g_j = (1/N) s_j sum_i beta_i mu_i x~_i`; if `g_j = sum_k nu_k
//! eps_k x~_k` with `nu >= 0` (so `g_j . u >= 0` on `K_j`) and `sum beta =
//! 0` with a free `c`, the bound is `(1/N) sum alpha_i`. For the squared
//! loss the optimum outputs are unique, so the only tangent that can prove
//! equality is `f0 = f(theta*)`, and the KKT conditions decouple per unit:
//! one polar-cone LP per option, no product over units. For hinge and
//! absolute one LP finds a single `lambda` for every option of every unit;
//! when none exists, each choice gets its own LP (at most [`MAX_CHOICES`]).
//! Multipliers are restricted to the constraints active at `u*_j`, which
//! makes the bound equal the loss (complementary slackness).
//!
//! Owns: the scope, the local chambers with witnesses and Gordan vectors,
//! the tangents and multipliers (exact LPs of `relucert-lp`).
//!
//! Must not: claim a bound that was not re-checked exactly (every witness,
//! Gordan vector and multiplier is re-checked here before it is returned),
//! or decide anything but "the bound equals the loss".

mod blocks;
mod chambers;

use crate::cert::PatternStar;
use crate::network::{Activation, LossKind, Params, Problem};
use crate::number::Q;
use num_traits::{One, Zero};
use relucert_core::Deadline;

/// Most points in one unit's zero set (all `2^|Z|` sign vectors are tried).
pub const MAX_ZERO: usize = 12;

/// Most choices (one option per unit) solved one by one when no single
/// tangent covers every option.
pub const MAX_CHOICES: u128 = 4096;

/// Why the bound gives no proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StarError {
    /// Not one hidden layer with one output and the hinge, absolute or squared loss.
    Scope,
    /// A unit's zero set is larger than [`MAX_ZERO`].
    TooManyZeros {
        /// The unit.
        unit: usize,
        /// The size of its zero set.
        points: usize,
    },
    /// More choices than [`MAX_CHOICES`] would have to be solved one by one.
    TooManyChoices(u128),
    /// The bound is below the loss (the message says where).
    Below(String),
    /// The deadline passed.
    TimeLimit,
    /// An exact re-check failed (a bug; never hidden).
    Internal(String),
}

impl std::fmt::Display for StarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StarError::Scope => f.write_str(
                "the pattern-star bound covers one hidden layer, one output, and the hinge, absolute or squared loss",
            ),
            StarError::TooManyZeros { unit, points } => write!(
                f,
                "the pattern-star bound was not tried: unit {unit} has {points} points on its kink, more than {MAX_ZERO}"
            ),
            StarError::TooManyChoices(n) => write!(
                f,
                "the pattern-star bound was not completed: no single tangent covers every local choice, and {n} choices are more than the {MAX_CHOICES} solved one by one"
            ),
            StarError::Below(s) => write!(f, "the pattern-star bound is below the loss: {s}"),
            StarError::TimeLimit => f.write_str("the time limit was reached in the pattern-star bound"),
            StarError::Internal(s) => write!(f, "internal error in the pattern-star bound: {s}"),
        }
    }
}

impl std::error::Error for StarError {}

/// The instance at the point, in the coordinates of the argument above.
pub(crate) struct Setting {
    /// Number of points N.
    pub n: usize,
    /// Length of `x~`.
    pub dim: usize,
    /// `x~_i`.
    pub xt: Vec<Vec<Q>>,
    /// Whether `x~_i` is the zero vector.
    pub null: Vec<bool>,
    /// `pre[j][i] = w~*_j . x~_i`.
    pub pre: Vec<Vec<Q>>,
    /// `a*_j`.
    pub a: Vec<Q>,
    /// `Z_j`.
    pub zero: Vec<Vec<usize>>,
    /// The outputs `f(x_i)` at the point.
    pub f: Vec<Q>,
    /// The loss kind.
    pub loss: LossKind,
    /// Labels (+-1) as rationals (hinge) .
    pub y: Vec<Q>,
    /// Targets (regression).
    pub t: Vec<Q>,
    /// Output bias free.
    pub output_bias: bool,
    /// Slope on the negative side.
    pub neg: Q,
    /// The loss at the point.
    pub value: Q,
}

impl Setting {
    fn new(problem: &Problem, params: &Params) -> Result<Setting, StarError> {
        let arch = &problem.arch;
        let kinds = matches!(
            problem.loss,
            LossKind::Hinge | LossKind::Absolute | LossKind::Squared
        );
        if arch.depth() != 2 || arch.output_width() != 1 || !kinds || problem.data.is_empty() {
            return Err(StarError::Scope);
        }
        let ev = problem.evaluate(params);
        let xt: Vec<Vec<Q>> = problem
            .data
            .x
            .iter()
            .map(|x| {
                let mut v = x.clone();
                if arch.bias[0] {
                    v.push(Q::one());
                }
                v
            })
            .collect();
        let null: Vec<bool> = xt.iter().map(|v| v.iter().all(Zero::is_zero)).collect();
        let m = arch.widths[1];
        let pre: Vec<Vec<Q>> = (0..m)
            .map(|j| ev.traces.iter().map(|t| t.pre[0][j].clone()).collect())
            .collect();
        let zero = pre
            .iter()
            .map(|row| {
                (0..xt.len())
                    .filter(|&i| row[i].is_zero() && !null[i])
                    .collect()
            })
            .collect();
        let neg = match &arch.activation {
            Activation::Relu => Q::zero(),
            Activation::Leaky(a) => a.clone(),
            Activation::Linear => Q::one(),
        };
        Ok(Setting {
            n: xt.len(),
            dim: xt[0].len(),
            null,
            pre,
            a: params.layers[1].w[0].clone(),
            zero,
            f: ev.traces.iter().map(|t| t.output[0].clone()).collect(),
            loss: problem.loss,
            y: problem
                .data
                .y
                .iter()
                .map(|&v| Q::from_integer(v.into()))
                .collect(),
            t: (0..xt.len()).map(|i| problem.data.target(i)).collect(),
            output_bias: arch.bias[1],
            neg,
            value: ev.loss,
            xt,
        })
    }

    /// The side of point `k` in unit `j`'s cone for chamber `sides`
    /// (`None` for `x~_k = 0`).
    pub(crate) fn side(&self, j: usize, sides: &[bool], k: usize) -> Option<bool> {
        if self.null[k] {
            return None;
        }
        Some(match self.zero[j].iter().position(|&z| z == k) {
            Some(p) => sides[p],
            None => self.pre[j][k] > Q::zero(),
        })
    }
}

/// The pattern-star bound at `params`: `Ok` with the evidence when it
/// equals the loss for every local choice, else why not.
pub fn pattern_star(
    problem: &Problem,
    params: &Params,
    deadline: &Deadline,
) -> Result<PatternStar, StarError> {
    let s = Setting::new(problem, params)?;
    for (unit, z) in s.zero.iter().enumerate() {
        if z.len() > MAX_ZERO {
            return Err(StarError::TooManyZeros {
                unit,
                points: z.len(),
            });
        }
    }
    let mut units = Vec::with_capacity(s.a.len());
    for j in 0..s.a.len() {
        deadline.check().map_err(|_| StarError::TimeLimit)?;
        units.push(chambers::local_chambers(&s, j, deadline)?);
    }
    let blocks = blocks::blocks(&s, &units, deadline)?;
    Ok(PatternStar { units, blocks })
}

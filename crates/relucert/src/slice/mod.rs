//! Exact 2-D slices of the loss landscape through a point, for pictures.
//!
//! Owns: the plane `p + s d1 + t d2` through an instance's point (`Plane`,
//! directions normalised to max-norm 1), the exact loss on an `N x N`
//! rational grid over `[-R, R]^2` (`loss_grid`), the cell boundaries on the
//! slice (`boundaries`: exact segments for the zero sets that are affine in
//! `(s, t)`, polylines bracketed by exact bisection for the others), the
//! choice of directions (`dirs`: from a certificate, seeded random, or named
//! by the user) and the exact loss along a certificate's ray or arc
//! (`profile`). Caps: [`MAX_GRID`] points per side, [`MAX_WORK`] forward
//! passes per call, and the caller's [`Deadline`].
//!
//! Must not: draw, print or parse files (that is the CLI's), decide
//! anything about minimality, or let a float decide a value: every value,
//! grid point and boundary point here is an exact rational.

mod boundary;
mod dirs;
mod profile;

pub use boundary::{
    boundaries, quantity_at, Boundary, BoundaryKind, BoundaryShape, Crossing, CurveSegment,
    BISECTION_STEPS,
};
pub use dirs::{
    cert_directions, direction_label, flat_direction, named_direction, normalise,
    random_directions, Directions,
};
pub use profile::{certificate_path, profile, CertPath, Profile};

use crate::network::{forward, point_loss, Params, Problem};
use crate::number::{qi, Q};
use num_traits::{Signed, Zero};
use relucert_deadline::Deadline;
use std::fmt;

/// Largest number of grid points per side (`--grid`).
pub const MAX_GRID: usize = 401;

/// Largest number of exact forward passes of one data point a call may
/// plan (grid points x data points, for the loss grid and for the
/// boundaries' fine grid): 20 million. The bisections of boundary curves
/// (16 passes of one point per crossing) come on top and are stopped by
/// the deadline, tested once per fine-grid cell.
pub const MAX_WORK: u64 = 20_000_000;

/// Why a slice could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SliceError {
    /// The instance has no `[point]`.
    NoPoint,
    /// `R <= 0`.
    BadRadius(Q),
    /// `N < 2` or `N > MAX_GRID`.
    BadGrid(usize),
    /// A direction of the wrong length (`which`, found, expected).
    WrongLength(&'static str, usize, usize),
    /// A direction that is exactly zero.
    ZeroDirection(&'static str),
    /// `d2` is a multiple of `d1`.
    Parallel,
    /// A parameter name the architecture does not have.
    UnknownName(String),
    /// A value that is not a rational.
    BadNumber(String, String),
    /// The network has fewer than two parameters.
    TooFewParams(usize),
    /// The certificate has no descent direction or arc.
    NoDescent(&'static str),
    /// The work estimate exceeds `MAX_WORK`.
    TooMuchWork(u64),
    /// The deadline passed.
    TimeLimit,
}

impl fmt::Display for SliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SliceError::NoPoint => write!(f, "point: missing table: a slice needs a [point]"),
            SliceError::BadRadius(r) => write!(
                f,
                "radius: expected a positive number, found {}",
                crate::number::fmt_q(r)
            ),
            SliceError::BadGrid(n) => write!(
                f,
                "grid: expected between 2 and {MAX_GRID} points per side, found {n}"
            ),
            SliceError::WrongLength(w, found, want) => write!(
                f,
                "{w}: expected a flat list of {want} parameters, found {found}"
            ),
            SliceError::ZeroDirection(w) => write!(f, "{w}: expected a nonzero direction"),
            SliceError::Parallel => write!(f, "d2: expected a direction not parallel to d1"),
            SliceError::UnknownName(n) => write!(
                f,
                "unknown parameter name {:?}: expected a name such as W1[0,1] or b2[0]",
                cut(n)
            ),
            SliceError::BadNumber(k, v) => write!(
                f,
                "{k}: expected a rational (\"p/q\", decimal or integer), found {:?}",
                cut(v)
            ),
            SliceError::TooFewParams(n) => write!(
                f,
                "the network has {n} parameter(s); a 2-D slice needs at least 2"
            ),
            SliceError::NoDescent(kind) => write!(
                f,
                "the certificate ({kind}) has no descent direction: --dirs cert and --profile need a descent-direction or descent-arc certificate"
            ),
            SliceError::TooMuchWork(w) => write!(
                f,
                "about {w} exact forward passes needed, above the cap of {MAX_WORK}: use a smaller --grid"
            ),
            SliceError::TimeLimit => write!(f, "the time limit was reached"),
        }
    }
}

impl std::error::Error for SliceError {}

/// The plane `p + s d1 + t d2` through the point (flat parameter vectors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plane {
    /// The point `p`.
    pub p: Vec<Q>,
    /// The first direction (the `s` axis).
    pub d1: Vec<Q>,
    /// The second direction (the `t` axis).
    pub d2: Vec<Q>,
}

impl Plane {
    /// Check lengths, nonzero and non-parallel directions.
    pub fn new(p: Vec<Q>, d1: Vec<Q>, d2: Vec<Q>) -> Result<Plane, SliceError> {
        let n = p.len();
        if n < 2 {
            return Err(SliceError::TooFewParams(n));
        }
        if d1.len() != n {
            return Err(SliceError::WrongLength("d1", d1.len(), n));
        }
        if d2.len() != n {
            return Err(SliceError::WrongLength("d2", d2.len(), n));
        }
        if d1.iter().all(Zero::is_zero) {
            return Err(SliceError::ZeroDirection("d1"));
        }
        if d2.iter().all(Zero::is_zero) {
            return Err(SliceError::ZeroDirection("d2"));
        }
        if dirs::parallel(&d1, &d2) {
            return Err(SliceError::Parallel);
        }
        Ok(Plane { p, d1, d2 })
    }

    /// The flat parameters at `(s, t)`.
    pub fn flat_at(&self, s: &Q, t: &Q) -> Vec<Q> {
        self.p
            .iter()
            .zip(&self.d1)
            .zip(&self.d2)
            .map(|((p, a), b)| p + s * a + t * b)
            .collect()
    }

    /// The parameters at `(s, t)` for `problem`'s architecture.
    pub fn params_at(&self, problem: &Problem, s: &Q, t: &Q) -> Params {
        // lengths were checked against the point, which fits the architecture
        Params::from_flat(&problem.arch, &self.flat_at(s, t))
            .unwrap_or_else(|| Params { layers: Vec::new() })
    }
}

/// The `n` grid coordinates `-R + 2R i / (n - 1)`, `i = 0..n`.
pub fn axis(radius: &Q, n: usize) -> Vec<Q> {
    let span = radius * qi(2);
    let last = qi(n.saturating_sub(1).max(1) as i64);
    (0..n)
        .map(|i| -radius.clone() + &span * qi(i as i64) / &last)
        .collect()
}

/// The exact loss on the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LossGrid {
    /// The grid coordinates of each axis (the same for `s` and `t`).
    pub axis: Vec<Q>,
    /// `values[i][j]`: the loss at `(s, t) = (axis[i], axis[j])`.
    pub values: Vec<Vec<Q>>,
    /// The loss at the point (`s = t = 0`).
    pub at_point: Q,
}

pub(crate) fn check_radius(radius: &Q) -> Result<(), SliceError> {
    if !radius.is_positive() {
        return Err(SliceError::BadRadius(radius.clone()));
    }
    Ok(())
}

fn check_grid(n: usize) -> Result<(), SliceError> {
    if !(2..=MAX_GRID).contains(&n) {
        return Err(SliceError::BadGrid(n));
    }
    Ok(())
}

/// The plane's vectors must fit the architecture (its fields are public).
pub(crate) fn check_plane(problem: &Problem, plane: &Plane) -> Result<(), SliceError> {
    let n = problem.arch.num_params();
    for (which, v) in [("point", &plane.p), ("d1", &plane.d1), ("d2", &plane.d2)] {
        if v.len() != n {
            return Err(SliceError::WrongLength(which, v.len(), n));
        }
    }
    Ok(())
}

pub(crate) fn check_work(passes: u64) -> Result<(), SliceError> {
    if passes > MAX_WORK {
        return Err(SliceError::TooMuchWork(passes));
    }
    Ok(())
}

/// The exact loss at every point of the `n x n` grid over `[-R, R]^2`.
pub fn loss_grid(
    problem: &Problem,
    plane: &Plane,
    radius: &Q,
    n: usize,
    deadline: &Deadline,
) -> Result<LossGrid, SliceError> {
    check_radius(radius)?;
    check_grid(n)?;
    check_plane(problem, plane)?;
    check_work((n * n) as u64 * problem.data.len() as u64)?;
    let axis = axis(radius, n);
    let mut values = Vec::with_capacity(n);
    for s in &axis {
        let mut row = Vec::with_capacity(n);
        for t in &axis {
            let params = plane.params_at(problem, s, t);
            row.push(
                problem
                    .loss_within(&params, deadline)
                    .map_err(|_| SliceError::TimeLimit)?,
            );
        }
        values.push(row);
    }
    let zero = Q::zero();
    let at_point = problem
        .loss_within(&plane.params_at(problem, &zero, &zero), deadline)
        .map_err(|_| SliceError::TimeLimit)?;
    Ok(LossGrid {
        axis,
        values,
        at_point,
    })
}

/// Every boundary quantity at one parameter point: hidden pre-activations
/// `pre[point][layer-1][unit]` and hinge arguments `hinge[point][term]`.
pub(crate) struct Quantities {
    pub pre: Vec<Vec<Vec<Q>>>,
    pub hinge: Vec<Vec<(Option<usize>, Q)>>,
}

pub(crate) fn quantities(problem: &Problem, params: &Params) -> Quantities {
    let mut pre = Vec::with_capacity(problem.data.len());
    let mut hinge = Vec::with_capacity(problem.data.len());
    for (i, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let trace = forward(&problem.arch, params, x);
        let terms = point_loss(problem.loss, &trace.output, y, &problem.data.target(i)).terms;
        hinge.push(terms.into_iter().map(|t| (t.class, t.argument)).collect());
        pre.push(trace.pre);
    }
    Quantities { pre, hinge }
}

/// At most 60 characters of user text, for messages.
fn cut(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push_str("...");
    }
    out
}

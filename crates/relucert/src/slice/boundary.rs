//! Cell boundaries on a slice: the zero sets of the hidden pre-activations
//! and of the hinge arguments in the `(s, t)` plane.
//!
//! Owns: which quantities bound cells (every hidden pre-activation of a
//! network with a kinked activation, per layer, unit and data point; every
//! hinge argument, per data point and Weston-Watkins class), their exact
//! zero sets where they are affine in `(s, t)` (first-layer
//! pre-activations; binary and Weston-Watkins hinge arguments of a network
//! without hidden layer): the segment of the line clipped to `[-R, R]^2`
//! with exact rational endpoints; and elsewhere (deeper pre-activations,
//! hinge arguments after a hidden layer and Crammer-Singer's, which are
//! piecewise polynomial in `(s, t)`)
//! polylines by marching squares on a fine grid: exact values at the grid
//! points, each crossing of a grid edge between a point where the quantity
//! is `> 0` and one where it is `<= 0` located by [`BISECTION_STEPS`]
//! exact bisections of that edge, so each segment end is bracketed by two
//! exact points at most `h / 2^BISECTION_STEPS` apart (`h` the fine grid's
//! spacing) where the quantity is `<= 0` and `> 0`. A quantity is
//! continuous, so a zero lies in every bracket.
//!
//! Must not: decide anything or use floats. What the fine grid does not
//! see is not drawn: a zero set between two grid points of the same sign
//! (a tangency, a thin lens), or a quantity that is `<= 0` on both sides of
//! its zero set. Crammer-Singer ties (a change of the arg-max competitor)
//! are not drawn; the hinge argument of each point is.

use super::{check_grid, check_radius, check_work, Plane, SliceError};
use crate::network::{forward, point_loss, Activation, Problem};
use crate::number::{qi, Q};
use num_traits::{Signed, Zero};
use relucert_deadline::Deadline;
use std::collections::HashMap;

/// Exact bisections of a grid edge per crossing.
pub const BISECTION_STEPS: u32 = 16;

/// Which quantity's zero set a boundary is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoundaryKind {
    /// Hidden pre-activation `z_{layer,unit}(x_point)` (layer 1-based).
    PreActivation {
        /// 0-based data point.
        point: usize,
        /// 1-based hidden layer.
        layer: usize,
        /// 0-based unit.
        unit: usize,
    },
    /// The hinge argument of a data point (`class`: the Weston-Watkins
    /// competitor; `None` for binary hinge and Crammer-Singer).
    Hinge {
        /// 0-based data point.
        point: usize,
        /// The competitor class, if any.
        class: Option<usize>,
    },
}

/// A point of a curve: the quantity is `<= 0` at `nonpos` and `> 0` at
/// `pos`, two exact points on one grid edge at most the tolerance apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    /// `(s, t)` where the quantity is `<= 0`.
    pub nonpos: (Q, Q),
    /// `(s, t)` where the quantity is `> 0`.
    pub pos: (Q, Q),
}

impl Crossing {
    /// The midpoint of the bracket (where the curve is drawn).
    pub fn mid(&self) -> (Q, Q) {
        let two = qi(2);
        (
            (&self.nonpos.0 + &self.pos.0) / &two,
            (&self.nonpos.1 + &self.pos.1) / &two,
        )
    }
}

/// One piece of a curve, inside one cell of the fine grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurveSegment {
    /// One end.
    pub a: Crossing,
    /// The other end.
    pub b: Crossing,
}

/// The zero set of one quantity on the slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoundaryShape {
    /// Affine in `(s, t)`: the exact segment inside the box.
    Segment(Box<(Q, Q)>, Box<(Q, Q)>),
    /// Affine and identically zero on the slice.
    Everywhere,
    /// Not affine: segments found on the fine grid (maybe none).
    Curve(Vec<CurveSegment>),
    /// Affine with no zero in the box.
    Empty,
}

/// One quantity and its zero set on the slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// The quantity.
    pub kind: BoundaryKind,
    /// Its zero set in `[-R, R]^2`.
    pub shape: BoundaryShape,
}

impl Boundary {
    /// Whether there is something to draw (a segment or curve pieces).
    pub fn drawable(&self) -> bool {
        match &self.shape {
            BoundaryShape::Segment(..) => true,
            BoundaryShape::Curve(segs) => !segs.is_empty(),
            _ => false,
        }
    }
}

/// Every boundary quantity of `problem`, with whether it is affine on a slice.
fn kinds(problem: &Problem) -> Vec<(BoundaryKind, bool)> {
    let arch = &problem.arch;
    let mut out = Vec::new();
    let kinked = !matches!(arch.activation, Activation::Linear);
    for point in 0..problem.data.len() {
        if kinked {
            for layer in 1..=arch.hidden_layers() {
                for unit in 0..arch.widths[layer] {
                    out.push((
                        BoundaryKind::PreActivation { point, layer, unit },
                        layer == 1,
                    ));
                }
            }
        }
        // Crammer-Singer's argument has a max of outputs: piecewise affine
        let affine = arch.depth() == 1 && problem.loss != crate::network::LossKind::CrammerSinger;
        match problem.loss {
            crate::network::LossKind::MulticlassHinge => {
                let y = problem.data.y[point] as usize;
                for class in (0..arch.output_width()).filter(|&k| k != y) {
                    out.push((
                        BoundaryKind::Hinge {
                            point,
                            class: Some(class),
                        },
                        affine,
                    ));
                }
            }
            _ => out.push((BoundaryKind::Hinge { point, class: None }, affine)),
        }
    }
    out
}

/// The exact value of one quantity at `(s, t)`.
pub fn quantity_at(problem: &Problem, plane: &Plane, kind: BoundaryKind, s: &Q, t: &Q) -> Q {
    let params = plane.params_at(problem, s, t);
    let point = match kind {
        BoundaryKind::PreActivation { point, .. } | BoundaryKind::Hinge { point, .. } => point,
    };
    let x = &problem.data.x[point];
    let trace = forward(&problem.arch, &params, x);
    match kind {
        BoundaryKind::PreActivation { layer, unit, .. } => trace.pre[layer - 1][unit].clone(),
        BoundaryKind::Hinge { class, .. } => {
            let pl = point_loss(
                problem.loss,
                &trace.output,
                problem.data.y[point],
                &problem.data.target(point),
            );
            pl.terms
                .into_iter()
                .find(|term| term.class == class)
                .map(|term| term.argument)
                .unwrap_or_else(Q::zero)
        }
    }
}

/// The zero sets of every boundary quantity in `[-R, R]^2`; curves on a
/// `fine x fine` grid (2..=`MAX_GRID`).
pub fn boundaries(
    problem: &Problem,
    plane: &Plane,
    radius: &Q,
    fine: usize,
    deadline: &Deadline,
) -> Result<Vec<Boundary>, SliceError> {
    check_radius(radius)?;
    check_grid(fine)?;
    super::check_plane(problem, plane)?;
    let all = kinds(problem);
    let any_curve = all.iter().any(|(_, affine)| !affine);
    if any_curve {
        check_work((fine * fine) as u64 * problem.data.len() as u64)?;
    }
    let zero = Q::zero();
    let one = qi(1);
    let mut out = Vec::with_capacity(all.len());
    let axis = super::axis(radius, fine);
    // sign classes (> 0) of every curve quantity at every fine grid point
    let curve_kinds: Vec<BoundaryKind> = all.iter().filter(|(_, a)| !a).map(|(k, _)| *k).collect();
    let mut classes: Vec<Vec<bool>> = vec![Vec::with_capacity(fine * fine); curve_kinds.len()];
    if any_curve {
        for s in &axis {
            for t in &axis {
                deadline.check().map_err(|_| SliceError::TimeLimit)?;
                let q = super::quantities(problem, &plane.params_at(problem, s, t));
                for (c, kind) in classes.iter_mut().zip(&curve_kinds) {
                    c.push(pick(&q, *kind).is_positive());
                }
            }
        }
    }
    let mut curve_index = 0;
    for (kind, affine) in all {
        let shape = if affine {
            let c = quantity_at(problem, plane, kind, &zero, &zero);
            let a = quantity_at(problem, plane, kind, &one, &zero) - &c;
            let b = quantity_at(problem, plane, kind, &zero, &one) - &c;
            clip_line(&a, &b, &c, radius)
        } else {
            let cls = &classes[curve_index];
            curve_index += 1;
            BoundaryShape::Curve(march(problem, plane, kind, &axis, cls, deadline)?)
        };
        out.push(Boundary { kind, shape });
    }
    Ok(out)
}

fn pick(q: &super::Quantities, kind: BoundaryKind) -> Q {
    match kind {
        BoundaryKind::PreActivation { point, layer, unit } => q.pre[point][layer - 1][unit].clone(),
        BoundaryKind::Hinge { point, class } => q.hinge[point]
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(Q::zero),
    }
}

/// `a s + b t + c = 0` clipped to `[-R, R]^2`.
fn clip_line(a: &Q, b: &Q, c: &Q, r: &Q) -> BoundaryShape {
    if a.is_zero() && b.is_zero() {
        return if c.is_zero() {
            BoundaryShape::Everywhere
        } else {
            BoundaryShape::Empty
        };
    }
    let mut pts: Vec<(Q, Q)> = Vec::new();
    let ends = [-r.clone(), r.clone()];
    if !b.is_zero() {
        for s in &ends {
            let t = -(c + a * s) / b;
            if t.abs() <= *r {
                pts.push((s.clone(), t));
            }
        }
    }
    if !a.is_zero() {
        for t in &ends {
            let s = -(c + b * t) / a;
            if s.abs() <= *r {
                pts.push((s, t.clone()));
            }
        }
    }
    pts.sort();
    pts.dedup();
    match (pts.first(), pts.last()) {
        (Some(p), Some(q)) if p != q => {
            BoundaryShape::Segment(Box::new(p.clone()), Box::new(q.clone()))
        }
        _ => BoundaryShape::Empty,
    }
}

/// A grid edge: its two ends and its key (lower corner, direction).
type Edge = ((usize, usize), (usize, usize), (usize, usize, u8));

/// Marching squares over the fine grid for one quantity.
fn march(
    problem: &Problem,
    plane: &Plane,
    kind: BoundaryKind,
    axis: &[Q],
    cls: &[bool],
    deadline: &Deadline,
) -> Result<Vec<CurveSegment>, SliceError> {
    let n = axis.len();
    let at = |i: usize, j: usize| cls[i * n + j];
    let mut cache: HashMap<(usize, usize, u8), Crossing> = HashMap::new();
    let mut out = Vec::new();
    for i in 0..n - 1 {
        for j in 0..n - 1 {
            // corners c0 (i,j), c1 (i+1,j), c2 (i+1,j+1), c3 (i,j+1)
            let c = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            if c.iter().all(|&x| x == c[0]) {
                continue;
            }
            deadline.check().map_err(|_| SliceError::TimeLimit)?;
            // edges e0 c0-c1, e1 c1-c2, e2 c2-c3, e3 c3-c0, keyed by their lower corner
            let edges: [Edge; 4] = [
                ((i, j), (i + 1, j), (i, j, 0)),
                ((i + 1, j), (i + 1, j + 1), (i + 1, j, 1)),
                ((i + 1, j + 1), (i, j + 1), (i, j + 1, 0)),
                ((i, j + 1), (i, j), (i, j, 1)),
            ];
            let crossing = |e: usize, cache: &mut HashMap<_, Crossing>| -> Crossing {
                let (p, q, key) = edges[e];
                cache
                    .entry(key)
                    .or_insert_with(|| bisect(problem, plane, kind, axis, p, q, at(p.0, p.1)))
                    .clone()
            };
            let crossed: Vec<usize> = (0..4).filter(|&e| c[e] != c[(e + 1) % 4]).collect();
            let pairs: Vec<(usize, usize)> = if crossed.len() == 2 {
                vec![(crossed[0], crossed[1])]
            } else {
                // a saddle cell: the centre's class says which corners join
                let two = qi(2);
                let sc = (&axis[i] + &axis[i + 1]) / &two;
                let tc = (&axis[j] + &axis[j + 1]) / &two;
                let centre = quantity_at(problem, plane, kind, &sc, &tc).is_positive();
                if centre == c[0] {
                    vec![(0, 1), (2, 3)]
                } else {
                    vec![(0, 3), (1, 2)]
                }
            };
            for (e, f) in pairs {
                let a = crossing(e, &mut cache);
                let b = crossing(f, &mut cache);
                out.push(CurveSegment { a, b });
            }
        }
    }
    Ok(out)
}

/// Exact bisection of the grid edge `p -> q` whose ends have different
/// classes (`p_pos`: the class at `p`).
fn bisect(
    problem: &Problem,
    plane: &Plane,
    kind: BoundaryKind,
    axis: &[Q],
    p: (usize, usize),
    q: (usize, usize),
    p_pos: bool,
) -> Crossing {
    let pa = (axis[p.0].clone(), axis[p.1].clone());
    let qa = (axis[q.0].clone(), axis[q.1].clone());
    let (mut nonpos, mut pos) = if p_pos { (qa, pa) } else { (pa, qa) };
    let two = qi(2);
    for _ in 0..BISECTION_STEPS {
        let m = ((&nonpos.0 + &pos.0) / &two, (&nonpos.1 + &pos.1) / &two);
        if quantity_at(problem, plane, kind, &m.0, &m.1).is_positive() {
            pos = m;
        } else {
            nonpos = m;
        }
    }
    Crossing { nonpos, pos }
}

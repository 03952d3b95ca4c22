//! Quick first-order descent proposals, in floating point.
//!
//! Owns: proposing, cheaply, parameter directions along which the loss may
//! decrease to first order, and step lengths along them. Near the point the
//! loss is a different polynomial on each side of every kink, hinge corner
//! and Crammer-Singer tie (a *piece*); on the closed cone of directions that
//! stay on the sides of a piece, the one-sided directional derivative is the
//! piece's gradient times the direction. So minus the gradient of the piece
//! that contains it is a descent direction. The proposal is that fixed
//! point, found by iteration: pick sides, step along minus that piece's
//! gradient, read off the sides the step actually enters, repeat; when a
//! step leaves its piece, minus the shortest vector between the two pieces'
//! gradients is tried too (steepest descent across a hinge corner). Every
//! direction whose float directional derivative is negative is proposed.
//!
//! Regression: the absolute loss is two hinge terms, `|r| = max(0, r) +
//! max(0, -r)` with `r = f - t`, so an exactly zero residual is a corner
//! whose two sides are the branches `r` (side 1) and `-r` (side 0), never
//! zero; the squared loss is a smooth term `r^2` with gradient `2 r grad f`,
//! counted on every piece (its kinks still give pieces).
//!
//! Values at the point come from the exact evaluation (so a zero entry is
//! exactly the exact signature's zero entry); gradients, tangents and losses
//! along a step are f64.
//!
//! Must not: decide anything. A proposal is only a candidate: `verify`
//! rounds it to a rational direction and decides with the exact directional
//! derivative (`Problem::directional_derivative`) and an exact loss
//! evaluation at the proposed step.

use crate::network::{Activation, LossKind, Params, PointView, Problem};
use crate::number::Q;
use num_traits::ToPrimitive;

/// Sides of the zero entries, in `Probe::entries` order: for a kink or a
/// hinge corner 1 = positive side / term active, 0 = negative / inactive;
/// for a tie the chosen competitor class.
type Sides = Vec<usize>;

#[derive(Clone, Debug)]
enum Entry {
    /// A hidden pre-activation exactly 0 (a kink).
    Unit,
    /// A hinge argument exactly 0 (a corner).
    Term,
    /// A Crammer-Singer tie among `classes`.
    Tie { classes: Vec<usize> },
}

struct Point {
    y: i64,
    /// Regression: the target (0 for the hinge losses).
    target: f64,
    /// Squared loss: the float residual `f - t` at the point.
    resid: f64,
    /// `a[0]` = input; `a[l]` = activation of hidden layer l.
    a: Vec<Vec<f64>>,
    /// `z[l-1]` = pre-activation of hidden layer l.
    z: Vec<Vec<f64>>,
    /// Exact zero flags of the hidden pre-activations (`zero[l-1][j]`),
    /// with the entry index.
    unit: Vec<Vec<Option<usize>>>,
    /// Hinge arguments (as `network::point_loss` orders them) and, for an
    /// exactly zero argument, its entry index.
    args: Vec<(f64, Option<usize>)>,
    /// Crammer-Singer: the competitors attaining the max (one, or a tie
    /// with its entry index).
    top: Option<(Vec<usize>, Option<usize>)>,
}

/// A point prepared for float proposals.
pub struct Probe {
    widths: Vec<usize>,
    /// `w[l-1]` row-major, for weight layer l.
    w: Vec<Vec<f64>>,
    /// Flat index of each weight / bias (FORMAT.md order).
    w_index: Vec<Vec<usize>>,
    b_index: Vec<Option<Vec<usize>>>,
    neg_slope: f64,
    loss: LossKind,
    points: Vec<Point>,
    entries: Vec<Entry>,
    n: usize,
}

fn f(q: &Q) -> f64 {
    q.to_f64().unwrap_or(0.0)
}

impl Probe {
    /// Prepare `params` from its point views (`Problem::loss_and_views`).
    pub fn new(problem: &Problem, params: &Params, views: &[PointView]) -> Probe {
        let arch = &problem.arch;
        let depth = arch.depth();
        let mut w = Vec::with_capacity(depth);
        let mut b: Vec<Vec<f64>> = Vec::with_capacity(depth);
        let mut w_index = Vec::with_capacity(depth);
        let mut b_index = Vec::with_capacity(depth);
        for (li, layer) in params.layers.iter().enumerate() {
            let l = li + 1;
            w.push(layer.w.iter().flatten().map(f).collect::<Vec<_>>());
            b.push(layer.b.iter().flatten().map(f).collect());
            let cols = arch.widths[l - 1];
            w_index.push(
                (0..arch.widths[l] * cols)
                    .map(|r| arch.weight_index(l, r / cols, r % cols))
                    .collect(),
            );
            b_index.push(
                (0..arch.widths[l])
                    .map(|j| arch.bias_index(l, j))
                    .collect::<Option<Vec<_>>>(),
            );
        }
        let neg_slope = match arch.activation {
            Activation::Linear => 1.0,
            ref act => f(&act.negative_slope()),
        };
        let mut entries = Vec::new();
        let mut points = Vec::with_capacity(views.len());
        for (i, view) in views.iter().enumerate() {
            let mut a = vec![problem.data.x[i].iter().map(f).collect::<Vec<_>>()];
            let mut z = Vec::with_capacity(depth);
            let mut unit = Vec::with_capacity(depth);
            for pre in &view.pre {
                let mut flags = Vec::with_capacity(pre.len());
                for &(_, zero) in pre {
                    if zero && arch.activation.has_kink() {
                        flags.push(Some(entries.len()));
                        entries.push(Entry::Unit);
                    } else {
                        flags.push(None);
                    }
                }
                let zf: Vec<f64> = pre.iter().map(|&(v, _)| v).collect();
                a.push(
                    zf.iter()
                        .map(|&v| if v < 0.0 { v * neg_slope } else { v })
                        .collect(),
                );
                z.push(zf);
                unit.push(flags);
            }
            let mut args = Vec::with_capacity(view.terms.len());
            for &(v, zero) in &view.terms {
                let e = if zero {
                    entries.push(Entry::Term);
                    Some(entries.len() - 1)
                } else {
                    None
                };
                args.push((v, e));
            }
            let top = view.top.as_ref().map(|set| {
                if set.len() > 1 {
                    entries.push(Entry::Tie {
                        classes: set.clone(),
                    });
                    (set.clone(), Some(entries.len() - 1))
                } else {
                    (set.clone(), None)
                }
            });
            let target = if problem.loss.is_regression() {
                f(&problem.data.target(i))
            } else {
                0.0
            };
            let resid = if problem.loss == LossKind::Squared {
                output0(&w, &b, &arch.widths, a.last()) - target
            } else {
                0.0
            };
            points.push(Point {
                y: problem.data.y[i],
                target,
                resid,
                a,
                z,
                unit,
                args,
                top,
            });
        }
        Probe {
            widths: arch.widths.clone(),
            w,
            w_index,
            b_index,
            neg_slope,
            loss: problem.loss,
            points,
            entries,
            n: arch.num_params(),
        }
    }

    /// The competitors a point's loss terms concern, per term:
    /// `(competitor class, active)` given the sides.
    fn terms(&self, p: &Point, sides: &Sides) -> Vec<(Option<usize>, bool)> {
        let yc = p.y as usize;
        p.args
            .iter()
            .enumerate()
            .map(|(t, &(v, e))| {
                let active = match e {
                    Some(e) => sides[e] == 1,
                    None => v > 0.0,
                };
                let class = match self.loss {
                    LossKind::Hinge | LossKind::Absolute | LossKind::Squared => None,
                    LossKind::MulticlassHinge => (0..self.widths[self.widths.len() - 1])
                        .filter(|&k| k != yc)
                        .nth(t),
                    LossKind::CrammerSinger => p.top.as_ref().map(|(set, e)| match e {
                        Some(e) => sides[*e],
                        None => set[0],
                    }),
                };
                (class, active)
            })
            .collect()
    }

    /// Gradient of the piece selected by `sides` at the point (up to the
    /// positive factor N).
    fn gradient(&self, sides: &Sides) -> Vec<f64> {
        let mut g = vec![0.0; self.n];
        let depth = self.widths.len() - 1;
        for p in &self.points {
            // dL/df
            let kout = self.widths[depth];
            let mut delta = vec![0.0; kout];
            let yc = p.y as usize;
            match self.loss {
                // d|r|/df = +1 on the branch r, -1 on the branch -r
                LossKind::Absolute => {
                    for (_, active) in self.terms(p, sides) {
                        delta[0] += if active { 1.0 } else { -1.0 };
                    }
                }
                LossKind::Squared => delta[0] += 2.0 * p.resid,
                _ => {
                    for (class, active) in self.terms(p, sides) {
                        if !active {
                            continue;
                        }
                        match class {
                            None => delta[0] -= p.y as f64,
                            Some(c) => {
                                delta[c] += 1.0;
                                delta[yc] -= 1.0;
                            }
                        }
                    }
                }
            }
            for l in (1..=depth).rev() {
                let cols = self.widths[l - 1];
                for (j, dj) in delta.iter().enumerate() {
                    if *dj == 0.0 {
                        continue;
                    }
                    for k in 0..cols {
                        g[self.w_index[l - 1][j * cols + k]] += dj * p.a[l - 1][k];
                    }
                    if let Some(bi) = &self.b_index[l - 1] {
                        g[bi[j]] += dj;
                    }
                }
                if l == 1 {
                    break;
                }
                let mut next = vec![0.0; cols];
                for (k, nk) in next.iter_mut().enumerate() {
                    let mut s = 0.0;
                    for (j, dj) in delta.iter().enumerate() {
                        s += self.w[l - 1][j * cols + k] * dj;
                    }
                    let positive = match p.unit[l - 2][k] {
                        Some(e) => sides[e] == 1,
                        None => p.z[l - 2][k] > 0.0,
                    };
                    *nk = if positive { s } else { s * self.neg_slope };
                }
                delta = next;
            }
        }
        g
    }

    /// Float one-sided directional derivative along `d` (up to the factor
    /// N), and the sides the ray `theta + t d` enters.
    fn tangent(&self, d: &[f64], sides: &Sides) -> (f64, Sides) {
        let mut out = sides.clone();
        let depth = self.widths.len() - 1;
        let mut total = 0.0;
        for p in &self.points {
            let mut da = vec![0.0; self.widths[0]];
            let mut dz = Vec::new();
            for l in 1..=depth {
                let cols = self.widths[l - 1];
                dz = (0..self.widths[l])
                    .map(|j| {
                        let mut s = 0.0;
                        for (k, dak) in da.iter().enumerate() {
                            let r = j * cols + k;
                            s += d[self.w_index[l - 1][r]] * p.a[l - 1][k] + self.w[l - 1][r] * dak;
                        }
                        if let Some(bi) = &self.b_index[l - 1] {
                            s += d[bi[j]];
                        }
                        s
                    })
                    .collect::<Vec<f64>>();
                if l == depth {
                    break;
                }
                da = dz
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let positive = match p.unit[l - 1][j] {
                            Some(e) => {
                                out[e] = usize::from(v > 0.0);
                                v > 0.0
                            }
                            None => p.z[l - 1][j] > 0.0,
                        };
                        if positive {
                            v
                        } else {
                            v * self.neg_slope
                        }
                    })
                    .collect();
            }
            let yc = p.y as usize;
            // the competitor's tangent at a tie: the largest
            if let Some((set, Some(e))) = &p.top {
                let best = set
                    .iter()
                    .copied()
                    .max_by(|&a, &b| dz[a].total_cmp(&dz[b]))
                    .unwrap_or(set[0]);
                out[*e] = best;
            }
            match self.loss {
                LossKind::Squared => {
                    total += 2.0 * p.resid * dz[0];
                    continue;
                }
                LossKind::Absolute => {
                    // one term, the residual: a corner takes the side the
                    // ray enters and counts |dr|; otherwise sign(r) dr
                    for &(v, e) in &p.args {
                        match e {
                            Some(e) => {
                                out[e] = usize::from(dz[0] > 0.0);
                                total += dz[0].abs();
                            }
                            None if v > 0.0 => total += dz[0],
                            None => total -= dz[0],
                        }
                    }
                    continue;
                }
                _ => {}
            }
            for (t, &(v, e)) in p.args.iter().enumerate() {
                let darg = match self.loss {
                    // handled above
                    LossKind::Absolute | LossKind::Squared => 0.0,
                    LossKind::Hinge => -(p.y as f64) * dz[0],
                    LossKind::MulticlassHinge => {
                        let c = (0..dz.len()).filter(|&k| k != yc).nth(t).unwrap_or(yc);
                        dz[c] - dz[yc]
                    }
                    LossKind::CrammerSinger => {
                        let c = match &p.top {
                            Some((_, Some(e))) => out[*e],
                            Some((set, None)) => set[0],
                            None => yc,
                        };
                        dz[c] - dz[yc]
                    }
                };
                match e {
                    Some(e) => {
                        out[e] = usize::from(darg > 0.0);
                        if darg > 0.0 {
                            total += darg;
                        }
                    }
                    None if v > 0.0 => total += darg,
                    None => {}
                }
            }
        }
        (total, out)
    }

    /// Float loss (up to the factor N) at `theta + t d`.
    pub fn loss_at(&self, theta: &[f64], d: &[f64], t: f64) -> f64 {
        let depth = self.widths.len() - 1;
        let at = |i: usize| theta[i] + t * d[i];
        let mut total = 0.0;
        for p in &self.points {
            let y = p.y;
            let mut a: Vec<f64> = p.a[0].clone();
            for l in 1..=depth {
                let cols = self.widths[l - 1];
                let z: Vec<f64> = (0..self.widths[l])
                    .map(|j| {
                        let mut s = 0.0;
                        for (k, ak) in a.iter().enumerate() {
                            s += at(self.w_index[l - 1][j * cols + k]) * ak;
                        }
                        if let Some(bi) = &self.b_index[l - 1] {
                            s += at(bi[j]);
                        }
                        s
                    })
                    .collect();
                a = if l == depth {
                    z
                } else {
                    z.into_iter()
                        .map(|v| if v < 0.0 { v * self.neg_slope } else { v })
                        .collect()
                };
            }
            let yc = y as usize;
            total += match self.loss {
                LossKind::Absolute => (a[0] - p.target).abs(),
                LossKind::Squared => (a[0] - p.target) * (a[0] - p.target),
                LossKind::Hinge => (1.0 - y as f64 * a[0]).max(0.0),
                LossKind::MulticlassHinge => (0..a.len())
                    .filter(|&k| k != yc)
                    .map(|k| (1.0 + a[k] - a[yc]).max(0.0))
                    .sum(),
                LossKind::CrammerSinger => {
                    let best = (0..a.len())
                        .filter(|&k| k != yc)
                        .map(|k| a[k])
                        .fold(f64::NEG_INFINITY, f64::max);
                    (1.0 + best - a[yc]).max(0.0)
                }
            };
        }
        total
    }

    /// Proposed descent directions (f64, up to scale), at most `max`: the
    /// fixed-point iteration from a few starting sides. Each returned
    /// direction has a negative float directional derivative.
    pub fn directions(&self, max: usize) -> Vec<Vec<f64>> {
        let m = self.entries.len();
        let first_class = |pos: bool| -> Sides {
            self.entries
                .iter()
                .map(|e| match e {
                    Entry::Tie { classes, .. } => {
                        if pos {
                            classes[0]
                        } else {
                            classes[classes.len() - 1]
                        }
                    }
                    _ => usize::from(pos),
                })
                .collect()
        };
        let mut starts: Vec<Sides> = vec![first_class(true)];
        if m > 0 {
            starts.push(first_class(false));
            let mut rng = crate::rng::Rng::new(0x2545_F491_4F6C_DD1D);
            for _ in 0..4 {
                starts.push(
                    self.entries
                        .iter()
                        .map(|e| match e {
                            Entry::Tie { classes, .. } => rng.pick(classes),
                            _ => rng.below(2),
                        })
                        .collect(),
                );
            }
        }
        let mut out: Vec<Vec<f64>> = Vec::new();
        let mut seen: Vec<Sides> = Vec::new();
        for start in starts {
            let mut sides = start;
            let mut prev: Option<Vec<f64>> = None;
            for _ in 0..8 {
                if seen.contains(&sides) {
                    break;
                }
                seen.push(sides.clone());
                let g = self.gradient(&sides);
                let norm2: f64 = g.iter().map(|v| v * v).sum();
                if norm2 == 0.0 || !norm2.is_finite() {
                    break;
                }
                let d: Vec<f64> = g.iter().map(|v| -v).collect();
                let (deriv, next) = self.tangent(&d, &sides);
                if deriv < -1e-9 * norm2 {
                    out.push(d);
                    if out.len() >= max {
                        return out;
                    }
                    break;
                }
                // the step left the piece: minus the shortest vector between
                // this gradient and the previous piece's (steepest descent
                // for a max of the two pieces, e.g. across a hinge corner)
                if let Some(p) = prev.as_ref() {
                    if let Some(m) = min_norm_on_segment(&g, p) {
                        let m2: f64 = m.iter().map(|v| v * v).sum();
                        let dm: Vec<f64> = m.iter().map(|v| -v).collect();
                        if m2 > 0.0 && self.tangent(&dm, &sides).0 < -1e-9 * m2 {
                            out.push(dm);
                            if out.len() >= max {
                                return out;
                            }
                            break;
                        }
                    }
                }
                prev = Some(g);
                sides = next;
            }
        }
        out
    }
}

/// The float output of unit 0 of the last layer from the activations
/// `last` of the layer before it (`w`, `b`: the float weights and biases).
fn output0(w: &[Vec<f64>], b: &[Vec<f64>], widths: &[usize], last: Option<&Vec<f64>>) -> f64 {
    let depth = widths.len() - 1;
    let cols = widths[depth - 1];
    let mut s = b[depth - 1].first().copied().unwrap_or(0.0);
    if let Some(a) = last {
        for (k, ak) in a.iter().enumerate().take(cols) {
            s += w[depth - 1][k] * ak;
        }
    }
    s
}

/// The point of the segment `[a, b]` closest to the origin (None if it is
/// not finite).
fn min_norm_on_segment(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let diff2: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    if diff2 == 0.0 || !diff2.is_finite() {
        return None;
    }
    // minimise |b + s (a - b)|^2 over s in [0, 1]
    let s = (-b.iter().zip(a).map(|(y, x)| y * (x - y)).sum::<f64>() / diff2).clamp(0.0, 1.0);
    Some(a.iter().zip(b).map(|(x, y)| y + s * (x - y)).collect())
}

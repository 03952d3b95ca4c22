//! `squared-second-order` certificates: the squared loss has a local
//! minimum by the second-order sufficient condition on every piece,
//! restricted to the gauge slice (docs/certificates.md; THEORY 10, 5.4b).
//!
//! Owns: recomputing from the point alone the kinks (one hidden layer, or
//! none at any depth), the dead units (ReLU, one hidden layer, every
//! pre-activation `< 0`) and the rescaled units (every other hidden unit
//! with a nonzero orbit tangent `A_j` = incoming row and bias, minus the
//! outgoing column), requiring the certificate's lists to equal them and
//! the tangents to be independent; a basis `B` of the slice `{A_j . d = 0,
//! dead coordinates 0}`; for every piece (one side per kink, each
//! combination exactly once) the loss polynomial ([`crate::cell`]), its
//! gradient `g` and Hessian `H` at the point (any degree), and re-proving
//! (a) `B^T g = sum lambda_k B^T n_k`, `lambda >= 0`, `lambda_k = 0` where
//! `B^T n_k = 0`, and (b) `B^T H B` strictly copositive on the critical cone
//! `{B^T n_k . y = 0 (lambda_k > 0), >= 0 (lambda_k = 0)}`: free block
//! positive definite, Schur complement strictly copositive (positive
//! definite, or positive diagonal and nonnegative off-diagonal, or no
//! principal submatrix is singular or has an entrywise negative `S_I^-1 1`).
//!
//! Must not: use the library's evaluation, polynomials or linear algebra;
//! examine more than [`MAX_SQUARED_KINKS`] kinks or a Schur complement above
//! [`MAX_STRICT_ORDER`]; run past the deadline (tested per piece and per
//! principal submatrix).

use crate::cell::{loss_poly, Pattern, Side};
use crate::error::Stop;
use crate::forward::{Evaluation, Zero};
use crate::linalg::{cone_form, mat_inverse, nullspace, principal, rank};
use crate::poly::Poly;
use crate::CheckError;
use num_traits::{One, Signed, Zero as _};
use relucert_core::cert::{Kink, SquaredPiece, Unit};
use relucert_core::network::{Activation, LossKind, Problem};
use relucert_core::number::Q;
use relucert_core::Deadline;
use std::collections::HashSet;

/// Most kinks of a `squared-second-order` certificate (`2^k` pieces).
pub const MAX_SQUARED_KINKS: usize = 16;
/// Largest Schur complement whose principal submatrices are enumerated.
pub const MAX_STRICT_ORDER: usize = 16;

/// The parts of a `squared-second-order` certificate.
pub struct SquaredParts<'a> {
    /// `kinks`.
    pub kinks: &'a [Kink],
    /// `rescaled`.
    pub rescaled: &'a [Unit],
    /// `dead`.
    pub dead: &'a [Unit],
    /// `pieces`.
    pub pieces: &'a [SquaredPiece],
}

/// See the module documentation.
pub fn check_squared(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &SquaredParts<'_>,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    check(problem, ev, theta, cert, deadline)
        .map_err(|e| e.into_error(CheckError::SquaredSecondOrder))
}

/// A rejection with `detail`.
pub(crate) fn fail<T>(detail: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Fail(detail.into()))
}

/// The dot product.
pub(crate) fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// Gradient and Hessian of `p` at `theta` over `n` variables (any degree).
pub(crate) fn jet(p: &Poly, theta: &[Q], n: usize) -> (Vec<Q>, Vec<Vec<Q>>) {
    let mut g = vec![Q::zero(); n];
    let mut h = vec![vec![Q::zero(); n]; n];
    for (m, c) in p.terms() {
        let others = |skip: &[usize]| -> Q {
            m.iter()
                .enumerate()
                .filter(|(i, _)| !skip.contains(i))
                .fold(c.clone(), |acc, (_, &v)| acc * &theta[v as usize])
        };
        for a in 0..m.len() {
            g[m[a] as usize] += others(&[a]);
            for b in (0..m.len()).filter(|&b| b != a) {
                h[m[a] as usize][m[b] as usize] += others(&[a, b]);
            }
        }
    }
    (g, h)
}

/// Positive definite: every pivot of symmetric elimination, in order, `> 0`.
fn positive_definite(a: &[Vec<Q>]) -> bool {
    let mut m = a.to_vec();
    let n = m.len();
    for i in 0..n {
        if !m[i][i].is_positive() {
            return false;
        }
        let pivot = m[i].clone();
        for row in m.iter_mut().skip(i + 1) {
            let f = &row[i] / &pivot[i];
            for (x, y) in row.iter_mut().zip(&pivot).skip(i) {
                *x -= &f * y;
            }
        }
    }
    true
}

/// Strict copositivity on the orthant (module doc).
fn strictly_copositive(s: &[Vec<Q>], deadline: &Deadline) -> Result<(), Stop> {
    let r = s.len();
    let easy = (0..r).all(|i| s[i][i].is_positive() && (0..r).all(|j| !s[i][j].is_negative()));
    if easy || positive_definite(s) {
        return Ok(());
    }
    if r > MAX_STRICT_ORDER {
        return fail(format!(
            "a strict copositivity test of order {r} exceeds MAX_STRICT_ORDER = {MAX_STRICT_ORDER}"
        ));
    }
    for mask in 1u32..(1u32 << r) {
        deadline.check()?;
        let (_, sub) = principal(s, mask);
        let Some(inv) = mat_inverse(&sub) else {
            return fail(
                "a principal submatrix of the Schur complement is singular (strictness not shown)",
            );
        };
        if inv
            .iter()
            .all(|row| row.iter().fold(Q::zero(), |a, x| a + x).is_negative())
        {
            return fail("the Hessian on the slice is not copositive on the critical cone");
        }
    }
    Ok(())
}

/// `y^T h y > 0` on `{eq . y = 0, ineq . y >= 0} \ {0}` in `R^m` (the
/// inequalities relaxed to a subset independent on the subspace).
pub(crate) fn strict_on_cone(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[Vec<Q>],
    m: usize,
    deadline: &Deadline,
) -> Result<(), Stop> {
    let Some((r, mm)) = cone_form(h, eq, ineq, m, deadline)? else {
        return Ok(());
    };
    let k = mm.len();
    let w: Vec<Vec<Q>> = (r..k)
        .map(|i| (r..k).map(|j| mm[i][j].clone()).collect())
        .collect();
    if !positive_definite(&w) {
        return fail("the Hessian on the slice is not positive definite on the free part of the critical cone");
    }
    let Some(winv) = mat_inverse(&w) else {
        return fail("internal: a positive definite block is singular");
    };
    let fw = k - r;
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    let mut corr = Q::zero();
                    for i in 0..fw {
                        for j in 0..fw {
                            corr += &mm[a][r + i] * &winv[i][j] * &mm[r + j][b];
                        }
                    }
                    &mm[a][b] - corr
                })
                .collect()
        })
        .collect();
    strictly_copositive(&s, deadline)
}

/// The units and slice equations of the gauge slice: the dead ReLU units
/// (every pre-activation `< 0`; with one hidden layer, or at any depth
/// when `any_depth`), the rows fixing their coordinates, the rescaled units
/// (nonzero tangent `A'_j`: incoming row and bias, minus the outgoing
/// column, with dead coordinates left out) and those tangents.
#[allow(clippy::type_complexity)]
pub(crate) fn quotient(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    any_depth: bool,
) -> (Vec<Unit>, Vec<Unit>, Vec<Vec<Q>>, Vec<Vec<Q>>) {
    let arch = &problem.arch;
    let n = theta.len();
    let coords = |l: usize, j: usize| -> Vec<(usize, bool)> {
        let mut out: Vec<(usize, bool)> = (0..arch.widths[l - 1])
            .map(|k| (arch.weight_index(l, j, k), true))
            .collect();
        out.extend(arch.bias_index(l, j).map(|b| (b, true)));
        out.extend((0..arch.widths[l + 1]).map(|i| (arch.weight_index(l + 1, i, j), false)));
        out
    };
    let relu = matches!(arch.activation, Activation::Relu)
        && (arch.hidden_layers() == 1 || any_depth)
        && !ev.points.is_empty();
    let mut fixed = vec![false; n];
    let mut dead = Vec::new();
    for l in 1..=arch.hidden_layers() {
        for j in 0..arch.widths[l] {
            if relu && ev.points.iter().all(|p| p.pre[l - 1][j].is_negative()) {
                dead.push(Unit { layer: l, unit: j });
                for (c, _) in coords(l, j) {
                    fixed[c] = true;
                }
            }
        }
    }
    let rows: Vec<Vec<Q>> = (0..n)
        .filter(|&c| fixed[c])
        .map(|c| {
            let mut e = vec![Q::zero(); n];
            e[c] = Q::one();
            e
        })
        .collect();
    let (mut rescaled, mut tangents) = (Vec::new(), Vec::new());
    for l in 1..=arch.hidden_layers() {
        for j in 0..arch.widths[l] {
            if dead.contains(&Unit { layer: l, unit: j }) {
                continue;
            }
            let mut a = vec![Q::zero(); n];
            for (c, plus) in coords(l, j).into_iter().filter(|(c, _)| !fixed[*c]) {
                a[c] = if plus {
                    theta[c].clone()
                } else {
                    -theta[c].clone()
                };
            }
            if a.iter().any(|x| !x.is_zero()) {
                rescaled.push(Unit { layer: l, unit: j });
                tangents.push(a);
            }
        }
    }
    (dead, rescaled, rows, tangents)
}

fn check(
    problem: &Problem,
    ev: &Evaluation,
    theta: &[Q],
    cert: &SquaredParts<'_>,
    deadline: &Deadline,
) -> Result<(), Stop> {
    let arch = &problem.arch;
    let n = theta.len();
    if problem.loss != LossKind::Squared {
        return fail("the certificate is for the squared loss");
    }
    // the kinks: every zero entry, first hidden layer of a one-hidden-layer network
    let mut kinks: Vec<Kink> = Vec::new();
    for z in ev.zero_entries() {
        match z {
            Zero::Kink {
                point,
                layer: 1,
                unit,
            } if arch.hidden_layers() == 1 => kinks.push(Kink { point, unit }),
            _ => return fail("a zero entry outside the first layer of a one-hidden-layer network"),
        }
    }
    if kinks.as_slice() != cert.kinks {
        return fail("`kinks` must list every zero pre-activation of the point, in order");
    }
    if kinks.len() > MAX_SQUARED_KINKS {
        return fail(format!(
            "{} kinks exceed MAX_SQUARED_KINKS = {MAX_SQUARED_KINKS}",
            kinks.len()
        ));
    }
    // the quotient
    let (dead, rescaled, mut rows, tangents) = quotient(problem, ev, theta, false);
    if dead.as_slice() != cert.dead || rescaled.as_slice() != cert.rescaled {
        return fail("`dead` and `rescaled` must list exactly the dead units and the units with a rescaling orbit");
    }
    if rank(&tangents, n) != tangents.len() {
        return fail("the rescaling orbits' tangents are linearly dependent");
    }
    rows.extend(tangents);
    let basis = nullspace(&rows, n);
    let m = basis.len();
    let restrict = |v: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(v, b)).collect() };
    // the pieces: every combination of sides exactly once
    if cert.pieces.len() != 1usize << kinks.len() {
        return fail("`pieces` must list every combination of kink sides exactly once");
    }
    let mut seen: HashSet<&[bool]> = HashSet::new();
    for (pi, piece) in cert.pieces.iter().enumerate() {
        deadline.check()?;
        let at = format!("piece {pi}");
        if piece.sides.len() != kinks.len() || !seen.insert(piece.sides.as_slice()) {
            return fail(format!(
                "{at}: `sides` must be a new combination of one side per kink"
            ));
        }
        let choices: Vec<(Zero, Side)> = kinks
            .iter()
            .zip(&piece.sides)
            .map(|(k, &s)| {
                (
                    Zero::Kink {
                        point: k.point,
                        layer: 1,
                        unit: k.unit,
                    },
                    if s { Side::Pos } else { Side::Neg },
                )
            })
            .collect();
        let poly = loss_poly(problem, &Pattern::complete(ev, &choices));
        let (g, h) = jet(&poly, theta, n);
        let hb: Vec<Vec<Q>> = basis
            .iter()
            .map(|b| h.iter().map(|row| dot(row, b)).collect())
            .collect();
        let hb: Vec<Vec<Q>> = basis
            .iter()
            .map(|a| hb.iter().map(|x| dot(a, x)).collect())
            .collect();
        let normals: Vec<Vec<Q>> = kinks
            .iter()
            .zip(&piece.sides)
            .map(|(k, &s)| {
                let sgn = if s { Q::one() } else { -Q::one() };
                let mut r = vec![Q::zero(); n];
                for (c, x) in problem.data.x[k.point].iter().enumerate() {
                    r[arch.weight_index(1, k.unit, c)] = &sgn * x;
                }
                if let Some(b) = arch.bias_index(1, k.unit) {
                    r[b] = sgn;
                }
                restrict(&r)
            })
            .collect();
        let lambda = &piece.lambda;
        if lambda.len() != kinks.len() || lambda.iter().any(Signed::is_negative) {
            return fail(format!(
                "{at}: `lambda` must be one nonnegative multiplier per kink"
            ));
        }
        if normals
            .iter()
            .zip(lambda)
            .any(|(r, l)| r.iter().all(Q::is_zero) && !l.is_zero())
        {
            return fail(format!(
                "{at}: a kink normal that vanishes on the slice must have multiplier 0"
            ));
        }
        let gb = restrict(&g);
        if (0..m).any(|c| {
            normals
                .iter()
                .zip(lambda)
                .fold(Q::zero(), |acc, (r, l)| acc + &r[c] * l)
                != gb[c]
        }) {
            return fail(format!("{at}: sum lambda_k n_k differs from the gradient on the slice (first-order condition)"));
        }
        let pick = |positive: bool| -> Vec<Vec<Q>> {
            normals
                .iter()
                .zip(lambda)
                .filter(|(_, l)| l.is_positive() == positive)
                .map(|(r, _)| r.clone())
                .collect()
        };
        strict_on_cone(&hb, &pick(true), &pick(false), m, deadline).map_err(|e| match e {
            Stop::Fail(s) => Stop::Fail(format!("{at}: {s}")),
            t => t,
        })?;
    }
    Ok(())
}

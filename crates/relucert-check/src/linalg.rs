//! The checker's own exact linear algebra for second-order certificates.
//!
//! Owns: reduced row echelon form, matrix inverse, positive semidefiniteness
//! (symmetric pivoting), copositivity (Cottle-Habetler-Lemke over all
//! principal submatrices), and copositivity of a Hessian on a polyhedral
//! cone `{eq . d = 0, ineq . d >= 0}` (relaxed to a maximal subset of the
//! inequality rows independent on the subspace, chosen greedily in order).
//!
//! The copositivity test is exponential in the order of the matrix: it
//! runs only up to [`MAX_COPOSITIVE_ORDER`] (after the two sufficient
//! conditions, entrywise nonnegative and positive semidefinite, which need
//! no enumeration) and tests the deadline once per principal submatrix.
//!
//! Must not: use the LP crate's or the library's linear algebra, or any
//! float: every pivot is an exact rational.

use num_traits::{One, Signed, Zero};
use relucert_core::number::Q;
use relucert_core::{Deadline, Expired};

/// Largest order of the matrix whose copositivity the checker decides by
/// enumerating its `2^order - 1` principal submatrices (a
/// `piecewise-second-order` region's kept inequality rows).
pub const MAX_COPOSITIVE_ORDER: usize = 20;

/// Reduced row echelon form; returns the pivot columns.
pub(crate) fn rref(m: &mut [Vec<Q>], ncols: usize) -> Vec<usize> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..ncols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][c].is_zero()) else {
            continue;
        };
        m.swap(r, p);
        let inv = Q::one() / &m[r][c];
        for x in m[r].iter_mut() {
            *x *= &inv;
        }
        let prow = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r && !row[c].is_zero() {
                let f = row[c].clone();
                for (x, y) in row.iter_mut().zip(&prow) {
                    *x -= &f * y;
                }
            }
        }
        pivots.push(c);
        r += 1;
    }
    pivots
}

pub(crate) fn mat_inverse(a: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let n = a.len();
    let mut m: Vec<Vec<Q>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.iter()
                .cloned()
                .chain((0..n).map(|j| if i == j { Q::one() } else { Q::zero() }))
                .collect()
        })
        .collect();
    let piv = rref(&mut m, n);
    (piv.len() == n).then(|| m.into_iter().map(|r| r[n..].to_vec()).collect())
}

fn is_psd(a: &[Vec<Q>]) -> bool {
    let mut m = a.to_vec();
    let mut alive: Vec<usize> = (0..a.len()).collect();
    while let Some(&i) = alive.iter().find(|&&i| m[i][i].is_positive()) {
        alive.retain(|&j| j != i);
        for &j in &alive {
            for &k in &alive {
                let d = &m[j][i] * &m[i][k] / &m[i][i];
                m[j][k] -= d;
            }
        }
    }
    alive
        .iter()
        .all(|&j| alive.iter().all(|&k| m[j][k].is_zero()))
}

/// Cottle-Habetler-Lemke: copositive iff no principal submatrix is
/// invertible with an entrywise nonpositive inverse. An entrywise
/// nonnegative or a positive semidefinite matrix is copositive without the
/// enumeration; otherwise an order above [`MAX_COPOSITIVE_ORDER`] is
/// `Ok(Err(..))` (not decided: a rejection).
fn is_copositive(s: &[Vec<Q>], deadline: &Deadline) -> Result<Result<bool, String>, Expired> {
    let r = s.len();
    if s.iter().flatten().all(|x| !x.is_negative()) || is_psd(s) {
        return Ok(Ok(true));
    }
    if r > MAX_COPOSITIVE_ORDER {
        return Ok(Err(format!(
            "a copositivity test of order {r} exceeds the limit MAX_COPOSITIVE_ORDER = {MAX_COPOSITIVE_ORDER}"
        )));
    }
    for mask in 1u32..(1u32 << r) {
        deadline.check()?;
        let (_, sub) = principal(s, mask);
        if mat_inverse(&sub).is_some_and(|inv| inv.iter().flatten().all(|x| !x.is_positive())) {
            return Ok(Ok(false));
        }
    }
    Ok(Ok(true))
}

/// A basis of `{rows . d = 0}` in `R^n`.
pub(crate) fn nullspace(rows: &[Vec<Q>], n: usize) -> Vec<Vec<Q>> {
    let mut e = rows.to_vec();
    let piv = rref(&mut e, n);
    (0..n)
        .filter(|c| !piv.contains(c))
        .map(|f| {
            let mut v = vec![Q::zero(); n];
            v[f] = Q::one();
            for (r, &pc) in piv.iter().enumerate() {
                v[pc] = -e[r][f].clone();
            }
            v
        })
        .collect()
}

/// The principal submatrix of `s` on the indices set in `mask`, with
/// those indices.
pub(crate) fn principal(s: &[Vec<Q>], mask: u32) -> (Vec<usize>, Vec<Vec<Q>>) {
    let idx: Vec<usize> = (0..s.len()).filter(|&i| mask >> i & 1 == 1).collect();
    let sub = idx
        .iter()
        .map(|&i| idx.iter().map(|&j| s[i][j].clone()).collect())
        .collect();
    (idx, sub)
}

/// The rank of `rows` (each of length `n`).
pub(crate) fn rank(rows: &[Vec<Q>], n: usize) -> usize {
    rref(&mut rows.to_vec(), n).len()
}

/// `(r, M)`: a quadratic form in cone coordinates (see [`cone_form`]).
pub(crate) type ConeForm = (usize, Vec<Vec<Q>>);

/// The quadratic form `h` on the cone `{eq . d = 0, ineq . d >= 0}` in
/// cone coordinates: with `B` a basis of the subspace and `T` the rows of
/// `ineq` restricted to it, kept greedily in order while independent
/// (dropping rows enlarges the cone: a relaxation), then completed by unit
/// rows to an invertible matrix, `d = B T^-1 y` maps the relaxed cone onto
/// `{y : y_0..y_r >= 0}` (the first `r` coordinates bounded, the rest
/// free). Returns `(r, M)` with `M = P^T h P`, `P = B T^-1`; `None` when the
/// subspace is `{0}`.
pub(crate) fn cone_form(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[Vec<Q>],
    n: usize,
    deadline: &Deadline,
) -> Result<Option<ConeForm>, Expired> {
    deadline.check()?;
    let basis = nullspace(eq, n);
    let m = basis.len();
    if m == 0 {
        return Ok(None);
    }
    let dotq = |a: &[Q], b: &[Q]| a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y);
    let mut t: Vec<Vec<Q>> = Vec::new();
    for row in ineq {
        deadline.check()?;
        let mut trial = t.clone();
        trial.push(basis.iter().map(|b| dotq(row, b)).collect());
        if rank(&trial, m) == trial.len() {
            t = trial;
        }
    }
    let r = t.len();
    for k in 0..m {
        deadline.check()?;
        let mut trial = t.clone();
        let mut unit = vec![Q::zero(); m];
        unit[k] = Q::one();
        trial.push(unit);
        if rank(&trial, m) == trial.len() {
            t = trial;
        }
    }
    // Invariant: t holds m independent rows of length m (units complete it).
    let u = mat_inverse(&t).expect("an invertible completion");
    deadline.check()?;
    // columns of P = B U, then M = P^T H P
    let p: Vec<Vec<Q>> = (0..m)
        .map(|c| {
            (0..n)
                .map(|row| (0..m).fold(Q::zero(), |acc, k| acc + &basis[k][row] * &u[k][c]))
                .collect()
        })
        .collect();
    let hp: Vec<Vec<Q>> = p
        .iter()
        .map(|col| h.iter().map(|hr| dotq(hr, col)).collect())
        .collect();
    let mm: Vec<Vec<Q>> = p
        .iter()
        .map(|a| hp.iter().map(|b| dotq(a, b)).collect())
        .collect();
    Ok(Some((r, mm)))
}

/// `d^T h d >= 0` on `{eq . d = 0, ineq . d >= 0}`, relaxed to a maximal
/// subset of `ineq` independent on the subspace, chosen greedily in order.
/// `Err(Expired)` once the deadline passes; `Ok(Err(reason))` when the test
/// fails.
pub fn cone_copositive(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[Vec<Q>],
    n: usize,
    deadline: &Deadline,
) -> Result<Result<(), String>, Expired> {
    let Some((r, mm)) = cone_form(h, eq, ineq, n, deadline)? else {
        return Ok(Ok(()));
    };
    let m = mm.len();
    let w: Vec<Vec<Q>> = (r..m)
        .map(|i| (r..m).map(|j| mm[i][j].clone()).collect())
        .collect();
    deadline.check()?;
    if !is_psd(&w) {
        return Ok(Err(
            "the Hessian is not positive semidefinite on the free part of the critical cone".into(),
        ));
    }
    // S = M_ss - M_sw X with W X = M_ws: solve by rref of [W | M_ws]
    let mut aug: Vec<Vec<Q>> = (r..m)
        .map(|i| (r..m).chain(0..r).map(|j| mm[i][j].clone()).collect())
        .collect();
    let fw = m - r;
    let piv = rref(&mut aug, fw);
    if aug
        .iter()
        .any(|row| row[..fw].iter().all(Zero::is_zero) && row[fw..].iter().any(|x| !x.is_zero()))
    {
        return Ok(Err(
            "range condition fails: a zero-curvature free direction is coupled to the cone".into(),
        ));
    }
    let mut x = vec![vec![Q::zero(); r]; fw];
    for (row, &pc) in piv.iter().enumerate() {
        x[pc] = aug[row][fw..].to_vec();
    }
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    &mm[a][b] - (0..fw).fold(Q::zero(), |acc, k| acc + &mm[a][r + k] * &x[k][b])
                })
                .collect()
        })
        .collect();
    match is_copositive(&s, deadline)? {
        Ok(true) => Ok(Ok(())),
        Ok(false) => Ok(Err(
            "the Hessian is not copositive on the critical cone".into()
        )),
        Err(limit) => Ok(Err(limit)),
    }
}

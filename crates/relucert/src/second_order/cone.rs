//! Exact positive-semidefiniteness and copositivity tests, and the test of
//! a quadratic form on a critical cone.
//!
//! Owns: `cone_test` (is `d^T H d >= 0` on `{eq . d = 0, ineq . d >= 0}`,
//! by restriction to the equalities' subspace, a change of coordinates, a
//! Schur complement and the Cottle-Habetler-Lemke copositivity criterion),
//! `psd`, `copositive`, `inverse`, and the small vector helpers `dot` and
//! `mat_vec` the second-order analysis shares.
//!
//! Must not: use floats or tolerances: every answer is exact, and every
//! failure that can exhibit a witness direction does.

use crate::linalg;
use crate::number::Q;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;

/// Result of the copositivity test on one critical cone.
pub(super) enum ConeTest {
    /// Nonnegative on the cone; `kept` = inequality rows used.
    Nonneg(Vec<usize>),
    /// A direction (in the parameter space) of negative curvature on the
    /// relaxed cone, if one was exhibited, and the reason.
    Fails(Vec<Vec<Q>>, String),
}

pub(super) fn mat_vec(m: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    m.iter()
        .map(|r| r.iter().zip(v).fold(Q::zero(), |acc, (a, b)| acc + a * b))
        .collect()
}

/// A quadratic form on a polyhedral cone in cone coordinates: with `B` a
/// basis of `{eq . d = 0}` and `T` the `ineq` rows restricted to it, kept
/// greedily in order while independent (dropping rows enlarges the cone: a
/// relaxation) and completed by unit rows to an invertible matrix,
/// `d = P z` with `P = B T^-1` maps the relaxed cone onto `{z : z_0..z_r
/// >= 0}` (the rest free).
pub(crate) struct ConeCoords {
    /// Indices (the `usize` of `ineq`) of the kept rows.
    pub(crate) kept: Vec<usize>,
    /// Whether a dependent row was dropped.
    pub(crate) relaxed: bool,
    /// Number of kept rows: the bounded coordinates come first.
    pub(crate) r: usize,
    /// `P` (n x m): `d = P z`.
    pub(crate) p: Vec<Vec<Q>>,
    /// `M = P^T h P` (m x m).
    pub(crate) mm: Vec<Vec<Q>>,
}

/// [`ConeCoords`] of `h` on `{eq . d = 0, ineq . d >= 0}` in `R^n`;
/// `Ok(None)` when the subspace is `{0}`, `Err` with the reason at the
/// deadline.
pub(crate) fn cone_coords(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[(usize, Vec<Q>)],
    n: usize,
    deadline: &Deadline,
) -> Result<Option<ConeCoords>, String> {
    let stopped = || "the time limit (--timeout) was reached".to_string();
    if deadline.expired() {
        return Err(stopped());
    }
    // basis of the subspace V = {eq . d = 0}: columns of b (n x m)
    let basis = linalg::nullspace(eq, n);
    let m = basis.len();
    if m == 0 {
        return Ok(None);
    }
    let restrict = |r: &[Q]| -> Vec<Q> { basis.iter().map(|b| dot(r, b)).collect() };
    // independent inequality rows (restricted to V), greedily
    let mut kept: Vec<usize> = Vec::new();
    let mut c_rows: Vec<Vec<Q>> = Vec::new();
    let mut relaxed = false;
    for (idx, r) in ineq {
        if deadline.expired() {
            return Err(stopped());
        }
        let rr = restrict(r);
        if rr.iter().all(|x| x.is_zero()) {
            continue;
        }
        let mut trial = c_rows.clone();
        trial.push(rr.clone());
        if linalg::rank(&trial) == trial.len() {
            c_rows = trial;
            kept.push(*idx);
        } else {
            relaxed = true;
        }
    }
    let r = c_rows.len();
    // complete to an invertible T (m x m) with unit rows
    let mut t = c_rows;
    for e in 0..m {
        if t.len() == m {
            break;
        }
        if deadline.expired() {
            return Err(stopped());
        }
        let mut unit = vec![Q::zero(); m];
        unit[e] = Q::one();
        let mut trial = t.clone();
        trial.push(unit);
        if linalg::rank(&trial) == trial.len() {
            t = trial;
        }
    }
    let Some(u) = inverse(&t) else {
        return Err("internal: completion not invertible".to_string());
    };
    // P = B U (n x m): d = P z, z = (s, w)
    let p: Vec<Vec<Q>> = (0..n)
        .map(|row| {
            (0..m)
                .map(|col| (0..m).fold(Q::zero(), |acc, k| acc + &basis[k][row] * &u[k][col]))
                .collect()
        })
        .collect();
    // M = P^T H P
    let hp: Vec<Vec<Q>> = (0..n)
        .map(|i| {
            (0..m)
                .map(|col| (0..n).fold(Q::zero(), |acc, k| acc + &h[i][k] * &p[k][col]))
                .collect()
        })
        .collect();
    let mm: Vec<Vec<Q>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| (0..n).fold(Q::zero(), |acc, k| acc + &p[k][a] * &hp[k][b]))
                .collect()
        })
        .collect();
    Ok(Some(ConeCoords {
        kept,
        relaxed,
        r,
        p,
        mm,
    }))
}

/// Is `d^T h d >= 0` on `{d : eq . d = 0, ineq . d >= 0}`? Dependent
/// inequality rows are relaxed to a maximal independent subset.
pub(super) fn cone_test(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[(usize, Vec<Q>)],
    n: usize,
    deadline: &Deadline,
) -> ConeTest {
    // at the deadline: nothing shown (the caller ends the attempt)
    let stopped = || ConeTest::Fails(Vec::new(), "the time limit (--timeout) was reached".into());
    if deadline.expired() {
        return stopped();
    }
    let coords = match cone_coords(h, eq, ineq, n, deadline) {
        Ok(Some(c)) => c,
        Ok(None) => return ConeTest::Nonneg(Vec::new()),
        Err(why) => return ConeTest::Fails(Vec::new(), why),
    };
    let ConeCoords {
        kept,
        relaxed,
        r,
        p,
        mm,
    } = coords;
    let m = mm.len();
    let dir = |z: &[Q]| -> Vec<Q> { mat_vec(&p, z) };
    let w_idx: Vec<usize> = (r..m).collect();
    let s_idx: Vec<usize> = (0..r).collect();
    let sub = |rs: &[usize], cs: &[usize]| -> Vec<Vec<Q>> {
        rs.iter()
            .map(|&i| cs.iter().map(|&j| mm[i][j].clone()).collect())
            .collect()
    };
    let wmat = sub(&w_idx, &w_idx);
    if let Err(wv) = psd(&wmat) {
        let mut z = vec![Q::zero(); m];
        for (k, x) in w_idx.iter().zip(wv) {
            z[*k] = x;
        }
        return ConeTest::Fails(
            vec![dir(&z)],
            "the Hessian is not positive semidefinite on the critical subspace (a direction of negative curvature with every inequality slack)".to_string(),
        );
    }
    // X with W X = M_ws (column by column)
    let mws = sub(&w_idx, &s_idx);
    let mut x_cols: Vec<Vec<Q>> = Vec::new();
    for c in 0..r {
        if deadline.expired() {
            return stopped();
        }
        let col: Vec<Q> = mws.iter().map(|row| row[c].clone()).collect();
        if w_idx.is_empty() {
            x_cols.push(Vec::new());
            continue;
        }
        match linalg::solve(&wmat, &col) {
            Some(x) => x_cols.push(x),
            None => {
                // a zero-curvature free direction nv coupled with s = e_c:
                // q(e_c + tau nv) = M_cc + 2 tau (nv . M_ws e_c), unbounded
                // below; propose a few such directions
                let mut dirs = Vec::new();
                for nv in linalg::nullspace(&wmat, w_idx.len()) {
                    let coupling = dot(&nv, &col);
                    if coupling.is_zero() {
                        continue;
                    }
                    for tau in [1i64, 4, 16] {
                        let f = Q::from_integer((-tau).into()) * coupling.signum();
                        let mut z = vec![Q::zero(); m];
                        z[c] = Q::one();
                        for (k, &wi) in w_idx.iter().enumerate() {
                            z[wi] = &f * &nv[k];
                        }
                        dirs.push(dir(&z));
                    }
                }
                return ConeTest::Fails(
                    dirs,
                    "the Hessian couples a free direction of zero curvature with the cone (range condition fails)".to_string(),
                );
            }
        }
    }
    // S = M_ss - M_sw X
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    let corr = w_idx
                        .iter()
                        .enumerate()
                        .fold(Q::zero(), |acc, (k, &wi)| acc + &mm[a][wi] * &x_cols[b][k]);
                    &mm[a][b] - corr
                })
                .collect()
        })
        .collect();
    // The enumeration below visits 2^r - 1 principal submatrices; past
    // order 20 that is out of reach (and the checker refuses it: its
    // MAX_COPOSITIVE_ORDER), unless no enumeration is needed.
    if r > MAX_COPOSITIVE_ORDER
        && !(s.iter().flatten().all(|x| !x.is_negative()) || psd(&s).is_ok())
    {
        return ConeTest::Fails(
            Vec::new(),
            format!(
                "the copositivity test on the critical cone has order {r}, above {MAX_COPOSITIVE_ORDER} (it would enumerate 2^{r} submatrices)"
            ),
        );
    }
    match copositive(&s) {
        Ok(()) => ConeTest::Nonneg(kept),
        Err(sv) => {
            let mut z = vec![Q::zero(); m];
            for (k, x) in sv.iter().enumerate() {
                z[k] = x.clone();
            }
            for (k, &wi) in w_idx.iter().enumerate() {
                z[wi] = -(0..r).fold(Q::zero(), |acc, c| acc + &x_cols[c][k] * &sv[c]);
            }
            ConeTest::Fails(
                vec![dir(&z)],
                if relaxed {
                    "the Hessian is not copositive on the critical cone relaxed to independent inequalities (the cone's rows are dependent; the relaxation may be too coarse)".to_string()
                } else {
                    "the Hessian is not copositive on the critical cone".to_string()
                },
            )
        }
    }
}

pub(super) fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

/// Inverse of a square rational matrix by Gauss-Jordan; `None` if singular.
pub fn inverse(a: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let n = a.len();
    let mut m: Vec<Vec<Q>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| if i == j { Q::one() } else { Q::zero() }));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n).find(|&r| !m[r][c].is_zero())?;
        m.swap(c, p);
        let piv = m[c][c].clone();
        for x in m[c].iter_mut() {
            *x = &*x / &piv;
        }
        let pivot_row = m[c].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != c && !row[c].is_zero() {
                let f = row[c].clone();
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x -= &f * y;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// Positive semidefiniteness by symmetric elimination with positive
/// pivots; `Err(v)` with `v^T a v < 0` otherwise.
pub fn psd(a: &[Vec<Q>]) -> Result<(), Vec<Q>> {
    let n = a.len();
    let mut m = a.to_vec();
    let mut alive: Vec<usize> = (0..n).collect();
    // eliminated pivots, to lift a witness back: v_p = -sum m_pj v_j / m_pp
    let mut steps: Vec<(usize, Vec<(usize, Q)>)> = Vec::new();
    loop {
        if let Some(&i) = alive.iter().find(|&&i| m[i][i].is_positive()) {
            let row: Vec<(usize, Q)> = alive
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| (j, &m[i][j] / &m[i][i]))
                .collect();
            for &(j, ref fj) in &row {
                for &(k, _) in &row {
                    let delta = fj * &m[i][k];
                    m[j][k] -= delta;
                }
            }
            steps.push((i, row));
            alive.retain(|&j| j != i);
            continue;
        }
        // no positive pivot left
        let mut v = vec![Q::zero(); n];
        if let Some(&i) = alive.iter().find(|&&i| m[i][i].is_negative()) {
            v[i] = Q::one();
        } else if let Some((i, j)) = alive
            .iter()
            .flat_map(|&i| alive.iter().map(move |&j| (i, j)))
            .find(|&(i, j)| !m[i][j].is_zero())
        {
            // zero diagonal, nonzero off-diagonal: v = e_i - sign(m_ij) e_j
            v[i] = Q::one();
            v[j] = if m[i][j].is_positive() {
                -Q::one()
            } else {
                Q::one()
            };
        } else {
            return Ok(());
        }
        // lift through the eliminated pivots (in reverse)
        for (p, row) in steps.iter().rev() {
            v[*p] = -row.iter().fold(Q::zero(), |acc, (j, f)| acc + f * &v[*j]);
        }
        return Err(v);
    }
}

/// Largest order of a copositivity test that enumerates principal
/// submatrices (`2^r - 1` of them); the checker has the same limit.
pub const MAX_COPOSITIVE_ORDER: usize = 20;

/// Copositivity of a symmetric matrix (`x^T s x >= 0` for all `x >= 0`) by
/// the Cottle-Habetler-Lemke criterion over all principal submatrices;
/// `Err(x)` with `x >= 0`, `x^T s x < 0` otherwise. Exponential in the
/// order; callers keep it small.
///
/// The principal submatrices are enumerated, so `s` must have order at most
/// [`MAX_COPOSITIVE_ORDER`] unless it is entrywise nonnegative or PSD;
/// above it the answer is `Ok` only for those two cases and otherwise an
/// `Err` with an empty vector (no witness: the test was not run).
pub fn copositive(s: &[Vec<Q>]) -> Result<(), Vec<Q>> {
    let r = s.len();
    if s.iter().flatten().all(|x| !x.is_negative()) || psd(s).is_ok() {
        return Ok(());
    }
    if r > MAX_COPOSITIVE_ORDER {
        return Err(Vec::new());
    }
    // subsets in order of size, so the first failure is a minimal one
    let mut subsets: Vec<u32> = (1..(1u32 << r)).collect();
    subsets.sort_by_key(|m| m.count_ones());
    for mask in subsets {
        let idx: Vec<usize> = (0..r).filter(|&i| mask >> i & 1 == 1).collect();
        let sub: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| idx.iter().map(|&j| s[i][j].clone()).collect())
            .collect();
        if let Some(inv) = inverse(&sub) {
            if inv.iter().flatten().all(|x| !x.is_positive()) {
                let mut x = vec![Q::zero(); r];
                for (k, &i) in idx.iter().enumerate() {
                    x[i] = -inv[k].iter().fold(Q::zero(), |acc, v| acc + v);
                }
                return Err(x);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(n: usize, v: i64) -> Vec<Vec<Q>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| Q::from_integer(if i == j { v } else { 0 }.into()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn order_above_the_limit_is_decided_only_without_enumeration() {
        let n = MAX_COPOSITIVE_ORDER + 5;
        // -I is not copositive: small orders find the witness e_0 ...
        let w = copositive(&diag(3, -1)).expect_err("-I is not copositive");
        assert!(!w.is_empty());
        // ... above the limit there is no enumeration and no witness, and
        // never a false "copositive" (a u32 shift past 31 once wrapped to
        // an empty enumeration, i.e. "copositive").
        assert_eq!(copositive(&diag(n, -1)), Err(Vec::new()));
        assert_eq!(copositive(&diag(40, -1)), Err(Vec::new()));
        // nonnegative or PSD: copositive at any order
        assert_eq!(copositive(&diag(n, 2)), Ok(()));
        let mut m = diag(n, 1);
        m[0][1] = Q::new((-1).into(), 2.into());
        m[1][0] = m[0][1].clone();
        assert_eq!(copositive(&m), Ok(()));
    }
}

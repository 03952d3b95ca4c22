//! Strict copositivity of a quadratic form on a polyhedral cone, exactly.
//!
//! Owns: [`strict_on_cone`]: is `y^T h y > 0` for every nonzero `y` with
//! `eq . y = 0` and `ineq . y >= 0`? The cone is relaxed to a maximal set of
//! inequality rows independent on the equalities' subspace (dropping rows
//! enlarges the cone, so a yes stays a proof); coordinates `z = (s, w)` make
//! the kept rows read `s >= 0` with `w` free; then the free block `W` must
//! be positive definite and the Schur complement `S = M_ss - M_sw W^-1 M_ws`
//! strictly copositive. For `S` (order `r`): positive definite, or positive
//! diagonal with nonnegative off-diagonal, or else no principal submatrix
//! `S_I` admits `x > 0`, `mu <= 0` with `S_I x = mu 1` (if `S` were not
//! strictly copositive, a minimal such `I` would: the minimum of `x^T S_I x`
//! on the simplex is `<= 0`, attained in the relative interior, where the
//! stationarity condition reads `S_I x = mu 1`); for invertible `S_I` that
//! is `S_I^-1 1 < 0` entrywise; a singular `S_I` is not ruled out (no).
//!
//! Must not: use floats; answer yes without the exact argument above.

use crate::number::Q;
use crate::second_order::{cone_coords, inverse, psd, ConeCoords};
use crate::Deadline;
use num_traits::{Signed, Zero};

/// Largest order of the Schur complement whose principal submatrices are
/// enumerated (the checker has the same limit).
pub const MAX_STRICT_ORDER: usize = 16;

/// The answer: yes, or no with the reason and a direction of nonpositive
/// curvature (in the `y` coordinates) when one was exhibited.
pub enum Strict {
    /// Strictly positive on the cone minus the origin.
    Yes,
    /// Not shown; a direction with `y^T h y <= 0` if one was found.
    No(String, Option<Vec<Q>>),
}

/// Positive definite by symmetric elimination with positive pivots in order.
pub fn positive_definite(a: &[Vec<Q>]) -> bool {
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

/// Strict copositivity of `s` on the nonnegative orthant (see the module
/// doc); `Err` with a nonnegative nonzero `x` of `x^T s x <= 0` if found.
pub fn strictly_copositive(
    s: &[Vec<Q>],
    deadline: &Deadline,
) -> Result<(), (String, Option<Vec<Q>>)> {
    let r = s.len();
    let shortcut =
        (0..r).all(|i| s[i][i].is_positive() && (0..r).all(|j| i == j || !s[i][j].is_negative()));
    if r == 0 || shortcut || positive_definite(s) {
        return Ok(());
    }
    if r > MAX_STRICT_ORDER {
        return Err((
            format!("the strict copositivity test has order {r}, above {MAX_STRICT_ORDER}"),
            None,
        ));
    }
    let mut subsets: Vec<u32> = (1..(1u32 << r)).collect();
    subsets.sort_by_key(|m| m.count_ones());
    for mask in subsets {
        if deadline.expired() {
            return Err(("the time limit (--timeout) was reached".into(), None));
        }
        let idx: Vec<usize> = (0..r).filter(|&i| mask >> i & 1 == 1).collect();
        let sub: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| idx.iter().map(|&j| s[i][j].clone()).collect())
            .collect();
        match inverse(&sub) {
            Some(inv) => {
                let v: Vec<Q> = inv
                    .iter()
                    .map(|row| row.iter().fold(Q::zero(), |a, x| a + x))
                    .collect();
                if v.iter().all(Signed::is_negative) {
                    let mut x = vec![Q::zero(); r];
                    for (k, &i) in idx.iter().enumerate() {
                        x[i] = -v[k].clone();
                    }
                    return Err((
                        "the Hessian on the slice is not copositive on the critical cone".into(),
                        Some(x),
                    ));
                }
            }
            None => {
                return Err((
                    "the Hessian on the slice is degenerate on a face of the critical cone (a singular principal submatrix)".into(),
                    None,
                ))
            }
        }
    }
    Ok(())
}

/// `B h B^T` for the rows `b` of `basis`: the quadratic form `h` in the
/// basis coordinates.
pub fn on_basis(h: &[Vec<Q>], basis: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let dot = |a: &[Q], b: &[Q]| a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y);
    let hbasis: Vec<Vec<Q>> = basis
        .iter()
        .map(|b| h.iter().map(|row| dot(row, b)).collect())
        .collect();
    basis
        .iter()
        .map(|a| hbasis.iter().map(|x| dot(a, x)).collect())
        .collect()
}

/// [`strict_on_cone`] on the critical cone of a cone `rows . y >= 0` whose
/// first-order condition has the Farkas multipliers `lambda`: the rows with
/// a positive multiplier are equalities there, the other nonzero rows stay
/// inequalities.
pub fn strict_on_critical_cone(
    h: &[Vec<Q>],
    rows: &[Vec<Q>],
    lambda: &[Q],
    m: usize,
    deadline: &Deadline,
) -> Strict {
    let eq: Vec<Vec<Q>> = rows
        .iter()
        .zip(lambda)
        .filter(|(_, l)| l.is_positive())
        .map(|(r, _)| r.clone())
        .collect();
    let ineq: Vec<Vec<Q>> = rows
        .iter()
        .zip(lambda)
        .filter(|(r, l)| l.is_zero() && r.iter().any(|x| !x.is_zero()))
        .map(|(r, _)| r.clone())
        .collect();
    strict_on_cone(h, &eq, &ineq, m, deadline)
}

/// Is `y^T h y > 0` on `{eq . y = 0, ineq . y >= 0} \ {0}` (in `R^m`)?
/// The cone coordinates are the piecewise second-order proof's
/// (`second_order::cone_coords`: dependent inequality rows relaxed).
pub fn strict_on_cone(
    h: &[Vec<Q>],
    eq: &[Vec<Q>],
    ineq: &[Vec<Q>],
    m: usize,
    deadline: &Deadline,
) -> Strict {
    let rows: Vec<(usize, Vec<Q>)> = ineq.iter().cloned().enumerate().collect();
    let ConeCoords { r, p, mm, .. } = match cone_coords(h, eq, &rows, m, deadline) {
        Ok(Some(c)) => c,
        Ok(None) => return Strict::Yes,
        Err(why) => return Strict::No(why, None),
    };
    let k = mm.len();
    let lift = |z: &[Q]| -> Vec<Q> {
        p.iter()
            .map(|row| row.iter().zip(z).fold(Q::zero(), |acc, (a, b)| acc + a * b))
            .collect()
    };
    let w: Vec<Vec<Q>> = (r..k)
        .map(|i| (r..k).map(|j| mm[i][j].clone()).collect())
        .collect();
    if !positive_definite(&w) {
        let witness = psd(&w).err().map(|v| {
            let mut z = vec![Q::zero(); k];
            for (i, x) in v.into_iter().enumerate() {
                z[r + i] = x;
            }
            lift(&z)
        });
        let why = if witness.is_some() {
            "the Hessian on the slice has a direction of negative curvature in the critical cone"
        } else {
            "the Hessian on the slice is singular on the critical cone (a direction of zero curvature: the second-order condition is inconclusive)"
        };
        return Strict::No(why.into(), witness);
    }
    let Some(winv) = inverse(&w) else {
        return Strict::No(
            "internal: a positive definite block is singular".into(),
            None,
        );
    };
    let fw = k - r;
    // X = W^-1 M_ws (fw x r); S = M_ss - M_sw X
    let x: Vec<Vec<Q>> = (0..fw)
        .map(|i| {
            (0..r)
                .map(|b| (0..fw).fold(Q::zero(), |acc, j| acc + &winv[i][j] * &mm[r + j][b]))
                .collect()
        })
        .collect();
    let s: Vec<Vec<Q>> = (0..r)
        .map(|a| {
            (0..r)
                .map(|b| {
                    &mm[a][b] - (0..fw).fold(Q::zero(), |acc, j| acc + &mm[a][r + j] * &x[j][b])
                })
                .collect()
        })
        .collect();
    match strictly_copositive(&s, deadline) {
        Ok(()) => Strict::Yes,
        Err((why, sv)) => {
            let witness = sv.map(|sv| {
                let mut z = vec![Q::zero(); k];
                for (i, v) in sv.iter().enumerate() {
                    z[i] = v.clone();
                }
                for j in 0..fw {
                    z[r + j] = -(0..r).fold(Q::zero(), |acc, b| acc + &x[j][b] * &sv[b]);
                }
                lift(&z)
            });
            Strict::No(why, witness)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[i64]]) -> Vec<Vec<Q>> {
        rows.iter()
            .map(|r| r.iter().map(|&x| Q::from_integer(x.into())).collect())
            .collect()
    }

    /// Hand facts: [[1,-1],[-1,1]] is copositive but not strictly ((1,1)
    /// gives 0); [[1,-1],[-1,2]] is positive definite; [[0]] is not strict;
    /// [[1,2],[2,1]] is strictly copositive though indefinite.
    #[test]
    fn strict_copositivity_hand_cases() {
        assert!(strictly_copositive(&m(&[&[1, -1], &[-1, 1]]), &Deadline::never()).is_err());
        assert!(strictly_copositive(&m(&[&[1, -1], &[-1, 2]]), &Deadline::never()).is_ok());
        assert!(strictly_copositive(&m(&[&[0]]), &Deadline::never()).is_err());
        assert!(strictly_copositive(&m(&[&[1, 2], &[2, 1]]), &Deadline::never()).is_ok());
        assert!(strictly_copositive(&m(&[&[1, -2], &[-2, 1]]), &Deadline::never()).is_err());
        // 3x3: Horn-like with a negative pair but strictly copositive
        assert!(strictly_copositive(
            &m(&[&[2, -1, 0], &[-1, 2, 3], &[0, 3, 1]]),
            &Deadline::never()
        )
        .is_ok());
    }

    /// On the cone y_0 >= 0 in R^2, diag(-1, 1) fails, diag(1, 1) holds;
    /// with the equality y_1 = 0, [[1, 0], [0, -1]] holds.
    #[test]
    fn cone_hand_cases() {
        let ineq = m(&[&[1, 0]]);
        assert!(matches!(
            strict_on_cone(&m(&[&[-1, 0], &[0, 1]]), &[], &ineq, 2, &Deadline::never()),
            Strict::No(..)
        ));
        assert!(matches!(
            strict_on_cone(&m(&[&[1, 0], &[0, 1]]), &[], &ineq, 2, &Deadline::never()),
            Strict::Yes
        ));
        let eq = m(&[&[0, 1]]);
        assert!(matches!(
            strict_on_cone(&m(&[&[1, 0], &[0, -1]]), &eq, &[], 2, &Deadline::never()),
            Strict::Yes
        ));
        // y^T h y = y0 y1 on y >= 0 is 0 on the axes: not strict
        let both = m(&[&[1, 0], &[0, 1]]);
        let h = vec![
            vec![Q::zero(), Q::new(1.into(), 2.into())],
            vec![Q::new(1.into(), 2.into()), Q::zero()],
        ];
        assert!(matches!(
            strict_on_cone(&h, &[], &both, 2, &Deadline::never()),
            Strict::No(..)
        ));
    }
}

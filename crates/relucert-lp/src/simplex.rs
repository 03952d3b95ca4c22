//! The exact simplex: the decider of last resort.
//!
//! Standard form: every variable becomes one non-negative column (shifted by
//! its lower bound, or reflected at its upper bound) or two (free variables,
//! `x = p - q`); a variable with both bounds gets a row `z <= u - l`. Rows
//! are normalised to a non-negative right-hand side and scaled to integers,
//! `<=` rows get a slack, `>=` rows a surplus and an artificial, `=` rows an
//! artificial. The tableau is an *integer* tableau with one common positive
//! denominator, updated by the fraction-free pivot of [`crate::linalg`]
//! (lrs-style integer pivoting), in checked `i64`, then `i128`, then `BigInt`.
//!
//! Pivoting: Dantzig's rule, switching to Bland's rule (smallest index enters,
//! smallest basic index leaves on ties) after a few consecutive degenerate
//! pivots and until the next non-degenerate one; Bland's rule cannot cycle,
//! and non-degenerate pivots strictly improve the objective, so the method
//! terminates. A warm start crashes a proposed basis into the tableau and,
//! when it is primal feasible, skips phase 1.
//!
//! Must not: use floats in any form.

use super::intform::{int_row_until, Origin};
use super::{objective_value, Cmp, Lp, LpResult, Sense};
use crate::linalg::{pivot_until, with_tiers_until, Ring, Stop};
use crate::number::Q;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

#[derive(Clone, Debug)]
enum VarMap {
    /// `x = off + sgn * z_col`.
    Shift { col: usize, off: Q, neg: bool },
    /// `x = z_p - z_q`.
    Free { p: usize, q: usize },
}

struct StdForm {
    nstruct: usize,
    ncols: usize,
    map: Vec<VarMap>,
    /// Per std row: where it comes from, and `std row = sigma * original`.
    origin: Vec<Origin>,
    sigma: Vec<Q>,
    /// Per std row: dual marker column and its coefficient (slack +-1, or
    /// the artificial with coefficient +1 when `is_art`).
    marker: Vec<(usize, i8)>,
    is_art: Vec<bool>,
    /// Initial tableau, sparse (column, nonzero entry): m rows, phase-2
    /// row, phase-1 row; column `ncols` is the right-hand side. Kept sparse
    /// so that only the working tableau of [`run`] is dense.
    tab: Vec<SparseRow>,
    basis0: Vec<usize>,
    /// Integer phase-2 objective = `cscale` * (minimised objective in z).
    cscale: Q,
    /// Std row of each LP row; slack column of each doubly bounded var's row.
    row_of_lp: Vec<usize>,
    upper_row: Vec<Option<usize>>,
}

fn build(lp: &Lp, stop: &Stop<'_>) -> Option<StdForm> {
    let n = lp.vars.len();
    let mut map = Vec::with_capacity(n);
    let mut ns = 0;
    for v in &lp.vars {
        if let Some(l) = &v.lower {
            map.push(VarMap::Shift {
                col: ns,
                off: l.clone(),
                neg: false,
            });
            ns += 1;
        } else if let Some(u) = &v.upper {
            map.push(VarMap::Shift {
                col: ns,
                off: u.clone(),
                neg: true,
            });
            ns += 1;
        } else {
            map.push(VarMap::Free { p: ns, q: ns + 1 });
            ns += 2;
        }
    }
    // Rows over z: (coefs, cmp, rhs, origin).
    let mut rows: Vec<(Coefs, Cmp, Q, Origin)> = Vec::new();
    let mut row_of_lp = Vec::with_capacity(lp.rows.len());
    for (i, row) in lp.rows.iter().enumerate() {
        stop.go()?;
        let mut a = vec![Q::zero(); ns];
        let mut rhs = row.rhs.clone();
        for (v, c) in &row.coeffs {
            match &map[v.0] {
                VarMap::Shift { col, off, neg } => {
                    if *neg {
                        a[*col] -= c;
                    } else {
                        a[*col] += c;
                    }
                    rhs -= c * off;
                }
                VarMap::Free { p, q } => {
                    a[*p] += c;
                    a[*q] -= c;
                }
            }
        }
        row_of_lp.push(rows.len());
        rows.push((Coefs::Dense(a), row.cmp, rhs, Origin::Row(i)));
    }
    let mut upper_row = vec![None; n];
    for (j, v) in lp.vars.iter().enumerate() {
        if let (Some(l), Some(u), VarMap::Shift { col, .. }) = (&v.lower, &v.upper, &map[j]) {
            upper_row[j] = Some(rows.len());
            rows.push((Coefs::Unit(*col), Cmp::Le, u - l, Origin::Upper(j)));
        }
    }
    let m = rows.len();
    // Column layout: structural, then per row its slack and/or artificial.
    let mut ncols = ns;
    let mut slack_col = vec![None; m];
    let mut art_col = vec![None; m];
    let mut norm: Vec<(SparseRow, BigInt, Cmp, Q)> = Vec::with_capacity(m);
    for (r, (a, cmp, rhs, _)) in rows.iter().enumerate() {
        let flip = rhs.is_negative();
        let (cmp, rhs) = if flip {
            let flipped = match cmp {
                Cmp::Le => Cmp::Ge,
                Cmp::Ge => Cmp::Le,
                Cmp::Eq => Cmp::Eq,
            };
            (flipped, -rhs)
        } else {
            (*cmp, rhs.clone())
        };
        stop.go()?;
        let sign = |q: &Q| if flip { -q } else { q.clone() };
        let (ints, h, scale) = match a {
            Coefs::Dense(a) => {
                let a: Vec<Q> = a.iter().map(sign).collect();
                let (ints, h, scale) = int_row_until(&a, &rhs, stop)?;
                let sparse = ints
                    .into_iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_zero())
                    .collect();
                (sparse, h, scale)
            }
            Coefs::Unit(col) => {
                let (ints, h, scale) = int_row_until(&[sign(&Q::one())], &rhs, stop)?;
                let sparse = ints.into_iter().map(|v| (*col, v)).collect();
                (sparse, h, scale)
            }
        };
        let sigma = if flip { -scale } else { scale };
        if cmp != Cmp::Eq {
            slack_col[r] = Some(ncols);
            ncols += 1;
        }
        if cmp != Cmp::Le {
            art_col[r] = Some(ncols);
            ncols += 1;
        }
        norm.push((ints, h, cmp, sigma));
    }
    let mut is_art = vec![false; ncols];
    let mut tab: Vec<SparseRow> = vec![Vec::new(); m + 2];
    let mut basis0 = vec![0; m];
    let mut marker = Vec::with_capacity(m);
    let mut sigma = Vec::with_capacity(m);
    let mut origin = Vec::with_capacity(m);
    for (r, (ints, h, cmp, sg)) in norm.into_iter().enumerate() {
        tab[r] = ints;
        if let Some(s) = slack_col[r] {
            let coef: i8 = if cmp == Cmp::Le { 1 } else { -1 };
            tab[r].push((s, BigInt::from(coef)));
            marker.push((s, coef));
        }
        if let Some(a) = art_col[r] {
            tab[r].push((a, BigInt::one()));
            is_art[a] = true;
            basis0[r] = a;
            if slack_col[r].is_none() {
                marker.push((a, 1));
            }
        } else if let Some(s) = slack_col[r] {
            basis0[r] = s;
        }
        if !h.is_zero() {
            tab[r].push((ncols, h));
        }
        sigma.push(sg);
        origin.push(rows[r].3);
    }
    // Phase-2 objective over z.
    let mut cz = vec![Q::zero(); ns];
    let sgn = if lp.sense == Sense::Maximize {
        -Q::one()
    } else {
        Q::one()
    };
    for (v, c) in &lp.objective {
        let c = c * &sgn;
        match &map[v.0] {
            VarMap::Shift { col, neg, .. } => {
                if *neg {
                    cz[*col] -= c;
                } else {
                    cz[*col] += c;
                }
            }
            VarMap::Free { p, q } => {
                cz[*p] += &c;
                cz[*q] -= c;
            }
        }
    }
    let (cint, _, cscale) = int_row_until(&cz, &Q::zero(), stop)?;
    tab[m] = cint
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_zero())
        .collect();
    // Phase-1 objective: sum of artificials, reduced against their rows
    // (one dense row, then stored sparse).
    let mut phase1 = vec![BigInt::zero(); ncols + 1];
    for (r, row) in tab.iter().take(m).enumerate() {
        if art_col[r].is_some() {
            for (j, v) in row {
                phase1[*j] -= v;
            }
        }
    }
    for (j, art) in is_art.iter().enumerate() {
        if *art {
            phase1[j] += BigInt::one();
        }
    }
    tab[m + 1] = phase1
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_zero())
        .collect();
    Some(StdForm {
        nstruct: ns,
        ncols,
        map,
        origin,
        sigma,
        marker,
        is_art,
        tab,
        basis0,
        cscale,
        row_of_lp,
        upper_row,
    })
}

/// A sparse integer row: (column, nonzero entry).
type SparseRow = Vec<(usize, BigInt)>;

/// Coefficients of a standard-form row over the structural columns: dense
/// (an LP row), or the unit vector of one column (a bound row `z <= u - l`,
/// kept implicit so that boxed variables cost no dense row here).
enum Coefs {
    Dense(Vec<Q>),
    Unit(usize),
}

enum SOut {
    Optimal { z: Vec<Q>, pi: Vec<Q> },
    Infeasible { pi: Vec<Q> },
    Unbounded { z: Vec<Q>, dz: Vec<Q> },
}

/// Simplex iterations on objective row `obj`. `Ok(())` optimal, `Err(k)`
/// unbounded along entering column `k`; `None` on overflow.
fn iterate<I: Ring>(
    t: &mut [Vec<I>],
    d: &mut I,
    basis: &mut [usize],
    obj: usize,
    allowed: &dyn Fn(usize) -> bool,
    ncols: usize,
    stop: &Stop<'_>,
) -> Option<Result<(), usize>> {
    let m = basis.len();
    let rhs = ncols;
    let mut degenerate_streak = 0usize;
    loop {
        stop.go()?;
        let bland = degenerate_streak >= 6;
        let mut enter: Option<usize> = None;
        for k in 0..ncols {
            if t[obj][k].signum() < 0 && allowed(k) {
                if bland {
                    enter = Some(k);
                    break;
                }
                if enter.is_none_or(|e| t[obj][k] < t[obj][e]) {
                    enter = Some(k);
                }
            }
        }
        let Some(k) = enter else {
            return Some(Ok(()));
        };
        let mut leave: Option<usize> = None;
        for i in 0..m {
            if t[i][k].signum() > 0 {
                leave = match leave {
                    None => Some(i),
                    Some(l) => {
                        let lhs = t[i][rhs].c_mul(&t[l][k])?;
                        let rhs_ = t[l][rhs].c_mul(&t[i][k])?;
                        match lhs.cmp(&rhs_) {
                            Ordering::Less => Some(i),
                            Ordering::Equal if basis[i] < basis[l] => Some(i),
                            _ => Some(l),
                        }
                    }
                };
            }
        }
        let Some(r) = leave else {
            return Some(Err(k));
        };
        if t[r][rhs].is_zero_r() {
            degenerate_streak += 1;
        } else {
            degenerate_streak = 0;
        }
        pivot_until(t, d, r, k, stop)?;
        basis[r] = k;
    }
}

/// Pivot basic artificials (at level zero) out of the basis where possible.
fn drive_out<I: Ring>(
    t: &mut [Vec<I>],
    d: &mut I,
    basis: &mut [usize],
    sf: &StdForm,
    stop: &Stop<'_>,
) -> Option<()> {
    for r in 0..basis.len() {
        if sf.is_art[basis[r]] {
            if let Some(k) = (0..sf.ncols).find(|&k| !sf.is_art[k] && !t[r][k].is_zero_r()) {
                pivot_until(t, d, r, k, stop)?;
                basis[r] = k;
            }
        }
    }
    Some(())
}

fn crash<I: Ring>(
    t: &mut [Vec<I>],
    d: &mut I,
    basis: &mut [usize],
    sf: &StdForm,
    nonbasic: &[bool],
    stop: &Stop<'_>,
) -> Option<bool> {
    let m = basis.len();
    let want = |k: usize| !sf.is_art[k] && !nonbasic[k];
    for k in 0..sf.ncols {
        if !want(k) || basis.contains(&k) {
            continue;
        }
        let mut best: Option<usize> = None;
        for r in 0..m {
            if !want(basis[r])
                && !t[r][k].is_zero_r()
                && best.is_none_or(|b| !sf.is_art[basis[b]] && sf.is_art[basis[r]])
            {
                best = Some(r);
            }
        }
        if let Some(r) = best {
            pivot_until(t, d, r, k, stop)?;
            basis[r] = k;
        }
    }
    let rhs = sf.ncols;
    Some((0..m).all(|r| t[r][rhs].signum() >= 0 && (!sf.is_art[basis[r]] || t[r][rhs].is_zero_r())))
}

fn run<I: Ring>(sf: &StdForm, warm: Option<&[bool]>, stop: &Stop<'_>) -> Option<(SOut, bool)> {
    let m = sf.basis0.len();
    let nc = sf.ncols;
    let fresh = || -> Option<Vec<Vec<I>>> {
        let mut t = Vec::with_capacity(sf.tab.len());
        for sparse in &sf.tab {
            stop.go()?;
            let mut row = vec![I::zero_r(); nc + 1];
            for (j, v) in sparse {
                row[*j] = I::from_big(v)?;
            }
            t.push(row);
        }
        Some(t)
    };
    let mut t = fresh()?;
    let mut d = I::one_r();
    let mut basis = sf.basis0.clone();
    let mut warmed = false;
    if let Some(nb) = warm {
        if crash(&mut t, &mut d, &mut basis, sf, nb, stop)? {
            warmed = true;
        } else {
            t = fresh()?;
            d = I::one_r();
            basis = sf.basis0.clone();
        }
    }
    let frac = |v: &I, d: &I| Q::new(v.to_big(), d.to_big());
    if !warmed {
        let not_art = |k: usize| !sf.is_art[k];
        // Phase 1 is bounded below by 0; an "unbounded" answer cannot occur.
        let _ = iterate(&mut t, &mut d, &mut basis, m + 1, &not_art, nc, stop)?;
        if !t[m + 1][nc].is_zero_r() {
            let pi = sf
                .marker
                .iter()
                .map(|&(col, coef)| {
                    let rc = frac(&t[m + 1][col], &d);
                    if sf.is_art[col] {
                        Q::one() - rc
                    } else {
                        -rc / Q::from_integer(BigInt::from(coef))
                    }
                })
                .collect();
            return Some((SOut::Infeasible { pi }, false));
        }
    }
    drive_out(&mut t, &mut d, &mut basis, sf, stop)?;
    let not_art = |k: usize| !sf.is_art[k];
    let outcome = iterate(&mut t, &mut d, &mut basis, m, &not_art, nc, stop)?;
    let mut z = vec![Q::zero(); sf.nstruct];
    for (r, &b) in basis.iter().enumerate() {
        if b < sf.nstruct {
            z[b] = frac(&t[r][nc], &d);
        }
    }
    match outcome {
        Ok(()) => {
            let pi = sf
                .marker
                .iter()
                .map(|&(col, coef)| {
                    let rc = frac(&t[m][col], &d);
                    if sf.is_art[col] {
                        -rc
                    } else {
                        -rc / Q::from_integer(BigInt::from(coef))
                    }
                })
                .collect();
            Some((SOut::Optimal { z, pi }, warmed))
        }
        Err(k) => {
            let mut dz = vec![Q::zero(); sf.nstruct];
            if k < sf.nstruct {
                dz[k] = Q::one();
            }
            for (r, &b) in basis.iter().enumerate() {
                if b < sf.nstruct {
                    dz[b] = -frac(&t[r][k], &d);
                }
            }
            Some((SOut::Unbounded { z, dz }, warmed))
        }
    }
}

fn to_x(sf: &StdForm, z: &[Q], homogeneous: bool) -> Vec<Q> {
    sf.map
        .iter()
        .map(|vm| match vm {
            VarMap::Shift { col, off, neg } => {
                let base = if homogeneous { Q::zero() } else { off.clone() };
                if *neg {
                    base - &z[*col]
                } else {
                    base + &z[*col]
                }
            }
            VarMap::Free { p, q } => &z[*p] - &z[*q],
        })
        .collect()
}

/// Nonbasic-column mask for a warm start from a proposed active set.
fn warm_mask(sf: &StdForm, active: &[Origin]) -> Vec<bool> {
    let mut nb = vec![false; sf.ncols];
    for o in active {
        match *o {
            Origin::Row(i) => {
                if let Some(&r) = sf.row_of_lp.get(i) {
                    let (col, _) = sf.marker[r];
                    if !sf.is_art[col] {
                        nb[col] = true;
                    }
                }
            }
            Origin::Lower(j) => {
                if let Some(VarMap::Shift {
                    col, neg: false, ..
                }) = sf.map.get(j)
                {
                    nb[*col] = true;
                }
            }
            Origin::Upper(j) => match (sf.map.get(j), sf.upper_row.get(j)) {
                (_, Some(Some(r))) => nb[sf.marker[*r].0] = true,
                (Some(VarMap::Shift { col, neg: true, .. }), _) => nb[*col] = true,
                _ => {}
            },
            Origin::Unit(j) => match sf.map.get(j) {
                Some(VarMap::Free { p, q }) => {
                    nb[*p] = true;
                    nb[*q] = true;
                }
                Some(VarMap::Shift { col, .. }) => nb[*col] = true,
                None => {}
            },
        }
    }
    nb
}

/// Solve `lp` exactly with the simplex, optionally warm-started from a
/// proposed active set. Returns the result and whether the warm start was
/// used. `lp` must not have crossed bounds. `None` only when `stop`'s
/// deadline passed first.
pub(crate) fn solve_simplex(
    lp: &Lp,
    active: Option<&[Origin]>,
    stop: &Stop<'_>,
) -> Option<(LpResult, bool)> {
    let sf = build(lp, stop)?;
    let mask = active.map(|a| warm_mask(&sf, a));
    let mask = mask.as_deref();
    let (out, warmed) = with_tiers_until(
        stop,
        || run::<i64>(&sf, mask, stop),
        || run::<i128>(&sf, mask, stop),
        || {
            // BigInt cannot overflow: `None` here means the deadline passed.
            let r = run::<BigInt>(&sf, mask, stop);
            if r.is_none() && !stop.hit() {
                Some((SOut::Infeasible { pi: Vec::new() }, false))
            } else {
                r
            }
        },
    )?;
    let res = match out {
        SOut::Optimal { z, pi } => {
            let x = to_x(&sf, &z, false);
            let mut duals = vec![Q::zero(); lp.rows.len()];
            for (r, p) in pi.iter().enumerate() {
                if let Origin::Row(i) = sf.origin[r] {
                    let v = p * &sf.sigma[r] / &sf.cscale;
                    duals[i] = if lp.sense == Sense::Maximize { -v } else { v };
                }
            }
            let value = objective_value(lp, &x);
            LpResult::Optimal { x, duals, value }
        }
        SOut::Infeasible { pi } => {
            let mut farkas = vec![Q::zero(); lp.rows.len()];
            for (r, p) in pi.iter().enumerate() {
                if let Origin::Row(i) = sf.origin[r] {
                    farkas[i] = p * &sf.sigma[r];
                }
            }
            LpResult::Infeasible { farkas }
        }
        SOut::Unbounded { z, dz } => LpResult::Unbounded {
            x: to_x(&sf, &z, false),
            ray: to_x(&sf, &dz, true),
        },
    };
    Some((res, warmed))
}

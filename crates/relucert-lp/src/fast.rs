//! The fast path: turn a float proposal into an exact, checked answer.
//!
//! The float simplex's final active set comes first, then the constraints
//! that look active at its point, ranked by slack (this
//! ranking is the only place floats are read), a linearly independent subset
//! is chosen *exactly*, completed to a square basis with pseudo-rows fixing
//! the undetermined variables, and the two basis systems `B x = h_B`,
//! `B^T y = c` are solved exactly: by fraction-free Gauss-Jordan in checked
//! `i64`, then `i128`; past that by p-adic lifting ([`crate::dixon`], rows
//! chosen modulo a prime, singleton rows split off). A float "infeasible"
//! becomes a Farkas certificate read off the phase-1 basis
//! ([`crate::farkas`]) or, failing that, the elastic LP's multipliers; both
//! are returned only after `check_result` accepts them. Primal
//! feasibility of every constraint and the sign of every multiplier are then
//! checked in the integer domain; only an answer that passes is turned into
//! rationals.
//!
//! Must not: accept anything on float evidence. When a check fails the
//! caller falls back to the exact simplex, warm-started from the basis
//! chosen here.

use super::dixon;
use super::float::{solve_float_basis, solve_float_point, FloatOutcome};
use super::intform::{AnyIntLp, IntLp, Kind, Origin};
use super::intops::ratio;
use super::{objective_value, Lp, LpResult, LpStats, Sense};
use crate::linalg::{gauss_jordan_until, with_tiers_until, Ring, Stop};
use crate::number::Q;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

/// An exact primal point of an integer-form LP with the multipliers of the
/// chosen basis constraints (indices into `IntLp::cons`, integer-form scale).
pub(crate) struct Exact {
    pub x: Vec<Q>,
    pub y: Vec<(usize, Q)>,
}

/// Rational approximation `p/q` of a float (a proposal for a pseudo-row).
fn approx(v: f64) -> (i64, i64) {
    if !v.is_finite() || v.abs() > 1e15 {
        return (0, 1);
    }
    let r = v.round();
    if (v - r).abs() <= 1e-9 * v.abs().max(1.0) {
        return (r as i64, 1);
    }
    // Continued fraction with denominators up to 10^6.
    let (mut h0, mut h1, mut k0, mut k1) = (0i64, 1i64, 1i64, 0i64);
    let mut x = v;
    for _ in 0..40 {
        let a = x.floor();
        if a.abs() > 1e15 {
            break;
        }
        let ai = a as i64;
        let (Some(h2), Some(k2)) = (
            ai.checked_mul(h1).and_then(|t| t.checked_add(h0)),
            ai.checked_mul(k1).and_then(|t| t.checked_add(k0)),
        ) else {
            break;
        };
        if k2 > 1_000_000 {
            break;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        if (v - h1 as f64 / k1 as f64).abs() <= 1e-9 * v.abs().max(1.0) {
            break;
        }
        let frac = x - a;
        if frac == 0.0 {
            break;
        }
        x = 1.0 / frac;
    }
    if k1 > 0 {
        (h1, k1)
    } else {
        (r as i64, 1)
    }
}

/// Rank the constraints that look active at `xf`: equalities first, then
/// inequalities by relative slack (violated ones count as active).
/// `active` (the float basis's nonbasic constraints) go right after the
/// equalities, so that the greedy choice takes the float basis when it is
/// independent.
fn candidates<T: Ring>(ilp: &IntLp<T>, xf: &[f64], active: &[usize]) -> Vec<usize> {
    const TOL: f64 = 1e-7;
    let mut eqs = Vec::new();
    let mut ineq: Vec<(f64, usize)> = Vec::new();
    for (k, con) in ilp.cons.iter().enumerate() {
        if con.kind == Kind::Eq {
            eqs.push(k);
            continue;
        }
        let mut val = 0.0;
        let mut mag = 0.0;
        for (a, x) in con.coef.iter().zip(xf) {
            if !a.is_zero_r() {
                let t = a.to_f64() * x;
                val += t;
                mag += t.abs();
            }
        }
        let h = con.rhs.to_f64();
        let rel = (val - h) / (1.0 + mag + h.abs());
        let rel = if con.kind == Kind::Ge { rel } else { -rel };
        if rel <= TOL {
            ineq.push((rel.max(0.0), k));
        }
    }
    ineq.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut seen = vec![false; ilp.cons.len()];
    for &k in &eqs {
        seen[k] = true;
    }
    for &k in active {
        if k < seen.len() && !seen[k] {
            seen[k] = true;
            eqs.push(k);
        }
    }
    eqs.extend(ineq.into_iter().map(|(_, k)| k).filter(|&k| !seen[k]));
    eqs
}

enum Fail {
    /// The proposed basis failed a check; here it is for a warm start.
    Basis(Vec<Origin>),
}

fn dot_minus<I: Ring>(a: &[I], x: &[I], h: &I, d: &I) -> Option<I> {
    let mut s = h.c_mul(d)?.c_neg()?;
    for (ai, xi) in a.iter().zip(x) {
        if !ai.is_zero_r() && !xi.is_zero_r() {
            s = s.c_add(&ai.c_mul(xi)?)?;
        }
    }
    Some(s)
}

/// `num / den` (den > 0) as a reduced rational, reducing in the ring first
/// so that machine integers never pay for a `BigInt` gcd.
fn to_q<I: Ring>(num: &I, den: &I) -> Q {
    if num.is_zero_r() {
        return Q::zero();
    }
    let g = num.gcd(den);
    match (num.div_exact(&g), den.div_exact(&g)) {
        (Some(a), Some(b)) => Q::new_raw(a.to_big(), b.to_big()),
        _ => Q::new(num.to_big(), den.to_big()),
    }
}

/// Largest entry (in bits, about 60,000 decimal digits) the greedy choice
/// of independent constraints reduces by a gcd before giving up.
const GREEDY_MAX_BITS: u64 = 200_000;

/// The exact reconstruction in integer type `I`; `None` on overflow.
fn run<T: Ring, I: Ring>(
    ilp: &IntLp<T>,
    cand: &[usize],
    xf: &[f64],
    need_dual: bool,
    stop: &Stop<'_>,
) -> Option<Result<Exact, Fail>> {
    let n = ilp.n;
    let rows: Vec<Vec<I>> = ilp
        .cons
        .iter()
        .map(|c| c.coef.iter().map(|v| v.convert()).collect())
        .collect::<Option<_>>()?;
    let rhss: Vec<I> = ilp
        .cons
        .iter()
        .map(|c| c.rhs.convert())
        .collect::<Option<_>>()?;
    // 1. Exact greedy choice of independent active constraints.
    let mut ech: Vec<(Vec<I>, usize)> = Vec::with_capacity(n);
    let mut sel: Vec<usize> = Vec::with_capacity(n);
    for &k in cand {
        if sel.len() == n {
            break;
        }
        stop.go()?;
        let mut v = rows[k].clone();
        for (r, p) in &ech {
            if !v[*p].is_zero_r() {
                let (a, b) = (r[*p].clone(), v[*p].clone());
                for (vj, rj) in v.iter_mut().zip(r) {
                    stop.tick(vj.work().max(rj.work()))?;
                    *vj = crate::linalg::det2(vj, &a, &b, rj)?;
                }
                let mut g = I::zero_r();
                for vj in &v {
                    // This elimination is not fraction-free: past
                    // GREEDY_MAX_BITS one gcd alone could take seconds, so
                    // the fast path gives up and the exact simplex (whose
                    // entries stay minors of the data) decides.
                    if vj.size_bits() > GREEDY_MAX_BITS {
                        return Some(Err(Fail::Basis(Vec::new())));
                    }
                    stop.tick(vj.work())?;
                    g = g.gcd(vj);
                }
                if !g.is_zero_r() && g != I::one_r() {
                    for vj in &mut v {
                        *vj = vj.div_exact(&g)?;
                    }
                }
            }
        }
        if let Some(p) = v.iter().position(|e| !e.is_zero_r()) {
            ech.push((v, p));
            sel.push(k);
        }
    }
    let mut covered = vec![false; n];
    for (_, p) in &ech {
        covered[*p] = true;
    }
    // 2. Square basis: selected rows plus pseudo-rows x_j = approx(xf_j).
    let mut m: Vec<Vec<I>> = Vec::with_capacity(n);
    let mut rhs: Vec<I> = Vec::with_capacity(n);
    let mut origins: Vec<Origin> = Vec::with_capacity(n);
    for &k in &sel {
        m.push(rows[k].clone());
        rhs.push(rhss[k].clone());
        origins.push(ilp.cons[k].origin);
    }
    for j in (0..n).filter(|&j| !covered[j]) {
        let (p, q) = approx(xf.get(j).copied().unwrap_or(0.0));
        let mut row = vec![I::zero_r(); n];
        row[j] = I::from_i64(q)?;
        m.push(row);
        rhs.push(I::from_i64(p)?);
        origins.push(Origin::Unit(j));
    }
    let fail = |o: &Vec<Origin>| Some(Err(Fail::Basis(o.clone())));
    // 3. Primal: [M | rhs] by fraction-free Gauss-Jordan.
    let mut t: Vec<Vec<I>> = m
        .iter()
        .zip(&rhs)
        .map(|(r, b)| {
            r.iter()
                .cloned()
                .chain(std::iter::once(b.clone()))
                .collect()
        })
        .collect();
    let (piv, d) = gauss_jordan_until(&mut t, n, stop)?;
    if piv.len() < n {
        return fail(&origins);
    }
    let mut xnum = vec![I::zero_r(); n];
    for &(r, c) in &piv {
        xnum[c] = t[r][n].clone();
    }
    // 4. Exact primal feasibility of every constraint.
    for ((con, a), h) in ilp.cons.iter().zip(&rows).zip(&rhss) {
        let s = dot_minus(a, &xnum, h, &d)?;
        let ok = match con.kind {
            Kind::Ge => s.signum() >= 0,
            Kind::Le => s.signum() <= 0,
            Kind::Eq => s.is_zero_r(),
        };
        if !ok {
            return fail(&origins);
        }
    }
    let x: Vec<Q> = xnum.iter().map(|v| to_q(v, &d)).collect();
    if !need_dual {
        return Some(Ok(Exact { x, y: Vec::new() }));
    }
    // 5. Dual: [M^T | c].
    let c: Vec<I> = ilp.c.iter().map(|v| v.convert()).collect::<Option<_>>()?;
    let mut t2: Vec<Vec<I>> = (0..n)
        .map(|j| {
            m.iter()
                .map(|row| row[j].clone())
                .chain(std::iter::once(c[j].clone()))
                .collect()
        })
        .collect();
    let (piv2, d2) = gauss_jordan_until(&mut t2, n, stop)?;
    if piv2.len() < n {
        return fail(&origins);
    }
    let mut ynum = vec![I::zero_r(); n];
    for &(r, col) in &piv2 {
        ynum[col] = t2[r][n].clone();
    }
    // 6. Sign conditions (minimisation): Ge -> y >= 0, Le -> y <= 0, pseudo -> 0.
    for (k, yk) in ynum.iter().enumerate() {
        let con = sel.get(k).copied().unwrap_or(0);
        if !multiplier_ok(ilp, origins[k], con, yk.signum()) {
            return fail(&origins);
        }
    }
    let y = sel
        .iter()
        .zip(&ynum)
        .filter(|(_, v)| !v.is_zero_r())
        .map(|(&k, v)| (k, to_q(v, &d2)))
        .collect();
    Some(Ok(Exact { x, y }))
}

/// The exact basis of the modular path: independent constraints from
/// `cand` (chosen modulo a prime), completed with pseudo-rows
/// `x_j = approx(xf_j)` on the columns outside their echelon pivots.
/// Returns the chosen constraints, the square basis's sparse rows, their
/// right-hand sides and origins (`None` once the deadline passed).
#[allow(clippy::type_complexity)]
pub(crate) fn modular_basis<T: Ring>(
    ilp: &IntLp<T>,
    cand: &[usize],
    xf: &[f64],
    stop: &Stop<'_>,
) -> Option<(
    Vec<usize>,
    Vec<Vec<(usize, BigInt)>>,
    Vec<BigInt>,
    Vec<Origin>,
)> {
    let n = ilp.n;
    let rows: Vec<&[T]> = ilp.cons.iter().map(|c| c.coef.as_slice()).collect();
    let (sel, cols) = dixon::independent_rows(&rows, cand, n, stop)?;
    let mut covered = vec![false; n];
    for c in cols {
        covered[c] = true;
    }
    let mut mrows: Vec<Vec<(usize, BigInt)>> = Vec::with_capacity(n);
    let mut rhs: Vec<BigInt> = Vec::with_capacity(n);
    let mut origins: Vec<Origin> = Vec::with_capacity(n);
    for &k in &sel {
        let con = &ilp.cons[k];
        mrows.push(
            con.coef
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_zero_r())
                .map(|(j, v)| (j, v.to_big()))
                .collect(),
        );
        rhs.push(con.rhs.to_big());
        origins.push(con.origin);
    }
    for j in (0..n).filter(|&j| !covered[j]) {
        let (p, q) = approx(xf.get(j).copied().unwrap_or(0.0));
        mrows.push(vec![(j, BigInt::from(q))]);
        rhs.push(BigInt::from(p));
        origins.push(Origin::Unit(j));
    }
    Some((sel, mrows, rhs, origins))
}

/// May basis constraint `k` (origin `o`) carry a multiplier of sign `s` in
/// a minimisation? `Ge`: `y >= 0`, `Le`: `y <= 0`, `Eq`: any, a pseudo-row:
/// only 0.
pub(crate) fn multiplier_ok<T>(ilp: &IntLp<T>, o: Origin, k: usize, s: i8) -> bool {
    match o {
        Origin::Unit(_) => s == 0,
        _ => match ilp.cons[k].kind {
            Kind::Ge => s >= 0,
            Kind::Le => s <= 0,
            Kind::Eq => true,
        },
    }
}

/// The exact reconstruction for large or many-digit data: independent rows
/// chosen modulo a prime, both basis systems solved by p-adic lifting
/// ([`crate::dixon`]), every check in `BigInt`. Same contract as [`run`].
fn run_modular<T: Ring>(
    ilp: &IntLp<T>,
    cand: &[usize],
    xf: &[f64],
    need_dual: bool,
    stop: &Stop<'_>,
) -> Option<Result<Exact, Fail>> {
    run_modular_parts(ilp, cand, xf, true, need_dual, stop)
}

/// [`run_modular`], optionally without the primal side (`primal = false`:
/// `x` is left empty and unchecked; for a Farkas certificate, which the
/// caller checks on its own).
fn run_modular_parts<T: Ring>(
    ilp: &IntLp<T>,
    cand: &[usize],
    xf: &[f64],
    primal: bool,
    need_dual: bool,
    stop: &Stop<'_>,
) -> Option<Result<Exact, Fail>> {
    let n = ilp.n;
    // 1. Independent active constraints, chosen exactly (mod p).
    let (sel, mrows, rhs, origins) = modular_basis(ilp, cand, xf, stop)?;
    let fail = |o: &Vec<Origin>| Some(Err(Fail::Basis(o.clone())));
    let basis = dixon::Basis::new(mrows, n);
    let x = if primal {
        primal_side(ilp, &basis, &rhs, stop)?
    } else {
        Some(Vec::new())
    };
    let Some(x) = x else {
        return fail(&origins);
    };
    if !need_dual {
        return Some(Ok(Exact { x, y: Vec::new() }));
    }
    // 5. Dual: M^T y = c.
    let c: Vec<BigInt> = ilp.c.iter().map(Ring::to_big).collect();
    let dixon::Solved::Unique { num: ynum, den: d2 } = basis.solve_dual(&c, stop)? else {
        return fail(&origins);
    };
    // 6. Sign conditions (minimisation): Ge -> y >= 0, Le -> y <= 0, pseudo -> 0.
    for (k, yk) in ynum.iter().enumerate() {
        let con = sel.get(k).copied().unwrap_or(0);
        if !multiplier_ok(ilp, origins[k], con, Ring::signum(yk)) {
            return fail(&origins);
        }
    }
    let y = sel
        .iter()
        .zip(&ynum)
        .filter(|(_, v)| !v.is_zero())
        .map(|(&k, v)| (k, ratio(v.clone(), d2.clone())))
        .collect();
    Some(Ok(Exact { x, y }))
}

/// Steps 3-4 of [`run_modular_parts`]: the basis point, checked against
/// every constraint. `Some(None)` when it fails.
fn primal_side<T: Ring>(
    ilp: &IntLp<T>,
    basis: &dixon::Basis,
    rhs: &[BigInt],
    stop: &Stop<'_>,
) -> Option<Option<Vec<Q>>> {
    let dixon::Solved::Unique { num: xnum, den: d } = basis.solve_primal(rhs, stop)? else {
        return Some(None);
    };
    // 4. Exact primal feasibility of every constraint.
    for con in &ilp.cons {
        let mut s = -(con.rhs.to_big() * &d);
        for (a, x) in con.coef.iter().zip(&xnum) {
            if !a.is_zero_r() && !x.is_zero() {
                stop.tick(x.bits() as usize / 64 + 1)?;
                s += a.to_big() * x;
            }
        }
        let ok = match con.kind {
            Kind::Ge => !s.is_negative(),
            Kind::Le => !s.is_positive(),
            Kind::Eq => s.is_zero(),
        };
        if !ok {
            return Some(None);
        }
    }
    Some(Some(
        xnum.into_iter().map(|v| ratio(v, d.clone())).collect(),
    ))
}

/// `Err(basis)` when a check fails; `Err(empty)` also when the deadline
/// passed (the caller looks at `stop.hit()`).
fn reconstruct<T: Ring>(
    ilp: &IntLp<T>,
    xf: &[f64],
    active: &[usize],
    need_dual: bool,
    stop: &Stop<'_>,
) -> Result<Exact, Vec<Origin>> {
    let cand = candidates(ilp, xf, active);
    let res = with_tiers_until(
        stop,
        || run::<T, i64>(ilp, &cand, xf, need_dual, stop),
        || run::<T, i128>(ilp, &cand, xf, need_dual, stop),
        || {
            let r = run_modular::<T>(ilp, &cand, xf, need_dual, stop);
            // BigInt cannot overflow: `None` means the deadline passed.
            Some(r.unwrap_or(Err(Fail::Basis(Vec::new()))))
        },
    )
    .unwrap_or(Err(Fail::Basis(Vec::new())));
    res.map_err(|Fail::Basis(b)| b)
}

/// Largest dense integer form (variables x (variables + constraints)) the
/// fast path builds. Past it the float proposal and its dense basis systems
/// would cost memory quadratic in the model; the exact simplex, whose
/// tableau is rows x columns, decides alone.
const FAST_DENSE_LIMIT: usize = 4_000_000;

/// Does the fast path fit [`FAST_DENSE_LIMIT`]?
fn fits(lp: &Lp) -> bool {
    let n = lp.vars.len();
    let bounds: usize = lp
        .vars
        .iter()
        .map(|v| usize::from(v.lower.is_some()) + usize::from(v.upper.is_some()))
        .sum();
    let cons = lp.rows.len().saturating_add(bounds);
    n.checked_mul(n.saturating_add(cons).saturating_add(1))
        .is_some_and(|s| s <= FAST_DENSE_LIMIT)
}

fn times(y: Q, s: &Option<Q>) -> Q {
    match s {
        Some(s) => crate::intops::mul(&y, s),
        None => y,
    }
}

/// Try to answer from the float proposal. `Err(Some(basis))` carries the
/// proposed basis (as constraint origins) for a warm start.
/// `Err(None)` also when the model is too large for the fast path or the
/// deadline passed (the caller looks at `stop.hit()`).
pub(crate) fn try_fast(
    lp: &Lp,
    stats: &mut LpStats,
    stop: &Stop<'_>,
) -> Result<LpResult, Option<Vec<Origin>>> {
    if !fits(lp) {
        return Err(None);
    }
    match AnyIntLp::from_lp_until(lp, stop).ok_or(None)? {
        AnyIntLp::Small(ilp) => try_fast_t(lp, &ilp, stats, stop),
        AnyIntLp::Big(ilp) => try_fast_t(lp, &ilp, stats, stop),
    }
}

fn try_fast_t<T: Ring>(
    lp: &Lp,
    ilp: &IntLp<T>,
    stats: &mut LpStats,
    stop: &Stop<'_>,
) -> Result<LpResult, Option<Vec<Origin>>> {
    let super::float::FloatPoint {
        outcome,
        active,
        point,
        violated,
    } = solve_float_point(ilp, stop);
    match outcome {
        FloatOutcome::Optimal(xf) => {
            let ex = reconstruct(ilp, &xf, &active, true, stop).map_err(Some)?;
            let mut duals = vec![Q::zero(); lp.rows.len()];
            for (k, y) in ex.y {
                let con = &ilp.cons[k];
                if let Origin::Row(i) = con.origin {
                    let mut v = times(y, &con.scale);
                    if let Some(cs) = &ilp.cscale {
                        v = crate::intops::div(&v, cs);
                    }
                    duals[i] = if lp.sense == Sense::Maximize { -v } else { v };
                }
            }
            let value = objective_value(lp, &ex.x);
            Ok(LpResult::Optimal {
                x: ex.x,
                duals,
                value,
            })
        }
        FloatOutcome::Infeasible => {
            let to_lp = |y: Vec<(usize, Q)>, cons: &[super::intform::Con<T>]| {
                let mut farkas = vec![Q::zero(); lp.rows.len()];
                for (k, v) in y {
                    if let Origin::Row(i) = cons[k].origin {
                        farkas[i] = times(v, &cons[k].scale);
                    }
                }
                LpResult::Infeasible { farkas }
            };
            // First the phase-1 basis's own certificate (one exact solve).
            if let Some(y) = super::farkas::from_phase1(ilp, &point, &active, &violated, stop) {
                let res = to_lp(y, &ilp.cons);
                if crate::check::check_result(lp, &res).is_ok() {
                    return Ok(res);
                }
            }
            if stop.over() {
                return Err(None);
            }
            let el = ilp.elastic().ok_or(None)?;
            let (FloatOutcome::Optimal(xf), active) = solve_float_basis(&el, stop) else {
                return Err(None);
            };
            // Only the elastic basis's multipliers are needed: they are the
            // Farkas certificate, checked below on the LP itself, so the
            // (larger) primal vertex is never computed.
            let cand = candidates(&el, &xf, &active);
            let ex = match run_modular_parts(&el, &cand, &xf, false, true, stop) {
                Some(Ok(ex)) => ex,
                _ => return Err(None),
            };
            let res = to_lp(ex.y, &el.cons);
            if crate::check::check_result(lp, &res).is_err() {
                return Err(None);
            }
            Ok(res)
        }
        // A float "unbounded" is not worth reconstructing (the ray LP is
        // fully degenerate and floats cycle on it): let the simplex decide.
        FloatOutcome::Unbounded => Err(None),
        FloatOutcome::Error => {
            stats.float_errors += 1;
            Err(None)
        }
    }
}

//! Fraction-free exact linear algebra: Bareiss elimination over the integers.
//!
//! Owns: the [`Ring`] abstraction (checked `i64`, checked `i128`, `BigInt`),
//! the one fraction-free Gauss-Jordan pivot step shared with the exact
//! simplex ([`pivot`]), and small rational helpers built on it: [`rank`],
//! [`determinant`], [`solve`], [`nullspace`].
//!
//! Every routine works on integers: a rational matrix is first scaled row by
//! row to integers, eliminated with Bareiss' exact-division step (every
//! intermediate entry is a minor of the input, so it stays an integer), and
//! only the final answer is turned into rationals. The machine-integer
//! versions use checked arithmetic and report overflow (`None`); the callers
//! then redo the work with `BigInt`. Nothing here touches a float.

use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// An integer type for fraction-free elimination. Machine integers report
/// overflow with `None`; `BigInt` never does.
pub trait Ring: Clone + Ord + std::fmt::Debug {
    /// The ring's zero.
    fn zero_r() -> Self;
    /// The ring's one.
    fn one_r() -> Self;
    /// `self == 0`.
    fn is_zero_r(&self) -> bool;
    /// -1, 0 or +1.
    fn signum(&self) -> i8;
    /// From a `BigInt`; `None` if it does not fit.
    fn from_big(v: &BigInt) -> Option<Self>;
    /// To a `BigInt` (always exact).
    fn to_big(&self) -> BigInt;
    /// From an `i64`; `None` if it does not fit.
    fn from_i64(v: i64) -> Option<Self>;
    /// To an `i64`; `None` if it does not fit.
    fn to_i64(&self) -> Option<i64>;
    /// Nearest float, for proposals only (0 if out of range).
    fn to_f64(&self) -> f64;
    /// Convert between ring types without a `BigInt` detour when small.
    fn convert<J: Ring>(&self) -> Option<J> {
        match self.to_i64() {
            Some(v) => J::from_i64(v),
            None => J::from_big(&self.to_big()),
        }
    }
    /// Checked `self + o`.
    fn c_add(&self, o: &Self) -> Option<Self>;
    /// Checked `self - o`.
    fn c_sub(&self, o: &Self) -> Option<Self>;
    /// Checked `self * o`.
    fn c_mul(&self, o: &Self) -> Option<Self>;
    /// Checked `-self`.
    fn c_neg(&self) -> Option<Self>;
    /// `self / o` where the caller knows the division is exact (o != 0);
    /// `None` only on machine overflow (`MIN / -1`).
    fn div_exact(&self, o: &Self) -> Option<Self>;
    /// Non-negative gcd.
    fn gcd(&self, o: &Self) -> Self;
    /// Rough cost of one arithmetic step on this value, for deadline
    /// bookkeeping: 1 for machine integers, growing with a `BigInt`'s size.
    fn work(&self) -> usize {
        1
    }
    /// Size in bits (machine integers: their width).
    fn size_bits(&self) -> u64 {
        64
    }
}

macro_rules! machine_ring {
    ($t:ty) => {
        impl Ring for $t {
            #[inline]
            fn zero_r() -> Self {
                0
            }
            #[inline]
            fn one_r() -> Self {
                1
            }
            #[inline]
            fn is_zero_r(&self) -> bool {
                *self == 0
            }
            #[inline]
            fn signum(&self) -> i8 {
                (*self).signum() as i8
            }
            fn from_big(v: &BigInt) -> Option<Self> {
                // Keep clear of MIN so that negation never overflows.
                let x: $t = num_traits::cast::FromPrimitive::from_i128(v.to_i128()?)?;
                if x == <$t>::MIN {
                    None
                } else {
                    Some(x)
                }
            }
            fn to_big(&self) -> BigInt {
                BigInt::from(*self)
            }
            #[inline]
            fn from_i64(v: i64) -> Option<Self> {
                if v == i64::MIN {
                    None
                } else {
                    Some(v as $t)
                }
            }
            #[inline]
            fn to_i64(&self) -> Option<i64> {
                i64::try_from(*self).ok().filter(|v| *v != i64::MIN)
            }
            #[inline]
            fn to_f64(&self) -> f64 {
                *self as f64
            }
            #[inline]
            fn c_add(&self, o: &Self) -> Option<Self> {
                self.checked_add(*o)
            }
            #[inline]
            fn c_sub(&self, o: &Self) -> Option<Self> {
                self.checked_sub(*o)
            }
            #[inline]
            fn c_mul(&self, o: &Self) -> Option<Self> {
                self.checked_mul(*o)
            }
            #[inline]
            fn c_neg(&self) -> Option<Self> {
                self.checked_neg()
            }
            #[inline]
            fn div_exact(&self, o: &Self) -> Option<Self> {
                self.checked_div(*o)
            }
            fn gcd(&self, o: &Self) -> Self {
                let (mut a, mut b) = (self.unsigned_abs(), o.unsigned_abs());
                while b != 0 {
                    let t = a % b;
                    a = b;
                    b = t;
                }
                // a <= max(|self|, |o|) which fits unless an input was MIN.
                <$t>::try_from(a).unwrap_or(<$t>::MAX)
            }
        }
    };
}
machine_ring!(i64);
machine_ring!(i128);

impl Ring for BigInt {
    fn work(&self) -> usize {
        1 + (self.bits() / 2048) as usize
    }
    fn size_bits(&self) -> u64 {
        self.bits()
    }
    fn zero_r() -> Self {
        Zero::zero()
    }
    fn one_r() -> Self {
        One::one()
    }
    fn is_zero_r(&self) -> bool {
        Zero::is_zero(self)
    }
    fn signum(&self) -> i8 {
        if Zero::is_zero(self) {
            0
        } else if self.is_positive() {
            1
        } else {
            -1
        }
    }
    fn from_big(v: &BigInt) -> Option<Self> {
        Some(v.clone())
    }
    fn to_big(&self) -> BigInt {
        self.clone()
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(BigInt::from(v))
    }
    fn to_i64(&self) -> Option<i64> {
        ToPrimitive::to_i64(self).filter(|v| *v != i64::MIN)
    }
    fn to_f64(&self) -> f64 {
        ToPrimitive::to_f64(self).unwrap_or(0.0)
    }
    fn c_add(&self, o: &Self) -> Option<Self> {
        Some(self + o)
    }
    fn c_sub(&self, o: &Self) -> Option<Self> {
        Some(self - o)
    }
    fn c_mul(&self, o: &Self) -> Option<Self> {
        Some(self * o)
    }
    fn c_neg(&self) -> Option<Self> {
        Some(-self)
    }
    fn div_exact(&self, o: &Self) -> Option<Self> {
        Some(self / o)
    }
    fn gcd(&self, o: &Self) -> Self {
        Integer::gcd(self, o)
    }
}

/// `a*b - c*d`, checked.
#[inline]
pub fn det2<I: Ring>(a: &I, b: &I, c: &I, d: &I) -> Option<I> {
    if c.is_zero_r() || d.is_zero_r() {
        return a.c_mul(b);
    }
    a.c_mul(b)?.c_sub(&c.c_mul(d)?)
}

/// One fraction-free Gauss-Jordan pivot on `t[r][s]` (the Bareiss / integer
/// tableau step). The represented matrix is `t / d`; afterwards it is the
/// matrix with column `s` turned into the unit vector `e_r`, represented as
/// `t' / d'` with `d' = t[r][s]` (negated together with `t'` when negative so
/// that the denominator stays positive). Row `r` keeps its entries; every
/// other row becomes `(t[i][j] t[r][s] - t[i][s] t[r][j]) / d`, an exact
/// division. Returns `None` on machine-integer overflow (then `t` is garbage
/// and the caller must restart in a wider type).
pub fn pivot<I: Ring>(t: &mut [Vec<I>], d: &mut I, r: usize, s: usize) -> Option<()> {
    pivot_until(t, d, r, s, &Stop::never())
}

/// A deadline seen from inside the `Option`-returning integer routines: once
/// it has passed, [`Stop::over`] says so and remembers it, the routine
/// returns `None` as on overflow, and the caller tells the two apart with
/// [`Stop::hit`] (an expiry is never retried in a wider type).
#[derive(Debug)]
pub(crate) struct Stop<'a> {
    deadline: Option<&'a relucert_deadline::Deadline>,
    hit: std::cell::Cell<bool>,
    /// Entries processed since the clock was last read (see [`Stop::tick`]).
    work: std::cell::Cell<usize>,
}

/// Entries of fraction-free work between two clock reads in [`Stop::tick`]:
/// small enough that even 10,000-digit entries overrun a deadline by at most
/// tens of milliseconds, large enough that machine-integer pivots on small
/// tableaux do not pay for the clock.
const WORK_PER_CLOCK_READ: usize = 256;

impl<'a> Stop<'a> {
    /// Never stops.
    pub(crate) fn never() -> Stop<'static> {
        Stop {
            deadline: None,
            hit: std::cell::Cell::new(false),
            work: std::cell::Cell::new(0),
        }
    }
    /// Stops once `deadline` has passed.
    pub(crate) fn at(deadline: &'a relucert_deadline::Deadline) -> Stop<'a> {
        Stop {
            deadline: deadline.is_set().then_some(deadline),
            hit: std::cell::Cell::new(false),
            work: std::cell::Cell::new(0),
        }
    }
    /// Has the deadline passed (now or before)? Reads the clock.
    pub(crate) fn over(&self) -> bool {
        if self.hit.get() {
            return true;
        }
        if self.deadline.is_some_and(|d| d.expired()) {
            self.hit.set(true);
        }
        self.hit.get()
    }
    /// Did some earlier [`Stop::over`] see the deadline pass?
    pub(crate) fn hit(&self) -> bool {
        self.hit.get()
    }
    /// Count `units` entries of work; read the clock once enough work has
    /// been done since the last read. `None` once the deadline has passed.
    pub(crate) fn tick(&self, units: usize) -> Option<()> {
        if self.deadline.is_none() {
            return Some(());
        }
        let w = self.work.get().saturating_add(units);
        if w >= WORK_PER_CLOCK_READ {
            self.work.set(0);
            self.go()
        } else {
            self.work.set(w);
            if self.hit.get() {
                None
            } else {
                Some(())
            }
        }
    }
    /// `None` once the deadline has passed (for `?` in `Option` code).
    pub(crate) fn go(&self) -> Option<()> {
        if self.over() {
            None
        } else {
            Some(())
        }
    }
}

/// [`pivot`] that gives up (`None`, with `stop.hit()`) when the deadline
/// passes; the deadline is read once per row, so that one pivot on a large
/// tableau of huge integers cannot overrun it by much.
pub(crate) fn pivot_until<I: Ring>(
    t: &mut [Vec<I>],
    d: &mut I,
    r: usize,
    s: usize,
    stop: &Stop<'_>,
) -> Option<()> {
    let prs = t[r][s].clone();
    debug_assert!(!prs.is_zero_r());
    let (before, rest) = t.split_at_mut(r);
    let (row_r, after) = rest.split_first_mut()?;
    let one = I::one_r();
    let d_is_one = *d == one;
    // Big entries: count the work per entry, by size, so that the clock is
    // read every few long multiplications and divisions.
    let heavy = prs.work().max(d.work());
    for row in before.iter_mut().chain(after.iter_mut()) {
        stop.tick(row.len())?;
        let pis = row[s].clone();
        if pis.is_zero_r() {
            if prs == *d {
                continue;
            }
            for v in row.iter_mut() {
                if !v.is_zero_r() {
                    if heavy > 1 {
                        stop.tick(heavy.max(v.work()))?;
                    }
                    let p = v.c_mul(&prs)?;
                    *v = if d_is_one { p } else { p.div_exact(d)? };
                }
            }
            continue;
        }
        for (v, rj) in row.iter_mut().zip(row_r.iter()) {
            if heavy > 1 {
                stop.tick(heavy.max(v.work()))?;
            }
            let p = det2(v, &prs, &pis, rj)?;
            *v = if d_is_one { p } else { p.div_exact(d)? };
        }
    }
    *d = prs;
    if d.signum() < 0 {
        for row in t.iter_mut() {
            for v in row.iter_mut() {
                *v = v.c_neg()?;
            }
        }
        *d = d.c_neg()?;
    }
    Some(())
}

/// Fraction-free Gauss-Jordan on the first `ncols` columns of `t` (extra
/// columns are carried along). Returns the pivot positions `(row, col)` in
/// order and the final positive denominator, or `None` on overflow. After it,
/// row `r_k` of `t / d` is the unit vector in column `c_k` on the pivot
/// columns; rows without a pivot are zero on the first `ncols` columns.
pub fn gauss_jordan<I: Ring>(t: &mut [Vec<I>], ncols: usize) -> Option<(Vec<(usize, usize)>, I)> {
    gauss_jordan_until(t, ncols, &Stop::never())
}

/// [`gauss_jordan`] that gives up (`None`, with `stop.hit()`) when the
/// deadline passes (read once per row of every pivot).
pub(crate) fn gauss_jordan_until<I: Ring>(
    t: &mut [Vec<I>],
    ncols: usize,
    stop: &Stop<'_>,
) -> Option<(Vec<(usize, usize)>, I)> {
    let m = t.len();
    let mut d = I::one_r();
    let mut used = vec![false; m];
    let mut pivots = Vec::new();
    for c in 0..ncols {
        // Smallest nonzero magnitude keeps numbers small on machine ints.
        let mut best: Option<usize> = None;
        for (i, row) in t.iter().enumerate() {
            if !used[i] && !row[c].is_zero_r() {
                best = match best {
                    None => Some(i),
                    Some(b) if abs_lt(&row[c], &t[b][c]) => Some(i),
                    keep => keep,
                };
            }
        }
        if let Some(r) = best {
            pivot_until(t, &mut d, r, c, stop)?;
            used[r] = true;
            pivots.push((r, c));
        }
    }
    Some((pivots, d))
}

fn abs_lt<I: Ring>(a: &I, b: &I) -> bool {
    let sa = a.signum() < 0;
    let sb = b.signum() < 0;
    match (sa, sb) {
        (false, false) => a < b,
        (true, true) => a > b,
        (false, true) => b.c_neg().is_none_or(|nb| *a < nb),
        (true, false) => a.c_neg().is_some_and(|na| na < *b),
    }
}

/// Run `f` with `i64`, then `i128`, then `BigInt` until it does not overflow.
pub fn with_tiers<T>(
    in_i64: impl Fn() -> Option<T>,
    in_i128: impl Fn() -> Option<T>,
    in_bigint: impl Fn() -> T,
) -> T {
    if let Some(v) = in_i64() {
        return v;
    }
    if let Some(v) = in_i128() {
        return v;
    }
    in_bigint()
}

/// [`with_tiers`] that stops at a deadline: `None` once `stop` has been hit
/// (then no wider tier is tried); the `BigInt` tier returns `None` only then.
pub(crate) fn with_tiers_until<T>(
    stop: &Stop<'_>,
    in_i64: impl Fn() -> Option<T>,
    in_i128: impl Fn() -> Option<T>,
    in_bigint: impl Fn() -> Option<T>,
) -> Option<T> {
    stop.go()?;
    if let Some(v) = in_i64() {
        return Some(v);
    }
    stop.go()?;
    if let Some(v) = in_i128() {
        return Some(v);
    }
    stop.go()?;
    in_bigint()
}

/// Scale a rational vector by the lcm of its denominators: integer entries
/// and the positive factor used.
pub fn integerize(row: &[Q]) -> (Vec<BigInt>, BigInt) {
    integerize_until(row, &Stop::never()).unwrap_or_else(|| (Vec::new(), BigInt::one()))
}

/// [`integerize`] that reads the deadline before each big-number step;
/// `None` once it has passed.
pub(crate) fn integerize_until(row: &[Q], stop: &Stop<'_>) -> Option<(Vec<BigInt>, BigInt)> {
    let mut l = BigInt::one();
    for q in row {
        if !q.denom().is_one() {
            stop.go()?;
            l = l.lcm(q.denom());
        }
    }
    let ints = row
        .iter()
        .map(|q| {
            if l.is_one() {
                q.numer().clone()
            } else {
                q.numer() * (&l / q.denom())
            }
        })
        .collect();
    Some((ints, l))
}

fn convert<I: Ring>(m: &[Vec<BigInt>]) -> Option<Vec<Vec<I>>> {
    m.iter()
        .map(|r| r.iter().map(I::from_big).collect())
        .collect()
}

fn rank_int<I: Ring>(m: &[Vec<BigInt>], ncols: usize) -> Option<usize> {
    let mut t = convert::<I>(m)?;
    Some(gauss_jordan(&mut t, ncols)?.0.len())
}

/// Exact rank of a rational matrix (rows may have any common length).
pub fn rank(m: &[Vec<Q>]) -> usize {
    let ncols = m.first().map_or(0, Vec::len);
    let ints: Vec<Vec<BigInt>> = m.iter().map(|r| integerize(r).0).collect();
    with_tiers(
        || rank_int::<i64>(&ints, ncols),
        || rank_int::<i128>(&ints, ncols),
        || rank_int::<BigInt>(&ints, ncols).unwrap_or(0),
    )
}

/// Exact rank of an integer matrix.
pub fn rank_bigint(m: &[Vec<BigInt>]) -> usize {
    let ncols = m.first().map_or(0, Vec::len);
    with_tiers(
        || rank_int::<i64>(m, ncols),
        || rank_int::<i128>(m, ncols),
        || rank_int::<BigInt>(m, ncols).unwrap_or(0),
    )
}

fn det_int<I: Ring>(m: &[Vec<BigInt>]) -> Option<BigInt> {
    let n = m.len();
    let mut t = convert::<I>(m)?;
    // Bareiss with row swaps; track the sign of the permutation.
    let mut d = I::one_r();
    let mut sign = 1i8;
    for k in 0..n {
        let Some(p) = (k..n).find(|&i| !t[i][k].is_zero_r()) else {
            return Some(BigInt::zero());
        };
        if p != k {
            t.swap(p, k);
            sign = -sign;
        }
        for i in k + 1..n {
            for j in k + 1..n {
                let v = det2(&t[i][j], &t[k][k], &t[i][k], &t[k][j])?;
                t[i][j] = v.div_exact(&d)?;
            }
            t[i][k] = I::zero_r();
        }
        d = t[k][k].clone();
    }
    let det = if n == 0 { BigInt::one() } else { d.to_big() };
    Some(if sign < 0 { -det } else { det })
}

/// Determinant of a square integer matrix (Bareiss).
pub fn determinant_bigint(m: &[Vec<BigInt>]) -> BigInt {
    with_tiers(
        || det_int::<i64>(m),
        || det_int::<i128>(m),
        || det_int::<BigInt>(m).unwrap_or_default(),
    )
}

/// Determinant of a square rational matrix.
pub fn determinant(m: &[Vec<Q>]) -> Q {
    let mut scale = BigInt::one();
    let ints: Vec<Vec<BigInt>> = m
        .iter()
        .map(|r| {
            let (v, l) = integerize(r);
            scale *= l;
            v
        })
        .collect();
    Q::new(determinant_bigint(&ints), scale)
}

/// Pivots, integer tableau and its denominator.
type Rref = (Vec<(usize, usize)>, Vec<Vec<BigInt>>, BigInt);

/// Reduced row echelon form of `[A | extra columns]` solved exactly. Returns
/// pivots and the integer tableau with its denominator.
fn rref_big(rows: Vec<Vec<BigInt>>, ncols: usize) -> Rref {
    let run = |rows: &Vec<Vec<BigInt>>| -> Option<Rref> {
        let mut t = convert::<i64>(rows)?;
        let (p, d) = gauss_jordan(&mut t, ncols)?;
        Some((
            p,
            t.iter()
                .map(|r| r.iter().map(Ring::to_big).collect())
                .collect(),
            d.to_big(),
        ))
    };
    let run128 = |rows: &Vec<Vec<BigInt>>| -> Option<Rref> {
        let mut t = convert::<i128>(rows)?;
        let (p, d) = gauss_jordan(&mut t, ncols)?;
        Some((
            p,
            t.iter()
                .map(|r| r.iter().map(Ring::to_big).collect())
                .collect(),
            d.to_big(),
        ))
    };
    with_tiers(
        || run(&rows),
        || run128(&rows),
        || {
            let mut t = rows.clone();
            match gauss_jordan(&mut t, ncols) {
                Some((p, d)) => (p, t, d),
                None => (Vec::new(), t, BigInt::one()),
            }
        },
    )
}

/// One solution of `A x = b` over the rationals (free variables set to 0),
/// or `None` if the system is inconsistent.
pub fn solve(a: &[Vec<Q>], b: &[Q]) -> Option<Vec<Q>> {
    let n = a.first().map_or(0, Vec::len);
    let rows: Vec<Vec<BigInt>> = a
        .iter()
        .zip(b)
        .map(|(r, bi)| {
            let mut full = r.clone();
            full.push(bi.clone());
            integerize(&full).0
        })
        .collect();
    let (pivots, t, d) = rref_big(rows, n);
    let mut used = vec![false; t.len()];
    let mut x = vec![Q::zero(); n];
    for &(r, c) in &pivots {
        used[r] = true;
        x[c] = Q::new(t[r][n].clone(), d.clone());
    }
    for (i, row) in t.iter().enumerate() {
        if !used[i] && !Zero::is_zero(&row[n]) {
            return None;
        }
    }
    Some(x)
}

/// A basis of the right null space `{x : A x = 0}` of a rational matrix with
/// `ncols` columns (needed when `A` has no rows). Each basis vector has a 1 in
/// its free column.
pub fn nullspace(a: &[Vec<Q>], ncols: usize) -> Vec<Vec<Q>> {
    let rows: Vec<Vec<BigInt>> = a.iter().map(|r| integerize(r).0).collect();
    let (pivots, t, d) = rref_big(rows, ncols);
    let mut is_pivot = vec![None; ncols];
    for &(r, c) in &pivots {
        is_pivot[c] = Some(r);
    }
    let mut basis = Vec::new();
    for f in 0..ncols {
        if is_pivot[f].is_some() {
            continue;
        }
        let mut v = vec![Q::zero(); ncols];
        v[f] = Q::one();
        for (c, pr) in is_pivot.iter().enumerate() {
            if let Some(r) = pr {
                v[c] = -Q::new(t[*r][f].clone(), d.clone());
            }
        }
        basis.push(v);
    }
    basis
}

/// Compare two fractions `a/b` and `c/d` with positive denominators.
pub fn cmp_frac<I: Ring>(a: &I, b: &I, c: &I, d: &I) -> Option<Ordering> {
    Some(a.c_mul(d)?.cmp(&c.c_mul(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::{qf, qi};

    #[test]
    fn rank_det_solve() {
        let m = vec![
            vec![qi(1), qi(2), qi(3)],
            vec![qi(2), qi(4), qi(6)],
            vec![qf(1, 2), qi(0), qi(1)],
        ];
        assert_eq!(rank(&m), 2);
        assert_eq!(determinant(&m), qi(0));
        let m2 = vec![vec![qi(2), qi(1)], vec![qf(1, 3), qi(5)]];
        assert_eq!(determinant(&m2), qf(29, 3));
        let x = solve(&m2, &[qi(1), qi(2)]).unwrap();
        assert_eq!(&m2[0][0] * &x[0] + &m2[0][1] * &x[1], qi(1));
        assert_eq!(&m2[1][0] * &x[0] + &m2[1][1] * &x[1], qi(2));
        assert!(solve(&m, &[qi(1), qi(3), qi(0)]).is_none());
        let ns = nullspace(&m, 3);
        assert_eq!(ns.len(), 1);
        for row in &m {
            let s: Q = row.iter().zip(&ns[0]).map(|(a, b)| a * b).sum();
            assert_eq!(s, qi(0));
        }
    }

    #[test]
    fn big_tier() {
        let big = qi(1_000_000_000_000);
        let m = vec![
            vec![big.clone(), qi(1), qi(0)],
            vec![qi(1), big.clone(), qi(1)],
            vec![qi(0), qi(1), big.clone()],
        ];
        let d = determinant(&m);
        let b = big.clone();
        assert_eq!(d, &b * &b * &b - &b - &b);
        assert_eq!(rank(&m), 3);
    }
}

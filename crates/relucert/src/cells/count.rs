//! Counting the cells of a central arrangement without listing them: the
//! characteristic polynomial by deletion-restriction.
//!
//! Owns: `chi_A(t) = t^dim - sum_k chi_{A_(k-1)^(h_k)}(t)` (add the
//! hyperplanes one at a time; `A_(k-1)^(h_k)` is the arrangement the first
//! `k - 1` hyperplanes cut inside the k-th), with the closed forms in
//! dimension <= 2 (`t^2 - m t + (m - 1)` for m >= 1 distinct lines), and
//! the number of cells `(-1)^dim chi(-1)` (Zaslavsky). Only normals are
//! held, never a cell: memory is one chain of restrictions (at most `dim`
//! levels of at most n normals each), and the work is about the number of
//! restricted arrangements in dimension 2, far fewer than the cells.
//! Normals are primitive integer vectors, first nonzero entry positive;
//! the restriction of `n` to `h` (coordinate `p` dropped) is
//! `sign(h_p) (h_p n_k - n_p h_k)`, made primitive again, so entries stay
//! at the size of minors of the data. Checked `i128` first; on overflow the
//! same recursion runs on `BigInt`.
//!
//! Must not: approximate or guess. Whitney's sign alternation of the
//! coefficients, the coefficient `-n` of `t^(dim-1)` and `chi(1) = 0` (for
//! a nonempty central arrangement) are checked; a failure is an internal
//! error, never a count.

use super::CellsError;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use relucert_core::Deadline;

/// The integers the recursion runs on: checked `i128` (overflow is `None`)
/// or `BigInt` (never `None`).
trait Num: Clone + Ord {
    fn zero() -> Self;
    fn is_zero(&self) -> bool;
    fn is_neg(&self) -> bool;
    /// `s * (a * b - c * d)`, `s = -1` when `neg`.
    fn minor(a: &Self, b: &Self, c: &Self, d: &Self, neg: bool) -> Option<Self>;
    fn gcd_with(&self, g: &Self) -> Option<Self>;
    fn is_one_or_zero(&self) -> bool;
    fn div_by(&mut self, g: &Self);
    fn negate(&mut self) -> Option<()>;
}

impl Num for i128 {
    fn zero() -> i128 {
        0
    }
    fn is_zero(&self) -> bool {
        *self == 0
    }
    fn is_neg(&self) -> bool {
        *self < 0
    }
    fn minor(a: &i128, b: &i128, c: &i128, d: &i128, neg: bool) -> Option<i128> {
        let m = a.checked_mul(*b)?.checked_sub(c.checked_mul(*d)?)?;
        if neg {
            m.checked_neg()
        } else {
            Some(m)
        }
    }
    fn gcd_with(&self, g: &i128) -> Option<i128> {
        let (mut a, mut b) = (self.checked_abs()?, *g);
        while b != 0 {
            let t = a % b;
            a = b;
            b = t;
        }
        Some(a)
    }
    fn is_one_or_zero(&self) -> bool {
        *self <= 1
    }
    fn div_by(&mut self, g: &i128) {
        *self /= *g;
    }
    fn negate(&mut self) -> Option<()> {
        *self = self.checked_neg()?;
        Some(())
    }
}

impl Num for BigInt {
    fn zero() -> BigInt {
        Zero::zero()
    }
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_neg(&self) -> bool {
        self.is_negative()
    }
    fn minor(a: &BigInt, b: &BigInt, c: &BigInt, d: &BigInt, neg: bool) -> Option<BigInt> {
        let m = a * b - c * d;
        Some(if neg { -m } else { m })
    }
    fn gcd_with(&self, g: &BigInt) -> Option<BigInt> {
        Some(self.gcd(g))
    }
    fn is_one_or_zero(&self) -> bool {
        *self <= BigInt::from(1)
    }
    fn div_by(&mut self, g: &BigInt) {
        *self = &*self / g;
    }
    fn negate(&mut self) -> Option<()> {
        *self = -&*self;
        Some(())
    }
}

/// Failure of one run: overflow of the `i128` path, or an error.
enum Stop {
    Overflow,
    Err(CellsError),
}

impl From<CellsError> for Stop {
    fn from(e: CellsError) -> Stop {
        Stop::Err(e)
    }
}

/// The characteristic polynomial of a central arrangement: `coeffs[j]` is
/// the coefficient of `t^j` (`coeffs.len() = dim + 1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharPoly {
    /// Coefficients, lowest degree first.
    pub coeffs: Vec<BigInt>,
}

impl CharPoly {
    /// Number of cells: `(-1)^dim chi(-1)` (Zaslavsky's theorem).
    pub fn cells(&self) -> BigInt {
        let d = self.coeffs.len() - 1;
        self.coeffs
            .iter()
            .enumerate()
            .fold(<BigInt as Zero>::zero(), |acc, (j, c)| {
                if (d - j) % 2 == 0 {
                    acc + c
                } else {
                    acc - c
                }
            })
    }

    /// Rank of the arrangement: `dim` minus the multiplicity of the root 0.
    pub fn rank(&self) -> usize {
        let d = self.coeffs.len() - 1;
        d - self
            .coeffs
            .iter()
            .position(|c| !Zero::is_zero(c))
            .unwrap_or(d)
    }
}

/// The characteristic polynomial of the central arrangement of `planes`
/// (distinct, pairwise non-parallel, nonzero primitive integer normals,
/// first nonzero entry positive, each of length `dim`).
pub(super) fn charpoly(
    planes: &[Vec<BigInt>],
    dim: usize,
    deadline: &Deadline,
) -> Result<CharPoly, CellsError> {
    if planes.iter().any(|p| p.len() != dim) {
        return Err(CellsError::WrongShape);
    }
    let small: Option<Vec<i128>> = planes
        .iter()
        .flat_map(|p| p.iter().map(ToPrimitive::to_i128))
        .collect();
    let coeffs = match small.map(|flat| chi(&flat, planes.len(), dim, deadline)) {
        Some(Ok(c)) => c,
        Some(Err(Stop::Err(e))) => return Err(e),
        Some(Err(Stop::Overflow)) | None => {
            let flat: Vec<BigInt> = planes.iter().flatten().cloned().collect();
            match chi(&flat, planes.len(), dim, deadline) {
                Ok(c) => c,
                Err(Stop::Err(e)) => return Err(e),
                Err(Stop::Overflow) => {
                    return Err(CellsError::Internal(
                        "the cell count does not fit in 128 bits",
                    ))
                }
            }
        }
    };
    // Whitney: (-1)^(dim - j) c_j >= 0, c_dim = 1; chi(1) = 0 when nonempty
    let d = dim;
    let alternates = coeffs
        .iter()
        .enumerate()
        .all(|(j, c)| c == &0 || (c < &0) == ((d - j) % 2 == 1));
    let at_one: i128 = coeffs
        .iter()
        .try_fold(0i128, |a, c| a.checked_add(*c))
        .ok_or(CellsError::Internal(
            "the cell count does not fit in 128 bits",
        ))?;
    // Whitney: the coefficient of t^(dim-1) is minus the number of hyperplanes
    let m = i128::try_from(planes.len()).unwrap_or(i128::MAX);
    let linear_ok = d == 0 || coeffs[d - 1] == -m;
    if coeffs[d] != 1 || !alternates || !linear_ok || (!planes.is_empty() && at_one != 0) {
        return Err(CellsError::Internal(
            "the characteristic polynomial fails Whitney's sign pattern, its t^(dim-1) coefficient or chi(1) = 0",
        ));
    }
    Ok(CharPoly {
        coeffs: coeffs.into_iter().map(BigInt::from).collect(),
    })
}

/// `chi` of `m` rows of `flat` (stride `dim`): distinct canonical normals.
fn chi<T: Num>(flat: &[T], m: usize, dim: usize, deadline: &Deadline) -> Result<Vec<i128>, Stop> {
    let mut c = vec![0i128; dim + 1];
    c[dim] = 1;
    match dim {
        0 if m > 0 => return Err(CellsError::Internal("a nonzero normal in dimension 0").into()),
        0 => return Ok(c),
        1 if m > 1 => {
            return Err(CellsError::Internal("two distinct hyperplanes in dimension 1").into())
        }
        1 | 2 if m > 0 => {
            // t^2 - m t + (m - 1), or t - 1
            let mi = i128::try_from(m).map_err(|_| Stop::Overflow)?;
            c[dim - 1] = -mi;
            if dim == 2 {
                c[0] = mi - 1;
            }
            return Ok(c);
        }
        1 | 2 => return Ok(c),
        _ => {}
    }
    if deadline.expired() {
        return Err(CellsError::TimeLimit.into());
    }
    let mut buf: Vec<T> = Vec::with_capacity(m * (dim - 1));
    for k in 1..m {
        let h = &flat[k * dim..(k + 1) * dim];
        let sub = restrict(&flat[..k * dim], h, dim, &mut buf)?;
        let child = if dim - 1 == 2 {
            // only the number of distinct lines matters
            let mi = i128::try_from(sub).map_err(|_| Stop::Overflow)?;
            vec![mi - 1, -mi, 1]
        } else {
            chi(&buf, sub, dim - 1, deadline)?
        };
        for (j, x) in child.iter().enumerate() {
            c[j] = c[j].checked_sub(*x).ok_or(Stop::Overflow)?;
        }
    }
    if m > 0 {
        // k = 0: the restriction of nothing is the empty arrangement in dim - 1
        c[dim - 1] = c[dim - 1].checked_sub(1).ok_or(Stop::Overflow)?;
    }
    Ok(c)
}

/// The distinct canonical normals that `rest` (rows of stride `dim`) cut
/// inside `h`, written into `out` (stride `dim - 1`); returns how many.
fn restrict<T: Num>(rest: &[T], h: &[T], dim: usize, out: &mut Vec<T>) -> Result<usize, Stop> {
    let p = h
        .iter()
        .position(|x| !x.is_zero())
        .ok_or(CellsError::Internal("zero normal"))?;
    let hp = &h[p];
    let neg = hp.is_neg();
    let w = dim - 1;
    let mut rows: Vec<Vec<T>> = Vec::with_capacity(rest.len() / dim);
    for n in rest.chunks_exact(dim) {
        let np = &n[p];
        let mut r: Vec<T> = Vec::with_capacity(w);
        for k in (0..dim).filter(|&k| k != p) {
            r.push(T::minor(hp, &n[k], np, &h[k], neg).ok_or(Stop::Overflow)?);
        }
        // primitive, first nonzero entry positive
        let mut g = T::zero();
        let mut lead_neg = None;
        for x in &r {
            if !x.is_zero() {
                if lead_neg.is_none() {
                    lead_neg = Some(x.is_neg());
                }
                g = x.gcd_with(&g).ok_or(Stop::Overflow)?;
            }
        }
        let Some(lead_neg) = lead_neg else {
            return Err(
                CellsError::Internal("two distinct hyperplanes restrict to a zero normal").into(),
            );
        };
        if !g.is_one_or_zero() {
            for x in r.iter_mut() {
                x.div_by(&g);
            }
        }
        if lead_neg {
            for x in r.iter_mut() {
                x.negate().ok_or(Stop::Overflow)?;
            }
        }
        rows.push(r);
    }
    rows.sort_unstable();
    rows.dedup();
    out.clear();
    for r in &rows {
        out.extend_from_slice(r);
    }
    debug_assert_eq!(out.len(), rows.len() * w);
    Ok(rows.len())
}

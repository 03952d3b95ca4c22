//! Exact solution of square integer systems `B x = b` by p-adic lifting
//! (Dixon, Numer. Math. 1982), and an exact choice of independent rows.
//!
//! `B` is factored once modulo a word prime `p` (LU with row pivoting, in
//! `u64`); the lifting then computes the p-adic digits of `x` one solve of
//! `O(n^2)` word operations at a time, with the integer residual
//! `r <- (r - B x_i) / p` kept in `i128` when it fits (it stays about the
//! size of `B`'s entries times `n`). At checkpoints the rational solution is
//! read off the p-adic approximation by rational reconstruction, with one
//! common denominator, and accepted only when `B num = b den` holds exactly
//! in integers. Past a Hadamard bound the reconstruction is guaranteed, so
//! the lifting always ends. This replaces fraction-free elimination on the
//! whole basis, whose entries grow to the size of the determinant in every
//! one of its `n^3` steps: here only the final answer is that large.
//!
//! Rows independent modulo `p` are independent over the rationals (a minor
//! nonzero mod `p` is nonzero), so [`independent_rows`] chooses an
//! independent set exactly, with word arithmetic only.
//!
//! Must not: return an unverified solution, or use floats. A matrix singular
//! modulo both primes is reported as [`Solved::Singular`]: the caller treats
//! the basis as failed, which costs time, never correctness.

use crate::linalg::{Ring, Stop};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Word primes below 2^31: products of two residues fit a `u64`.
const PRIMES: [u64; 2] = [2_147_483_647, 2_147_483_629];

/// A square (or rectangular) sparse integer matrix, row by row.
pub(crate) struct IntMat {
    /// Number of columns.
    pub ncols: usize,
    /// Nonzero entries of each row, by column.
    pub rows: Vec<Vec<(usize, BigInt)>>,
    /// The same entries as `i128`, when all of them are below 2^80 (so a
    /// residual step stays in checked `i128`: entry x digit < 2^111).
    small: Option<Vec<Vec<(usize, i128)>>>,
}

impl IntMat {
    /// From dense rows of any ring type.
    #[cfg(test)]
    pub(crate) fn from_dense<T: Ring>(rows: &[&[T]], ncols: usize) -> IntMat {
        let big: Vec<Vec<(usize, BigInt)>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_zero_r())
                    .map(|(j, v)| (j, v.to_big()))
                    .collect()
            })
            .collect();
        IntMat::from_sparse(big, ncols)
    }

    /// From sparse rows.
    pub(crate) fn from_sparse(rows: Vec<Vec<(usize, BigInt)>>, ncols: usize) -> IntMat {
        let small = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|(j, v)| {
                        (v.bits() <= 80)
                            .then(|| ToPrimitive::to_i128(v).map(|s| (*j, s)))
                            .flatten()
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>();
        IntMat { ncols, rows, small }
    }

    /// The transpose.
    pub(crate) fn transpose(&self) -> IntMat {
        let mut t: Vec<Vec<(usize, BigInt)>> = vec![Vec::new(); self.ncols];
        for (i, r) in self.rows.iter().enumerate() {
            for (j, v) in r {
                t[*j].push((i, v.clone()));
            }
        }
        IntMat::from_sparse(t, self.rows.len())
    }
}

/// Outcome of [`solve`].
pub(crate) enum Solved {
    /// The unique solution `num / den`, `den > 0`, verified exactly.
    Unique { num: Vec<BigInt>, den: BigInt },
    /// Singular modulo every prime tried (singular over Q, or unlucky).
    Singular,
}

fn residue(v: &BigInt, p: u64) -> u64 {
    match ToPrimitive::to_i64(v) {
        Some(s) => s.rem_euclid(p as i64) as u64,
        None => {
            // BigInt % u64 divides by one digit (no general long division).
            let r = ToPrimitive::to_i64(&(v % p)).unwrap_or(0);
            r.rem_euclid(p as i64) as u64
        }
    }
}

fn inv_mod(a: u64, p: u64) -> u64 {
    // p is prime and a != 0 mod p: a^(p-2).
    let (mut base, mut e, mut acc) = (a % p, p - 2, 1u64);
    while e > 0 {
        if e & 1 == 1 {
            acc = acc * base % p;
        }
        base = base * base % p;
        e >>= 1;
    }
    acc
}

/// LU factors of a square matrix modulo `p`, with row permutation:
/// `B[perm[i]] = (L U)[i]`, `L` unit lower triangular.
struct ModLu {
    p: u64,
    n: usize,
    lu: Vec<u64>,
    perm: Vec<usize>,
    inv_diag: Vec<u64>,
}

impl ModLu {
    fn factor(m: &IntMat, p: u64, stop: &Stop<'_>) -> Option<Option<ModLu>> {
        let n = m.ncols;
        if m.rows.len() != n {
            return Some(None);
        }
        let mut a = vec![0u64; n * n];
        for (i, r) in m.rows.iter().enumerate() {
            for (j, v) in r {
                a[i * n + j] = residue(v, p);
            }
        }
        let mut perm: Vec<usize> = (0..n).collect();
        for c in 0..n {
            stop.tick(n * (n - c))?;
            let Some(pr) = (c..n).find(|&r| a[r * n + c] != 0) else {
                return Some(None);
            };
            if pr != c {
                for j in 0..n {
                    a.swap(pr * n + j, c * n + j);
                }
                perm.swap(pr, c);
            }
            let inv = inv_mod(a[c * n + c], p);
            for r in c + 1..n {
                let f = a[r * n + c];
                if f == 0 {
                    continue;
                }
                let f = f * inv % p;
                a[r * n + c] = f;
                let pp = p * p;
                for j in c + 1..n {
                    let u = a[c * n + j];
                    if u != 0 {
                        // a < p and f u < p^2 < 2^62: one reduction.
                        a[r * n + j] = (a[r * n + j] + pp - f * u) % p;
                    }
                }
            }
        }
        let inv_diag = (0..n).map(|i| inv_mod(a[i * n + i], p)).collect();
        Some(Some(ModLu {
            p,
            n,
            lu: a,
            perm,
            inv_diag,
        }))
    }

    /// `x` with `B x = r (mod p)`. Products are summed in `u128` and
    /// reduced once per row (each is below 2^62).
    fn solve(&self, r: &[u64]) -> Vec<u64> {
        let (n, p) = (self.n, self.p);
        let pp = p as u128;
        let mut y: Vec<u64> = self.perm.iter().map(|&i| r[i]).collect();
        for i in 0..n {
            let row = &self.lu[i * n..i * n + i];
            let s: u128 = row
                .iter()
                .zip(&y[..i])
                .map(|(l, v)| (*l as u128) * (*v as u128))
                .sum();
            let s = (s % pp) as u64;
            y[i] = (y[i] + p - s) % p;
        }
        for i in (0..n).rev() {
            let row = &self.lu[i * n + i + 1..(i + 1) * n];
            let s: u128 = row
                .iter()
                .zip(&y[i + 1..])
                .map(|(u, v)| (*u as u128) * (*v as u128))
                .sum();
            let s = (s % pp) as u64;
            y[i] = (y[i] + p - s) % p * self.inv_diag[i] % p;
        }
        y
    }
}

/// Bits of an upper bound on `2 |det B| max_j |det B_j(b)|` (Hadamard), so
/// that p-adic precision past it makes rational reconstruction unique.
fn hadamard_bits(m: &IntMat, b: &[BigInt]) -> u64 {
    let mut bits = 2u64;
    for (r, bi) in m.rows.iter().zip(b) {
        let top = r
            .iter()
            .map(|(_, v)| v.bits())
            .chain(std::iter::once(bi.bits()))
            .max()
            .unwrap_or(0);
        let terms = (r.len() as u64 + 1).next_power_of_two().trailing_zeros() as u64;
        // ||row|| + |b_i| <= (sqrt(len) + 1) 2^top <= 2^(top + ceil(terms/2) + 1)
        // with terms = ceil(log2(len + 1)); twice (det and numerator).
        bits += 2 * (top + terms.div_ceil(2) + 1);
    }
    bits
}

/// `v mod P` lifted to `(-P/2, P/2]`.
fn symmetric(v: &BigInt, pk: &BigInt, half: &BigInt) -> BigInt {
    let r = v.mod_floor(pk);
    if &r > half {
        r - pk
    } else {
        r
    }
}

/// `(a, e)` with `a = e v (mod P)`, `|a| <= bound`, `0 < e <= bound`, if any.
fn reconstruct(v: &BigInt, pk: &BigInt, bound: &BigInt) -> Option<(BigInt, BigInt)> {
    let (mut r0, mut r1) = (pk.clone(), v.mod_floor(pk));
    let (mut t0, mut t1) = (BigInt::zero(), BigInt::one());
    while &r1 > bound {
        let (q, r2) = r0.div_rem(&r1);
        let t2 = &t0 - &q * &t1;
        (r0, r1) = (r1, r2);
        (t0, t1) = (t1, t2);
    }
    if t1.is_zero() || &t1.abs() > bound {
        return None;
    }
    if t1.is_negative() {
        Some((-r1, -t1))
    } else {
        Some((r1, t1))
    }
}

/// Does `B num = b den` hold exactly?
fn verify(m: &IntMat, b: &[BigInt], num: &[BigInt], den: &BigInt, stop: &Stop<'_>) -> Option<bool> {
    for (r, bi) in m.rows.iter().zip(b) {
        let mut s = -(bi * den);
        for (j, v) in r {
            stop.tick(num[*j].bits() as usize / 64 + 1)?;
            s += v * &num[*j];
        }
        if !s.is_zero() {
            return Some(false);
        }
    }
    Some(true)
}

/// Try to read the solution off `x (mod P)`; `Some(None)` if not yet.
fn attempt(
    m: &IntMat,
    b: &[BigInt],
    x: &[BigInt],
    pk: &BigInt,
    stop: &Stop<'_>,
) -> Option<Option<(Vec<BigInt>, BigInt)>> {
    let half: BigInt = pk >> 1usize;
    let bound = half.sqrt();
    let mut den = BigInt::one();
    for xj in x {
        stop.tick(pk.bits() as usize / 64 + 1)?;
        let v = symmetric(&(xj * &den), pk, &half);
        if v.abs() <= bound {
            continue;
        }
        let Some((_, e)) = reconstruct(&v, pk, &bound) else {
            return Some(None);
        };
        den *= e;
        if den > bound {
            return Some(None);
        }
    }
    let num: Vec<BigInt> = x
        .iter()
        .map(|xj| symmetric(&(xj * &den), pk, &half))
        .collect();
    Some(verify(m, b, &num, &den, stop)?.then_some((num, den)))
}

/// Solve `B x = b` exactly for square `B`; `None` once the deadline passed.
pub(crate) fn solve(m: &IntMat, b: &[BigInt], stop: &Stop<'_>) -> Option<Solved> {
    let n = m.ncols;
    if m.rows.len() != n || b.len() != n {
        return Some(Solved::Singular);
    }
    if n == 0 {
        return Some(Solved::Unique {
            num: Vec::new(),
            den: BigInt::one(),
        });
    }
    for &p in &PRIMES {
        if let Some(lu) = ModLu::factor(m, p, stop)? {
            return lift(m, b, &lu, stop);
        }
    }
    Some(Solved::Singular)
}

fn lift(m: &IntMat, b: &[BigInt], lu: &ModLu, stop: &Stop<'_>) -> Option<Solved> {
    let (n, p) = (m.ncols, lu.p);
    let need_bits = hadamard_bits(m, b);
    let mut digits = 0usize;
    let mut r_big: Vec<BigInt> = b.to_vec();
    let mut r_small: Option<Vec<i128>> = None;
    // x = sum_i xi p^i, accumulated a block of digits at a time: `block`
    // holds the digits since `pk_flushed` (small numbers), added to `x`
    // at every flush, so that `x` is touched once per block, not per digit.
    let mut x: Vec<BigInt> = vec![BigInt::zero(); n];
    let mut block: Vec<BigInt> = vec![BigInt::zero(); n];
    let mut bpk = BigInt::one();
    let mut pk_flushed = BigInt::one();
    let mut pk = BigInt::one();
    let mut next_check = 4usize;
    loop {
        stop.tick(n * n / 64 + 1)?;
        let res: Vec<u64> = match &r_small {
            Some(rs) => rs.iter().map(|v| v.rem_euclid(p as i128) as u64).collect(),
            None => r_big.iter().map(|v| residue(v, p)).collect(),
        };
        let xi = lu.solve(&res);
        // r <- (r - B xi) / p, exactly.
        let mut done_small = false;
        if let (Some(rs), Some(sm)) = (&r_small, &m.small) {
            let mut out = Vec::with_capacity(n);
            let mut ok = true;
            for (ri, row) in rs.iter().zip(sm) {
                let mut s = *ri;
                for (j, v) in row {
                    match v.checked_mul(xi[*j] as i128).and_then(|t| s.checked_sub(t)) {
                        Some(t) => s = t,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if !ok {
                    break;
                }
                out.push(s / p as i128);
            }
            if ok {
                r_small = Some(out);
                done_small = true;
            }
        }
        if !done_small {
            if let Some(rs) = r_small.take() {
                r_big = rs.into_iter().map(BigInt::from).collect();
            }
            for (ri, row) in r_big.iter_mut().zip(&m.rows) {
                for (j, v) in row {
                    if xi[*j] != 0 {
                        *ri -= v * xi[*j];
                    }
                }
                *ri = &*ri / p;
            }
            if r_big.iter().all(|v| v.bits() < 100) {
                r_small = Some(r_big.iter().map(|v| v.to_i128().unwrap_or(0)).collect());
            }
        }
        for (bj, d) in block.iter_mut().zip(&xi) {
            if *d != 0 {
                *bj += &bpk * *d;
            }
        }
        bpk *= p;
        pk *= p;
        digits += 1;
        let k = digits;
        let guaranteed = pk.bits() > need_bits;
        let check = k >= next_check || guaranteed;
        if check || k % 16 == 0 {
            for (xj, bj) in x.iter_mut().zip(block.iter_mut()) {
                if !bj.is_zero() {
                    *xj += &*bj * &pk_flushed;
                    *bj = BigInt::zero();
                }
            }
            pk_flushed = pk.clone();
            bpk = BigInt::one();
        }
        if check {
            next_check = k * 2;
            if let Some((num, den)) = attempt(m, b, &x, &pk, stop)? {
                return Some(Solved::Unique { num, den });
            }
            if guaranteed {
                // Past the Hadamard bound the reconstruction cannot fail
                // for a nonsingular B; B is singular mod p only if det is a
                // multiple of p, which `factor` ruled out. Give up rather
                // than loop.
                return Some(Solved::Singular);
            }
        }
    }
}

/// A square basis matrix with its singleton rows split off: a row with one
/// nonzero `m_kj` (a bound, a pseudo-row, a one-variable constraint) fixes
/// `x_j` in `B x = b` and, in `B^T y = c`, is the only unknown of equation
/// `j` once the others are known. Only the remaining core goes through the
/// lifting, which is what makes LPs with many active bounds cheap.
pub(crate) struct Basis {
    rows: Vec<Vec<(usize, BigInt)>>,
    /// `(row, column)` of each singleton row.
    single: Vec<(usize, usize)>,
    core_rows: Vec<usize>,
    core_cols: Vec<usize>,
    core: IntMat,
    /// lcm of the singleton entries' magnitudes.
    l: BigInt,
}

impl Basis {
    /// Split `rows` (a square matrix with `n` columns).
    pub(crate) fn new(rows: Vec<Vec<(usize, BigInt)>>, n: usize) -> Basis {
        let mut fixed = vec![false; n];
        let mut single = Vec::new();
        let mut core_rows = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            match r.as_slice() {
                [(j, v)] if !fixed[*j] && !v.is_zero() => {
                    fixed[*j] = true;
                    single.push((i, *j));
                }
                _ => core_rows.push(i),
            }
        }
        let core_cols: Vec<usize> = (0..n).filter(|&j| !fixed[j]).collect();
        let mut pos = vec![usize::MAX; n];
        for (k, &j) in core_cols.iter().enumerate() {
            pos[j] = k;
        }
        let core = IntMat::from_sparse(
            core_rows
                .iter()
                .map(|&i| {
                    rows[i]
                        .iter()
                        .filter(|(j, _)| !fixed[*j])
                        .map(|(j, v)| (pos[*j], v.clone()))
                        .collect()
                })
                .collect(),
            core_cols.len(),
        );
        let mags: Vec<BigInt> = single.iter().map(|&(i, _)| rows[i][0].1.abs()).collect();
        let l = crate::intops::lcm_of(&mags);
        Basis {
            rows,
            single,
            core_rows,
            core_cols,
            core,
            l,
        }
    }

    fn entry(&self, i: usize) -> &BigInt {
        &self.rows[i][0].1
    }

    /// `B x = b`, as numerators over one denominator.
    pub(crate) fn solve_primal(&self, b: &[BigInt], stop: &Stop<'_>) -> Option<Solved> {
        let n = self.rows.len();
        // x_j = f_j / l on the singletons.
        let mut f: Vec<Option<BigInt>> = vec![None; n];
        for &(i, j) in &self.single {
            let m = self.entry(i);
            f[j] = Some(&b[i] * (&self.l / m));
        }
        let rhs: Vec<BigInt> = self
            .core_rows
            .iter()
            .map(|&i| {
                let mut v = &b[i] * &self.l;
                for (j, m) in &self.rows[i] {
                    if let Some(fj) = &f[*j] {
                        v -= m * fj;
                    }
                }
                v
            })
            .collect();
        let (znum, zden) = match solve(&self.core, &rhs, stop)? {
            Solved::Unique { num, den } => (num, den),
            Solved::Singular => return Some(Solved::Singular),
        };
        let mut num = vec![BigInt::zero(); n];
        for (k, &j) in self.core_cols.iter().enumerate() {
            num[j] = znum[k].clone();
        }
        for (j, fj) in f.into_iter().enumerate() {
            if let Some(fj) = fj {
                num[j] = fj * &zden;
            }
        }
        Some(Solved::Unique {
            num,
            den: zden * &self.l,
        })
    }

    /// `B^T y = c`, as numerators (indexed by row of `B`) over one
    /// denominator.
    pub(crate) fn solve_dual(&self, c: &[BigInt], stop: &Stop<'_>) -> Option<Solved> {
        let n = self.rows.len();
        let rhs: Vec<BigInt> = self.core_cols.iter().map(|&j| c[j].clone()).collect();
        let (ynum, yden) = match solve(&self.core.transpose(), &rhs, stop)? {
            Solved::Unique { num, den } => (num, den),
            Solved::Singular => return Some(Solved::Singular),
        };
        let mut num = vec![BigInt::zero(); n];
        // Column j's entries in the core rows, for the singletons.
        let mut colsum: Vec<BigInt> = vec![BigInt::zero(); n];
        for (k, &i) in self.core_rows.iter().enumerate() {
            num[i] = &ynum[k] * &self.l;
            if ynum[k].is_zero() {
                continue;
            }
            for (j, m) in &self.rows[i] {
                colsum[*j] += m * &ynum[k];
            }
        }
        for &(i, j) in &self.single {
            let m = self.entry(i);
            stop.tick(1)?;
            num[i] = (&c[j] * &yden - &colsum[j]) * (&self.l / m);
        }
        Some(Solved::Unique {
            num,
            den: yden * &self.l,
        })
    }
}

/// From `cand` (indices into `rows`), in order, a maximal prefix-greedy set
/// of rows linearly independent over Q, of at most `ncols` rows: those
/// independent modulo a word prime (independent mod p implies independent
/// over Q), with the pivot column of each: the selected rows restricted to
/// those columns form a nonsingular matrix. `None` once the deadline passed.
pub(crate) fn independent_rows<T: Ring>(
    rows: &[&[T]],
    cand: &[usize],
    ncols: usize,
    stop: &Stop<'_>,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let p = PRIMES[0];
    let mut ech: Vec<(Vec<u64>, usize)> = Vec::new();
    let mut sel = Vec::new();
    for &k in cand {
        if sel.len() == ncols {
            break;
        }
        stop.tick(ncols * (ech.len() + 1))?;
        let mut v: Vec<u64> = rows[k]
            .iter()
            .map(|t| match t.to_i64() {
                Some(s) => s.rem_euclid(p as i64) as u64,
                None => residue(&t.to_big(), p),
            })
            .collect();
        for (e, piv) in &ech {
            let f = v[*piv];
            if f == 0 {
                continue;
            }
            // e is normalised: e[piv] = 1.
            for (vj, ej) in v.iter_mut().zip(e) {
                if *ej != 0 {
                    *vj = (*vj + p - f * ej % p) % p;
                }
            }
        }
        if let Some(piv) = v.iter().position(|&e| e != 0) {
            let inv = inv_mod(v[piv], p);
            for vj in &mut v {
                *vj = *vj * inv % p;
            }
            ech.push((v, piv));
            sel.push(k);
        }
    }
    Some((sel, ech.into_iter().map(|(_, c)| c).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{gauss_jordan, Stop};

    fn lcg(s: &mut u64) -> u64 {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *s >> 33
    }

    #[test]
    fn agrees_with_fraction_free_gauss_jordan() {
        let mut s = 7u64;
        for trial in 0..60 {
            let n = 1 + (trial % 9) as usize;
            let digits = 1 + (trial % 5) as u32 * 6;
            let big = BigInt::from(10u64).pow(digits);
            let rows: Vec<Vec<BigInt>> = (0..n)
                .map(|_| {
                    (0..n)
                        .map(|_| {
                            if lcg(&mut s) % 3 == 0 {
                                BigInt::zero()
                            } else {
                                (BigInt::from(lcg(&mut s)) * &big) / BigInt::from(1u64 << 31)
                                    - &big / 2
                            }
                        })
                        .collect()
                })
                .collect();
            let b: Vec<BigInt> = (0..n)
                .map(|_| BigInt::from(lcg(&mut s)) * &big - &big * 3)
                .collect();
            let refs: Vec<&[BigInt]> = rows.iter().map(|r| r.as_slice()).collect();
            let m = IntMat::from_dense(&refs, n);
            let mut t: Vec<Vec<BigInt>> = rows
                .iter()
                .zip(&b)
                .map(|(r, bi)| r.iter().cloned().chain([bi.clone()]).collect())
                .collect();
            let (piv, d) = gauss_jordan(&mut t, n).expect("BigInt cannot overflow");
            let got = solve(&m, &b, &Stop::never()).expect("no deadline");
            match got {
                Solved::Singular => assert!(piv.len() < n, "trial {trial}: nonsingular"),
                Solved::Unique { num, den } => {
                    assert_eq!(piv.len(), n, "trial {trial}");
                    for &(r, c) in &piv {
                        // x_c = t[r][n] / d
                        assert_eq!(&t[r][n] * &den, &num[c] * &d, "trial {trial} col {c}");
                    }
                }
            }
        }
    }
}

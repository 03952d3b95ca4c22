//! The same deletion-restriction enumeration as `cells::enumerate`, over
//! checked `i128` integer vectors: the fast path.
//!
//! Normals are primitive integer vectors; the restriction to `h` and the
//! lift back are scaled by the positive factor `|h_p|` so they stay
//! integral; a split cell's witnesses are `K v +- h` with `K` an integer
//! large enough that no other sign changes. Positive scaling never changes
//! a sign, so every step is exact. Any overflow returns `None` and the
//! caller redoes the whole enumeration in rational arithmetic.
//!
//! Must not: approximate; a result is either exact or absent.

use relucert_core::Deadline;
use std::collections::HashMap;

pub(super) type IVec = Vec<i128>;

fn gcd(a: i128, b: i128) -> Option<i128> {
    let (mut a, mut b) = (a.checked_abs()?, b.checked_abs()?);
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    Some(a)
}

fn dot(a: &[i128], b: &[i128]) -> Option<i128> {
    let mut acc: i128 = 0;
    for (x, y) in a.iter().zip(b) {
        acc = acc.checked_add(x.checked_mul(*y)?)?;
    }
    Some(acc)
}

/// Divide by the gcd of the entries (a positive factor); zero stays zero.
fn primitive(v: &mut [i128]) -> Option<()> {
    let mut g: i128 = 0;
    for x in v.iter() {
        g = gcd(g, *x)?;
    }
    if g > 1 {
        for x in v.iter_mut() {
            *x /= g;
        }
    }
    Some(())
}

/// Witnesses whose largest entry exceeds `2^SHRINK_BITS` are shrunk.
const SHRINK_BITS: u32 = 32;

/// Replace a large witness by a small one of the same cell when one is
/// found: `w` scaled down by `2^s` and rounded, for the largest shift `s`
/// that keeps every sign (`signs[i]` on `rest[i]`, `side` on `h`); each
/// candidate is checked exactly, and `w` is kept when none passes. Without
/// this, witnesses grow at every level of the recursion (lift times `|h_p|`,
/// then `K v +- h`) and overflow `i128` on 10 points in R^8.
fn shrink(w: &mut IVec, rest: &[IVec], signs: &[bool], h: &[i128], side: bool) -> Option<()> {
    let big = w.iter().map(|x| x.unsigned_abs()).max().unwrap_or(0);
    if big >> SHRINK_BITS == 0 {
        return Some(());
    }
    let bits = 128 - big.leading_zeros();
    let ok = |c: &[i128]| -> Option<bool> {
        let hc = dot(h, c)?;
        if hc == 0 || (hc > 0) != side {
            return Some(false);
        }
        for (n, s) in rest.iter().zip(signs) {
            let v = dot(n, c)?;
            if v == 0 || (v > 0) != *s {
                return Some(false);
            }
        }
        Some(true)
    };
    // keep j + 1 bits: try j = 1, 2, 4, ... then settle on the first that works
    let mut keep = 2u32;
    while keep < bits {
        let sh = bits - keep;
        let half: i128 = 1 << (sh - 1);
        let mut c: IVec = Vec::with_capacity(w.len());
        for x in w.iter() {
            c.push(x.checked_add(half)? >> sh);
        }
        if c.iter().any(|&x| x != 0) && ok(&c)? {
            primitive(&mut c)?;
            *w = c;
            return Some(());
        }
        keep *= 2;
    }
    Some(())
}

/// Distinct hyperplanes (primitive, first nonzero entry positive) and, per
/// input, `(id, flip)`; `None` in the role list marks a zero vector.
pub(super) type Roles = Vec<Option<(usize, bool)>>;

pub(super) fn canonicalise(normals: &[IVec]) -> Option<(Vec<IVec>, Roles)> {
    let mut distinct: Vec<IVec> = Vec::new();
    let mut index: HashMap<IVec, usize, Fast> =
        HashMap::with_capacity_and_hasher(normals.len(), Fast::default());
    let mut roles = Vec::with_capacity(normals.len());
    for n in normals {
        let Some(lead) = n.iter().copied().find(|&c| c != 0) else {
            roles.push(None);
            continue;
        };
        let mut canon = n.clone();
        primitive(&mut canon)?;
        let flip = lead < 0;
        if flip {
            for x in canon.iter_mut() {
                *x = x.checked_neg()?;
            }
        }
        let id = match index.get(&canon) {
            Some(&id) => id,
            None => {
                distinct.push(canon.clone());
                index.insert(canon, distinct.len() - 1);
                distinct.len() - 1
            }
        };
        roles.push(Some((id, flip)));
    }
    Some((distinct, roles))
}

/// A sign vector packed into bits (bit i set: positive side of plane i).
type Bits = Vec<u64>;

fn bit(b: &Bits, i: usize) -> bool {
    b[i / 64] >> (i % 64) & 1 == 1
}

fn push_bit(b: &mut Bits, i: usize, v: bool) {
    if i % 64 == 0 {
        b.push(0);
    }
    if v {
        b[i / 64] |= 1 << (i % 64);
    }
}

/// A cheap multiply-rotate hasher for the packed sign vectors (the keys are
/// our own bits, not adversarial input; equality is still exact).
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
    fn write_i128(&mut self, x: i128) {
        self.write_u128(x as u128);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

type Fast = std::hash::BuildHasherDefault<WordHasher>;

/// Cells of distinct, pairwise non-parallel, nonzero integer normals in
/// Z^dim: (sign per plane, primitive integer witness); `None` on overflow.
pub(super) fn enumerate(
    planes: &[IVec],
    dim: usize,
    deadline: &Deadline,
) -> Option<Vec<(Vec<bool>, IVec)>> {
    let m = planes.len();
    Some(
        enumerate_bits(planes, dim, deadline)?
            .into_iter()
            .map(|(b, w)| ((0..m).map(|i| bit(&b, i)).collect(), w))
            .collect(),
    )
}

fn enumerate_bits(planes: &[IVec], dim: usize, deadline: &Deadline) -> Option<Vec<(Bits, IVec)>> {
    // one hyperplane at a time; only the restriction recurses (depth <= dim)
    let mut cells = vec![(Vec::new(), vec![0; dim])];
    for k in 0..planes.len() {
        if dim == 0 || deadline.expired() {
            return None;
        }
        cells = add_plane(cells, &planes[k], &planes[..k], dim, deadline)?;
    }
    Some(cells)
}

/// Cells of `rest + h` from the cells of `rest`; `None` on overflow.
fn add_plane(
    rest_cells: Vec<(Bits, IVec)>,
    h: &[i128],
    rest: &[IVec],
    dim: usize,
    deadline: &Deadline,
) -> Option<Vec<(Bits, IVec)>> {
    let k_new = rest.len();
    let p = h.iter().position(|&c| c != 0)?;
    let hp = h[p];
    let sp: i128 = hp.signum();
    let ahp = hp.checked_abs()?;
    // restricted normals: sign(h_p) (h_p n_k - n_p h_k), k != p  (= |h_p| times the exact restriction)
    let mut restricted = Vec::with_capacity(rest.len());
    for n in rest {
        let mut m = Vec::with_capacity(dim - 1);
        for k in (0..dim).filter(|&k| k != p) {
            let a = hp.checked_mul(n[k])?;
            let b = n[p].checked_mul(h[k])?;
            m.push(a.checked_sub(b)?.checked_mul(sp)?);
        }
        restricted.push(m);
    }
    let (res_distinct, res_roles) = canonicalise(&restricted)?;
    let res_cells = enumerate_bits(&res_distinct, dim - 1, deadline)?;
    let mut split: HashMap<Bits, IVec, Fast> =
        HashMap::with_capacity_and_hasher(res_cells.len(), Fast::default());
    for (sig, t) in res_cells {
        // lift: v_k = |h_p| t_k (k != p), v_p = -sign(h_p) sum_{k != p} h_k t_k
        let mut v = vec![0i128; dim];
        let mut s: i128 = 0;
        let mut it = t.iter();
        for k in 0..dim {
            if k == p {
                continue;
            }
            let tk = *it.next()?;
            v[k] = ahp.checked_mul(tk)?;
            s = s.checked_add(h[k].checked_mul(tk)?)?;
        }
        v[p] = s.checked_mul(-sp)?;
        let mut signs: Bits = Vec::with_capacity(res_roles.len().div_ceil(64) + 1);
        for (i, r) in res_roles.iter().enumerate() {
            let (id, flip) = (*r)?;
            push_bit(&mut signs, i, bit(&sig, id) != flip);
        }
        split.insert(signs, v);
    }
    let mut out = Vec::with_capacity(rest_cells.len() + split.len());
    let mut scratch: Vec<bool> = Vec::with_capacity(k_new);
    for (signs, w) in rest_cells {
        match split.get(&signs) {
            Some(v) => {
                // K v +- h with |K n.v| > |n.h| for every other plane n
                let mut k: i128 = 1;
                for n in rest {
                    let nv = dot(n, v)?.checked_abs()?;
                    let nh = dot(n, h)?.checked_abs()?;
                    if nv == 0 {
                        return None; // cannot happen for a restricted cell; let the rational path decide
                    }
                    k = k.max(nh / nv + 1);
                }
                let mut plus = Vec::with_capacity(dim);
                let mut minus = Vec::with_capacity(dim);
                for (a, b) in v.iter().zip(h) {
                    let ka = k.checked_mul(*a)?;
                    plus.push(ka.checked_add(*b)?);
                    minus.push(ka.checked_sub(*b)?);
                }
                primitive(&mut plus)?;
                primitive(&mut minus)?;
                if plus
                    .iter()
                    .chain(&minus)
                    .any(|x| x.unsigned_abs() >> SHRINK_BITS != 0)
                {
                    scratch.clear();
                    scratch.extend((0..k_new).map(|i| bit(&signs, i)));
                    shrink(&mut plus, rest, &scratch, h, true)?;
                    shrink(&mut minus, rest, &scratch, h, false)?;
                }
                let mut s1 = signs.clone();
                push_bit(&mut s1, k_new, true);
                out.push((s1, plus));
                let mut s2 = signs;
                push_bit(&mut s2, k_new, false);
                out.push((s2, minus));
            }
            None => {
                let side = dot(h, &w)?;
                if side == 0 {
                    return None;
                }
                let mut s = signs;
                push_bit(&mut s, k_new, side > 0);
                out.push((s, w));
            }
        }
    }
    Some(out)
}

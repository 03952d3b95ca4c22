//! The float simplex's model: the computational form `A x - s = 0` of an
//! integer-form LP in `f64`, scaled by powers of two, with the bounds of
//! every variable and the constraint each bound comes from.
//!
//! Must not: decide, or change the LP: scaling only (powers of two, so the
//! scaled data are the exact float copies times powers of two).

use super::MAX_ENTRIES;
use crate::intform::{IntLp, Kind, Origin};
use crate::linalg::Ring;

pub(super) struct Model {
    pub(super) m: usize,
    pub(super) n: usize,
    /// Scaled `A`, row-major, `m x n` (the slack columns `-I` are implicit).
    pub(super) a: Vec<f64>,
    pub(super) lo: Vec<f64>,
    pub(super) hi: Vec<f64>,
    /// Scaled phase-2 cost (slacks 0).
    pub(super) c: Vec<f64>,
    /// Column scale of the structurals: `x_j = cs_j * x'_j`.
    pub(super) cs: Vec<f64>,
    /// Constraint index giving variable `j`'s lower / upper bound.
    pub(super) lo_con: Vec<Option<usize>>,
    pub(super) hi_con: Vec<Option<usize>>,
}

fn pow2(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        2f64.powi(v.log2().round().clamp(-1000.0, 1000.0) as i32)
    } else {
        1.0
    }
}

/// `(kind, value)` of a bound row on variable `j` (`coef_j * x_j  kind  rhs`),
/// with the kind flipped for a negative coefficient.
fn bound_of<T: Ring>(coef: &T, rhs: &T, kind: Kind) -> Option<(Kind, f64)> {
    let a = coef.to_f64();
    if a == 0.0 {
        return None;
    }
    let v = rhs.to_f64() / a;
    let kind = match (kind, a < 0.0) {
        (Kind::Ge, true) => Kind::Le,
        (Kind::Le, true) => Kind::Ge,
        (k, _) => k,
    };
    Some((kind, v))
}

pub(super) fn build<T: Ring>(ilp: &IntLp<T>) -> Option<Model> {
    let n = ilp.n;
    let mut lo = vec![f64::NEG_INFINITY; n];
    let mut hi = vec![f64::INFINITY; n];
    let mut lo_con = vec![None; n];
    let mut hi_con = vec![None; n];
    let mut rows: Vec<usize> = Vec::new();
    for (k, con) in ilp.cons.iter().enumerate() {
        let j = match con.origin {
            Origin::Lower(j) | Origin::Upper(j) => j,
            _ => {
                rows.push(k);
                continue;
            }
        };
        let Some((kind, v)) = con
            .coef
            .get(j)
            .and_then(|a| bound_of(a, &con.rhs, con.kind))
        else {
            rows.push(k);
            continue;
        };
        if matches!(kind, Kind::Ge | Kind::Eq) && (lo_con[j].is_none() || v > lo[j]) {
            lo[j] = v;
            lo_con[j] = Some(k);
        }
        if matches!(kind, Kind::Le | Kind::Eq) && (hi_con[j].is_none() || v < hi[j]) {
            hi[j] = v;
            hi_con[j] = Some(k);
        }
    }
    let m = rows.len();
    let nc = n + m;
    if m.checked_mul(2 * n + 1)? > MAX_ENTRIES {
        return None;
    }
    // Unscaled A and b.
    let mut a: Vec<f64> = vec![0.0; m * n];
    let mut b = vec![0.0; m];
    for (i, &k) in rows.iter().enumerate() {
        for (j, v) in ilp.cons[k].coef.iter().enumerate() {
            a[i * n + j] = v.to_f64();
        }
        b[i] = ilp.cons[k].rhs.to_f64();
    }
    // Geometric-mean scaling passes, then row equilibration; powers of two.
    let mut rs = vec![1.0; m];
    let mut cs = vec![1.0; n];
    let entry = |a: &[f64], rs: &[f64], cs: &[f64], i: usize, j: usize| {
        (a[i * n + j] * rs[i] * cs[j]).abs()
    };
    for _ in 0..4 {
        for i in 0..m {
            let (mut mn, mut mx) = (f64::INFINITY, 0.0f64);
            for j in 0..n {
                let v = entry(&a, &rs, &cs, i, j);
                if v > 0.0 {
                    mn = mn.min(v);
                    mx = mx.max(v);
                }
            }
            if mx > 0.0 {
                rs[i] *= pow2(1.0 / (mn * mx).sqrt());
            }
        }
        for j in 0..n {
            let (mut mn, mut mx) = (f64::INFINITY, 0.0f64);
            for i in 0..m {
                let v = entry(&a, &rs, &cs, i, j);
                if v > 0.0 {
                    mn = mn.min(v);
                    mx = mx.max(v);
                }
            }
            if mx > 0.0 {
                cs[j] *= pow2(1.0 / (mn * mx).sqrt());
            }
        }
    }
    for i in 0..m {
        let mx = (0..n)
            .map(|j| entry(&a, &rs, &cs, i, j))
            .fold(0.0, f64::max);
        if mx > 0.0 {
            rs[i] *= pow2(1.0 / mx);
        }
    }
    let mut t = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            t[i * n + j] = a[i * n + j] * rs[i] * cs[j];
        }
    }
    let mut lo2 = Vec::with_capacity(nc);
    let mut hi2 = Vec::with_capacity(nc);
    for j in 0..n {
        // Bounds that cross by rounding only (equal rationals read as two
        // floats) fix the variable; a real crossing is left to `Error`.
        let (l, h) = (lo[j] / cs[j], hi[j] / cs[j]);
        let h = if l > h && l - h <= 1e-12 * l.abs().max(1.0) {
            l
        } else {
            h
        };
        lo2.push(l);
        hi2.push(h);
    }
    for (i, &k) in rows.iter().enumerate() {
        let v = b[i] * rs[i];
        let (l, h) = match ilp.cons[k].kind {
            Kind::Ge => (v, f64::INFINITY),
            Kind::Le => (f64::NEG_INFINITY, v),
            Kind::Eq => (v, v),
        };
        lo2.push(l);
        hi2.push(h);
    }
    let mut c: Vec<f64> = (0..n).map(|j| ilp.c[j].to_f64() * cs[j]).collect();
    let cmax = c.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    if cmax > 0.0 {
        let f = pow2(1.0 / cmax);
        c.iter_mut().for_each(|v| *v *= f);
    }
    c.resize(nc, 0.0);
    if t.iter().chain(&c).any(|v| !v.is_finite())
        || lo2
            .iter()
            .zip(&hi2)
            .any(|(l, h)| l.is_nan() || h.is_nan() || l > h)
    {
        return None;
    }
    let mut lo_con2 = lo_con;
    let mut hi_con2 = hi_con;
    for &k in &rows {
        let kind = ilp.cons[k].kind;
        lo_con2.push(matches!(kind, Kind::Ge | Kind::Eq).then_some(k));
        hi_con2.push(matches!(kind, Kind::Le | Kind::Eq).then_some(k));
    }
    Some(Model {
        m,
        n,
        a: t,
        lo: lo2,
        hi: hi2,
        c,
        cs,
        lo_con: lo_con2,
        hi_con: hi_con2,
    })
}

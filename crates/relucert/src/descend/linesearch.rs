//! The exact piecewise line search of a descent step.
//!
//! Owns: walking the pieces of the loss along a certified descent arc
//! `theta(t)`: on each piece the loss is a polynomial in `t` and the
//! pieces end where a pre-activation or a loss argument (hinge margin,
//! residual, competitor difference) crosses zero, a root of a polynomial
//! in `t`. The walk goes to the exact minimiser of the current piece when
//! it lies inside the piece, else to the piece's end (the next kink) and
//! on while the loss still descends there. Rational kinks are reached
//! exactly; an irrational one is bracketed by simple rationals
//! (continued-fraction convergents of its float value, each side checked
//! by the exact sign of the kink polynomial), and points landing exactly
//! on it are made by shifting the unit's bias (`kink_snaps`). Also owns
//! `zeros`, the list of the zero pre-activations and loss arguments of a
//! point (what "a kink reached" means).
//!
//! Must not: decide anything. Everything here only proposes steps; the
//! caller keeps a candidate only when its exact loss is lower. Floats
//! only propose roots and minimisers of degree above 2.

use crate::arc::UPoly;
use crate::network::{LossKind, Params, Problem};
use crate::number::Q;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Pieces walked at most per line search.
const MAX_PIECES: usize = 48;

/// A zero of a point: data point `point`, layer `layer` (1-based hidden
/// layer; `depth` for the loss argument), unit `unit` (for the loss: the
/// output unit whose argument is zero, or 0 for the binary hinge and the
/// regression residual).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kink {
    /// Data point index (0-based).
    pub point: usize,
    /// Layer (1-based); `depth` means the loss's argument.
    pub layer: usize,
    /// Unit within the layer (or competitor class for the loss).
    pub unit: usize,
}

/// What the walk proposes: step lengths along the arc and the kinks it
/// bracketed (for `kink_snaps` at the points near them).
#[derive(Clone, Debug, Default)]
pub struct Proposal {
    /// Candidate steps `t > 0`.
    pub steps: Vec<Q>,
    /// Steps next to an irrational kink, with the kink's identity.
    pub near_kinks: Vec<(Q, Kink)>,
}

/// `p(t0 + s)` as a polynomial in `s` (Taylor shift).
pub fn shift(p: &UPoly, t0: &Q) -> UPoly {
    let mut c = p.0.clone();
    let n = c.len();
    for i in 0..n {
        for j in (i..n.saturating_sub(1)).rev() {
            let add = &c[j + 1] * t0;
            c[j] += add;
        }
    }
    UPoly(c)
}

/// The sign of `p` on `(t0, t0 + eps)` for all small `eps`.
fn sign_right(p: &UPoly, t0: &Q) -> i8 {
    shift(p, t0).germ_sign()
}

/// One piece of the loss along the arc, from `t0` on: the loss polynomial
/// (in absolute `t`) and every kink polynomial with its identity.
struct Piece {
    loss: UPoly,
    kinks: Vec<(UPoly, Kink)>,
}

fn piece(problem: &Problem, theta: &[UPoly], t0: &Q) -> Piece {
    let arch = &problem.arch;
    let depth = arch.depth();
    let one = UPoly::constant(Q::one());
    let mut total = UPoly::zero();
    let mut kinks = Vec::new();
    for (point, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let mut a: Vec<UPoly> = x.iter().map(|v| UPoly::constant(v.clone())).collect();
        for l in 1..=depth {
            let mut z = Vec::with_capacity(arch.widths[l]);
            for j in 0..arch.widths[l] {
                let mut acc = UPoly::zero();
                for (k, ak) in a.iter().enumerate() {
                    acc = acc.add(&theta[arch.weight_index(l, j, k)].mul(ak));
                }
                if let Some(b) = arch.bias_index(l, j) {
                    acc = acc.add(&theta[b]);
                }
                z.push(acc);
            }
            if l == depth {
                a = z;
                break;
            }
            a = z
                .into_iter()
                .enumerate()
                .map(|(unit, zj)| {
                    let slope = arch.activation.slope(sign_right(&zj, t0) >= 0);
                    let out = zj.scale(&slope);
                    kinks.push((
                        zj,
                        Kink {
                            point,
                            layer: l,
                            unit,
                        },
                    ));
                    out
                })
                .collect();
        }
        let f = a;
        let at = |unit| Kink {
            point,
            layer: depth,
            unit,
        };
        let mut args: Vec<(UPoly, usize)> = Vec::new();
        match problem.loss {
            LossKind::Absolute => {
                let r = f[0].sub(&UPoly::constant(problem.data.target(point)));
                let s = Q::from_integer(sign_right(&r, t0).into());
                total = total.add(&r.scale(&s));
                kinks.push((r, at(0)));
            }
            LossKind::Squared => {
                let r = f[0].sub(&UPoly::constant(problem.data.target(point)));
                total = total.add(&r.mul(&r));
            }
            LossKind::Hinge => args.push((one.sub(&f[0].scale(&Q::from_integer(y.into()))), 0)),
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..f.len()).filter(|&k| k != yc) {
                    args.push((one.add(&f[k]).sub(&f[yc]), k));
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                let comp: Vec<usize> = (0..f.len()).filter(|&k| k != yc).collect();
                let mut best = comp[0];
                for &k in &comp[1..] {
                    if sign_right(&f[k].sub(&f[best]), t0) > 0 {
                        best = k;
                    }
                }
                for &k in comp.iter().filter(|&&k| k != best) {
                    kinks.push((f[best].sub(&f[k]), at(k)));
                }
                args.push((one.add(&f[best]).sub(&f[yc]), best));
            }
        }
        for (arg, unit) in args {
            if sign_right(&arg, t0) > 0 {
                total = total.add(&arg);
            }
            kinks.push((arg, at(unit)));
        }
    }
    let n = Q::from_integer((problem.data.len() as i64).into());
    Piece {
        loss: total.scale(&(Q::one() / n)).trimmed_pub(),
        kinks,
    }
}

/// Each parameter of `arc` as a polynomial in `t`.
pub fn arc_polys(arc: &crate::arc::Arc) -> Vec<UPoly> {
    arc.param_polys()
}

/// Choose among `scored` (exact loss, flat point), all below `current`:
/// of the points keeping at least `1 - 2^-10` of the best decrease, the
/// one with the most zero pre-activations and loss arguments (a kink
/// reached), then the fewest bits, then the lowest loss.
pub fn choose(problem: &Problem, current: &Q, scored: Vec<(Q, Vec<Q>)>) -> Option<(Q, Vec<Q>)> {
    let best = scored.iter().map(|(l, _)| l).min()?.clone();
    let slack = (current - &best) / Q::from_integer(1024.into());
    let bar = &best + slack;
    let arch = &problem.arch;
    let mut keep: Vec<(usize, u64, Q, Vec<Q>)> = scored
        .into_iter()
        .filter(|(l, _)| *l <= bar)
        .map(|(l, flat)| {
            let z = Params::from_flat(arch, &flat).map_or(0, |p| zeros(problem, &p).len());
            let bits: u64 = flat
                .iter()
                .map(|q| q.numer().bits() + q.denom().bits())
                .sum();
            (z, bits, l, flat)
        })
        .collect();
    keep.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    keep.into_iter().next().map(|(_, _, l, f)| (l, f))
}

/// The next root after `t0`: exact, or bracketed `lo < root < hi`.
#[derive(Clone, Debug)]
enum Root {
    Exact(Q),
    Between(Q, Q),
}

impl Root {
    fn lower(&self) -> &Q {
        match self {
            Root::Exact(q) | Root::Between(q, _) => q,
        }
    }
}

/// The continued-fraction convergents of `x > 0` (at most `max` of them).
pub fn convergents(x: f64, max: usize) -> Vec<Q> {
    let mut out = Vec::new();
    if !(x.is_finite() && x > 0.0) {
        return out;
    }
    let (mut h0, mut h1) = (num_bigint::BigInt::zero(), num_bigint::BigInt::one());
    let (mut k0, mut k1) = (num_bigint::BigInt::one(), num_bigint::BigInt::zero());
    let mut r = x;
    for _ in 0..max {
        let a = r.floor();
        if !a.is_finite() || a > 1e15 {
            break;
        }
        let ai = num_bigint::BigInt::from(a as i64);
        let h2 = &ai * &h1 + &h0;
        let k2 = &ai * &k1 + &k0;
        let c = Q::new(h2.clone(), k2.clone());
        // x itself reached (in floats): further terms are rounding noise
        let exact = c.to_f64() == Some(x);
        out.push(c);
        if exact {
            break;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        let frac = r - a;
        if frac < 1e-300 {
            break;
        }
        r = 1.0 / frac;
    }
    out
}

/// The smallest root of `p` above `t0`, when one is found: linear and
/// rational quadratic roots exactly, others from floats, bracketed by
/// convergents whose exact signs differ (`None` when no bracket is found).
fn next_root(p: &UPoly, t0: &Q) -> Option<Root> {
    let q = shift(p, t0);
    let (m, _) = q.lowest()?;
    let c: Vec<Q> = q.0[m..].to_vec();
    if c.len() < 2 {
        return None;
    }
    if c.len() == 2 {
        let s = -&c[0] / &c[1];
        return s.is_positive().then(|| Root::Exact(t0 + s));
    }
    if c.len() == 3 {
        let disc = &c[1] * &c[1] - Q::from_integer(4.into()) * &c[0] * &c[2];
        if disc.is_negative() {
            return None;
        }
        let (n, d) = (disc.numer().clone(), disc.denom().clone());
        let (rn, rd) = (n.sqrt(), d.sqrt());
        if &rn * &rn == n && &rd * &rd == d {
            let root = Q::new(rn, rd);
            let two_a = Q::from_integer(2.into()) * &c[2];
            let mut rs = [(-&c[1] + &root) / &two_a, (-&c[1] - &root) / &two_a];
            rs.sort();
            return rs
                .into_iter()
                .find(|s| s.is_positive())
                .map(|s| Root::Exact(t0 + s));
        }
    }
    // floats propose: the first sign change of q on a geometric grid
    let cf: Vec<f64> = c.iter().map(|a| a.to_f64().unwrap_or(f64::NAN)).collect();
    if cf.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let val = |s: f64| cf.iter().rev().fold(0.0, |acc, a| acc * s + a);
    let s0 = val(0.0).signum();
    let grid: Vec<f64> = (0..=544)
        .map(|i| (2f64).powf(-60.0 + i as f64 / 8.0))
        .collect();
    let w = grid.windows(2).find(|w| val(w[1]).signum() != s0)?;
    let (mut lo, mut hi) = (w[0], w[1]);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if val(mid).signum() == s0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t0f = t0.to_f64()?;
    let root = t0f + 0.5 * (lo + hi);
    // exact bracket in absolute t from the convergents of the float root
    let germ = p.sign_at_right(t0);
    let (mut below, mut above): (Option<Q>, Option<Q>) = (None, None);
    for cv in convergents(root, 40) {
        if &cv <= t0 {
            continue;
        }
        let v = p.eval(&cv);
        let sg = if v.is_positive() {
            1
        } else if v.is_negative() {
            -1
        } else {
            0
        };
        if sg == 0 {
            return Some(Root::Exact(cv));
        }
        if sg == germ {
            below = Some(cv);
        } else {
            above = Some(cv);
        }
        if let (Some(b), Some(a)) = (&below, &above) {
            let gap = (a - b).abs().to_f64().unwrap_or(f64::INFINITY);
            if gap <= 1e-13 * root.max(1e-30) {
                break;
            }
        }
    }
    match (below, above) {
        (Some(b), Some(a)) if b < a => Some(Root::Between(b, a)),
        _ => None,
    }
}

trait UPolyExt {
    fn trimmed_pub(self) -> UPoly;
    fn sign_at_right(&self, t0: &Q) -> i8;
    fn derivative(&self) -> UPoly;
}

impl UPolyExt for UPoly {
    fn trimmed_pub(mut self) -> UPoly {
        while self.0.last().is_some_and(|a| a.is_zero()) {
            self.0.pop();
        }
        self
    }
    fn sign_at_right(&self, t0: &Q) -> i8 {
        sign_right(self, t0)
    }
    fn derivative(&self) -> UPoly {
        UPoly(
            self.0
                .iter()
                .enumerate()
                .skip(1)
                .map(|(k, a)| a * Q::from_integer((k as i64).into()))
                .collect(),
        )
    }
}

/// Does the loss descend on `(t0, t0 + eps)`? (Its derivative's sign
/// from the right, or for a constant derivative the sign itself.)
fn descends_from(loss: &UPoly, t0: &Q) -> bool {
    loss.derivative().sign_at_right(t0) < 0
}

/// Minimisers of the piece polynomial `loss` in `(t0, end)`: the exact
/// vertex of a quadratic, else local minimisers proposed by floats.
fn piece_minimisers(loss: &UPoly, t0: &Q) -> Vec<Q> {
    let c = &loss.0;
    if c.len() == 3 {
        if c[2].is_positive() {
            let v = -&c[1] / (&c[2] * Q::from_integer(2.into()));
            if &v > t0 {
                return vec![v];
            }
        }
        return Vec::new();
    }
    if c.len() <= 3 {
        return Vec::new();
    }
    // floats propose on the shifted polynomial
    let s = shift(loss, t0);
    super::float_minimisers(&s.0)
        .into_iter()
        .map(|m| t0 + m)
        .collect()
}

/// Simple rationals near `v` (continued-fraction convergents within
/// `1e-9` relative), simplest first, plus `v` itself.
fn simple_near(v: &Q) -> Vec<Q> {
    let mut out = Vec::new();
    if let Some(f) = v.to_f64() {
        for c in convergents(f, 40) {
            let err = (&c - v).abs().to_f64().unwrap_or(f64::INFINITY);
            if err <= 1e-9 * f.abs().max(1e-300) {
                out.push(c);
                if out.len() >= 3 {
                    break;
                }
            }
        }
    }
    out.push(v.clone());
    out
}

/// Walk the pieces of the loss along the arc whose parameters are the
/// polynomials `theta` (flat), from `t = 0`, to the first local minimum
/// along it (at most `MAX_PIECES` pieces).
pub fn walk(problem: &Problem, theta: &[UPoly], deadline: &crate::Deadline) -> Proposal {
    let mut out = Proposal::default();
    let mut t0 = Q::zero();
    for _ in 0..MAX_PIECES {
        if deadline.expired() {
            break;
        }
        let pc = piece(problem, theta, &t0);
        if !descends_from(&pc.loss, &t0) {
            break;
        }
        // the piece's end: the nearest next root of its kinks
        let mut end: Option<(Root, Kink)> = None;
        for (k, id) in &pc.kinks {
            if let Some(r) = next_root(k, &t0) {
                if end.as_ref().is_none_or(|(e, _)| r.lower() < e.lower()) {
                    end = Some((r, id.clone()));
                }
            }
        }
        let inside: Vec<Q> = piece_minimisers(&pc.loss, &t0)
            .into_iter()
            .filter(|m| end.as_ref().is_none_or(|(e, _)| m < e.lower()))
            .collect();
        if let Some(m) = inside.first() {
            out.steps.extend(simple_near(m));
            break;
        }
        match end {
            None => break,
            Some((Root::Exact(e), _)) => {
                out.steps.push(e.clone());
                t0 = e;
            }
            Some((Root::Between(lo, hi), id)) => {
                out.steps.push(lo.clone());
                out.steps.push(hi.clone());
                out.near_kinks.push((lo, id.clone()));
                out.near_kinks.push((hi.clone(), id));
                t0 = hi;
            }
        }
    }
    out
}

/// Points landing exactly on the kink `z` near `params`: the bias of the
/// kink's unit shifted by the value that makes it zero (pre-activations,
/// residuals, hinge margins of a unit with a bias). Proposals only.
pub fn kink_snaps(problem: &Problem, params: &Params, z: &Kink) -> Vec<Params> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let Some(x) = problem.data.x.get(z.point) else {
        return Vec::new();
    };
    let trace = crate::network::forward(arch, params, x);
    let y = problem.data.y.get(z.point).copied().unwrap_or(0);
    // the bias to move and by how much
    let (layer, unit, delta) = if z.layer < depth {
        let Some(v) = trace.pre.get(z.layer - 1).and_then(|p| p.get(z.unit)) else {
            return Vec::new();
        };
        (z.layer, z.unit, -v)
    } else {
        let f = &trace.output;
        match problem.loss {
            LossKind::Absolute | LossKind::Squared => {
                (depth, 0, problem.data.target(z.point) - &f[0])
            }
            LossKind::Hinge if y != 0 => {
                // 1 - y (f + d) = 0
                let yq = Q::from_integer(y.into());
                (depth, 0, (Q::one() - &yq * &f[0]) / yq)
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let yc = y as usize;
                match (f.get(z.unit), f.get(yc)) {
                    (Some(fk), Some(fy)) => (depth, z.unit, -(Q::one() + fk - fy)),
                    _ => return Vec::new(),
                }
            }
            LossKind::Hinge => return Vec::new(),
        }
    };
    if delta.is_zero() {
        return Vec::new();
    }
    let mut p = params.clone();
    match p.layers[layer - 1].b.as_mut() {
        Some(b) => {
            b[unit] += delta;
            vec![p]
        }
        None => Vec::new(),
    }
}

/// `params` rounded to a dyadic grid (8, 16, ..., 512 bits), then
/// snapped back onto each of its zeros in turn (`kink_snaps`): the
/// coarsest such point with at least as many zeros and an exact loss at
/// most `enough`, if any (`None` once the deadline has passed). A
/// proposal: the caller's loss bar decides.
pub fn round_keeping_kinks(
    problem: &Problem,
    params: &Params,
    enough: &Q,
    deadline: &crate::Deadline,
) -> Option<Params> {
    let want = zeros(problem, params);
    let flat = params.flat();
    for bits in [8u32, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512] {
        if deadline.expired() {
            return None;
        }
        let rounded: Vec<Q> = flat.iter().map(|q| super::round_dyadic(q, bits)).collect();
        let Some(mut p) = Params::from_flat(&problem.arch, &rounded) else {
            continue;
        };
        for z in &want {
            if let Some(s) = kink_snaps(problem, &p, z).into_iter().next() {
                p = s;
            }
        }
        if zeros(problem, &p).len() >= want.len() && problem.loss(&p) <= *enough {
            return Some(p);
        }
    }
    None
}

/// Every zero pre-activation of a hidden unit and every zero loss argument
/// (hinge margin `1 - y f`, multiclass `1 + f_k - f_y`, regression
/// residual) at `params`, in order.
pub fn zeros(problem: &Problem, params: &Params) -> Vec<Kink> {
    let arch = &problem.arch;
    let depth = arch.depth();
    let mut out = Vec::new();
    for (point, x) in problem.data.x.iter().enumerate() {
        let trace = crate::network::forward(arch, params, x);
        for (l, zs) in trace.pre.iter().enumerate() {
            for (unit, v) in zs.iter().enumerate() {
                if v.is_zero() {
                    out.push(Kink {
                        point,
                        layer: l + 1,
                        unit,
                    });
                }
            }
        }
        let f = &trace.output;
        let y = problem.data.y.get(point).copied().unwrap_or(0);
        let args: Vec<(usize, Q)> = match problem.loss {
            LossKind::Absolute | LossKind::Squared => {
                vec![(0, &f[0] - problem.data.target(point))]
            }
            LossKind::Hinge => vec![(0, Q::one() - Q::from_integer(y.into()) * &f[0])],
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let yc = y as usize;
                (0..f.len())
                    .filter(|&k| k != yc)
                    .filter_map(|k| f.get(yc).map(|fy| (k, Q::one() + &f[k] - fy)))
                    .collect()
            }
        };
        for (unit, v) in args {
            if v.is_zero() {
                out.push(Kink {
                    point,
                    layer: depth,
                    unit,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    #[test]
    fn shift_is_the_taylor_shift() {
        // p(t) = 1 + 2t + 3t^2; p(2 + s) = 17 + 14 s + 3 s^2
        let p = UPoly(vec![q(1, 1), q(2, 1), q(3, 1)]);
        assert_eq!(shift(&p, &q(2, 1)).0, vec![q(17, 1), q(14, 1), q(3, 1)]);
        for s in [q(0, 1), q(1, 3), q(-5, 2)] {
            assert_eq!(shift(&p, &q(2, 1)).eval(&s), p.eval(&(q(2, 1) + &s)));
        }
    }

    #[test]
    fn next_root_brackets_an_irrational_root() {
        // t^2 - 2 on (1, ...): sqrt 2
        let p = UPoly(vec![q(-2, 1), q(0, 1), q(1, 1)]);
        match next_root(&p, &q(1, 1)) {
            Some(Root::Between(lo, hi)) => {
                assert!((&lo * &lo) < q(2, 1) && (&hi * &hi) > q(2, 1));
                assert!((&hi - &lo) < q(1, 1_000_000_000));
            }
            other => panic!("{other:?}"),
        }
        // (t - 1/3)(t - 3/2): exact roots; after 1/3 comes 3/2
        let p = UPoly(vec![q(1, 2), q(-11, 6), q(1, 1)]);
        assert!(matches!(next_root(&p, &q(1, 3)), Some(Root::Exact(r)) if r == q(3, 2)));
        assert!(matches!(next_root(&p, &q(0, 1)), Some(Root::Exact(r)) if r == q(1, 3)));
        assert!(next_root(&p, &q(2, 1)).is_none());
    }

    #[test]
    fn convergents_of_a_simple_fraction_end_at_it() {
        let c = convergents(0.375, 10);
        assert_eq!(c.last(), Some(&q(3, 8)));
    }
}

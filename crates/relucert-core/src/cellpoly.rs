//! Cell polynomials: the loss on one cell as an exact polynomial in the
//! parameters.
//!
//! Owns: turning a `Pattern` (fixed activation sides, active hinge terms,
//! Crammer-Singer competitors) into the network outputs and the loss
//! `phi_S` as `Poly`s over the flat parameter vector of FORMAT.md
//! (variable `v` is flat parameter `v`; names from
//! `Architecture::param_name`).
//!
//! On the closure of the cell the loss coincides with `phi_S`; `phi_S` is
//! multilinear in the layer blocks (every variable has degree <= 1), so its
//! total degree is at most the depth L.
//!
//! Must not: decide which pattern is realised (that is the signature, in
//! `network`), or evaluate numerically. It is a purely symbolic mirror of
//! the forward pass, kept independent of `network::forward` so the two can
//! check each other in tests.

use crate::network::{LossKind, Pattern, Problem};
use crate::number::{qi, Q};
use crate::poly::{Poly, Var};
use num_traits::One;

/// Output polynomials `f_k(x_i; theta)` of data point `i` on the cell `pattern`.
pub fn output_polys(problem: &Problem, pattern: &Pattern, i: usize) -> Vec<Poly> {
    let arch = &problem.arch;
    let mut a: Vec<Poly> = problem.data.x[i]
        .iter()
        .map(|v| Poly::constant(v.clone()))
        .collect();
    for l in 1..=arch.depth() {
        let mut z: Vec<Poly> = Vec::with_capacity(arch.widths[l]);
        for j in 0..arch.widths[l] {
            let mut zj = Poly::zero();
            for (k, ak) in a.iter().enumerate() {
                if ak.is_zero() {
                    continue;
                }
                let v = arch.weight_index(l, j, k) as Var;
                zj = zj.add(&ak.mul_var(v));
            }
            if let Some(b) = arch.bias_index(l, j) {
                zj.add_term(crate::poly::Monomial::var(b as Var), Q::one());
            }
            z.push(zj);
        }
        if l == arch.depth() {
            return z;
        }
        a = z
            .into_iter()
            .enumerate()
            .map(|(j, zj)| {
                let slope = arch.activation.slope(pattern.active[l - 1][i][j]);
                if slope.is_one() {
                    zj
                } else {
                    zj.scale(&slope)
                }
            })
            .collect();
    }
    a
}

/// The cell polynomial `phi_S`: `(1/N) sum_i` of the active hinge arguments
/// of point i, with the network replaced by its polynomial form on the cell.
/// Absolute loss: `f - t` or `t - f` by the side of the residual; squared
/// loss: `(f - t)^2` (no longer multilinear).
pub fn loss_poly(problem: &Problem, pattern: &Pattern) -> Poly {
    let n = problem.data.len();
    let mut total = Poly::zero();
    for i in 0..n {
        let f = output_polys(problem, pattern, i);
        let y = problem.data.y[i];
        let one = Poly::constant(Q::one());
        match problem.loss {
            LossKind::Hinge => {
                if pattern.hinge_active[i].first().copied().unwrap_or(false) {
                    // 1 - y f
                    total = total.add(&one.sub(&f[0].scale(&qi(y))));
                }
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                let competitors = (0..f.len()).filter(|&k| k != yc);
                for (t, k) in competitors.enumerate() {
                    if pattern.hinge_active[i].get(t).copied().unwrap_or(false) {
                        total = total.add(&one.add(&f[k]).sub(&f[yc]));
                    }
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                if pattern.hinge_active[i].first().copied().unwrap_or(false) {
                    if let Some(k) = pattern.competitor[i] {
                        total = total.add(&one.add(&f[k]).sub(&f[yc]));
                    }
                }
            }
            LossKind::Absolute => {
                // |f - t|: f - t on the positive side, t - f on the negative
                let r = f[0].sub(&Poly::constant(problem.data.target(i)));
                if pattern.hinge_active[i].first().copied().unwrap_or(false) {
                    total = total.add(&r);
                } else {
                    total = total.sub(&r);
                }
            }
            LossKind::Squared => {
                let r = f[0].sub(&Poly::constant(problem.data.target(i)));
                total = total.add(&r.mul(&r));
            }
        }
    }
    total.scale(&Q::new(1.into(), (n as i64).into()))
}

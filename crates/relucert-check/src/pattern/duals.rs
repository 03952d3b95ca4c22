//! The duals of a pattern-LP certificate: weak LP duality for every pair a
//! dual lists.
//!
//! Owns: checking each dual's `lambda` (in `[0, 1]`, `sum lambda_i y_i = 0`
//! with an output bias, bound `(1/N) sum lambda_i >= loss`) and, for each
//! pair it lists (valid, not repeated), that `nu >= 0` on hyperplane points
//! gives `sum_k nu_k eps_k x~_k + g = 0` with
//! `g = s sum_i lambda_i y_i mu(eps_i) x~_i`; returning, per dual, the
//! bitset of its proven pairs for the cover.
//!
//! Must not: decide which sets are covered (that is `cover`).

use super::chambers::add_signed;
use super::Setting;
use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::cert::{Chamber, DualBound, PairProof};
use relucert_core::network::Sign;
use relucert_core::number::{fmt_q, Q};
use relucert_core::Deadline;

/// One pair's proof: `g . u <= 0` on the pair's cone.
fn check_pair(
    s: &Setting<'_>,
    d: usize,
    lambda: &[Q],
    chamber: &Chamber,
    proof: &PairProof,
) -> Result<(), CheckError> {
    let p = proof.pair;
    let eps = &chamber.signs;
    // The residual sum_k nu_k eps_k x~_k + g.
    let mut r = vec![Q::zero(); s.d];
    let out = if p % 2 == 0 { Sign::Pos } else { Sign::Neg };
    for i in 0..s.n() {
        let w = &lambda[i] * &s.y[i] * s.mu(eps[i]);
        add_signed(&mut r, out, &w, &s.xt[i]);
    }
    for (k, v) in &proof.nu {
        if *k >= s.n() || s.plane[*k].is_none() || v.is_negative() {
            return Err(s.fail(format!(
                "dual {d}, pair {p}: nu entries need a hyperplane point and a value >= 0"
            )));
        }
        add_signed(&mut r, eps[*k], v, &s.xt[*k]);
    }
    if r.iter().any(|v| !v.is_zero()) {
        return Err(s.fail(format!(
            "dual {d}, pair {p}: sum_k nu_k eps_k x~_k + g is not 0"
        )));
    }
    Ok(())
}

/// Check every dual; return per dual the bitset (u64 words) of its pairs.
pub(super) fn check(
    s: &Setting<'_>,
    loss: &Q,
    chambers: &[Chamber],
    duals: &[DualBound],
    deadline: &Deadline,
) -> Result<Vec<Vec<u64>>, CheckError> {
    let pairs = 2 * chambers.len();
    let n = Q::from_integer((s.n() as i64).into());
    let mut all = Vec::with_capacity(duals.len());
    for (d, dual) in duals.iter().enumerate() {
        deadline.check()?;
        let lambda = &dual.lambda;
        if lambda.len() != s.n() || lambda.iter().any(|l| l.is_negative() || *l > Q::one()) {
            return Err(s.fail(format!(
                "dual {d}: `lambda` needs {} entries in [0, 1]",
                s.n()
            )));
        }
        if s.output_bias {
            let sum = lambda
                .iter()
                .zip(&s.y)
                .fold(Q::zero(), |a, (l, y)| a + l * y);
            if !sum.is_zero() {
                return Err(s.fail(format!(
                    "dual {d}: sum_i lambda_i y_i is {}, not 0 (output bias)",
                    fmt_q(&sum)
                )));
            }
        }
        let bound = lambda.iter().fold(Q::zero(), |a, l| a + l) / &n;
        if bound < *loss {
            return Err(s.fail(format!(
                "dual {d}: its bound {} is below the loss {}",
                fmt_q(&bound),
                fmt_q(loss)
            )));
        }
        let mut bits = vec![0u64; pairs.div_ceil(64)];
        for proof in &dual.pairs {
            deadline.check()?;
            let p = proof.pair;
            if p >= pairs || bits[p / 64] >> (p % 64) & 1 == 1 {
                return Err(s.fail(format!(
                    "dual {d}: pair {p} is not below {pairs} or is listed twice"
                )));
            }
            bits[p / 64] |= 1 << (p % 64);
            check_pair(s, d, lambda, &chambers[p / 2], proof)?;
        }
        all.push(bits);
    }
    Ok(all)
}

//! The corner a creeping descent approaches (issue 18): several kinks
//! meeting at one point, which exact line searches along successive arcs
//! approach geometrically but never reach.
//!
//! Owns: `corner_snap`, the proposal that puts every nearly zero hidden
//! pre-activation and hinge margin exactly on zero at once (least changes
//! of the units' weights and biases, from exact linear systems).
//!
//! Must not: decide anything. It only proposes a point; the descent keeps
//! it only when its exact loss is lower, and the verifier decides there.

use crate::network::{LossKind, Params, Problem};
use crate::number::Q;
use num_traits::{One, Signed, Zero};

/// The smallest change `delta` (least norm) with `rows . delta = rhs`, or
/// `None` when the system is inconsistent.
fn least_change(rows: &[Vec<Q>], rhs: &[Q]) -> Option<Vec<Q>> {
    let gram: Vec<Vec<Q>> = rows
        .iter()
        .map(|a| {
            rows.iter()
                .map(|b| a.iter().zip(b).map(|(x, y)| x * y).sum())
                .collect()
        })
        .collect();
    let u = crate::linalg::solve(&gram, rhs)?;
    let n = rows.first().map_or(0, Vec::len);
    Some(
        (0..n)
            .map(|c| rows.iter().zip(&u).map(|(r, ui)| &r[c] * ui).sum())
            .collect(),
    )
}

/// The corner a creeping descent approaches, for one hidden layer and
/// the binary hinge: every hidden pre-activation and hinge margin that is
/// nonzero but at most `1e-6` of the largest of its layer is made exactly
/// zero together with the others of its unit (the least change of the
/// unit's incoming weights and bias), then every near-zero margin (the
/// least change of the output layer, hidden activations of the new first
/// layer, their signs kept). A proposal: `None` when nothing is near zero
/// or a system is inconsistent; the caller's exact loss decides.
pub fn corner_snap(problem: &Problem, params: &Params) -> Option<Params> {
    let arch = &problem.arch;
    if arch.depth() != 2 || problem.loss != LossKind::Hinge || !arch.bias[0] || !arch.bias[1] {
        return None;
    }
    let data = &problem.data;
    let near = |vs: &[Q]| -> Vec<usize> {
        let big = vs.iter().map(|v| v.abs()).max().unwrap_or_else(Q::zero);
        let million = Q::from_integer(1_000_000.into());
        (0..vs.len())
            .filter(|&i| !vs[i].is_zero() && vs[i].abs() * &million <= big)
            .collect()
    };
    let mut p = params.clone();
    let mut moved = false;
    let signs: Vec<Vec<bool>> = data
        .x
        .iter()
        .map(|x| {
            crate::network::forward(arch, params, x).pre[0]
                .iter()
                .map(|v| v.is_positive())
                .collect()
        })
        .collect();
    // the hidden units: rows [x_i, 1] of the near-zero points of unit j
    for j in 0..arch.widths[1] {
        let zs: Vec<Q> = data
            .x
            .iter()
            .map(|x| crate::network::forward(arch, &p, x).pre[0][j].clone())
            .collect();
        let idx = near(&zs);
        if idx.is_empty() {
            continue;
        }
        let rows: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| {
                let mut r = data.x[i].clone();
                r.push(Q::one());
                r
            })
            .collect();
        let rhs: Vec<Q> = idx.iter().map(|&i| -&zs[i]).collect();
        let d = least_change(&rows, &rhs)?;
        let layer = &mut p.layers[0];
        for (c, dc) in d.iter().enumerate().take(layer.w[j].len()) {
            layer.w[j][c] += dc;
        }
        if let (Some(b), Some(db)) = (layer.b.as_mut(), d.last()) {
            b[j] += db;
        }
        moved = true;
    }
    // the output layer: margins 1 - y (w . a_i + b) with a_i the hidden
    // activations of the new first layer (the old signs)
    let acts: Vec<Vec<Q>> = data
        .x
        .iter()
        .zip(&signs)
        .map(|(x, sg)| {
            crate::network::forward(arch, &p, x).pre[0]
                .iter()
                .zip(sg)
                .map(|(v, &pos)| arch.activation.slope(pos) * v)
                .collect()
        })
        .collect();
    let margins: Vec<Q> = data
        .x
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let f = crate::network::forward(arch, &p, x).output[0].clone();
            Q::one() - Q::from_integer(data.y[i].into()) * f
        })
        .collect();
    let idx = near(&margins);
    if !idx.is_empty() {
        // 1 - y (f + a . dw + db) = 0  <=>  a . dw + db = (1 - y f) / y
        let rows: Vec<Vec<Q>> = idx
            .iter()
            .map(|&i| {
                let mut r = acts[i].clone();
                r.push(Q::one());
                r
            })
            .collect();
        let rhs: Vec<Q> = idx
            .iter()
            .map(|&i| &margins[i] / Q::from_integer(data.y[i].into()))
            .collect();
        let d = least_change(&rows, &rhs)?;
        let layer = &mut p.layers[1];
        for (c, dc) in d.iter().enumerate().take(layer.w[0].len()) {
            layer.w[0][c] += dc;
        }
        if let (Some(b), Some(db)) = (layer.b.as_mut(), d.last()) {
            b[0] += db;
        }
        moved = true;
    }
    moved.then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    #[test]
    fn corner_snap_zeroes_the_near_zero_kinks_together() {
        use crate::network::{Activation, Architecture, Data};
        // 1 input, 1 hidden leaky unit, hinge; points x = 1, 2, 5
        let arch = Architecture {
            widths: vec![1, 1, 1],
            activation: Activation::Leaky(q(1, 10)),
            bias: vec![true, true],
        };
        let data = Data::labelled(
            vec![vec![q(1, 1)], vec![q(2, 1)], vec![q(5, 1)]],
            vec![1, 1, -1],
        );
        let problem = Problem {
            arch: arch.clone(),
            loss: LossKind::Hinge,
            data,
        };
        let tiny = q(1, 1_000_000_000);
        // w1 = b1 = tiny: pre-activations 2e-9, 3e-9, 6e-9, all of the same
        // size, none near zero against the largest; margins 1 - y f with
        // f = tiny-ish, none near zero either
        let p = Params::from_flat(&arch, &[tiny.clone(), tiny.clone(), q(1, 1), q(0, 1)])
            .expect("shape");
        assert!(corner_snap(&problem, &p).is_none());
        // w1 = 1, b1 = -1 + tiny: x = 1 gives tiny (near zero against 4)
        let p = Params::from_flat(&arch, &[q(1, 1), q(-1, 1) + &tiny, q(1, 1), q(0, 1)])
            .expect("shape");
        let c = corner_snap(&problem, &p).expect("a corner");
        let pre = |x: i64| crate::network::forward(&arch, &c, &[q(x, 1)]).pre[0][0].clone();
        assert!(pre(1).is_zero());
        assert!(!pre(2).is_zero() && !pre(5).is_zero());
    }
}

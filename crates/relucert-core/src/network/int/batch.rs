//! Batched, parallel exact evaluation of many points: what `relucert eval`
//! runs on large data sets.
//!
//! Owns: [`Problem::evaluate_points`] and its result [`PointsEvaluation`]
//! (per-point loss details, the signature, the exact loss), computed batch
//! by batch. A batch of points is rescaled to integers over one common
//! denominator; each layer is then an integer matrix product over the
//! batch with one denominator per layer. Before a layer runs, an exact
//! bound (`sum_k |W_jk| max|A| + |b_j| den(A)`, in checked `u128`) proves
//! that no partial sum can overflow, so the products run in plain `i64`
//! (or `i128`) multiply-adds; a batch whose bound fails is redone point by
//! point through the checked `i128` / `BigInt` pass of the parent module.
//! Batches run in parallel (rayon) when there are many points; results
//! are collected in point order and the loss is summed in that order, so
//! the output does not depend on the thread count.
//!
//! Memory: the hidden pre-activations are never kept as rationals; only
//! their signs (one byte each) and each point's `PointLoss` are kept.
//!
//! Must not: round, or keep a value whose bound check failed; decide
//! anything (it evaluates).

use super::{Acc, Int, IntParams};
use crate::network::{
    point_loss, HingeTerm, LossKind, Params, PointLoss, Problem, Sign, Signature,
};
use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;
use rayon::prelude::*;

/// Points per batch.
const BATCH: usize = 256;
/// Below this many points the batches run on the calling thread.
const PARALLEL_MIN: usize = 4096;

/// Every point's loss details, the signature and the exact loss, without
/// the per-point rational pre-activations of [`crate::network::Evaluation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsEvaluation {
    /// The loss details at each data point (as in `Evaluation::points`).
    pub points: Vec<PointLoss>,
    /// The signature (as `Signature::of(problem, &problem.evaluate(..))`).
    pub signature: Signature,
    /// `(1/N) sum_i loss_i`.
    pub loss: Q,
}

/// One batch's share of the result.
struct BatchOut {
    points: Vec<PointLoss>,
    /// `signs[i][l]`: signs of hidden layer l+1 at the batch's point i.
    signs: Vec<Vec<Vec<Sign>>>,
    acc: Acc,
}

impl Problem {
    /// Exact evaluation of every point: the same `points`, signature and
    /// loss as [`Problem::evaluate`] + [`Signature::of`], in batches of
    /// integer arithmetic, in parallel for large data sets (deterministic:
    /// results are assembled in point order).
    pub fn evaluate_points(&self, params: &Params) -> PointsEvaluation {
        let prepared = IntParams::new(params, &self.arch.activation);
        let n = self.data.len();
        let starts: Vec<usize> = (0..n).step_by(BATCH).collect();
        let run = |&s: &usize| self.batch(&prepared, s, (s + BATCH).min(n));
        let outs: Vec<BatchOut> = if n >= PARALLEL_MIN {
            starts.par_iter().map(run).collect()
        } else {
            starts.iter().map(run).collect()
        };
        let layers = self.arch.hidden_layers();
        let mut points = Vec::with_capacity(n);
        let mut hidden: Vec<Vec<Vec<Sign>>> = vec![Vec::with_capacity(n); layers];
        let mut acc = Acc::zero();
        for out in outs {
            points.extend(out.points);
            for per_point in out.signs {
                for (l, s) in per_point.into_iter().enumerate() {
                    hidden[l].push(s);
                }
            }
            acc.merge(out.acc);
        }
        let signature = Signature::with_hidden(self, hidden, &points);
        PointsEvaluation {
            points,
            signature,
            loss: acc.over(n.max(1)),
        }
    }

    /// Points `lo..hi`: the fast batched pass, or point by point.
    fn batch(&self, prepared: &IntParams, lo: usize, hi: usize) -> BatchOut {
        if let Some(out) = self.batch_small(prepared, lo, hi) {
            return out;
        }
        let mut out = BatchOut {
            points: Vec::with_capacity(hi - lo),
            signs: Vec::with_capacity(hi - lo),
            acc: Acc::zero(),
        };
        for i in lo..hi {
            let t = prepared.forward(&self.data.x[i]);
            let p = point_loss(self.loss, &t.output, self.data.y[i], &self.data.target(i));
            out.signs.push(
                t.pre
                    .iter()
                    .map(|z| z.iter().map(Sign::of).collect())
                    .collect(),
            );
            out.acc.add_q(p.loss.clone());
            out.points.push(p);
        }
        out
    }

    /// The batched integer pass; `None` when some bound does not fit.
    fn batch_small(&self, prepared: &IntParams, lo: usize, hi: usize) -> Option<BatchOut> {
        let layers = prepared.small.as_ref()?;
        let (p, q) = prepared.small_slope?;
        let rows = &self.data.x[lo..hi];
        let b = rows.len();
        // inputs over one common denominator
        let mut den: i128 = 1;
        for v in rows.iter().flatten() {
            let d = v.denom().to_i128()?;
            den = (den / den.gcd(&d)).checked_mul(d)?;
        }
        let mut a: Vec<i128> = Vec::with_capacity(b * rows.first().map_or(0, Vec::len));
        for v in rows.iter().flatten() {
            a.push(
                v.numer()
                    .to_i128()?
                    .checked_mul(den / v.denom().to_i128()?)?,
            );
        }
        let mut signs: Vec<Vec<Vec<Sign>>> = vec![Vec::with_capacity(layers.len()); b];
        for (l, layer) in layers.iter().enumerate() {
            let z = layer_product(layer, &a, den, b)?;
            den = layer.den.checked_mul(den)?;
            if l + 1 == layers.len() {
                a = z;
                break;
            }
            for (i, s) in signs.iter_mut().enumerate() {
                s.push(
                    z[i * layer.rows..(i + 1) * layer.rows]
                        .iter()
                        .map(|v| Sign::of_int(*v))
                        .collect(),
                );
            }
            a = if prepared.linear {
                z
            } else if (p, q) == (0, 1) {
                z.into_iter().map(|v| v.max(0)).collect()
            } else {
                // positive side times q, negative side times p, over den * q
                den = den.checked_mul(q)?;
                z.into_iter()
                    .map(|v| v.checked_mul(if v < 0 { p } else { q }))
                    .collect::<Option<Vec<i128>>>()?
            };
        }
        let k = layers.last().map_or(0, |l| l.rows);
        let mut out = BatchOut {
            points: Vec::with_capacity(b),
            signs,
            acc: Acc::zero(),
        };
        for i in 0..b {
            let idx = lo + i;
            let target = if self.loss.is_regression() {
                let t = self.data.target(idx);
                Some((t.numer().to_i128()?, t.denom().to_i128()?))
            } else {
                None
            };
            let f = &a[i * k..(i + 1) * k];
            let (pl, (ln, ld)) = point_loss_int(self.loss, f, den, self.data.y[idx], target)?;
            i128::add_to(&mut out.acc, &ln, &ld);
            out.points.push(pl);
        }
        Some(out)
    }
}

/// `Z = W A + b den(A)` over the batch (`a`: `b` rows of `layer.cols`;
/// result: `b` rows of `layer.rows`), after the exact overflow bound.
fn layer_product(
    layer: &super::IntLayer<i128>,
    a: &[i128],
    a_den: i128,
    b: usize,
) -> Option<Vec<i128>> {
    let max_a = a.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    let mut bound: u128 = 0;
    let mut max_w: u128 = 0;
    for j in 0..layer.rows {
        let mut row: u128 = 0;
        for w in &layer.w[j * layer.cols..(j + 1) * layer.cols] {
            row = row.checked_add(w.unsigned_abs())?;
            max_w = max_w.max(w.unsigned_abs());
        }
        let bias = layer.b.as_ref().map_or(0, |bv| bv[j].unsigned_abs());
        let r = row
            .checked_mul(max_a)?
            .checked_add(bias.checked_mul(a_den.unsigned_abs())?)?;
        bound = bound.max(r);
    }
    let small = bound <= i64::MAX as u128 && max_a <= i64::MAX as u128 && max_w <= i64::MAX as u128;
    if small {
        // every partial sum is bounded by `bound`: i64 arithmetic is exact
        let w: Vec<i64> = layer.w.iter().map(|&v| v as i64).collect();
        let bias: Option<Vec<i64>> = layer
            .b
            .as_ref()
            .map(|bv| bv.iter().map(|&v| (v * a_den) as i64).collect());
        let a64: Vec<i64> = a.iter().map(|&v| v as i64).collect();
        Some(
            kernel(&w, bias.as_deref(), &a64, layer.rows, layer.cols, b)
                .into_iter()
                .map(i128::from)
                .collect(),
        )
    } else if bound <= i128::MAX as u128 {
        let bias: Option<Vec<i128>> = layer
            .b
            .as_ref()
            .map(|bv| bv.iter().map(|&v| v * a_den).collect());
        Some(kernel(
            &layer.w,
            bias.as_deref(),
            a,
            layer.rows,
            layer.cols,
            b,
        ))
    } else {
        None
    }
}

/// Plain multiply-adds; the caller has bounded every partial sum.
fn kernel<T>(w: &[T], bias: Option<&[T]>, a: &[T], rows: usize, cols: usize, b: usize) -> Vec<T>
where
    T: Copy + Default + std::ops::Mul<Output = T> + std::ops::Add<Output = T>,
{
    let mut z = Vec::with_capacity(b * rows);
    for x in a.chunks_exact(cols.max(1)).take(b) {
        for j in 0..rows {
            let row = &w[j * cols..(j + 1) * cols];
            let mut s = bias.map_or(T::default(), |bv| bv[j]);
            for (wk, xk) in row.iter().zip(x) {
                s = s + *wk * *xk;
            }
            z.push(s);
        }
    }
    if cols == 0 {
        // a layer with no inputs: z = b
        for _ in 0..b {
            for j in 0..rows {
                z.push(bias.map_or(T::default(), |bv| bv[j]));
            }
        }
    }
    z
}

/// The reduced rational `n / d` (`d > 0`) from `i128`s.
fn q_of(n: i128, d: i128) -> Q {
    let g = n.unsigned_abs().gcd(&d.unsigned_abs());
    // g divides d > 0, so g >= 1 and fits i128
    let g = g as i128;
    Q::new_raw(BigInt::from(n / g), BigInt::from(d / g))
}

/// A hinge term's class and argument numerator.
type Term = (Option<usize>, i128);

/// `point_loss` from the output numerators over `den > 0` in `i128`, and
/// the point's loss as a rational; `None` on overflow (the caller redoes
/// the point).
fn point_loss_int(
    kind: LossKind,
    f: &[i128],
    den: i128,
    y: i64,
    target: Option<(i128, i128)>,
) -> Option<(PointLoss, (i128, i128))> {
    let output: Vec<Q> = f.iter().map(|&v| q_of(v, den)).collect();
    if kind.is_regression() {
        let (tn, td) = target?;
        let rden = den.checked_mul(td)?;
        let r = f
            .first()?
            .checked_mul(td)?
            .checked_sub(tn.checked_mul(den)?)?;
        let residual = q_of(r, rden);
        let (terms, l) = if kind == LossKind::Absolute {
            let term = HingeTerm {
                class: None,
                argument: residual.clone(),
            };
            (vec![term], (r.checked_abs()?, rden))
        } else {
            (Vec::new(), (r.checked_mul(r)?, rden.checked_mul(rden)?))
        };
        let loss = q_of(l.0, l.1);
        return Some((
            PointLoss {
                output,
                margin: residual,
                terms,
                argmax: None,
                loss,
            },
            l,
        ));
    }
    let pos = |v: i128| v.max(0);
    let (margin, args, argmax): (i128, Vec<Term>, Option<Vec<usize>>) = match kind {
        LossKind::Hinge => {
            let m = f.first()?.checked_mul(i128::from(y))?;
            (m, vec![(None, den.checked_sub(m)?)], None)
        }
        _ => {
            let yc = usize::try_from(y).ok()?;
            let fy = *f.get(yc)?;
            let others: Vec<usize> = (0..f.len()).filter(|&k| k != yc).collect();
            let best = others.iter().map(|&k| f[k]).max()?;
            let m = fy.checked_sub(best)?;
            if kind == LossKind::MulticlassHinge {
                let args = others
                    .iter()
                    .map(|&k| Some((Some(k), den.checked_add(f[k])?.checked_sub(fy)?)))
                    .collect::<Option<Vec<_>>>()?;
                (m, args, None)
            } else {
                let top = others.iter().copied().filter(|&k| f[k] == best).collect();
                (m, vec![(None, den.checked_sub(m)?)], Some(top))
            }
        }
    };
    let mut sum: i128 = 0;
    for (_, v) in &args {
        sum = sum.checked_add(pos(*v))?;
    }
    let loss = q_of(sum, den);
    let terms = args
        .into_iter()
        .map(|(class, v)| HingeTerm {
            class,
            argument: q_of(v, den),
        })
        .collect();
    Some((
        PointLoss {
            output,
            margin: q_of(margin, den),
            terms,
            argmax,
            loss,
        },
        (sum, den),
    ))
}

impl Sign {
    fn of_int(v: i128) -> Sign {
        match v.signum() {
            -1 => Sign::Neg,
            0 => Sign::Zero,
            _ => Sign::Pos,
        }
    }
}

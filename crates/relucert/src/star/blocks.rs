//! The tangents and polar-cone multipliers of the pattern-star bound (see
//! the argument in `star`): per block one tangent and, for every option it
//! covers, `nu >= 0` with `g = sum_k nu_k eps_k x~_k` on the constraints
//! active at `u*_j`.
//!
//! Owns: the exact LPs (`relucert-lp`) that find them: squared loss, the
//! fixed tangent `f0 = f(theta*)` and one polar LP per option; hinge and
//! absolute, one joint LP over every option, else one LP per choice.
//!
//! Must not: use a float, or report a block whose LP was not solved exactly.

use super::{Setting, StarError, MAX_CHOICES};
use crate::cert::{StarBlock, StarOption, StarUnit};
use crate::lp::{solve_within, Cmp, Lp, LpResult, Sense, VarId};
use crate::network::LossKind;
use crate::number::{fmt_q, Q};
use num_traits::{One, Zero};
use relucert_core::Deadline;

/// One option: (chamber index, sign positive).
type Opt = (usize, bool);

/// A solved block: the tangent and, per unit, its options with multipliers.
type Solved = (Vec<Q>, Vec<Vec<StarOption>>);

/// An option's multiplier variables, by data point.
type NuVars = (Opt, Vec<(usize, VarId)>);

fn q(n: usize) -> Q {
    Q::from_integer((n as i64).into())
}

/// The options every unit needs: each chamber with `sign(a*_j)`, or both signs.
fn required(s: &Setting, units: &[StarUnit]) -> Vec<Vec<Opt>> {
    units
        .iter()
        .zip(&s.a)
        .map(|(u, a)| {
            let signs: Vec<bool> = if a.is_zero() {
                vec![true, false]
            } else {
                vec![*a > Q::zero()]
            };
            (0..u.chambers.len())
                .flat_map(|c| signs.iter().map(move |&p| (c, p)))
                .collect()
        })
        .collect()
}

fn describe(units: &[StarUnit], j: usize, (c, pos): Opt) -> String {
    let sides: String = units[j].chambers[c]
        .sides
        .iter()
        .map(|&b| if b { '+' } else { '-' })
        .collect();
    format!(
        "unit {j} with sides `{sides}` on its kink points {:?} and output sign {}",
        units[j].zero,
        if pos { '+' } else { '-' }
    )
}

/// The LP of one block: the tangent's variables (or the fixed slopes
/// `beta / N` of the squared loss) and every listed option's multipliers.
/// `Ok(None)` when infeasible.
fn solve_block(
    s: &Setting,
    units: &[StarUnit],
    opts: &[Vec<Opt>],
    fixed: Option<&[Q]>,
    deadline: &Deadline,
) -> Result<Option<Solved>, StarError> {
    let nq = q(s.n);
    let mut lp = Lp::new(Sense::Minimize);
    // the tangent: d beta_i / d lambda_i and alpha_i per unit lambda_i
    let (lo, dbeta, dalpha): (Q, Vec<Q>, Vec<Q>) = match s.loss {
        LossKind::Hinge => (
            Q::zero(),
            s.y.iter().map(|y| -y).collect(),
            vec![Q::one(); s.n],
        ),
        _ => (
            -Q::one(),
            vec![Q::one(); s.n],
            s.t.iter().map(|t| -t).collect(),
        ),
    };
    let lambda: Vec<VarId> = match fixed {
        Some(_) => Vec::new(),
        None => (0..s.n)
            .map(|_| lp.add_var(Some(lo.clone()), Some(Q::one())))
            .collect(),
    };
    let mut nus: Vec<Vec<NuVars>> = Vec::new();
    for (j, list) in opts.iter().enumerate() {
        let mut unit = Vec::new();
        for &(c, pos) in list {
            let sides = &units[j].chambers[c].sides;
            let active: Vec<usize> = (0..s.n)
                .filter(|&k| !s.null[k] && (s.a[j].is_zero() || s.pre[j][k].is_zero()))
                .collect();
            let vars: Vec<(usize, VarId)> = active
                .iter()
                .map(|&k| (k, lp.add_var(Some(Q::zero()), None)))
                .collect();
            for d in 0..s.dim {
                let mut coeffs = Vec::new();
                let mut rhs = Q::zero();
                for i in 0..s.n {
                    let Some(side) = s.side(j, sides, i) else {
                        continue;
                    };
                    let mu = if side { Q::one() } else { s.neg.clone() };
                    let w = &mu * &s.xt[i][d] / &nq;
                    let w = if pos { w } else { -w };
                    match fixed {
                        Some(beta) => rhs -= &w * &beta[i],
                        None => coeffs.push((lambda[i], w * &dbeta[i])),
                    }
                }
                for &(k, v) in &vars {
                    let x = &s.xt[k][d];
                    let e = if s.side(j, sides, k) == Some(true) {
                        x.clone()
                    } else {
                        -x.clone()
                    };
                    coeffs.push((v, -e));
                }
                lp.add_row(coeffs, Cmp::Eq, rhs);
            }
            unit.push(((c, pos), vars));
        }
        nus.push(unit);
    }
    if fixed.is_none() {
        if s.output_bias {
            let coeffs = lambda
                .iter()
                .zip(&dbeta)
                .map(|(&v, b)| (v, b.clone()))
                .collect();
            lp.add_row(coeffs, Cmp::Eq, Q::zero());
        }
        let coeffs = lambda
            .iter()
            .zip(&dalpha)
            .map(|(&v, a)| (v, a.clone()))
            .collect();
        lp.add_row(coeffs, Cmp::Ge, &s.value * &nq);
    }
    match solve_within(&lp, deadline).map_err(|_| StarError::TimeLimit)? {
        LpResult::Optimal { x, .. } => {
            let tangent = lambda.iter().map(|v| x[v.0].clone()).collect();
            let options = nus
                .into_iter()
                .map(|unit| {
                    unit.into_iter()
                        .map(|((chamber, positive), vars)| StarOption {
                            chamber,
                            positive,
                            nu: vars
                                .into_iter()
                                .filter(|(_, v)| !x[v.0].is_zero())
                                .map(|(k, v)| (k, x[v.0].clone()))
                                .collect(),
                        })
                        .collect()
                })
                .collect();
            Ok(Some((tangent, options)))
        }
        LpResult::Infeasible { .. } => Ok(None),
        LpResult::Unbounded { .. } => {
            Err(StarError::Internal("a feasibility LP is unbounded".into()))
        }
    }
}

/// The blocks proving the bound for every choice, or why not.
pub(super) fn blocks(
    s: &Setting,
    units: &[StarUnit],
    deadline: &Deadline,
) -> Result<Vec<StarBlock>, StarError> {
    let req = required(s, units);
    let m = units.len();
    let time = |_| StarError::TimeLimit;
    if s.loss == LossKind::Squared {
        let nq = q(s.n);
        let beta: Vec<Q> =
            s.f.iter()
                .zip(&s.t)
                .map(|(f, t)| Q::from_integer(2.into()) * (f - t))
                .collect();
        if s.output_bias && !beta.iter().fold(Q::zero(), |a, b| a + b).is_zero() {
            return Err(StarError::Below(
                "the output bias is not at its least-squares value".into(),
            ));
        }
        let bound =
            s.f.iter()
                .zip(&s.t)
                .fold(Q::zero(), |a, (f, t)| a + t * t - f * f)
                / &nq;
        if bound < s.value {
            return Err(StarError::Below(format!(
                "the tangent at the point's outputs bounds the loss by {} only",
                fmt_q(&bound)
            )));
        }
        let mut options: Vec<Vec<StarOption>> = vec![Vec::new(); m];
        for j in 0..m {
            for &o in &req[j] {
                deadline.check().map_err(time)?;
                let mut one = vec![Vec::new(); m];
                one[j].push(o);
                match solve_block(s, units, &one, Some(&beta), deadline)? {
                    Some((_, mut opts)) => options[j].append(&mut opts[j]),
                    None => {
                        return Err(StarError::Below(format!(
                            "the least squares over the cone of {} are below it",
                            describe(units, j, o)
                        )))
                    }
                }
            }
        }
        return Ok(vec![StarBlock {
            tangent: s.f.clone(),
            options,
        }]);
    }
    deadline.check().map_err(time)?;
    if let Some((tangent, options)) = solve_block(s, units, &req, None, deadline)? {
        return Ok(vec![StarBlock { tangent, options }]);
    }
    let total = req
        .iter()
        .try_fold(1u128, |acc, r| acc.checked_mul(r.len() as u128))
        .unwrap_or(u128::MAX);
    if total > MAX_CHOICES {
        return Err(StarError::TooManyChoices(total));
    }
    let mut out = Vec::new();
    let mut idx = vec![0usize; m];
    loop {
        deadline.check().map_err(time)?;
        let choice: Vec<Vec<Opt>> = idx
            .iter()
            .enumerate()
            .map(|(j, &c)| vec![req[j][c]])
            .collect();
        match solve_block(s, units, &choice, None, deadline)? {
            Some((tangent, options)) => out.push(StarBlock { tangent, options }),
            None => {
                let what: Vec<String> =
                    (0..m).map(|j| describe(units, j, req[j][idx[j]])).collect();
                return Err(StarError::Below(format!(
                    "the convex program of the choice {} is below it",
                    what.join(", ")
                )));
            }
        }
        let mut j = 0;
        loop {
            if j == m {
                return Ok(out);
            }
            idx[j] += 1;
            if idx[j] < req[j].len() {
                break;
            }
            idx[j] = 0;
            j += 1;
        }
    }
}

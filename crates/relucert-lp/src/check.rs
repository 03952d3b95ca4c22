//! Independent exact check of an LP result and its certificate.
//!
//! Shares nothing with the solver but the model and exact arithmetic (the
//! rationals and `intops`' common denominators and gcd): it recomputes
//! every condition from the LP data, in integers over common denominators. Kept small on purpose; the
//! certificate checker relies on it.
//!
//! Conventions (see the crate docs and `docs/lp.md`):
//! - Optimal: `x` feasible; row multipliers `y` signed (minimise: `>=` rows
//!   `y >= 0`, `<=` rows `y <= 0`; maximise: reversed); the reduced costs
//!   `d = c - A^T y` are absorbed by finite bounds (minimise: `d_j > 0` needs a
//!   lower bound, `d_j < 0` an upper; maximise: reversed); and the dual value
//!   `b . y + sum_j d_j * (bound used) + constant` equals `value = c . x +
//!   constant`.
//! - Infeasible: `y` signed as for minimise, `g = A^T y`; the maximum of
//!   `g . x` over the bounds is finite and `< b . y`. (Crossed bounds
//!   `lower > upper` are infeasible on their own.)
//! - Unbounded: `x` feasible; `r` satisfies `a_i . r (<=, >=, =) 0` as row `i`
//!   does, `r_j >= 0` where a lower bound exists, `r_j <= 0` where an upper
//!   bound exists, and `c . r < 0` (minimise) or `> 0` (maximise).
//!
//! Every rejection is a [`CheckError`]; its `Display` text is the one-line
//! reason (the `relucert lp` command prints it).
//!
//! Must not: call the solver, or use floats.

// A rejection carries the exact numbers that disagree (two rationals and a
// name at most). It is built at most once per call and only on the failure
// path, so keeping the public error flat beats boxing its fields.
#![allow(clippy::result_large_err)]

use super::{Cmp, Lp, LpResult, Sense};
use crate::intops::{dot_common, int_dot, lcm_of, Common, Frac};
use crate::number::{fmt_q, Q};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use std::fmt;

/// Why [`check_result`] rejects a result. Each variant names the first
/// condition of the certificate found to fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// A row or the objective refers to a variable index `>= lp.vars.len()`.
    VarOutOfRange,
    /// A vector of the result has the wrong length. `what` is `"x"`,
    /// `"ray"`, `"dual"` or `"Farkas multiplier"`.
    WrongLength {
        /// Which vector.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The length it must have (number of variables or rows).
        expected: usize,
    },
    /// The point `x` lies outside the bounds of a variable.
    BoundViolated {
        /// The variable's name.
        var: String,
    },
    /// The point `x` violates a row.
    RowViolated {
        /// The row's name.
        row: String,
        /// `a . x` for that row.
        lhs: Q,
        /// The row's right-hand side.
        rhs: Q,
    },
    /// The claimed optimal value is not `c . x + constant`.
    ValueMismatch {
        /// The claimed value.
        value: Q,
        /// `c . x + constant`.
        primal: Q,
    },
    /// A dual or Farkas multiplier has a sign its row does not allow. `what`
    /// is `"dual"` or `"Farkas multiplier"`.
    WrongSign {
        /// Which kind of multiplier.
        what: &'static str,
        /// The row's name.
        row: String,
    },
    /// Some reduced cost `c_j - (A^T y)_j` needs a bound the variable lacks.
    ReducedCostsNotAbsorbed,
    /// The dual objective differs from the primal objective.
    DualGap {
        /// The dual objective.
        dual: Q,
        /// The primal objective `c . x + constant`.
        primal: Q,
    },
    /// The Farkas combination `(A^T y) . x` is unbounded above over the bounds.
    FarkasUnbounded,
    /// The Farkas combination does not separate: `max (A^T y) . x >= b . y`.
    FarkasNotSeparating {
        /// `max (A^T y) . x` over the bounds.
        max: Q,
        /// `b . y`.
        by: Q,
    },
    /// The ray leaves the bounds of a variable (negative where a lower bound
    /// exists, positive where an upper bound exists).
    RayLeavesBounds {
        /// The variable's name.
        var: String,
    },
    /// The ray violates the homogeneous version of a row.
    RayViolatesRow {
        /// The row's name.
        row: String,
    },
    /// The ray does not strictly improve the objective.
    RayNotImproving {
        /// `c . r`.
        cr: Q,
    },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::VarOutOfRange => {
                write!(f, "the LP refers to a variable index out of range")
            }
            CheckError::WrongLength {
                what,
                len,
                expected,
            } => {
                write!(f, "{what} has length {len}, expected {expected}")
            }
            CheckError::BoundViolated { var } => {
                write!(f, "x violates the bounds of variable {var}")
            }
            CheckError::RowViolated { row, lhs, rhs } => write!(
                f,
                "x violates row {row} (lhs {} vs rhs {})",
                fmt_q(lhs),
                fmt_q(rhs)
            ),
            CheckError::ValueMismatch { value, primal } => write!(
                f,
                "value {} differs from c.x = {}",
                fmt_q(value),
                fmt_q(primal)
            ),
            CheckError::WrongSign { what, row } => {
                write!(f, "{what} of row {row} has the wrong sign")
            }
            CheckError::ReducedCostsNotAbsorbed => {
                write!(f, "reduced costs are not absorbed by finite bounds")
            }
            CheckError::DualGap { dual, primal } => write!(
                f,
                "dual value {} differs from primal value {}",
                fmt_q(dual),
                fmt_q(primal)
            ),
            CheckError::FarkasUnbounded => {
                write!(f, "Farkas combination is unbounded over the bounds")
            }
            CheckError::FarkasNotSeparating { max, by } => write!(
                f,
                "Farkas certificate fails: max (A^T y).x = {} is not below b.y = {}",
                fmt_q(max),
                fmt_q(by)
            ),
            CheckError::RayLeavesBounds { var } => {
                write!(f, "ray leaves the bounds of variable {var}")
            }
            CheckError::RayViolatesRow { row } => write!(f, "ray violates row {row}"),
            CheckError::RayNotImproving { cr } => write!(
                f,
                "ray does not improve the objective (c.r = {})",
                fmt_q(cr)
            ),
        }
    }
}

impl std::error::Error for CheckError {}

fn check_len(what: &'static str, v: &[Q], n: usize) -> Result<(), CheckError> {
    if v.len() != n {
        return Err(CheckError::WrongLength {
            what,
            len: v.len(),
            expected: n,
        });
    }
    Ok(())
}

fn check_model(lp: &Lp) -> Result<(), CheckError> {
    let n = lp.vars.len();
    let bad = lp
        .objective
        .iter()
        .chain(lp.rows.iter().flat_map(|r| r.coeffs.iter()))
        .any(|(v, _)| v.0 >= n);
    if bad {
        return Err(CheckError::VarOutOfRange);
    }
    Ok(())
}

/// `x` satisfies every row and bound.
fn check_feasible(lp: &Lp, x: &[Q]) -> Result<Common, CheckError> {
    check_len("x", x, lp.vars.len())?;
    for (j, v) in lp.vars.iter().enumerate() {
        if v.lower.as_ref().is_some_and(|l| x[j] < *l)
            || v.upper.as_ref().is_some_and(|u| x[j] > *u)
        {
            return Err(CheckError::BoundViolated {
                var: v.name.clone(),
            });
        }
    }
    let xc = Common::of(x);
    for r in &lp.rows {
        let s = dot_common(&r.coeffs, &xc);
        let o = s.compare(&Frac::of(&r.rhs));
        let ok = match r.cmp {
            Cmp::Le => o.is_le(),
            Cmp::Ge => o.is_ge(),
            Cmp::Eq => o.is_eq(),
        };
        if !ok {
            return Err(CheckError::RowViolated {
                row: r.name.clone(),
                lhs: s.to_q(),
                rhs: r.rhs.clone(),
            });
        }
    }
    Ok(xc)
}

/// Row multipliers have the sign their row allows. `flip` reverses the
/// convention (used for maximisation).
fn check_signs(lp: &Lp, y: &[Q], flip: bool, what: &'static str) -> Result<(), CheckError> {
    check_len(what, y, lp.rows.len())?;
    for (r, yi) in lp.rows.iter().zip(y) {
        let s = if flip { -yi.clone() } else { yi.clone() };
        let ok = match r.cmp {
            Cmp::Ge => !s.is_negative(),
            Cmp::Le => !s.is_positive(),
            Cmp::Eq => true,
        };
        if !ok {
            return Err(CheckError::WrongSign {
                what,
                row: r.name.clone(),
            });
        }
    }
    Ok(())
}

/// `A^T y` over one common denominator.
fn at_y(lp: &Lp, y: &[Q]) -> Common {
    let yc = Common::of(y);
    // m = lcm of the coefficient denominators of the rows in use.
    let m = lcm_of(
        lp.rows
            .iter()
            .zip(&yc.num)
            .filter(|(_, yi)| !yi.is_zero())
            .flat_map(|(r, _)| r.coeffs.iter().map(|(_, c)| c.denom())),
    );
    let mut g = vec![BigInt::zero(); lp.vars.len()];
    for (r, yi) in lp.rows.iter().zip(&yc.num) {
        if !yi.is_zero() {
            for (v, c) in &r.coeffs {
                let k = c.numer() * (&m / c.denom());
                g[v.0] += k * yi;
            }
        }
    }
    Common {
        num: g,
        den: m * yc.den,
    }
}

/// `c - A^T y` (times `s = +-1`) over one common denominator.
fn reduced_costs(c: &[Q], g: &Common, negate: bool) -> Common {
    let cc = Common::of(c);
    // d = c - g = (cc.num * g.den - g.num * cc.den) / (cc.den * g.den)
    let num = cc
        .num
        .iter()
        .zip(&g.num)
        .map(|(cn, gn)| {
            let v = cn * &g.den - gn * &cc.den;
            if negate {
                -v
            } else {
                v
            }
        })
        .collect();
    Common {
        num,
        den: cc.den * &g.den,
    }
}

/// Minimum of `d . x` over the bounds, or `None` if unbounded below.
fn min_over_bounds(lp: &Lp, d: &Common) -> Option<Frac> {
    let mut terms: Vec<(&BigInt, &Q)> = Vec::new();
    for (dj, v) in d.num.iter().zip(&lp.vars) {
        if dj.is_positive() {
            terms.push((dj, v.lower.as_ref()?));
        } else if dj.is_negative() {
            terms.push((dj, v.upper.as_ref()?));
        }
    }
    let f = int_dot(&terms);
    Some(Frac {
        s: f.s,
        t: f.t * &d.den,
    })
}

/// `b . y` over a common denominator.
fn b_dot_y(lp: &Lp, y: &[Q]) -> Frac {
    let yc = Common::of(y);
    let terms: Vec<(&BigInt, &Q)> = yc
        .num
        .iter()
        .zip(&lp.rows)
        .map(|(k, r)| (k, &r.rhs))
        .collect();
    let f = int_dot(&terms);
    Frac {
        s: f.s,
        t: f.t * yc.den,
    }
}

/// Check `result` exactly against `lp`. `Ok(())` means the result is proven:
/// the status, the point, the value and the certificate all hold exactly.
/// `Err` names the first condition that fails.
///
/// ```
/// use relucert_lp::number::qi;
/// use relucert_lp::{check_result, Cmp, Lp, LpResult, Sense};
///
/// // minimise x subject to x >= 2
/// let mut lp = Lp::new(Sense::Minimize);
/// let x = lp.add_var(None, None);
/// lp.add_row(vec![(x, qi(1))], Cmp::Ge, qi(2));
/// lp.set_objective(vec![(x, qi(1))]);
/// let good = LpResult::Optimal { x: vec![qi(2)], duals: vec![qi(1)], value: qi(2) };
/// assert!(check_result(&lp, &good).is_ok());
/// let wrong = LpResult::Optimal { x: vec![qi(3)], duals: vec![qi(1)], value: qi(3) };
/// assert!(check_result(&lp, &wrong).is_err());
/// ```
pub fn check_result(lp: &Lp, result: &LpResult) -> Result<(), CheckError> {
    check_model(lp)?;
    let n = lp.vars.len();
    let mut c = vec![Q::zero(); n];
    for (v, q) in &lp.objective {
        c[v.0] += q;
    }
    let max = lp.sense == Sense::Maximize;
    match result {
        LpResult::Optimal { x, duals, value } => {
            let xc = check_feasible(lp, x)?;
            let primal = dot_common(&lp.objective, &xc).add(&Frac::of(&lp.objective_constant));
            if !primal.compare(&Frac::of(value)).is_eq() {
                return Err(CheckError::ValueMismatch {
                    value: value.clone(),
                    primal: primal.to_q(),
                });
            }
            check_signs(lp, duals, max, "dual")?;
            let g = at_y(lp, duals);
            // Work with the minimisation of s*c, s = -1 when maximising.
            let d = reduced_costs(&c, &g, max);
            let bound_part = min_over_bounds(lp, &d).ok_or(CheckError::ReducedCostsNotAbsorbed)?;
            let bound_part = if max { bound_part.neg() } else { bound_part };
            let dual_value = b_dot_y(lp, duals)
                .add(&bound_part)
                .add(&Frac::of(&lp.objective_constant));
            if !dual_value.compare(&primal).is_eq() {
                return Err(CheckError::DualGap {
                    dual: dual_value.to_q(),
                    primal: value.clone(),
                });
            }
            Ok(())
        }
        LpResult::Infeasible { farkas } => {
            if lp
                .vars
                .iter()
                .any(|v| matches!((&v.lower, &v.upper), (Some(l), Some(u)) if l > u))
            {
                return Ok(());
            }
            check_signs(lp, farkas, false, "Farkas multiplier")?;
            let g = at_y(lp, farkas);
            let neg = Common {
                num: g.num.iter().map(|v| -v).collect(),
                den: g.den,
            };
            let max_gx = min_over_bounds(lp, &neg)
                .ok_or(CheckError::FarkasUnbounded)?
                .neg();
            let by = b_dot_y(lp, farkas);
            if max_gx.compare(&by).is_lt() {
                Ok(())
            } else {
                Err(CheckError::FarkasNotSeparating {
                    max: max_gx.to_q(),
                    by: by.to_q(),
                })
            }
        }
        LpResult::Unbounded { x, ray } => {
            check_feasible(lp, x)?;
            check_len("ray", ray, n)?;
            for (j, v) in lp.vars.iter().enumerate() {
                if (v.lower.is_some() && ray[j].is_negative())
                    || (v.upper.is_some() && ray[j].is_positive())
                {
                    return Err(CheckError::RayLeavesBounds {
                        var: v.name.clone(),
                    });
                }
            }
            let rc = Common::of(ray);
            for r in &lp.rows {
                let s = dot_common(&r.coeffs, &rc).signum();
                let ok = match r.cmp {
                    Cmp::Le => s <= 0,
                    Cmp::Ge => s >= 0,
                    Cmp::Eq => s == 0,
                };
                if !ok {
                    return Err(CheckError::RayViolatesRow {
                        row: r.name.clone(),
                    });
                }
            }
            let cr = dot_common(&lp.objective, &rc);
            let improving = if max {
                cr.signum() > 0
            } else {
                cr.signum() < 0
            };
            if improving {
                Ok(())
            } else {
                Err(CheckError::RayNotImproving { cr: cr.to_q() })
            }
        }
    }
}

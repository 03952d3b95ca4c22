//! What every fuzz case must satisfy, as reusable checks: one-line errors,
//! a wall-clock guard around library calls, an independent feasibility
//! check of LP answers, and the agreement of an accepted claim with a
//! fixture's hand-computed facts.
//!
//! Owns: [`one_line`], [`guarded`], [`lp_answer_holds`], [`claim_consistent`].
//!
//! Must not: generate inputs, or trust the LP engine's own checker alone (the
//! feasibility check here recomputes every row from the model).

use relucert::cert::Claim;
use relucert::instance::Expect;
use relucert::number::Q;
use relucert_lp::{Cmp, Lp, LpResult};
use std::time::{Duration, Instant};

/// Longest error line allowed (issue 17).
pub const MAX_ERROR_CHARS: usize = 300;

/// `msg` is one line of at most 300 characters; `file`, when given, is
/// named in it.
pub fn one_line(msg: &str, file: Option<&str>) -> Result<(), String> {
    let trimmed = msg.strip_suffix('\n').unwrap_or(msg);
    if trimmed.contains('\n') || trimmed.contains('\r') {
        return Err(format!("error is not one line: {trimmed:?}"));
    }
    let n = trimmed.chars().count();
    if n > MAX_ERROR_CHARS {
        let head: String = trimmed.chars().take(120).collect();
        return Err(format!(
            "error has {n} characters (> {MAX_ERROR_CHARS}): {head:?}..."
        ));
    }
    if let Some(f) = file {
        if !trimmed.contains(f) {
            return Err(format!("error does not name the file {f:?}: {trimmed:?}"));
        }
    }
    Ok(())
}

/// Run `f` on its own thread, catching a panic, and give up after
/// `limit` (the thread is then abandoned). `Err` says which.
pub fn guarded<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<(T, Duration), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ok((v, start.elapsed())),
        Ok(Err(p)) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
        Err(_) => Err(format!("still running after {:.1} s", limit.as_secs_f64())),
    }
}

fn dot(coeffs: &[(relucert_lp::VarId, Q)], x: &[Q]) -> Option<Q> {
    let mut s = Q::from_integer(0.into());
    for (v, c) in coeffs {
        s += c * x.get(v.0)?;
    }
    Some(s)
}

fn row_holds(cmp: Cmp, lhs: &Q, rhs: &Q) -> bool {
    match cmp {
        Cmp::Le => lhs <= rhs,
        Cmp::Ge => lhs >= rhs,
        Cmp::Eq => lhs == rhs,
    }
}

/// For `optimal` and `unbounded`, the point satisfies every row and bound
/// of the model, recomputed here; for `unbounded` the ray keeps every row
/// and bound and strictly improves the objective. (`infeasible` and
/// optimality are left to `relucert_lp::check_result`, also called.)
pub fn lp_answer_holds(lp: &Lp, res: &LpResult) -> Result<(), String> {
    relucert_lp::check_result(lp, res).map_err(|e| format!("check_result refuses: {e}"))?;
    let x = match res {
        LpResult::Optimal { x, .. } | LpResult::Unbounded { x, .. } => x,
        LpResult::Infeasible { .. } => return Ok(()),
    };
    if x.len() != lp.vars.len() {
        return Err("point has the wrong length".into());
    }
    for (i, v) in lp.vars.iter().enumerate() {
        let lo_ok = v.lower.as_ref().is_none_or(|l| &x[i] >= l);
        let up_ok = v.upper.as_ref().is_none_or(|u| &x[i] <= u);
        if !(lo_ok && up_ok) {
            return Err(format!("point violates the bounds of {}", v.name));
        }
    }
    for r in &lp.rows {
        let lhs = dot(&r.coeffs, x).ok_or("row refers to a missing variable")?;
        if !row_holds(r.cmp, &lhs, &r.rhs) {
            return Err(format!("point violates row {}", r.name));
        }
    }
    if let LpResult::Unbounded { ray, .. } = res {
        let zero = Q::from_integer(0.into());
        for (i, v) in lp.vars.iter().enumerate() {
            let r = ray.get(i).ok_or("ray has the wrong length")?;
            if (v.lower.is_some() && r < &zero) || (v.upper.is_some() && r > &zero) {
                return Err(format!("ray leaves the bounds of {}", v.name));
            }
        }
        for row in &lp.rows {
            let d = dot(&row.coeffs, ray).ok_or("row refers to a missing variable")?;
            if !row_holds(row.cmp, &d, &zero) {
                return Err(format!("ray leaves row {}", row.name));
            }
        }
        let c = dot(&lp.objective, ray).ok_or("objective refers to a missing variable")?;
        let improves = match lp.sense {
            relucert_lp::Sense::Minimize => c < zero,
            relucert_lp::Sense::Maximize => c > zero,
        };
        if !improves {
            return Err("ray does not improve the objective".into());
        }
    }
    Ok(())
}

/// An accepted claim about a fixture's point agrees with the fixture's
/// hand-computed `[expect]` facts.
pub fn claim_consistent(claim: Claim, expect: Option<&Expect>) -> Result<(), String> {
    let Some(e) = expect else { return Ok(()) };
    let bad = match claim {
        Claim::LocalMin => e.local_min == Some(false),
        Claim::GlobalMin => e.local_min == Some(false) || e.global_min == Some(false),
        Claim::NotLocalMin => e.local_min == Some(true) || e.global_min == Some(true),
        Claim::GlobalOptimum | Claim::ShardOptimum => false,
    };
    if bad {
        Err(format!(
            "accepted claim {claim:?} contradicts the fixture's expect {e:?}"
        ))
    } else {
        Ok(())
    }
}

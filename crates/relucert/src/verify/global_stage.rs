//! The comparison with the width's exact optimum (THEORY section 9) after
//! the local analysis: is the point a global minimum, and if it is a local
//! minimum above the optimum, a spurious one?
//!
//! Owns: deciding when the comparison runs (one hidden layer, binary hinge,
//! a verdict of `local-min` or `undecided`, at most `Limits::global_budget`
//! sets of pairs and at most one chamber per 100 of them; a cheap lower
//! bound on the sets refuses before any chamber is listed), upgrading the verdict to `global-min` with a
//! `pattern-lp` certificate when the point's loss equals `L*`, and
//! otherwise reporting `L*` with its witness network.
//!
//! Must not: change a verdict for any other reason: a point above `L*`
//! keeps its verdict and certificate (spurious or not says only how the
//! verdict relates to `L*`).

use super::certificate::decided;
use super::{GlobalComparison, Limits, Outcome, Verdict};
use crate::global::{sets_lower_bound, solve, GlobalError, Options};
use crate::instance::Instance;
use crate::network::LossKind;
use crate::number::fmt_q;
use relucert_core::cert::Evidence;

/// Compare `out` with the exact optimum of the instance's width.
pub(super) fn compare(
    inst: &Instance,
    limits: &Limits,
    mut out: Outcome,
) -> Result<Outcome, super::VerifyError> {
    let problem = &inst.problem;
    let applies = limits.global_budget > 0
        && matches!(out.verdict, Verdict::LocalMin | Verdict::Undecided)
        && problem.arch.hidden_layers() == 1
        && problem.loss == LossKind::Hinge;
    if !applies {
        return Ok(out);
    }
    let opts = Options {
        width: problem.arch.widths[1],
        shard: None,
        max_sets: Some(limits.global_budget),
        // Each chamber costs a few small LPs for its completeness proof:
        // the budget also caps the chambers, at one per 100 sets.
        max_chambers: Some(limits.global_budget / 100),
        deadline: limits.deadline.clone(),
        progress: None,
        reuse_duals: true,
    };
    // Refused without listing a chamber when even the fewest chambers the
    // data's hyperplanes allow give too many sets (listing them can take
    // seconds in high dimension).
    if let Ok(lower) = sets_lower_bound(problem, &opts) {
        if lower > limits.global_budget {
            out.reason = format!(
                "{}; global optimum not computed (at least {lower} sets of pairs, budget {}: raise --global-budget)",
                out.reason, limits.global_budget
            );
            return Ok(out);
        }
    }
    let opt = match solve(problem, &opts) {
        Ok(opt) => opt,
        Err(GlobalError::TooManyChambers { bound, .. }) => {
            out.reason = format!(
                "{}; global optimum not computed (up to {bound} chambers: too many to list within --global-budget)",
                out.reason
            );
            return Ok(out);
        }
        Err(GlobalError::TooManySets { sets, max }) => {
            out.reason = format!(
                "{}; global optimum not computed ({sets} sets of pairs, budget {max}: raise --global-budget)",
                out.reason
            );
            return Ok(out);
        }
        Err(e) => return Err(super::VerifyError::Internal(e.to_string())),
    };
    if !opt.complete {
        out.reason = format!(
            "{}; global optimum not computed (time limit after {} of {} sets)",
            out.reason, opt.sets_done, opt.sets_total
        );
        return Ok(out);
    }
    if opt.value == out.loss {
        let Some(mut body) = opt.certificate else {
            return Err(super::VerifyError::Internal(
                "a complete global run without a certificate".into(),
            ));
        };
        body.witness = None;
        body.shard = None;
        let reason = format!(
            "the loss equals the exact optimum over width {} ({} sets of pairs, {} LPs){}",
            opts.width,
            opt.sets_total,
            opt.lps,
            if out.verdict == Verdict::LocalMin {
                "; the local analysis had proven a local minimum"
            } else {
                ""
            }
        );
        let mut up = decided(inst, out.loss.clone(), Evidence::PatternLp(body), reason);
        up.global = Some(GlobalComparison {
            optimum: opt.value,
            spurious: false,
            arch: opt.arch,
            witness: opt.witness,
        });
        return Ok(up);
    }
    if opt.value > out.loss {
        return Err(super::VerifyError::Internal(format!(
            "the point's loss {} is below the exact optimum {}",
            fmt_q(&out.loss),
            fmt_q(&opt.value)
        )));
    }
    out.global = Some(GlobalComparison {
        optimum: opt.value,
        spurious: out.verdict == Verdict::LocalMin,
        arch: opt.arch,
        witness: opt.witness,
    });
    Ok(out)
}

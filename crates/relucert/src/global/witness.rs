//! The optimal network as an instance file.
//!
//! Owns: [`witness_instance`]: the instance's data and loss with the
//! witness's architecture and point, and an `[expect]` table stating what
//! was proven (global and so local minimum, the exact loss).
//!
//! Must not: state a loss it has not recomputed: the loss is evaluated
//! exactly here and a mismatch is an error.

use super::GlobalError;
use crate::instance::{Expect, Instance};
use crate::network::{Architecture, Params, Problem};
use crate::number::{fmt_q, Q};

/// An instance whose `[point]` is `witness` (architecture `arch`, the data
/// and loss of `inst`), with `[expect] global_min = true, local_min = true,
/// loss = optimum`; `how` goes into its `source` line.
pub fn witness_instance(
    inst: &Instance,
    arch: &Architecture,
    witness: &Params,
    optimum: &Q,
    how: &str,
) -> Result<Instance, GlobalError> {
    let problem = Problem {
        arch: arch.clone(),
        loss: inst.problem.loss,
        data: inst.problem.data.clone(),
    };
    let exact = problem.loss(witness);
    if exact != *optimum {
        return Err(GlobalError::Internal(format!(
            "the witness's exact loss {} is not the optimum {}",
            fmt_q(&exact),
            fmt_q(optimum)
        )));
    }
    let m = arch.widths.get(1).copied().unwrap_or(0);
    let base = inst.name.clone().unwrap_or_else(|| "instance".to_string());
    Ok(Instance {
        name: Some(format!("{base}-optimum-w{m}")),
        source: Some(how.to_string()),
        problem,
        point: Some(witness.clone()),
        expect: Some(Expect {
            local_min: Some(true),
            global_min: Some(true),
            loss: Some(exact),
        }),
    })
}

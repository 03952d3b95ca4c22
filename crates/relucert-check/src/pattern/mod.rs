//! The pattern-LP certificates: `pattern-lp`, `width-optimum`,
//! `width-optimum-shard` (docs/certificates.md, "Pattern-LP certificates";
//! THEORY section 9).
//!
//! Owns: the scope of the three kinds (one hidden layer, binary hinge,
//! relu / leaky / linear), the extended inputs `x~` and the hyperplanes
//! (hyperplane points grouped by parallel `x~`, exactly), the witness
//! network's exact loss, and running the parts in order: the chambers and
//! their completeness (`chambers`), the duals (`duals`), the cover of every
//! set of pairs (`cover`, with the work bound [`MAX_SETS`]).
//!
//! The deadline is tested once per chamber, flip, dual and pair, and every
//! 4,096 sets of the cover.
//!
//! Must not: solve an LP or enumerate chambers (the certificate lists them
//! and proves the list complete), or call the core's evaluation: the
//! witness is evaluated here with the activation itself.

mod chambers;
mod cover;
mod duals;

pub use cover::MAX_SETS;

use crate::forward::{has_kink, negative_slope, slope};
use crate::CheckError;
use num_traits::{One, Signed, Zero};
use relucert_core::cert::{EvidenceKind, PatternLp, WitnessNet};
use relucert_core::network::{Activation, LossKind, Problem, Sign};
use relucert_core::number::{fmt_q, Q};
use relucert_core::Deadline;
use std::collections::HashMap;

/// The instance as the pattern-LP checks see it.
struct Setting<'a> {
    kind: EvidenceKind,
    act: &'a Activation,
    /// Does the output layer have a bias (`c` free)?
    output_bias: bool,
    /// `x~_i`.
    xt: Vec<Vec<Q>>,
    /// The labels as rationals.
    y: Vec<Q>,
    /// Per point: its hyperplane, `None` for a non-hyperplane point.
    plane: Vec<Option<usize>>,
    /// Per hyperplane: its points, in increasing order.
    planes: Vec<Vec<usize>>,
    /// The length `D` of `x~`.
    d: usize,
}

impl Setting<'_> {
    fn fail(&self, detail: String) -> CheckError {
        CheckError::PatternLp(self.kind, detail)
    }

    fn n(&self) -> usize {
        self.xt.len()
    }

    /// `mu(e)`: the slope of the activation on the side `e` (1 on a point
    /// that is no hyperplane point: there `x~ = 0` or the activation is
    /// linear, so 1 is right or irrelevant).
    fn mu(&self, e: Sign) -> Q {
        match e {
            Sign::Neg => negative_slope(self.act),
            Sign::Pos | Sign::Zero => Q::one(),
        }
    }
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (p, q)| acc + p * q)
}

/// `x~` scaled so that its first nonzero entry is 1: equal exactly for
/// parallel vectors (either orientation). `None` for the zero vector.
fn direction(v: &[Q]) -> Option<Vec<Q>> {
    let lead = v.iter().find(|e| !e.is_zero())?;
    Some(v.iter().map(|e| e / lead).collect())
}

/// Read the scope of the kinds from the problem and build `x~` and the
/// hyperplanes.
fn setting(problem: &Problem, kind: EvidenceKind) -> Result<Setting<'_>, CheckError> {
    let fail = |s: &str| Err(CheckError::PatternLp(kind, s.to_string()));
    let arch = &problem.arch;
    if arch.widths.len() != 3 || arch.bias.len() != 2 {
        return fail("only for networks with exactly one hidden layer");
    }
    if problem.loss != LossKind::Hinge || arch.widths[2] != 1 {
        return fail("only for the binary hinge loss (output width 1)");
    }
    let data = &problem.data;
    let n = data.len();
    if n == 0 || data.y.len() != n || data.x.iter().any(|x| x.len() != arch.widths[0]) {
        return fail("the data must have at least one point, each with an input of the input width and a label");
    }
    if data.y.iter().any(|&y| y != 1 && y != -1) {
        return fail("every binary label must be 1 or -1");
    }
    let xt: Vec<Vec<Q>> = data
        .x
        .iter()
        .map(|x| {
            let mut v = x.clone();
            if arch.bias[0] {
                v.push(Q::one());
            }
            v
        })
        .collect();
    let mut plane = vec![None; n];
    let mut planes: Vec<Vec<usize>> = Vec::new();
    if has_kink(&arch.activation) {
        let mut by_direction: HashMap<Vec<Q>, usize> = HashMap::new();
        for (i, v) in xt.iter().enumerate() {
            if let Some(dir) = direction(v) {
                let h = *by_direction.entry(dir).or_insert_with(|| {
                    planes.push(Vec::new());
                    planes.len() - 1
                });
                planes[h].push(i);
                plane[i] = Some(h);
            }
        }
    }
    Ok(Setting {
        kind,
        act: &arch.activation,
        output_bias: arch.bias[1],
        d: arch.widths[0] + usize::from(arch.bias[0]),
        xt,
        y: data.y.iter().map(|&y| Q::from_integer(y.into())).collect(),
        plane,
        planes,
    })
}

/// Check `p` proves that every network of width `p.width` has loss at
/// least `loss` (over the shard's sets for `width-optimum-shard`) and,
/// with a witness, that one attains it.
pub fn check(
    problem: &Problem,
    kind: EvidenceKind,
    loss: &Q,
    p: &PatternLp,
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let s = setting(problem, kind)?;
    let (witness, shard) = match kind {
        EvidenceKind::PatternLp => (false, false),
        EvidenceKind::WidthOptimum => (true, false),
        EvidenceKind::WidthOptimumShard => (true, true),
        _ => return Err(s.fail("not a pattern-LP kind".to_string())),
    };
    if p.witness.is_some() != witness || p.shard.is_some() != shard {
        return Err(s.fail(format!(
            "`witness` must be {} and `shard` {}",
            if witness { "present" } else { "absent" },
            if shard { "present" } else { "absent" }
        )));
    }
    if let Some(sh) = p.shard {
        if sh.count == 0 || sh.index == 0 || sh.index > sh.count {
            return Err(s.fail(format!(
                "shard {}/{} is not one of 1..=count with count >= 1",
                sh.index, sh.count
            )));
        }
    }
    if p.width == 0 {
        return Err(s.fail("`width` must be at least 1".to_string()));
    }
    chambers::check(&s, &p.chambers, &p.empty, deadline)?;
    let pairs = 2 * p.chambers.len();
    let bits = duals::check(&s, loss, &p.chambers, &p.duals, deadline)?;
    if let Some(w) = &p.witness {
        check_witness(&s, p.width, pairs, loss, w)?;
    }
    cover::check(&s, pairs, p.width, p.shard, &bits, deadline)
}

/// The witness network `sum_j s_j sigma(u_j . x~) + c` has at most `width`
/// units and loss exactly `loss` (evaluated with the activation itself; the
/// pair gives only the sign `s_j`).
fn check_witness(
    s: &Setting<'_>,
    width: usize,
    pairs: usize,
    loss: &Q,
    w: &WitnessNet,
) -> Result<(), CheckError> {
    if w.units.len() > width {
        return Err(s.fail(format!(
            "the witness has {} units, more than the width {width}",
            w.units.len()
        )));
    }
    for (j, unit) in w.units.iter().enumerate() {
        if unit.pair >= pairs || unit.u.len() != s.d {
            return Err(s.fail(format!(
                "witness unit {j}: needs a pair below {pairs} and a `u` of length {}",
                s.d
            )));
        }
    }
    if !s.output_bias && !w.c.is_zero() {
        return Err(s.fail("the witness's `c` must be 0 without an output bias".to_string()));
    }
    let mut total = Q::zero();
    for (x, y) in s.xt.iter().zip(&s.y) {
        let mut f = w.c.clone();
        for unit in &w.units {
            let t = dot(&unit.u, x);
            let a = slope(s.act, !t.is_negative()) * t;
            if unit.pair % 2 == 0 {
                f += a;
            } else {
                f -= a;
            }
        }
        let arg = Q::one() - y * f;
        if arg.is_positive() {
            total += arg;
        }
    }
    let exact = total / Q::from_integer((s.n() as i64).into());
    if exact != *loss {
        return Err(s.fail(format!(
            "the witness's loss is {}, not the claimed {}",
            fmt_q(&exact),
            fmt_q(loss)
        )));
    }
    Ok(())
}

//! One `global` run: plan it, go through the sets of pairs, keep the best
//! network and the dual bounds, and assemble the certificate.
//!
//! Owns: [`plan`] and [`solve`]: the loop over the sets in lexicographic
//! order (a shard's positions only), skipping every set already covered by
//! an earlier dual bound (a dual valid for all of a set's pairs bounds that
//! set's LP), solving the others exactly, and extending each new dual to
//! every pair it is valid for; the deadline and progress reports; the
//! witness network and its exact re-evaluation.
//!
//! Must not: report an optimum that is not both attained (the witness's
//! exact loss, recomputed by `Problem::loss`) and proven (every set
//! covered); after a deadline the answer says `complete = false` and its
//! lower bound is the function-space bound, which holds for every network.

use super::chambers::{chambers, Chambers};
use super::setlp::{compatible, pair_parts, solve_set};
use super::sets::{binomial, Bits, Subsets};
use super::setting::Setting;
use super::{GlobalError, Optimum, Options, Plan};
use crate::cells::CellsError;
use crate::cert::{DualBound, PatternLp, WitnessNet, WitnessUnit};
use crate::network::{Architecture, LayerParams, Params, Problem};
use crate::number::Q;
use num_traits::{One, Signed, Zero};

fn check_options(opts: &Options<'_>) -> Result<(), GlobalError> {
    if opts.width == 0 || opts.width > MAX_WIDTH {
        return Err(GlobalError::Options(format!(
            "--width must be between 1 and {MAX_WIDTH}"
        )));
    }
    if let Some(s) = opts.shard {
        if s.count == 0 || s.index == 0 || s.index > s.count {
            return Err(GlobalError::Options(format!(
                "--shard {}/{}: expected K/N with 1 <= K <= N",
                s.index, s.count
            )));
        }
    }
    Ok(())
}

/// Sets in a shard: positions `index - 1, index - 1 + count, ...` of `total`.
fn shard_share(total: u128, opts: &Options<'_>) -> u128 {
    match opts.shard {
        None => total,
        Some(s) => {
            let (k, n) = (s.index as u128 - 1, s.count as u128);
            if total > k {
                (total - k).div_ceil(n)
            } else {
                0
            }
        }
    }
}

fn sizes(setting: &Setting, chambers: usize, opts: &Options<'_>) -> Plan {
    let _ = setting;
    let pairs = 2 * chambers;
    let m = opts.width.min(pairs);
    Plan {
        chambers,
        pairs,
        sets_total: shard_share(binomial(pairs, m), opts),
    }
}

/// Before listing the chambers: refuse arrangements whose chambers cannot
/// all be listed (more than [`MAX_CHAMBERS`] by the bound for `H`
/// hyperplanes through the origin of R^D, `2 sum_{k<D} C(H-1, k)`), and,
/// with `max_sets`, runs that the bound already shows small enough are let
/// through while the others need the exact count (listed only when the
/// bound is at most [`EXACT_COUNT_CHAMBERS`]).
fn precheck(setting: &Setting, opts: &Options<'_>) -> Result<(), GlobalError> {
    let max_chambers = opts.max_chambers.unwrap_or(MAX_CHAMBERS).min(MAX_CHAMBERS);
    let h = setting.groups.len();
    let bound: u128 = if h == 0 {
        1
    } else {
        (0..setting.dim.min(h))
            .map(|k| binomial(h - 1, k))
            .fold(0u128, |a, b| a.saturating_add(b))
            .saturating_mul(2)
    };
    if bound > max_chambers {
        return Err(GlobalError::TooManyChambers {
            bound,
            max: max_chambers,
        });
    }
    if let Some(max) = opts.max_sets {
        let pairs = usize::try_from(bound.saturating_mul(2)).unwrap_or(usize::MAX);
        let upper = shard_share(binomial(pairs, opts.width.min(pairs)), opts);
        if upper > max && bound > EXACT_COUNT_CHAMBERS {
            return Err(GlobalError::TooManyChambers {
                bound,
                max: EXACT_COUNT_CHAMBERS,
            });
        }
    }
    Ok(())
}

/// The widest network `global` builds (the witness has `width` units).
pub const MAX_WIDTH: usize = 4096;

/// The most chambers `global` lists (bounded by the count for hyperplanes in
/// general position, before listing any): memory and time stay bounded.
pub const MAX_CHAMBERS: u128 = 200_000;

/// With `max_sets`, the most chambers listed just to count the sets exactly
/// when their bound alone does not show the run small enough.
pub const EXACT_COUNT_CHAMBERS: u128 = 5_000;

/// The size of the run [`solve`] would do (scope and options checked the
/// same way; the chambers are enumerated, no set LP is solved).
pub fn plan(problem: &Problem, opts: &Options<'_>) -> Result<Plan, GlobalError> {
    check_options(opts)?;
    let setting = Setting::new(problem)?;
    precheck(&setting, opts)?;
    let cells = match setting.arrangement.cells_within(&opts.deadline) {
        Ok(cells) => cells,
        Err(CellsError::TimeLimit) => return Err(GlobalError::TimeLimit),
        Err(e) => return Err(GlobalError::Internal(e.to_string())),
    };
    Ok(sizes(&setting, cells.len(), opts))
}

/// The answer when the deadline passes while the chambers are proven
/// complete: nothing solved, the zero network as the best known.
fn timed_out_early(
    problem: &Problem,
    opts: &Options<'_>,
    plan: Plan,
) -> Result<Optimum, GlobalError> {
    let arch = width_arch(problem, opts.width);
    let witness = network(problem, opts.width, &[], &[], &Q::zero());
    let wide = Problem {
        arch: arch.clone(),
        loss: problem.loss,
        data: problem.data.clone(),
    };
    Ok(Optimum {
        value: wide.loss(&witness),
        lower_bound: crate::verify::function_space_bound(problem)
            .map_or_else(|_| Q::zero(), |b| b.value),
        complete: false,
        arch,
        witness,
        chambers: plan.chambers,
        pairs: plan.pairs,
        sets_total: plan.sets_total,
        sets_done: 0,
        lps: 0,
        certificate: None,
    })
}

/// The width-`m` architecture of the witness.
fn width_arch(problem: &Problem, m: usize) -> Architecture {
    let mut arch = problem.arch.clone();
    arch.widths[1] = m;
    arch
}

/// The network of a set's solution: unit `j` is `s_j sigma(u_j . x~)`.
fn network(problem: &Problem, m: usize, pairs: &[usize], u: &[Vec<Q>], c: &Q) -> Params {
    let arch = width_arch(problem, m);
    let d = arch.input_dim();
    let mut w1 = vec![vec![Q::zero(); d]; m];
    let mut b1 = vec![Q::zero(); m];
    let mut w2 = vec![Q::zero(); m];
    for (j, (&p, uj)) in pairs.iter().zip(u).enumerate() {
        w1[j] = uj[..d].to_vec();
        if arch.bias[0] {
            b1[j] = uj[d].clone();
        }
        w2[j] = if pair_parts(p).1 { Q::one() } else { -Q::one() };
    }
    Params {
        layers: vec![
            LayerParams {
                w: w1,
                b: arch.bias[0].then_some(b1),
            },
            LayerParams {
                w: vec![w2],
                b: arch.bias[1].then(|| vec![c.clone()]),
            },
        ],
    }
}

/// The best network so far.
struct Best {
    value: Q,
    pairs: Vec<usize>,
    u: Vec<Vec<Q>>,
    c: Q,
}

/// A dual bound with the pairs it is valid for.
struct Dual {
    bits: Bits,
    bound: DualBound,
}

fn extend_dual(
    setting: &Setting,
    all: &Chambers,
    lambda: Vec<Q>,
    own: &[usize],
    every_pair: bool,
) -> Result<Dual, GlobalError> {
    let p = 2 * all.list.len();
    let ok = lambda.iter().all(|l| !l.is_negative() && *l <= Q::one())
        && (!setting.output_bias
            || lambda
                .iter()
                .zip(&setting.y)
                .fold(Q::zero(), |a, (l, y)| a + l * y)
                .is_zero());
    if !ok {
        return Err(GlobalError::Internal(
            "a set's dual is outside [0, 1]^N".into(),
        ));
    }
    let mut bits = Bits::new(p);
    let mut pairs = Vec::new();
    let candidates: Vec<usize> = if every_pair {
        (0..p).collect()
    } else {
        own.to_vec()
    };
    for pair in candidates {
        if let Some(proof) = compatible(setting, all, &lambda, pair)? {
            bits.set(pair);
            pairs.push(proof);
        }
    }
    if !bits.contains_all(own) {
        return Err(GlobalError::Internal(
            "a set's own dual is not valid for one of its pairs".into(),
        ));
    }
    Ok(Dual {
        bits,
        bound: DualBound { lambda, pairs },
    })
}

/// A lower bound on the sets of pairs [`solve`] would solve, found without
/// listing any chamber: `h` distinct hyperplanes through the origin cut
/// space into at least `2h` chambers (deletion-restriction: the first
/// makes 2, each further one adds the chambers of its restriction to it,
/// a nonempty central arrangement, so at least 2), and the count of sets
/// grows with the chambers. Scope and options are checked as in `solve`.
pub fn sets_lower_bound(problem: &Problem, opts: &Options<'_>) -> Result<u128, GlobalError> {
    check_options(opts)?;
    let setting = Setting::new(problem)?;
    let h = setting.groups.len();
    let chambers = if h == 0 { 1 } else { h.saturating_mul(2) };
    Ok(sizes(&setting, chambers, opts).sets_total)
}

/// `L*_m` for `problem` (one hidden layer, binary hinge), with a witness
/// network and (when complete) the certificate body.
pub fn solve(problem: &Problem, opts: &Options<'_>) -> Result<Optimum, GlobalError> {
    check_options(opts)?;
    let setting = Setting::new(problem)?;
    precheck(&setting, opts)?;
    let all = match chambers(&setting, &opts.deadline)? {
        Ok(all) => all,
        Err(listed) => return timed_out_early(problem, opts, sizes(&setting, listed, opts)),
    };
    let plan = sizes(&setting, all.list.len(), opts);
    if let Some(max) = opts.max_sets {
        if plan.sets_total > max {
            return Err(GlobalError::TooManySets {
                sets: plan.sets_total,
                max,
            });
        }
    }
    let m = opts.width.min(plan.pairs);
    let nq = Q::from_integer((setting.n as i64).into());
    let mut duals: Vec<Dual> = Vec::new();
    let mut best: Option<Best> = None;
    let mut last_dual = 0usize;
    let (mut position, mut done, mut lps) = (0u128, 0u128, 0u64);
    let mut complete = true;
    let mut subsets = Subsets::new(plan.pairs, m);
    if let Some(report) = opts.progress {
        report(0, plan.sets_total);
    }
    while let Some(set) = subsets.next_set() {
        let mine = match opts.shard {
            None => true,
            Some(s) => position % s.count as u128 == s.index as u128 - 1,
        };
        position += 1;
        if !mine {
            continue;
        }
        if done % 64 == 0 {
            if let Some(report) = opts.progress {
                report(done, plan.sets_total);
            }
        }
        // before every LP: each is small, the clock is cheap
        if opts.deadline.expired() {
            complete = false;
            break;
        }
        done += 1;
        let covered = opts.reuse_duals
            && (duals
                .get(last_dual)
                .is_some_and(|d| d.bits.contains_all(set))
                || match duals.iter().position(|d| d.bits.contains_all(set)) {
                    Some(t) => {
                        last_dual = t;
                        true
                    }
                    None => false,
                });
        if covered {
            continue;
        }
        let set = set.to_vec();
        let sol = solve_set(&setting, &all, &set)?;
        lps += 1;
        let bound = sol.lambda.iter().fold(Q::zero(), |a, l| a + l) / &nq;
        if bound != sol.value {
            return Err(GlobalError::Internal(
                "a set's dual bound differs from its optimum".into(),
            ));
        }
        let dual = extend_dual(&setting, &all, sol.lambda, &set, opts.reuse_duals)?;
        last_dual = duals.len();
        duals.push(dual);
        if best.as_ref().is_none_or(|b| sol.value < b.value) {
            best = Some(Best {
                value: sol.value,
                pairs: set,
                u: sol.u,
                c: sol.c,
            });
        }
    }
    if let Some(report) = opts.progress {
        report(done, plan.sets_total);
    }
    let arch = width_arch(problem, opts.width);
    let best = best.unwrap_or_else(|| Best {
        // A shard with no set of its own, or a deadline before the first
        // LP: the zero network (loss 1) is the best known.
        value: Q::one(),
        pairs: Vec::new(),
        u: Vec::new(),
        c: Q::zero(),
    });
    let witness = network(problem, opts.width, &best.pairs, &best.u, &best.c);
    let exact = Problem {
        arch: arch.clone(),
        loss: problem.loss,
        data: problem.data.clone(),
    }
    .loss(&witness);
    if exact != best.value {
        return Err(GlobalError::Internal(format!(
            "the witness network's exact loss {} differs from its LP value {}",
            crate::number::fmt_q(&exact),
            crate::number::fmt_q(&best.value)
        )));
    }
    let certificate = complete.then(|| PatternLp {
        width: opts.width,
        chambers: all.list.clone(),
        empty: all.empty.clone(),
        duals: duals.iter().map(|d| d.bound.clone()).collect(),
        witness: Some(WitnessNet {
            units: best
                .pairs
                .iter()
                .zip(&best.u)
                .map(|(&pair, u)| WitnessUnit { pair, u: u.clone() })
                .collect(),
            c: best.c.clone(),
        }),
        shard: opts.shard,
    });
    Ok(Optimum {
        lower_bound: if complete {
            best.value.clone()
        } else {
            Q::zero()
        },
        value: best.value,
        complete,
        arch,
        witness,
        chambers: plan.chambers,
        pairs: plan.pairs,
        sets_total: plan.sets_total,
        sets_done: done,
        lps,
        certificate,
    })
}

//! The census of spurious minima (docs/global.md): exact descents from
//! seeded random starts to certified verdicts, every certified minimum
//! compared with `L*_m`, the exact least hinge loss over all networks of
//! its width (THEORY section 9, `relucert::global::solve`).
//!
//! Owns: the three census parts and their Markdown tables on stdout
//! (progress on stderr): `bifurcation` (benches/data/bifurcation-{relu,
//! leaky}.toml at widths 1, 2, 3), `nonseparable` (generated non-separable
//! data in the plane, N = 6..8, widths 1, 2, 3) and `dead` (generated
//! one-hidden-layer binary-hinge instances with dead relu units, P4's
//! situation, at their own width); the cross-checks of every number: each
//! `L*_m` certificate (`width-optimum`) and each certified minimum's
//! certificate re-checked by the independent checker (`relucert-check`),
//! `verify`'s own comparison (`Outcome.global`) against the census's `L*_m`,
//! and no loss anywhere below `L*_m`.
//!
//! Must not: decide anything itself (verdicts come from `verify` through
//! `descend`, optima from `global::solve`; this program only counts and
//! compares exact rationals), or work around an inconsistency: a loss
//! below `L*_m`, a `global-min` verdict above it, a disagreement between
//! `verify`'s comparison and `L*_m`, or a rejected certificate writes the
//! instance to `/tmp/census-bug-*.toml` and stops with exit code 3.
//!
//! ```sh
//! cargo run --release -p relucert --example census -- --part all
//! ```
//!
//! Options (defaults in parentheses): `--part all|bifurcation|nonseparable|dead`,
//! `--starts K` (bifurcation starts per row, 30), `--seed S` (1; start `s`
//! uses seed `S + s`, as `relucert descend --starts` does), `--max-steps N`
//! (60), `--timeout SECS` (per descent, 2), `--gen-seed S` (generated
//! families, 1), `--nonseparable G` (instances per activation, relu and
//! leaky, 2), `--gen-starts K` (starts per generated instance and width,
//! 5), `--dead G` (instances, 30), `--max-sets N` (skip a generated
//! instance whose `L*_m` takes more sets of pairs, 300000), `--no-check`
//! (skip the independent checker).

use num_traits::{Signed, Zero};
use relucert::cert::{Certificate, Claim, Evidence, Header};
use relucert::descend::{descend, random_point};
use relucert::gen::{generate, source_line, Family};
use relucert::global::{self, Options};
use relucert::instance::{canonical_hash, to_toml, Instance};
use relucert::network::{Activation, LossKind, Params, Problem};
use relucert::number::{fmt_q, Q};
use relucert::{theorems, Limits, Outcome, Verdict};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Command-line settings.
struct Config {
    part: String,
    starts: usize,
    seed: u64,
    max_steps: usize,
    timeout: u64,
    gen_seed: u64,
    nonseparable: usize,
    gen_starts: usize,
    dead: usize,
    max_sets: u128,
    check: bool,
}

impl Config {
    fn parse(args: &[String]) -> Result<Config, String> {
        let mut c = Config {
            part: "all".into(),
            starts: 30,
            seed: 1,
            max_steps: 60,
            timeout: 2,
            gen_seed: 1,
            nonseparable: 2,
            gen_starts: 5,
            dead: 30,
            max_sets: 300_000,
            check: true,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "--no-check" {
                c.check = false;
                continue;
            }
            let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
            let num = |v: &str| {
                v.parse::<u64>()
                    .map_err(|_| format!("{a}: not a number: {v}"))
            };
            match a.as_str() {
                "--part" => c.part = v.clone(),
                "--starts" => c.starts = num(v)? as usize,
                "--seed" => c.seed = num(v)?,
                "--max-steps" => c.max_steps = num(v)? as usize,
                "--timeout" => c.timeout = num(v)?,
                "--gen-seed" => c.gen_seed = num(v)?,
                "--nonseparable" => c.nonseparable = num(v)? as usize,
                "--gen-starts" => c.gen_starts = num(v)? as usize,
                "--dead" => c.dead = num(v)? as usize,
                "--max-sets" => c.max_sets = u128::from(num(v)?),
                _ => return Err(format!("unknown option {a}")),
            }
        }
        if !["all", "bifurcation", "nonseparable", "dead"].contains(&c.part.as_str()) {
            return Err(format!(
                "--part {}: expected all|bifurcation|nonseparable|dead",
                c.part
            ));
        }
        Ok(c)
    }

    /// A fresh deadline: call it once per descent.
    fn limits(&self) -> Limits {
        Limits {
            deadline: relucert::Deadline::after(Duration::from_secs(self.timeout)),
            ..Limits::default()
        }
    }
}

/// A census failure: an inconsistency (a bug somewhere, instance written)
/// or an error of a library call.
#[derive(Debug)]
enum Stop {
    Bug(String),
    Error(String),
}

/// Write `inst` to `/tmp/census-bug-TAG.toml` and return the stop.
fn bug(inst: &Instance, tag: &str, what: String) -> Stop {
    let path = format!("/tmp/census-bug-{tag}.toml");
    let note = match std::fs::write(&path, to_toml(inst)) {
        Ok(()) => format!("instance written to {path}"),
        Err(e) => format!("could not write {path}: {e}"),
    };
    Stop::Bug(format!("{what} ({note})"))
}

/// `L*_m` of one instance and width, with the size of its computation.
struct LStar {
    value: Q,
    chambers: usize,
    pairs: usize,
    sets: u128,
    lps: u64,
    secs: f64,
    checked: &'static str,
}

/// The instance with hidden width `m` and no point.
fn at_width(inst: &Instance, m: usize) -> Instance {
    let mut out = inst.clone();
    out.problem.arch.widths[1] = m;
    out.point = None;
    out.expect = None;
    out
}

/// `L*_m` of `inst` (whose hidden width is `m`), or `None` when it takes
/// more than `max_sets` sets of pairs; its `width-optimum` certificate is
/// re-checked by the independent checker unless `--no-check`.
fn lstar(inst: &Instance, cfg: &Config, tag: &str) -> Result<Option<LStar>, Stop> {
    let m = inst.problem.arch.widths[1];
    let t = Instant::now();
    let opts = Options {
        max_sets: Some(cfg.max_sets),
        ..Options::new(m)
    };
    let opt = match global::solve(&inst.problem, &opts) {
        Ok(o) => o,
        Err(global::GlobalError::TooManySets { .. }) => return Ok(None),
        Err(e) => return Err(Stop::Error(format!("{tag}: global: {e}"))),
    };
    let secs = t.elapsed().as_secs_f64();
    let body = match (opt.complete, opt.certificate) {
        (true, Some(b)) => b,
        _ => {
            return Err(Stop::Error(format!(
                "{tag}: global run incomplete without a deadline"
            )))
        }
    };
    let checked = if cfg.check {
        let cert = Certificate {
            header: Header {
                instance_sha256: canonical_hash(inst),
                claim: Claim::GlobalOptimum,
                loss: opt.value.clone(),
            },
            evidence: Evidence::WidthOptimum(body),
        };
        if let Err(e) = relucert_check::check_certificate(inst, &cert) {
            return Err(bug(
                inst,
                &format!("{tag}-optimum"),
                format!("{tag}: the checker rejects the width-optimum certificate: {e}"),
            ));
        }
        "yes"
    } else {
        "skipped"
    };
    Ok(Some(LStar {
        value: opt.value,
        chambers: opt.chambers,
        pairs: opt.pairs,
        sets: opt.sets_total,
        lps: opt.lps,
        secs,
        checked,
    }))
}

/// The counts of one row: descents (or points) of one instance and width.
#[derive(Default)]
struct Tally {
    starts: usize,
    certified: usize,
    global: usize,
    spurious: usize,
    gaps: Vec<Q>,
    undecided: usize,
    limit: usize,
    /// Certified minima with positive loss.
    positive: usize,
    /// ... whose output is the same on every data point.
    constant: usize,
    /// ... (relu) whose loss is the P4 closed form.
    closed_holds: usize,
    /// ... (relu) whose P4 closed form value equals `L*_m`.
    closed_is_lstar: usize,
    /// P4's necessary condition (theorems): holds / violated.
    p4: (usize, usize),
    secs: f64,
}

/// Is the output the same on every data point?
fn constant_output(problem: &Problem, params: &Params) -> bool {
    let ev = problem.evaluate(params);
    ev.traces.windows(2).all(|w| w[0].output == w[1].output)
}

/// Count one end point (`end`: the instance at the end point, `out`: the
/// verifier's outcome there) against `L*`; stop on any inconsistency.
fn record(
    t: &mut Tally,
    cfg: &Config,
    end: &Instance,
    out: &Outcome,
    lstar: &Q,
    tag: &str,
) -> Result<(), Stop> {
    t.starts += 1;
    let loss = &out.loss;
    if loss < lstar {
        return Err(bug(
            end,
            tag,
            format!(
                "{tag}: verdict {} with loss {} below L* = {}",
                out.verdict.name(),
                fmt_q(loss),
                fmt_q(lstar)
            ),
        ));
    }
    if let Some(g) = &out.global {
        let spurious = out.verdict == Verdict::LocalMin && loss > lstar;
        if g.optimum != *lstar || g.spurious != spurious {
            return Err(bug(
                end,
                tag,
                format!(
                    "{tag}: verify's comparison (optimum {}, spurious {}) disagrees with L* = {}",
                    fmt_q(&g.optimum),
                    g.spurious,
                    fmt_q(lstar)
                ),
            ));
        }
    }
    match out.verdict {
        Verdict::GlobalMin | Verdict::LocalMin => {}
        Verdict::Undecided => {
            t.undecided += 1;
            return Ok(());
        }
        Verdict::NotLocalMin => {
            t.limit += 1;
            return Ok(());
        }
    }
    t.certified += 1;
    if cfg.check {
        let Some(cert) = &out.certificate else {
            return Err(bug(
                end,
                tag,
                format!("{tag}: a minimum without certificate"),
            ));
        };
        if let Err(e) = relucert_check::check_certificate(end, cert) {
            return Err(bug(
                end,
                tag,
                format!("{tag}: the checker rejects the minimum's certificate: {e}"),
            ));
        }
    }
    if loss == lstar {
        t.global += 1;
    } else if out.verdict == Verdict::GlobalMin {
        return Err(bug(
            end,
            tag,
            format!(
                "{tag}: global-min with loss {} above L* = {}",
                fmt_q(loss),
                fmt_q(lstar)
            ),
        ));
    } else {
        t.spurious += 1;
        t.gaps.push(loss - lstar);
    }
    if loss.is_positive() {
        let Some(params) = end.point.as_ref() else {
            return Err(Stop::Error(format!("{tag}: an end point without [point]")));
        };
        t.positive += 1;
        if constant_output(&end.problem, params) {
            t.constant += 1;
        }
        if end.problem.arch.activation == Activation::Relu {
            let (_, _, cf) = relucert::theorems::p4_closed_form_value(&end.problem, params);
            t.closed_holds += usize::from(cf == *loss);
            t.closed_is_lstar += usize::from(cf == *lstar);
        }
        let reports = theorems::evaluate(end, out).map_err(|e| Stop::Error(e.to_string()))?;
        for r in reports {
            if r.predicate == "P4-relu-separable-dead-points" {
                match r.outcome {
                    theorems::PredicateOutcome::Holds(_) => t.p4.0 += 1,
                    theorems::PredicateOutcome::Violated(_) => t.p4.1 += 1,
                    theorems::PredicateOutcome::NotApplicable(_) => {}
                }
            }
        }
    }
    Ok(())
}

/// Descend from `k` seeded random starts of `inst` (its own point is
/// ignored; start `s` uses seed `seed + s`, as `descend::random_starts`).
fn run_starts(
    inst: &Instance,
    lstar: &Q,
    k: usize,
    cfg: &Config,
    tag: &str,
) -> Result<Tally, Stop> {
    let t0 = Instant::now();
    let mut t = Tally::default();
    for s in 0..k as u64 {
        let limits = cfg.limits();
        let seed = cfg.seed.wrapping_add(s);
        let mut start = inst.clone();
        start.point = Some(random_point(&inst.problem.arch, seed));
        start.expect = None;
        let d = descend(&start, cfg.max_steps, &limits)
            .map_err(|e| Stop::Error(format!("{tag} seed {seed}: {e}")))?;
        record(
            &mut t,
            cfg,
            &d.end,
            &d.outcome,
            lstar,
            &format!("{tag}-seed{seed}"),
        )?;
    }
    t.secs = t0.elapsed().as_secs_f64();
    Ok(t)
}

/// A rational for a table cell: exact when short, else a float shown as
/// approximate (display only) with the size of the exact value.
fn cell(q: &Q) -> String {
    let text = fmt_q(q);
    if text.len() <= 24 {
        return text;
    }
    let approx = num_traits::ToPrimitive::to_f64(q).unwrap_or(f64::NAN);
    format!("~{approx:.4} ({} chars exact)", text.len())
}

fn gaps(t: &Tally) -> (String, String) {
    if t.gaps.is_empty() {
        return ("-".into(), "-".into());
    }
    let sum = t.gaps.iter().fold(Q::zero(), |a, g| a + g);
    let mean = sum / Q::from_integer((t.gaps.len() as i64).into());
    let max = t.gaps.iter().max().cloned().unwrap_or_else(Q::zero);
    (cell(&mean), cell(&max))
}

/// The distinct gaps with their counts: `1/4 x3, 1 x4`.
fn histogram(gaps: &[Q]) -> String {
    let mut h: std::collections::BTreeMap<&Q, usize> = std::collections::BTreeMap::new();
    for g in gaps {
        *h.entry(g).or_default() += 1;
    }
    if h.is_empty() {
        return "-".into();
    }
    h.iter()
        .map(|(g, c)| format!("{} x{c}", cell(g)))
        .collect::<Vec<_>>()
        .join(", ")
}

const ROW_HEAD: &str = "| starts | certified minima | global | spurious | mean gap | max gap | gaps (count) | undecided | limit-stopped | time (s) |";
const ROW_RULE: &str = "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

fn row(t: &Tally) -> String {
    let (mean, max) = gaps(t);
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0} |",
        t.starts,
        t.certified,
        t.global,
        t.spurious,
        mean,
        max,
        histogram(&t.gaps),
        t.undecided,
        t.limit,
        t.secs
    )
}

fn positive_row(t: &Tally, relu: bool) -> String {
    let na = |v: usize| if relu { v.to_string() } else { "-".into() };
    format!(
        "| {} | {} | {} | {} | {}/{} |",
        t.positive,
        t.constant,
        na(t.closed_holds),
        na(t.closed_is_lstar),
        t.p4.0,
        t.p4.1
    )
}

fn act_name(a: &Activation) -> String {
    match a {
        Activation::Relu => "relu".into(),
        Activation::Leaky(al) => format!("leaky {}", fmt_q(al)),
        Activation::Linear => "linear".into(),
    }
}

fn lstar_line(l: &LStar) -> String {
    format!(
        "{} | {} | {} | {} | {} | {:.2} | {}",
        fmt_q(&l.value),
        l.chambers,
        l.pairs,
        l.sets,
        l.lps,
        l.secs,
        l.checked
    )
}

fn root() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../..").to_string()
}

fn load(rel: &str) -> Result<Instance, Stop> {
    let path = format!("{}/{rel}", root());
    relucert::instance::load(path.as_ref()).map_err(|e| Stop::Error(e.to_string()))
}

/// Part 1: the bifurcation data at widths 1, 2, 3.
fn bifurcation(cfg: &Config) -> Result<(), Stop> {
    let files = [
        ("relu", "benches/data/bifurcation-relu.toml"),
        ("leaky", "benches/data/bifurcation-leaky.toml"),
    ];
    let mut rows = Vec::new();
    for (name, file) in files {
        let base = load(file)?;
        for m in 1..=3 {
            let inst = at_width(&base, m);
            let tag = format!("bifurcation-{name}-w{m}");
            eprintln!("{tag}: L*_{m} ...");
            let l = lstar(&inst, cfg, &tag)?
                .ok_or_else(|| Stop::Error(format!("{tag}: more than --max-sets sets")))?;
            eprintln!("{tag}: L* = {}; {} starts ...", fmt_q(&l.value), cfg.starts);
            let t = run_starts(&inst, &l.value, cfg.starts, cfg, &tag)?;
            rows.push((act_name(&inst.problem.arch.activation), m, l, t));
        }
    }
    println!("### Bifurcation data: L*_m\n");
    println!("| activation | m | L*_m | chambers | pairs | sets | LPs | time (s) | checker |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (a, m, l, _) in &rows {
        println!("| {a} | {m} | {} |", lstar_line(l));
    }
    println!("\n### Bifurcation data: descents\n");
    println!("| activation | m | L*_m |{}", &ROW_HEAD[1..]);
    println!("| --- | --- | --- |{}", &ROW_RULE[1..]);
    for (a, m, l, t) in &rows {
        println!("| {a} | {m} | {} |{}", fmt_q(&l.value), &row(t)[1..]);
    }
    println!("\n### Bifurcation data: certified minima with positive loss\n");
    println!("| activation | m | positive-loss minima | constant output | P4 closed form = loss | P4 closed form = L*_m | P4 condition holds/violated |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (a, m, _, t) in &rows {
        println!("| {a} | {m} |{}", &positive_row(t, a == "relu")[1..]);
    }
    println!();
    Ok(())
}

/// Part 2: generated non-separable data in the plane, N = 6..8.
fn nonseparable(cfg: &Config) -> Result<(), Stop> {
    let mut rows = Vec::new();
    let mut index = 0u64;
    // the first `--nonseparable` qualifying instances of each activation
    let mut taken = [0usize, 0usize];
    while taken.iter().any(|&t| t < cfg.nonseparable) && index < 10_000 {
        let g = generate(Family::Nonseparable, cfg.gen_seed, index);
        let src = source_line(Family::Nonseparable, cfg.gen_seed, index);
        index += 1;
        let p = &g.instance.problem;
        let n = p.data.len();
        let kind = usize::from(p.arch.activation != Activation::Relu);
        if p.arch.widths[0] != 2 || !(6..=8).contains(&n) || taken[kind] >= cfg.nonseparable {
            continue;
        }
        let widths: Vec<usize> = (1..=3).collect();
        let mut sized = Vec::new();
        for &m in &widths {
            let inst = at_width(&g.instance, m);
            let tag = format!("nonseparable-{}-{}-w{m}", cfg.gen_seed, index - 1);
            let plan = global::plan(&inst.problem, &Options::new(m))
                .map_err(|e| Stop::Error(format!("{tag}: {e}")))?;
            if plan.sets_total > cfg.max_sets {
                break;
            }
            sized.push((m, inst, tag));
        }
        if sized.len() < widths.len() {
            eprintln!("{src}: skipped (more than --max-sets sets at some width)");
            continue;
        }
        taken[kind] += 1;
        for (m, inst, tag) in sized {
            eprintln!("{tag}: L*_{m} ...");
            let l = lstar(&inst, cfg, &tag)?
                .ok_or_else(|| Stop::Error(format!("{tag}: more than --max-sets sets")))?;
            eprintln!(
                "{tag}: L* = {}; {} starts ...",
                fmt_q(&l.value),
                cfg.gen_starts
            );
            let t = run_starts(&inst, &l.value, cfg.gen_starts, cfg, &tag)?;
            let a = &inst.problem.arch;
            let net = format!(
                "{}, bias {}/{}",
                act_name(&a.activation),
                if a.bias[0] { "yes" } else { "no" },
                if a.bias[1] { "yes" } else { "no" }
            );
            rows.push((src.clone(), net, n, m, l, t));
        }
    }
    println!("### Generated non-separable data (R^2, N = 6..8)\n");
    println!("| instance | network (hidden/output bias) | N | m | L*_m | chambers | pairs | sets | LPs | time (s) | checker |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (src, net, n, m, l, _) in &rows {
        println!("| `{src}` | {net} | {n} | {m} | {} |", lstar_line(l));
    }
    println!();
    println!("| instance | m | L*_m |{}", &ROW_HEAD[1..]);
    println!("| --- | --- | --- |{}", &ROW_RULE[1..]);
    for (src, _, _, m, l, t) in &rows {
        let short = src.rsplit("--index ").next().unwrap_or(src);
        println!(
            "| index {short} | {m} | {} |{}",
            fmt_q(&l.value),
            &row(t)[1..]
        );
    }
    println!();
    println!("| instance | m | positive-loss minima | constant output | P4 closed form = loss | P4 closed form = L*_m | P4 condition holds/violated |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (src, net, _, m, _, t) in &rows {
        let short = src.rsplit("--index ").next().unwrap_or(src);
        println!(
            "| index {short} | {m} |{}",
            &positive_row(t, net.starts_with("relu"))[1..]
        );
    }
    println!();
    Ok(())
}

/// Part 3: generated `dead` instances (binary hinge), descended from their
/// own point to a certified verdict, at their own width.
fn dead(cfg: &Config) -> Result<(), Stop> {
    let mut lines = Vec::new();
    // totals over instances with non-separable [0] and separable [1] data
    let mut totals = [Tally::default(), Tally::default()];
    let (mut index, mut skipped) = (0u64, 0usize);
    while lines.len() < cfg.dead && index < 10_000 {
        let g = generate(Family::Dead, cfg.gen_seed, index);
        let src = source_line(Family::Dead, cfg.gen_seed, index);
        let tag = format!("dead-{}-{index}", cfg.gen_seed);
        index += 1;
        let inst = &g.instance;
        let p = &inst.problem;
        if p.loss != LossKind::Hinge || p.arch.hidden_layers() != 1 {
            continue;
        }
        let m = p.arch.widths[1];
        let Some(l) = lstar(&at_width(inst, m), cfg, &tag)? else {
            skipped += 1;
            continue;
        };
        let d = descend(inst, cfg.max_steps, &cfg.limits())
            .map_err(|e| Stop::Error(format!("{tag}: {e}")))?;
        let mut one = Tally::default();
        record(&mut one, cfg, &d.end, &d.outcome, &l.value, &tag)?;
        let sep = theorems::separable(p, p.arch.bias[0]).is_ok();
        let params = d.end.point.as_ref();
        let (cf, dd) = match params {
            Some(pp) => {
                let (dp, dm, v) = relucert::theorems::p4_closed_form_value(p, pp);
                (fmt_q(&v), format!("{dp}/{dm}"))
            }
            None => ("-".into(), "-".into()),
        };
        let a = &p.arch;
        lines.push(format!(
            "| `{src}` | {} | {} | {m} | {}/{} | {} | {} | {} | {} | {} | {} | {} |",
            p.data.len(),
            p.arch.widths[0],
            if a.bias[0] { "yes" } else { "no" },
            if a.bias[1] { "yes" } else { "no" },
            if sep { "yes" } else { "no" },
            d.steps,
            d.outcome.verdict.name(),
            cell(&d.outcome.loss),
            dd,
            cf,
            fmt_q(&l.value)
        ));
        eprintln!("{tag}: {}", d.outcome.verdict.name());
        let total = &mut totals[usize::from(sep)];
        total.starts += one.starts;
        total.certified += one.certified;
        total.global += one.global;
        total.spurious += one.spurious;
        total.gaps.extend(one.gaps);
        total.undecided += one.undecided;
        total.limit += one.limit;
        total.positive += one.positive;
        total.constant += one.constant;
        total.closed_holds += one.closed_holds;
        total.closed_is_lstar += one.closed_is_lstar;
        total.p4.0 += one.p4.0;
        total.p4.1 += one.p4.1;
    }
    println!("### Generated dead-unit instances (binary hinge, relu)\n");
    println!("| instance | N | d | m | bias hidden/output | separable | steps | verdict | loss | \\|D+\\|/\\|D-\\| | P4 closed form | L*_m |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for l in &lines {
        println!("{l}");
    }
    println!();
    println!("| data | instances | certified minima | global | spurious | mean gap | max gap | gaps (count) | undecided | limit-stopped | positive-loss minima | constant output | P4 closed form = loss | P4 closed form = L*_m | P4 condition holds/violated |");
    println!(
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (name, t) in [("not separable", &totals[0]), ("separable", &totals[1])] {
        let (mean, max) = gaps(t);
        println!(
            "| {name} | {} | {} | {} | {} | {mean} | {max} | {} | {} | {} |{}",
            t.starts,
            t.certified,
            t.global,
            t.spurious,
            histogram(&t.gaps),
            t.undecided,
            t.limit,
            &positive_row(t, true)[1..]
        );
    }
    println!("\n({skipped} instances skipped: more than --max-sets sets of pairs.)\n");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match Config::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let t0 = Instant::now();
    let mut result = Ok(());
    if matches!(cfg.part.as_str(), "all" | "bifurcation") {
        result = bifurcation(&cfg);
    }
    if result.is_ok() && matches!(cfg.part.as_str(), "all" | "nonseparable") {
        result = nonseparable(&cfg);
    }
    if result.is_ok() && matches!(cfg.part.as_str(), "all" | "dead") {
        result = dead(&cfg);
    }
    match result {
        Ok(()) => {
            println!(
                "Census: `{}`, {:.0} s.",
                std::iter::once("census".to_string())
                    .chain(args)
                    .collect::<Vec<_>>()
                    .join(" "),
                t0.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(Stop::Bug(e)) => {
            eprintln!("INCONSISTENCY: {e}");
            ExitCode::from(3)
        }
        Err(Stop::Error(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

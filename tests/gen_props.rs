//! The instance generators (`relucert::gen`) and the `gen` / `corpus`
//! subcommands. Every promise of a generator is checked by an independent
//! recomputation: zero entries with the network's own signature, losses
//! with the exact forward pass, separability with the theorems' LP, LP
//! optima with an LP written here or the verifier's bound.

use num_traits::{One, Signed, Zero};
use relucert::gen::{generate, Family, Generated};
use relucert::instance::{self, canonical_text, to_toml, Instance, Syntax};
use relucert::lp::{self, Cmp, LpResult, Sense};
use relucert::network::{LossKind, Params};
use relucert::number::Q;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEEDS: [u64; 2] = [1, 7];
const PER_SEED: u64 = 40;

fn batch(family: Family) -> Vec<Generated> {
    SEEDS
        .iter()
        .flat_map(|&s| (0..PER_SEED).map(move |i| generate(family, s, i)))
        .collect()
}

fn point(inst: &Instance) -> &Params {
    inst.point
        .as_ref()
        .expect("every generated instance has a point")
}

#[test]
fn every_family_validates_and_round_trips() {
    for family in Family::ALL {
        for g in batch(family) {
            let inst = &g.instance;
            let text = to_toml(inst);
            let name = inst.name.clone().unwrap_or_default();
            let back = instance::parse(&text, Syntax::Toml, "generated.toml")
                .unwrap_or_else(|e| panic!("{name}: does not validate: {e}\n{text}"));
            assert_eq!(&back, inst, "{name}: changed on the round trip");
            let src = inst.source.as_deref().unwrap_or_default();
            assert!(
                src.starts_with(&format!("relucert gen --family {} --seed ", family.name())),
                "{name}: source line {src:?}"
            );
            // dimensions of the issue-5 corpus
            let arch = &inst.problem.arch;
            assert!(
                arch.input_dim() <= 3 && inst.problem.data.len() <= 8,
                "{name}"
            );
            assert!(
                arch.widths[1..arch.depth()].iter().all(|&w| w <= 3),
                "{name}"
            );
        }
    }
}

#[test]
fn promised_zero_entries_are_in_the_recomputed_signature() {
    for family in Family::ALL {
        for g in batch(family) {
            let inst = &g.instance;
            let zeros = inst.problem.signature(point(inst)).zero_entries();
            for p in &g.promised {
                assert!(
                    zeros.contains(p),
                    "{}: promised {p:?} is not a zero entry (zero entries: {zeros:?})",
                    inst.name.as_deref().unwrap_or_default()
                );
            }
        }
    }
}

#[test]
fn kinks_sit_on_zero_pre_activations_and_unit_margins() {
    use relucert::network::ZeroEntry;
    let all = batch(Family::Kinks);
    let mut with_margin = 0;
    for g in &all {
        let inst = &g.instance;
        let name = inst.name.as_deref().unwrap_or_default();
        let ev = inst.problem.evaluate(point(inst));
        let mut pre = 0;
        for p in &g.promised {
            match p {
                ZeroEntry::PreActivation { point, layer, unit } => {
                    pre += 1;
                    assert!(
                        ev.traces[*point].pre[layer - 1][*unit].is_zero(),
                        "{name}: {p:?}"
                    );
                }
                ZeroEntry::Hinge { point, class } => {
                    // the hinge argument is 0: y f = 1 (binary), f_y - f_k = 1
                    // (Weston-Watkins), f_y - max_k f_k = 1 (Crammer-Singer)
                    let f = &ev.points[*point].output;
                    let y = inst.problem.data.y[*point];
                    let m = match (inst.problem.loss, class) {
                        (LossKind::Hinge, _) => Q::from_integer(y.into()) * &f[0],
                        (_, Some(k)) => &f[y as usize] - &f[*k],
                        (_, None) => ev.points[*point].margin.clone(),
                    };
                    assert_eq!(m, Q::one(), "{name}: {p:?}");
                }
                ZeroEntry::Tie { .. } => {}
            }
        }
        assert!(pre >= 1, "{name}: no zero pre-activation");
        if g.promised
            .iter()
            .any(|p| matches!(p, ZeroEntry::Hinge { .. }))
        {
            with_margin += 1;
        }
    }
    assert!(
        with_margin * 10 >= all.len() * 7,
        "only {with_margin} of {} kinks instances have a unit margin",
        all.len()
    );
}

#[test]
fn zero_loss_instances_have_loss_zero_and_a_unit_margin() {
    for g in batch(Family::ZeroLoss) {
        let inst = &g.instance;
        let name = inst.name.as_deref().unwrap_or_default();
        let ev = inst.problem.evaluate(point(inst));
        assert!(ev.loss.is_zero(), "{name}: loss {}", ev.loss);
        let smallest = ev.points.iter().map(|p| p.margin.clone()).min();
        assert_eq!(smallest, Some(Q::one()), "{name}: smallest margin");
        let e = inst.expect.clone().unwrap_or_default();
        assert_eq!(
            (e.local_min, e.global_min, e.loss),
            (Some(true), Some(true), Some(Q::zero())),
            "{name}"
        );
    }
}

#[test]
fn separable_data_is_separable_and_nonseparable_is_not() {
    use relucert::theorems::separable;
    for g in batch(Family::Separable) {
        let p = &g.instance.problem;
        if let Err(e) = separable(p, p.arch.bias[0]) {
            panic!("{}: {e}", g.instance.name.as_deref().unwrap_or_default());
        }
    }
    for g in batch(Family::Nonseparable) {
        let p = &g.instance.problem;
        // not even affinely separable, so not linearly either
        assert!(
            separable(p, true).is_err() && separable(p, false).is_err(),
            "{}",
            g.instance.name.as_deref().unwrap_or_default()
        );
    }
}

/// The optimum of the hinge loss over affine (or linear) maps `x -> A x + c`,
/// as an LP written here: for each point, slack variables bounding its
/// hinge terms from above.
fn lp_optimum(inst: &Instance) -> Q {
    let p = &inst.problem;
    let (d, k, n) = (p.arch.input_dim(), p.arch.output_width(), p.data.len());
    let affine = p.arch.bias.iter().any(|&b| b);
    let mut m = lp::Lp::new(Sense::Minimize);
    let a: Vec<Vec<lp::VarId>> = (0..k)
        .map(|_| (0..d).map(|_| m.add_var(None, None)).collect())
        .collect();
    let c: Vec<Option<lp::VarId>> = (0..k)
        .map(|_| affine.then(|| m.add_var(None, None)))
        .collect();
    let f = |r: usize, x: &[Q], s: i64| {
        let s = Q::from_integer(s.into());
        let mut t: Vec<(lp::VarId, Q)> = a[r].iter().zip(x).map(|(v, xi)| (*v, &s * xi)).collect();
        if let Some(cv) = c[r] {
            t.push((cv, s));
        }
        t
    };
    let mut obj = Vec::new();
    let w = Q::one() / Q::from_integer((n as i64).into());
    for (x, &y) in p.data.x.iter().zip(&p.data.y) {
        match p.loss {
            LossKind::Absolute | LossKind::Squared => panic!("gen's families are classification"),
            LossKind::Hinge => {
                let s = m.add_var(Some(Q::zero()), None);
                let mut row = f(0, x, y);
                row.push((s, Q::one()));
                m.add_row(row, Cmp::Ge, Q::one());
                obj.push((s, w.clone()));
            }
            LossKind::MulticlassHinge => {
                for other in (0..k).filter(|&r| r as i64 != y) {
                    let s = m.add_var(Some(Q::zero()), None);
                    let mut row = f(y as usize, x, 1);
                    row.extend(f(other, x, -1));
                    row.push((s, Q::one()));
                    m.add_row(row, Cmp::Ge, Q::one());
                    obj.push((s, w.clone()));
                }
            }
            LossKind::CrammerSinger => {
                let s = m.add_var(Some(Q::zero()), None);
                for other in (0..k).filter(|&r| r as i64 != y) {
                    let mut row = f(y as usize, x, 1);
                    row.extend(f(other, x, -1));
                    row.push((s, Q::one()));
                    m.add_row(row, Cmp::Ge, Q::one());
                }
                obj.push((s, w.clone()));
            }
        }
    }
    m.set_objective(obj);
    let r = lp::solve(&m);
    lp::check_result(&m, &r).expect("the LP's certificate checks");
    match r {
        LpResult::Optimal { value, .. } => value,
        other => panic!("the hinge LP is always optimal, got {}", other.status()),
    }
}

#[test]
fn linear_factorised_optima_attain_the_lp_optimum() {
    let mut factorised = 0;
    for g in batch(Family::Linear) {
        let inst = &g.instance;
        let name = inst.name.as_deref().unwrap_or_default();
        let loss = inst.problem.loss(point(inst));
        let e = inst.expect.clone().unwrap_or_default();
        // the loss written from the end-to-end map is the network's loss
        assert_eq!(e.loss.as_ref(), Some(&loss), "{name}");
        let opt = lp_optimum(inst);
        assert!(
            loss >= opt,
            "{name}: loss {loss} below the LP optimum {opt}"
        );
        if inst.problem.loss == LossKind::Hinge {
            let b = relucert::verify::linear_lower_bound(&inst.problem)
                .expect("binary linear models have the verifier's LP bound");
            assert_eq!(b.value, opt, "{name}: two LPs disagree");
        }
        if name.contains("factorisation") {
            factorised += 1;
            assert_eq!(loss, opt, "{name}: not at the LP optimum");
            assert_eq!(e.global_min, Some(true), "{name}");
        }
        assert_eq!(
            e.global_min == Some(true),
            loss == opt,
            "{name}: global_min"
        );
    }
    assert!(factorised >= 10, "only {factorised} factorised optima");
}

#[test]
fn expected_losses_are_the_exact_losses() {
    for family in Family::ALL {
        for g in batch(family) {
            let inst = &g.instance;
            if let Some(l) = inst.expect.as_ref().and_then(|e| e.loss.clone()) {
                assert_eq!(
                    l,
                    inst.problem.loss(point(inst)),
                    "{}",
                    inst.name.as_deref().unwrap_or_default()
                );
            }
        }
    }
}

#[test]
fn dead_units_are_strictly_dead_and_claimed_minima_resist_output_bias_moves() {
    let mut all_dead = 0;
    for g in batch(Family::Dead) {
        let inst = &g.instance;
        let name = inst.name.as_deref().unwrap_or_default();
        if !name.contains("every unit dead on every point") {
            continue;
        }
        all_dead += 1;
        let params = point(inst);
        let ev = inst.problem.evaluate(params);
        assert!(
            ev.traces
                .iter()
                .all(|t| t.pre[0].iter().all(Q::is_negative)),
            "{name}: a unit is not strictly dead"
        );
        let e = inst.expect.clone().unwrap_or_default();
        if e.local_min != Some(true) || !inst.problem.arch.bias[1] {
            continue;
        }
        // a claimed minimum: no move of one output bias (or two in
        // opposite directions) lowers the loss
        let k = inst.problem.arch.output_width();
        let eps = Q::new(1.into(), 1000.into());
        let mut dirs: Vec<Vec<Q>> = Vec::new();
        for a in 0..k {
            for s in [1i64, -1] {
                let mut v = vec![Q::zero(); k];
                v[a] = Q::from_integer(s.into());
                dirs.push(v);
                for b in (0..k).filter(|&b| b != a) {
                    let mut w = vec![Q::zero(); k];
                    w[a] = Q::from_integer(s.into());
                    w[b] = Q::from_integer((-s).into());
                    dirs.push(w);
                }
            }
        }
        for dir in dirs {
            let mut moved = params.clone();
            let b = moved.layers[1].b.as_mut().expect("output bias");
            for (bi, di) in b.iter_mut().zip(&dir) {
                *bi += &eps * di;
            }
            assert!(
                inst.problem.loss(&moved) >= ev.loss,
                "{name}: the output bias moved along {dir:?} lowers the loss"
            );
        }
    }
    assert!(all_dead >= 10, "only {all_dead} all-dead instances");
}

#[test]
fn saddles_have_zero_outgoing_weights() {
    for g in batch(Family::Saddle) {
        let inst = &g.instance;
        let w2 = &point(inst).layers[1].w;
        let h = inst.problem.arch.widths[1];
        assert!(
            (0..h).any(|j| w2.iter().all(|row| row[j].is_zero())),
            "{}: no unit with zero outgoing weights",
            inst.name.as_deref().unwrap_or_default()
        );
    }
}

#[test]
fn generation_is_deterministic_and_seeds_differ() {
    for family in Family::ALL {
        let mut differ = 0;
        for i in 0..10 {
            let a = to_toml(&generate(family, 3, i).instance);
            let b = to_toml(&generate(family, 3, i).instance);
            assert_eq!(a, b, "{} index {i}: not deterministic", family.name());
            let other = canonical_text(&generate(family, 4, i).instance);
            let next = canonical_text(&generate(family, 3, i + 1).instance);
            let this = canonical_text(&generate(family, 3, i).instance);
            if other != this && next != this {
                differ += 1;
            }
        }
        assert!(
            differ >= 9,
            "{}: seeds or indices give the same instances",
            family.name()
        );
    }
}

// ---------------------------------------------------------------------------
// The command line

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("relucert-gen-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cli_gen_writes_files_that_load() {
    let dir = TempDir::new("files");
    for family in Family::ALL {
        let out = bin()
            .args([
                "gen",
                "--family",
                family.name(),
                "--seed",
                "5",
                "--count",
                "4",
                "--out",
            ])
            .arg(dir.path())
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for i in 0..4 {
            let path = dir.path().join(format!("{}-5-{i}.toml", family.name()));
            let inst = instance::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(inst, generate(family, 5, i).instance);
        }
    }
    // one instance to stdout, reproducible from its source line
    let out = bin()
        .args(["gen", "--family", "kinks", "--seed", "5", "--index", "2"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let inst = instance::parse(&text, Syntax::Toml, "stdout").expect("validates");
    assert_eq!(
        inst.source.as_deref(),
        Some("relucert gen --family kinks --seed 5 --index 2")
    );
    assert_eq!(inst, generate(Family::Kinks, 5, 2).instance);
}

#[test]
fn cli_gen_rejects_bad_arguments() {
    for (args, fragment) in [
        (
            vec!["gen", "--family", "nope"],
            "--family: unknown family `nope` (expected one of",
        ),
        (
            vec!["gen", "--family", "dead", "--count", "3"],
            "--out: expected a directory",
        ),
        (
            vec!["gen", "--family", "dead", "--count", "0"],
            "--count: expected a positive",
        ),
        (
            vec!["corpus", "--family", "linear,bogus"],
            "--family: unknown family `bogus`",
        ),
        (
            vec!["corpus", "--count", "0"],
            "--count: expected a positive",
        ),
        (
            vec!["corpus", "--timeout", "0"],
            "--timeout: expected a positive",
        ),
    ] {
        let out = bin().args(&args).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: stdout not empty");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
}

#[test]
fn cli_corpus_small_run() {
    let dir = TempDir::new("undecided");
    let out = bin()
        .args(["corpus", "--count", "3", "--write-undecided"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!(
        "reproduce: relucert corpus --family linear,kinks,dead,saddle --seed 1 --count 3 --timeout 10 --write-undecided {}",
        dir.path().display()
    )), "{text}");
    for row in [
        "| linear | 3 |",
        "| kinks | 3 |",
        "| dead | 3 |",
        "| saddle | 3 |",
        "| all | 12 |",
    ] {
        assert!(text.contains(row), "missing {row}: {text}");
    }
    assert!(text.contains("expectation disagreements: none"), "{text}");

    let out = bin()
        .args([
            "corpus",
            "--family",
            "zero-loss,linear",
            "--count",
            "3",
            "--seed",
            "2",
            "--json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["overall"]["instances"], 6);
    assert_eq!(v["per_family"][0]["family"], "zero-loss");
    // zero-loss instances are global minima by the loss bound
    assert_eq!(v["per_family"][0]["verdicts"]["global-min"], 3);
    assert_eq!(v["instances"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        v["command"],
        "relucert corpus --family zero-loss,linear --seed 2 --count 3 --timeout 10"
    );
    let undecided = v["overall"]["verdicts"]["undecided"].as_u64().unwrap_or(0) as f64;
    let fraction = v["overall"]["undecided_fraction"].as_f64().unwrap_or(-1.0);
    assert!((fraction - undecided / 6.0).abs() < 1e-12);
    // sanity: the margins of the first zero-loss instance really are at least 1
    let g = generate(Family::ZeroLoss, 2, 0).instance;
    let ev = g.problem.evaluate(point(&g));
    assert!(ev
        .points
        .iter()
        .all(|p| p.margin >= Q::one() && !p.margin.is_negative()));
}

/// The regression families: exact fits have every residual 0 (recomputed by
/// the exact forward pass); dead-unit instances have every unit strictly
/// dead, and their claimed (non-)minimality agrees with moving the output
/// bias by +-1/1000 (near the point the loss depends on the output bias
/// alone, convexly: a minimum resists both moves, a non-minimum yields to
/// one).
#[test]
fn regression_families_keep_their_promises() {
    use relucert::gen::Regression;
    for r in [Regression::Squared, Regression::Absolute] {
        for g in batch(Family::ExactFit(r)) {
            let inst = &g.instance;
            assert_eq!(inst.problem.loss, r.loss());
            let ev = inst.problem.evaluate(point(inst));
            assert!(ev.points.iter().all(|p| p.margin.is_zero()));
            assert!(ev.loss.is_zero());
        }
        let (mut minima, mut others) = (0, 0);
        for g in batch(Family::RegressionDead(r)) {
            let inst = &g.instance;
            let name = inst.name.as_deref().unwrap_or_default();
            let params = point(inst);
            let ev = inst.problem.evaluate(params);
            assert!(
                ev.traces
                    .iter()
                    .all(|t| t.pre[0].iter().all(Q::is_negative)),
                "{name}: a unit is not strictly dead"
            );
            let claim = inst.expect.as_ref().and_then(|e| e.local_min);
            let eps = Q::new(1.into(), 1000.into());
            let lowered = [eps.clone(), -eps].iter().any(|d| {
                let mut moved = params.clone();
                if let Some(b) = moved.layers[1].b.as_mut() {
                    b[0] += d;
                }
                inst.problem.loss(&moved) < ev.loss
            });
            match claim {
                Some(true) => {
                    minima += 1;
                    assert!(!lowered, "{name}: a claimed minimum yields to a bias move");
                }
                Some(false) => {
                    others += 1;
                    assert!(lowered, "{name}: a claimed non-minimum resists bias moves");
                }
                None => panic!("{name}: no local_min claim"),
            }
        }
        assert!(
            minima >= 20 && others >= 5,
            "{minima} minima, {others} others"
        );
        for g in batch(Family::RegressionKinks(r)) {
            assert_eq!(
                g.instance.problem.data.targets.len(),
                g.instance.problem.data.len()
            );
        }
    }
}

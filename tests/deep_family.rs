//! The `deep` generator family (two or three hidden layers): every claim of
//! the generator is checked against oracles written here, never against
//! the code under test: a plain-rational forward pass and hinge losses of
//! this file (zero pre-activations, dead layers, hinge corners, ties,
//! `[expect]` losses), a brute-force minimum of the constant-output loss
//! over the vertices of its arrangement (local minimality of dead-layer
//! points), the per-input lower bound of every-label data (global
//! minimality), exact probing at radii 1e-4 to 1e-30 around every claimed
//! minimum, and the `relucert` binary's `verify` (consistent with
//! `[expect]`) and `check` (its certificates accepted).

use num_traits::{One, Signed, Zero};
use relucert::gen::{generate, Family, Generated};
use relucert::instance::{to_toml, Instance};
use relucert::network::{Activation, LossKind, Params, ZeroEntry};
use relucert::number::Q;
use std::path::PathBuf;
use std::process::Command;

const SEEDS: [u64; 2] = [1, 2];
const PER_SEED: u64 = 40;

fn batch() -> Vec<Generated> {
    SEEDS
        .iter()
        .flat_map(|&s| (0..PER_SEED).map(move |i| generate(Family::Deep, s, i)))
        .collect()
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn name(inst: &Instance) -> &str {
    inst.name.as_deref().unwrap_or_default()
}

fn point(inst: &Instance) -> &Params {
    inst.point
        .as_ref()
        .expect("every generated instance has a point")
}

// ---------------------------------------------------------------------------
// The oracle: a forward pass and the hinge losses, written out here

/// Pre-activations of every hidden layer, and the outputs.
fn forward(inst: &Instance, params: &Params, x: &[Q]) -> (Vec<Vec<Q>>, Vec<Q>) {
    let act = &inst.problem.arch.activation;
    let mut a = x.to_vec();
    let mut pre = Vec::new();
    let depth = params.layers.len();
    for (l, layer) in params.layers.iter().enumerate() {
        let z: Vec<Q> = layer
            .w
            .iter()
            .enumerate()
            .map(|(j, row)| {
                let s = row.iter().zip(&a).fold(Q::zero(), |s, (w, v)| s + w * v);
                s + layer.b.as_ref().map_or_else(Q::zero, |b| b[j].clone())
            })
            .collect();
        if l + 1 == depth {
            return (pre, z);
        }
        a = z
            .iter()
            .map(|t| match act {
                _ if !t.is_negative() => t.clone(),
                Activation::Relu => Q::zero(),
                Activation::Leaky(alpha) => alpha * t,
                Activation::Linear => t.clone(),
            })
            .collect();
        pre.push(z);
    }
    (pre, a)
}

fn pos(t: Q) -> Q {
    if t.is_positive() {
        t
    } else {
        Q::zero()
    }
}

/// The largest output other than the label's, and the classes attaining it.
fn competitors(f: &[Q], y: usize) -> (Q, Vec<usize>) {
    let best = (0..f.len())
        .filter(|&c| c != y)
        .map(|c| f[c].clone())
        .max()
        .expect("at least two classes");
    let arg = (0..f.len()).filter(|&c| c != y && f[c] == best).collect();
    (best, arg)
}

fn point_loss(loss: LossKind, f: &[Q], y: i64) -> Q {
    match loss {
        LossKind::Hinge => pos(Q::one() - Q::from_integer(y.into()) * &f[0]),
        LossKind::MulticlassHinge => (0..f.len())
            .filter(|&c| c as i64 != y)
            .fold(Q::zero(), |s, c| s + pos(Q::one() + &f[c] - &f[y as usize])),
        LossKind::CrammerSinger => pos(Q::one() + competitors(f, y as usize).0 - &f[y as usize]),
        other => panic!("the deep family has hinge-type losses only, got {other:?}"),
    }
}

fn loss_at(inst: &Instance, params: &Params) -> Q {
    let data = &inst.problem.data;
    let total = data.x.iter().zip(&data.y).fold(Q::zero(), |s, (x, &y)| {
        s + point_loss(inst.problem.loss, &forward(inst, params, x).1, y)
    });
    total / Q::from_integer((data.len() as i64).into())
}

/// The loss when every point receives the same output `c`.
fn constant_loss(inst: &Instance, c: &[Q]) -> Q {
    let ys = &inst.problem.data.y;
    let total = ys
        .iter()
        .fold(Q::zero(), |s, &y| s + point_loss(inst.problem.loss, c, y));
    total / Q::from_integer((ys.len() as i64).into())
}

/// The least constant-output loss, by brute force: `G(c)` is convex,
/// piecewise linear, invariant under adding a multiple of (1, ..., 1)
/// (multiclass) and its pieces meet at `c = +-1` (binary) or where
/// `c_a - c_b` is -1, 0 or 1; with `c_0 = 0` every vertex of that
/// arrangement has integer coordinates in [-2, 2].
fn best_constant_loss(inst: &Instance) -> Q {
    let k = inst.problem.arch.output_width();
    let grid: Vec<Q> = (-2..=2).map(|v| q(v, 1)).collect();
    let mut cands: Vec<Vec<Q>> = vec![Vec::new()];
    for slot in 0..k {
        cands = cands
            .into_iter()
            .flat_map(|c| {
                let vals = if slot == 0 && k > 1 {
                    vec![Q::zero()]
                } else {
                    grid.clone()
                };
                vals.into_iter().map(move |v| {
                    let mut c2 = c.clone();
                    c2.push(v);
                    c2
                })
            })
            .collect();
    }
    cands
        .iter()
        .map(|c| constant_loss(inst, c))
        .min()
        .expect("candidates")
}

/// A small deterministic stream for probe directions (splitmix64).
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Exact probing: `dirs` random directions (entries -2..=2, sparse half of
/// the time) at radii 1e-4, 1e-8, 1e-16, 1e-30: the lowest loss found.
fn probe_min(inst: &Instance, params: &Params, seed: u64, dirs: usize) -> Q {
    let mut s = Stream(seed);
    let mut lowest = loss_at(inst, params);
    for t in 0..dirs {
        let sparse = t % 2 == 1;
        let mut dir = params.clone();
        for layer in &mut dir.layers {
            let entries = layer
                .w
                .iter_mut()
                .flat_map(|r| r.iter_mut())
                .chain(layer.b.iter_mut().flat_map(|b| b.iter_mut()));
            for v in entries {
                let r = s.next();
                *v = if sparse && r % 3 != 0 {
                    Q::zero()
                } else {
                    q((r % 5) as i64 - 2, 1)
                };
            }
        }
        for e in [4i64, 8, 16, 30] {
            let radius = Q::new(1.into(), num_bigint::BigInt::from(10).pow(e as u32));
            let mut moved = params.clone();
            for (ml, dl) in moved.layers.iter_mut().zip(&dir.layers) {
                for (mr, dr) in ml.w.iter_mut().zip(&dl.w) {
                    for (m, d) in mr.iter_mut().zip(dr) {
                        *m += &radius * d;
                    }
                }
                if let (Some(mb), Some(db)) = (&mut ml.b, &dl.b) {
                    for (m, d) in mb.iter_mut().zip(db) {
                        *m += &radius * d;
                    }
                }
            }
            lowest = lowest.min(loss_at(inst, &moved));
        }
    }
    lowest
}

/// The hidden layer that the name says is strictly dead on every point.
fn named_dead_layer(n: &str) -> Option<usize> {
    let rest = n.split("; layer ").nth(1)?;
    rest.strip_suffix(" strictly dead on every point")?
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------
// The generator's claims

#[test]
fn promises_and_expectations_hold_by_an_independent_forward_pass() {
    let all = batch();
    let (mut deep_kinks, mut dead, mut local, mut nonlocal, mut global, mut ties) =
        (0, 0, 0, 0, 0, 0);
    let mut losses = std::collections::BTreeSet::new();
    let (mut leaky, mut depth3) = (0, 0);
    for g in &all {
        let inst = &g.instance;
        let n = name(inst);
        let params = point(inst);
        let arch = &inst.problem.arch;
        let data = &inst.problem.data;
        let depth = arch.depth() - 1;
        assert!((2..=3).contains(&depth), "{n}: {depth} hidden layers");
        assert!(
            arch.input_dim() <= 3 && data.len() <= 8 && data.len() >= 2,
            "{n}"
        );
        assert!(
            arch.widths[1..=depth].iter().all(|&w| (1..=3).contains(&w)),
            "{n}"
        );
        losses.insert(inst.problem.loss.name());
        leaky += usize::from(matches!(arch.activation, Activation::Leaky(_)));
        depth3 += usize::from(depth == 3);
        let passes: Vec<(Vec<Vec<Q>>, Vec<Q>)> =
            data.x.iter().map(|x| forward(inst, params, x)).collect();
        for p in &g.promised {
            match p {
                ZeroEntry::PreActivation { point, layer, unit } => {
                    assert!(passes[*point].0[layer - 1][*unit].is_zero(), "{n}: {p:?}");
                }
                ZeroEntry::Hinge { point, class } => {
                    let f = &passes[*point].1;
                    let y = data.y[*point];
                    let arg = match (inst.problem.loss, class) {
                        (LossKind::Hinge, _) => Q::one() - Q::from_integer(y.into()) * &f[0],
                        (_, Some(c)) => Q::one() + &f[*c] - &f[y as usize],
                        (_, None) => Q::one() + competitors(f, y as usize).0 - &f[y as usize],
                    };
                    assert!(arg.is_zero(), "{n}: {p:?}: hinge argument {arg}");
                }
                ZeroEntry::Tie { point, classes } => {
                    ties += 1;
                    let f = &passes[*point].1;
                    let arg = competitors(f, data.y[*point] as usize).1;
                    assert!(
                        classes.len() > 1 && *classes == arg,
                        "{n}: {p:?} vs {arg:?}"
                    );
                }
            }
        }
        if g.promised
            .iter()
            .any(|p| matches!(p, ZeroEntry::PreActivation { layer, .. } if *layer >= 2))
        {
            deep_kinks += 1;
        }
        let e = inst
            .expect
            .clone()
            .expect("every deep instance has [expect]");
        let value = loss_at(inst, params);
        assert_eq!(e.loss.as_ref(), Some(&value), "{n}: [expect] loss");
        if let Some(l) = named_dead_layer(n) {
            dead += 1;
            assert_eq!(arch.activation, Activation::Relu, "{n}");
            for (i, (pre, _)) in passes.iter().enumerate() {
                assert!(
                    pre[l - 1].iter().all(Q::is_negative),
                    "{n}: layer {l} not strictly dead at point {i}"
                );
            }
            let outs: Vec<&Vec<Q>> = passes.iter().map(|p| &p.1).collect();
            assert!(
                outs.windows(2).all(|w| w[0] == w[1]),
                "{n}: outputs not constant"
            );
            if arch.bias[depth] {
                // the local claim is exactly "the constant is a best constant"
                let best = best_constant_loss(inst);
                assert_eq!(
                    e.local_min,
                    Some(value == best),
                    "{n}: best constant {best}"
                );
            }
        }
        if e.global_min == Some(true) {
            global += 1;
            // every input carries every label once: the per-input bound
            let k = arch.output_width();
            let labels: Vec<i64> = if inst.problem.loss == LossKind::Hinge {
                vec![-1, 1]
            } else {
                (0..k as i64).collect()
            };
            for x in &data.x {
                let mut ys: Vec<i64> = data
                    .x
                    .iter()
                    .zip(&data.y)
                    .filter(|(x2, _)| *x2 == x)
                    .map(|(_, &y)| y)
                    .collect();
                ys.sort();
                let copies = ys.len() / labels.len();
                let want: Vec<i64> = labels.iter().flat_map(|&c| vec![c; copies]).collect();
                assert_eq!(ys, want, "{n}: an input without every label");
            }
            let bound = match inst.problem.loss {
                LossKind::MulticlassHinge => Q::from_integer((k as i64 - 1).into()),
                _ => Q::one(),
            };
            assert_eq!(
                value, bound,
                "{n}: a global claim above the per-input bound"
            );
        }
        match e.local_min {
            Some(true) => {
                local += 1;
                let low = probe_min(inst, params, 17, 24);
                assert!(low >= value, "{n}: probing found {low} below {value}");
            }
            Some(false) => nonlocal += 1,
            None => {}
        }
    }
    let total = all.len();
    eprintln!(
        "{total} instances: {leaky} leaky, {depth3} with 3 hidden layers, {deep_kinks} deep kinks, \
         {dead} dead layers, {local} local / {nonlocal} not local claimed, {global} global, {ties} ties"
    );
    assert_eq!(losses.len(), 3, "losses seen: {losses:?}");
    assert!(leaky * 5 >= total, "only {leaky} leaky of {total}");
    assert!(
        depth3 * 4 >= total,
        "only {depth3} with three hidden layers"
    );
    assert!(
        deep_kinks * 4 >= total,
        "only {deep_kinks} with kinks beyond layer 1"
    );
    assert!(dead * 4 >= total, "only {dead} with a dead layer");
    assert!(
        local >= 15 && nonlocal >= 3,
        "{local} local, {nonlocal} not local"
    );
    assert!(global >= 5 && ties >= 3, "{global} global, {ties} ties");
}

#[test]
fn generation_is_deterministic() {
    for i in 0..10 {
        let a = to_toml(&generate(Family::Deep, 5, i).instance);
        let b = to_toml(&generate(Family::Deep, 5, i).instance);
        assert_eq!(a, b);
    }
    assert_ne!(
        to_toml(&generate(Family::Deep, 5, 0).instance),
        to_toml(&generate(Family::Deep, 6, 0).instance)
    );
}

// ---------------------------------------------------------------------------
// The verifier on the family

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn verdicts_agree_with_expect_and_certificates_check() {
    let dir = TempDir(std::env::temp_dir().join(format!("relucert-deep-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..40u64 {
        let g = generate(Family::Deep, 3, i);
        let inst = &g.instance;
        let n = name(inst).to_string();
        let file = dir.0.join(format!("deep-{i}.toml"));
        let cert = dir.0.join(format!("deep-{i}.json"));
        std::fs::write(&file, to_toml(inst)).expect("write instance");
        let out = bin()
            .args(["verify", "--json", "--timeout", "2", "--cert"])
            .arg(&cert)
            .arg(&file)
            .output()
            .expect("run relucert verify");
        // exit 3: a verdict that contradicts [expect]
        assert_ne!(
            out.status.code(),
            Some(3),
            "{n}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{n}: {e}"));
        let verdict = json["verdict"].as_str().unwrap_or_default().to_string();
        let e = inst.expect.clone().unwrap_or_default();
        match verdict.as_str() {
            "not-local-min" => assert_ne!(e.local_min, Some(true), "{n}"),
            "local-min" | "global-min" => assert_ne!(e.local_min, Some(false), "{n}"),
            _ => {}
        }
        if cert.exists() {
            let chk = bin()
                .arg("check")
                .arg(&file)
                .arg(&cert)
                .output()
                .expect("run check");
            assert!(
                chk.status.success(),
                "{n}: certificate of {verdict} rejected: {}",
                String::from_utf8_lossy(&chk.stdout)
            );
        }
        *seen.entry(verdict).or_insert(0) += 1;
    }
    eprintln!("verdicts: {seen:?}");
    assert!(
        seen.get("not-local-min").copied().unwrap_or(0) >= 3,
        "{seen:?}"
    );
    assert!(
        seen.get("local-min").copied().unwrap_or(0) + seen.get("global-min").copied().unwrap_or(0)
            >= 8,
        "{seen:?}"
    );
}

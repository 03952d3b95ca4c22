//! The `leaky-constant` family (THEORY 6's positive-loss minima with
//! constant output, and their non-minimal twins) against independent
//! oracles:
//! - every instance: leaky, one hidden layer, binary hinge, an output bias,
//!   every outgoing weight 0, and data separable by `+-x_d` (checked here
//!   coordinate by coordinate, no LP; the theorems' LP agrees);
//! - `[expect] loss` equals the loss of the constant output computed here,
//!   and `verify`'s exact loss;
//! - every decided verdict agrees with `[expect]` (derived in `gen` by the
//!   hand arguments of `gen/leaky_constant.rs`, not by the verifier), every
//!   `local_min` expectation is decided, and each certificate is accepted by
//!   `relucert-check`;
//! - at the claimed minima, exact probing (rays and arcs at radii 1e-4 to
//!   1e-30, the loss evaluated by a forward pass written here) finds nothing
//!   lower, and Z3 (`relucert smtlib --radius 1/1000`, via python3 `z3`)
//!   answers `unsat` on a few;
//! - `theorems`: P3a holds at every certified minimum, with constant output
//!   when the loss is positive, and P3b is not applicable (output bias).

use relucert::gen::{generate, Family};
use relucert::instance::Instance;
use relucert::network::{Activation, LossKind, Params};
use relucert::number::{qf, qi, Q};
use relucert::smtlib::smtlib;
use relucert::theorems::{evaluate, separable, PredicateOutcome};
use relucert::verify::{verify, Limits, Verdict};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const SEEDS: [u64; 2] = [1, 5];
const PER_SEED: u64 = 40;

fn batch() -> Vec<Instance> {
    SEEDS
        .iter()
        .flat_map(|&s| (0..PER_SEED).map(move |i| generate(Family::LeakyConstant, s, i).instance))
        .collect()
}

fn zero() -> Q {
    qi(0)
}

/// The binary hinge loss of a one-hidden-layer leaky network, written out
/// here (independent of `relucert::network`).
fn loss_here(inst: &Instance, p: &Params) -> Q {
    let Activation::Leaky(alpha) = &inst.problem.arch.activation else {
        panic!("leaky");
    };
    let data = &inst.problem.data;
    let (l1, l2) = (&p.layers[0], &p.layers[1]);
    let mut total = zero();
    for (x, &y) in data.x.iter().zip(&data.y) {
        let mut f = l2.b.as_ref().map_or_else(zero, |b| b[0].clone());
        for (j, row) in l1.w.iter().enumerate() {
            let mut z = row.iter().zip(x).fold(zero(), |a, (w, xi)| a + w * xi);
            if let Some(b) = &l1.b {
                z += &b[j];
            }
            let a = if z < zero() { alpha * &z } else { z };
            f += &l2.w[0][j] * a;
        }
        let m = qi(1) - qi(y) * f;
        if m > zero() {
            total += m;
        }
    }
    total / qi(data.len() as i64)
}

#[test]
fn instances_are_separable_constant_output_and_verified_as_expected() {
    let (mut minima, mut refuted, mut unclaimed) = (0, 0, 0);
    let mut missed: Vec<String> = Vec::new();
    for inst in batch() {
        let name = inst.name.clone().unwrap_or_default();
        let p = &inst.problem;
        let point = inst.point.as_ref().unwrap();
        assert!(matches!(p.arch.activation, Activation::Leaky(_)), "{name}");
        assert_eq!(p.arch.hidden_layers(), 1, "{name}");
        assert_eq!(p.loss, LossKind::Hinge, "{name}");
        assert!(p.arch.bias[1], "{name}: an output bias");
        assert!(
            point.layers[1].w[0].iter().all(|v| *v == zero()),
            "{name}: v = 0"
        );
        // separable by +-x_d: every y_i x_id nonzero and of one sign
        let d = p.arch.input_dim();
        let signs: Vec<bool> = p
            .data
            .x
            .iter()
            .zip(&p.data.y)
            .map(|(x, &y)| {
                let m = qi(y) * &x[d - 1];
                assert_ne!(m, zero(), "{name}: a point on x_d = 0");
                m > zero()
            })
            .collect();
        assert!(
            signs.iter().all(|s| *s == signs[0]),
            "{name}: not separated by x_d"
        );
        assert!(
            separable(p, false).is_ok(),
            "{name}: the theorems' LP disagrees"
        );
        // the loss of the constant output c
        let c = point.layers[1].b.as_ref().unwrap()[0].clone();
        let by_hand = p.data.y.iter().fold(zero(), |a, &y| {
            let m = qi(1) - qi(y) * &c;
            if m > zero() {
                a + m
            } else {
                a
            }
        }) / qi(p.data.len() as i64);
        let e = inst.expect.clone().expect("every instance has [expect]");
        assert_eq!(e.loss.as_ref(), Some(&by_hand), "{name}");
        assert_eq!(loss_here(&inst, point), by_hand, "{name}");
        assert_eq!(e.global_min, Some(false), "{name}");
        // a fresh deadline per instance
        let limits = Limits {
            deadline: relucert::Deadline::after(Duration::from_secs(10)),
            ..Limits::default()
        };
        let out = verify(&inst, &limits).unwrap();
        assert_eq!(out.loss, by_hand, "{name}");
        let decided = match out.verdict {
            Verdict::LocalMin => Some(true),
            Verdict::NotLocalMin => Some(false),
            Verdict::GlobalMin => panic!("{name}: positive loss on separable data is not global"),
            Verdict::Undecided => None,
        };
        match e.local_min {
            // a missed descent is not a wrong verdict: counted, reported
            Some(false) if decided.is_none() => missed.push(name.clone()),
            Some(want) => {
                assert_eq!(decided, Some(want), "{name}: {}", out.reason);
                if want {
                    minima += 1;
                } else {
                    refuted += 1;
                }
            }
            None => unclaimed += 1,
        }
        if let Some(cert) = &out.certificate {
            assert!(
                relucert_check::check_certificate(&inst, cert).is_ok(),
                "{name}: certificate refused"
            );
        }
        let reports = evaluate(&inst, &out).unwrap();
        for r in &reports {
            assert!(
                !matches!(r.outcome, PredicateOutcome::Violated(_)),
                "{name}: {r:?}"
            );
            if out.verdict == Verdict::LocalMin {
                if r.predicate == "P3a-leaky-separable-constant-output" {
                    assert!(
                        r.outcome.evidence().contains("every outgoing weight 0"),
                        "{name}: {r:?}"
                    );
                }
                if r.predicate == "P3b-leaky-separable-no-bias-zero-loss" {
                    assert!(
                        matches!(r.outcome, PredicateOutcome::NotApplicable(_)),
                        "{name}"
                    );
                }
            }
        }
    }
    eprintln!(
        "{minima} claimed minima, {refuted} claimed non-minima, {unclaimed} unclaimed, {} non-minima left undecided: {missed:?}",
        missed.len()
    );
    assert!(missed.len() <= 4, "too many missed descents: {missed:?}");
    assert!(
        minima >= 10 && refuted >= 20,
        "{minima} minima, {refuted} non-minima"
    );
}

/// A deterministic stream of small rationals in [-3, 3].
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> Q {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (self.0 >> 33) as i64;
        qf(r % 7 - 3, 1 + (r / 7) % 4)
    }
}

fn claimed_minima() -> Vec<Instance> {
    batch()
        .into_iter()
        .filter(|i| i.expect.as_ref().and_then(|e| e.local_min) == Some(true))
        .collect()
}

#[test]
fn exact_probing_finds_nothing_lower_at_claimed_minima() {
    let mut rng = Lcg(0x5EED_1234);
    let radii: Vec<Q> = [4u32, 8, 16, 30]
        .iter()
        .map(|&k| Q::new(1.into(), num_bigint::BigInt::from(10).pow(k)))
        .collect();
    let mut probes = 0;
    for inst in claimed_minima().iter().take(12) {
        let point = inst.point.as_ref().unwrap();
        let arch = &inst.problem.arch;
        let theta = point.flat();
        let base = loss_here(inst, point);
        for _ in 0..24 {
            let dir: Vec<Q> = theta.iter().map(|_| rng.next()).collect();
            let second: Vec<Q> = theta.iter().map(|_| rng.next()).collect();
            for t in &radii {
                // the ray t d and the arc t d + t^2 e
                for arc in [false, true] {
                    let moved: Vec<Q> = theta
                        .iter()
                        .zip(&dir)
                        .zip(&second)
                        .map(|((a, d), e)| {
                            let mut v = a + t * d;
                            if arc {
                                v += t * t * e;
                            }
                            v
                        })
                        .collect();
                    let p = Params::from_flat(arch, &moved).unwrap();
                    let l = loss_here(inst, &p);
                    assert!(
                        l >= base,
                        "{}: lower loss {l} < {base} at radius {t}",
                        inst.name.clone().unwrap_or_default()
                    );
                    probes += 1;
                }
            }
        }
    }
    assert!(probes >= 1000, "{probes} probes");
    // the probe has teeth: at the claimed non-minima it finds lower points
    let refuted: Vec<Instance> = batch()
        .into_iter()
        .filter(|i| i.expect.as_ref().and_then(|e| e.local_min) == Some(false))
        .take(12)
        .collect();
    let found = refuted
        .iter()
        .filter(|inst| {
            let point = inst.point.as_ref().unwrap();
            let theta = point.flat();
            let base = loss_here(inst, point);
            (0..24).any(|_| {
                let dir: Vec<Q> = theta.iter().map(|_| rng.next()).collect();
                let moved: Vec<Q> = theta
                    .iter()
                    .zip(&dir)
                    .map(|(a, d)| a + &radii[0] * d)
                    .collect();
                loss_here(
                    inst,
                    &Params::from_flat(&inst.problem.arch, &moved).unwrap(),
                ) < base
            })
        })
        .count();
    assert!(
        found * 2 >= refuted.len(),
        "probing found lower points at only {found} of {} non-minima",
        refuted.len()
    );
}

fn z3_available() -> bool {
    Command::new("python3")
        .args(["-c", "import z3"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Z3's answer (`sat`, `unsat` or `unknown`) to an SMT-LIB query, with a
/// 20 s timeout.
fn z3(query: &str) -> String {
    let script = "import sys, z3\ns = z3.Solver()\ns.set('timeout', 20000)\n\
                  s.from_string(sys.stdin.read())\nprint(s.check())\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(query.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn z3_finds_nothing_lower_near_a_few_claimed_minima() {
    if !z3_available() {
        eprintln!("skipped: python3 cannot import z3");
        return;
    }
    let radius = qf(1, 1000);
    let mut unsat = 0;
    for inst in claimed_minima().iter().take(3) {
        let name = inst.name.clone().unwrap_or_default();
        let answer = z3(&smtlib(inst, &radius).unwrap());
        assert_ne!(
            answer, "sat",
            "{name}: Z3 found a lower point within 1/1000"
        );
        if answer == "unsat" {
            unsat += 1;
        } else {
            eprintln!("{name}: Z3 answered {answer:?}");
        }
    }
    assert!(unsat >= 1, "Z3 proved none of the claimed minima");
}

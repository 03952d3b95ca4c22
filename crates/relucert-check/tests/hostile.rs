//! The checker under hostile certificates and deadlines (issue 17).
//!
//! Real certificates (written by `relucert verify` / `relucert global` for
//! fixtures, kept in `tests/data/`) are grown into hostile ones: many
//! directions, a padded loss polynomial, huge numbers. Each must be
//! accepted if it is valid and rejected otherwise, with a size limit named
//! in the message when one is exceeded; every single-number mutation of a
//! real or grown arc certificate is rejected; an expired deadline gives
//! `TimeLimit` (never an acceptance) and a far one the answer of `check`.
//! Acceptance is confirmed against an independent oracle: relucert-core's
//! own evaluation (`Problem::loss`), which the checker itself never calls.
//! No assertion is timed.

use num_traits::{One, Zero};
use proptest::prelude::*;
use relucert_check::{
    check, check_within, CheckError, Deadline, MAX_ARC_DEGREE, MAX_ARC_DIRECTIONS,
};
use relucert_core::instance::{load, Instance};
use relucert_core::network::Params;
use relucert_core::number::{fmt_q, parse_rational, Q};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// (fixture, certificate file) pairs: the fixture's certificate in tests/data.
const CERTS: &[(&str, &str)] = &[
    (
        "leaky-zero-outgoing-order2-arc",
        "leaky-zero-outgoing-order2-arc.arc.json",
    ),
    ("linear-depth4-origin", "linear-depth4-origin.arc.json"),
    (
        "relu-crammer-singer-tie",
        "relu-crammer-singer-tie.arc.json",
    ),
    (
        "relu-multiclass-hinge-k3",
        "relu-multiclass-hinge-k3.arc.json",
    ),
    (
        "relu-two-hidden-layers-hinge",
        "relu-two-hidden-layers-hinge.arc.json",
    ),
    ("relu-crammer-singer-tie", "relu-crammer-singer-tie.json"),
    ("relu-kink-descent", "relu-kink-descent.json"),
    ("relu-kink-flat-local-min", "relu-kink-flat-local-min.json"),
    (
        "relu-multiclass-hinge-dead-flat",
        "relu-multiclass-hinge-dead-flat.json",
    ),
    (
        "relu-kink-corner-nonflat-min",
        "relu-kink-corner-nonflat-min.json",
    ),
    ("relu-hinge-zero-loss", "relu-hinge-zero-loss.json"),
    (
        "linear-depth3-nobias-global-min",
        "linear-depth3-nobias-global-min.json",
    ),
    (
        "global-relu-xor-conflict-w2",
        "global-relu-xor-conflict-w2.optimum.json",
    ),
];

fn instance(fixture: &str) -> Instance {
    load(Path::new(&format!("{ROOT}/fixtures/{fixture}.toml"))).expect("fixture loads")
}

fn cert(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).expect("certificate reads");
    serde_json::from_str(&text).expect("certificate is JSON")
}

fn arcs() -> Vec<(Instance, Value)> {
    CERTS
        .iter()
        .filter(|(_, f)| f.ends_with(".arc.json"))
        .map(|(i, f)| (instance(i), cert(f)))
        .collect()
}

fn q(s: &str) -> Q {
    parse_rational(s).expect("a rational")
}

fn strings(v: &[Q]) -> Value {
    Value::from(v.iter().map(fmt_q).collect::<Vec<_>>())
}

/// `theta* + sum_m t^m d_m` in the test's own arithmetic.
fn arc_point(theta: &[Q], dirs: &[Vec<Q>], t: &Q) -> Vec<Q> {
    let mut at = theta.to_vec();
    let mut tm = Q::one();
    for d in dirs {
        tm *= t;
        for (o, x) in at.iter_mut().zip(d) {
            *o += x * &tm;
        }
    }
    at
}

fn dirs_of(cert: &Value) -> Vec<Vec<Q>> {
    cert["evidence"]["dirs"]
        .as_array()
        .expect("dirs")
        .iter()
        .map(|d| {
            d.as_array()
                .expect("a direction")
                .iter()
                .map(|x| q(x.as_str().expect("a number")))
                .collect()
        })
        .collect()
}

/// The arc certificate with `extra` appended to its directions and its
/// lower point moved to the new arc at the same `t` (loss from the oracle).
fn grown(inst: &Instance, cert: &Value, extra: &[Vec<Q>]) -> Value {
    let mut c = cert.clone();
    let theta = inst.point.as_ref().expect("a point").flat();
    let mut dirs = dirs_of(cert);
    dirs.extend(extra.iter().cloned());
    let t = q(c["evidence"]["lower_point"]["t"].as_str().expect("t"));
    let at = arc_point(&theta, &dirs, &t);
    let params = Params::from_flat(&inst.problem.arch, &at).expect("params");
    let loss = inst.problem.loss(&params);
    c["evidence"]["dirs"] = Value::from(dirs.iter().map(|d| strings(d)).collect::<Vec<_>>());
    c["evidence"]["lower_point"]["params"] = strings(&at);
    c["evidence"]["lower_point"]["loss"] = Value::from(fmt_q(&loss));
    c
}

/// One line, short, never empty.
fn assert_one_line(e: &CheckError) {
    let text = e.to_string();
    assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
    assert!(
        text.chars().count() <= 240,
        "{} characters: {text}",
        text.len()
    );
}

/// Every way to corrupt one number of a certificate (+1 on rationals, +1
/// on counts, a letter appended to other strings).
fn mutations(cert: &Value) -> Vec<Value> {
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(Step::Key(k.clone()));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::String(_) | Value::Number(_) => out.push(path.clone()),
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(cert, &mut Vec::new(), &mut paths);
    paths
        .into_iter()
        .filter_map(|p| {
            let mut c = cert.clone();
            let mut slot = &mut c;
            for step in &p {
                slot = match step {
                    Step::Key(k) => &mut slot[k.as_str()],
                    Step::Index(i) => &mut slot[*i],
                };
            }
            *slot = match slot {
                Value::String(s) => match parse_rational(s) {
                    Ok(v) => Value::String(fmt_q(&(v + Q::one()))),
                    Err(_) => Value::String(format!("{s}x")),
                },
                Value::Number(n) => Value::from(n.as_u64().unwrap_or(0) + 1),
                _ => return None,
            };
            Some(c)
        })
        .collect()
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

#[test]
fn the_stored_certificates_are_accepted() {
    for (i, f) in CERTS {
        let inst = instance(i);
        let c = cert(f);
        let claim = c["claim"].as_str().expect("a claim").to_string();
        let accepted = check(&inst, &c).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(accepted.claim.name(), claim, "{f}");
    }
}

#[test]
fn too_many_directions_are_refused_by_the_limit() {
    for (inst, c) in arcs() {
        let n = inst.problem.arch.num_params();
        for k in [MAX_ARC_DIRECTIONS + 1, 400, 2000] {
            let mut h = c.clone();
            let dirs = h["evidence"]["dirs"].as_array_mut().expect("dirs");
            while dirs.len() < k {
                dirs.push(Value::from(vec!["0"; n]));
            }
            let e = check(&inst, &h).expect_err("over the limit");
            assert!(e.to_string().contains("MAX_ARC_DIRECTIONS"), "{e}");
            assert_one_line(&e);
        }
    }
}

#[test]
fn a_loss_polynomial_above_the_degree_limit_is_refused() {
    for (inst, c) in arcs() {
        for len in [MAX_ARC_DEGREE + 2, 100_000] {
            let mut h = c.clone();
            let p = h["evidence"]["loss_polynomial"]
                .as_array_mut()
                .expect("loss_polynomial");
            p.resize(len, Value::from("0"));
            let e = check(&inst, &h).expect_err("over the limit");
            assert!(e.to_string().contains("MAX_ARC_DEGREE"), "{e}");
        }
    }
}

#[test]
fn valid_grown_arcs_are_accepted_and_their_mutants_rejected() {
    for (inst, c) in arcs() {
        let n = inst.problem.arch.num_params();
        let k = dirs_of(&c).len();
        // zero directions up to the limit: the same arc, so still a proof
        let zeros = vec![vec![Q::zero(); n]; MAX_ARC_DIRECTIONS - k];
        let mut h = grown(&inst, &c, &zeros);
        // and zero coefficients up to the highest degree allowed: the loss
        // polynomial stays the loss along the arc
        h["evidence"]["loss_polynomial"]
            .as_array_mut()
            .expect("loss_polynomial")
            .resize(MAX_ARC_DEGREE + 1, Value::from("0"));
        assert!(check(&inst, &h).is_ok(), "{:?}", check(&inst, &h));
        // a sample of its single-number mutations (every coefficient, the
        // start and end of every direction): all rejected
        for (m, mutant) in mutations(&h).into_iter().enumerate() {
            if m % 7 != 0 {
                continue;
            }
            match check(&inst, &mutant) {
                Ok(_) => panic!("mutant {m} accepted"),
                Err(e) => assert_one_line(&e),
            }
        }
    }
}

#[test]
fn every_mutation_of_a_real_arc_certificate_is_rejected() {
    for (inst, c) in arcs() {
        for (m, mutant) in mutations(&c).into_iter().enumerate() {
            match check(&inst, &mutant) {
                Ok(_) => panic!("mutant {m} accepted: {mutant}"),
                Err(e) => assert_one_line(&e),
            }
        }
    }
}

#[test]
fn huge_numbers_give_short_messages() {
    for (inst, c) in arcs() {
        let mut h = c.clone();
        let big = format!("1{}/3", "0".repeat(5000));
        h["evidence"]["lower_point"]["t"] = Value::from(big);
        let e = check(&inst, &h).expect_err("not the arc's point");
        assert_one_line(&e);
    }
}

#[test]
fn an_expired_deadline_is_never_an_acceptance() {
    let past = Deadline::at(Instant::now());
    let cancelled = Deadline::never().with_cancel(Arc::new(AtomicBool::new(true)));
    for (i, f) in CERTS {
        let inst = instance(i);
        let c = cert(f);
        for d in [&past, &cancelled] {
            let e = check_within(&inst, &c, d).expect_err("expired");
            assert_eq!(e, CheckError::TimeLimit, "{f}");
            assert_one_line(&e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A far deadline gives exactly the answer of `check`, on the stored
    /// certificates and on their single-number mutations.
    #[test]
    fn a_far_deadline_gives_the_answer_of_check(which in 0..CERTS.len(), pick in any::<prop::sample::Index>()) {
        let (i, f) = CERTS[which];
        let inst = instance(i);
        let c = cert(f);
        let far = Deadline::after(Duration::from_secs(3600));
        prop_assert_eq!(check_within(&inst, &c, &far), check(&inst, &c));
        let ms = mutations(&c);
        let m = &ms[pick.index(ms.len())];
        prop_assert_eq!(check_within(&inst, m, &far), check(&inst, m));
    }

    /// Random directions appended to a real arc (lower point moved to the
    /// new arc): accepted only if the oracle agrees that the lower point is
    /// on the arc and below the loss; a rejection is one short line.
    #[test]
    fn grown_arcs_are_accepted_only_when_valid(
        which in 0..5usize,
        extra in prop::collection::vec(prop::collection::vec(-3i64..=3, 64), 0..=40),
        far_loss in any::<bool>(),
    ) {
        let all = arcs();
        let (inst, c) = &all[which % all.len()];
        let n = inst.problem.arch.num_params();
        let k = dirs_of(c).len();
        let extra: Vec<Vec<Q>> = extra
            .iter()
            .take(MAX_ARC_DIRECTIONS - k)
            .map(|d| d.iter().take(n).map(|&v| Q::from_integer(v.into())).collect())
            .collect();
        let mut h = grown(inst, c, &extra);
        if far_loss {
            // claim the full degree: every coefficient must then be exact
            h["evidence"]["loss_polynomial"]
                .as_array_mut()
                .expect("loss_polynomial")
                .resize(MAX_ARC_DEGREE + 1, Value::from("0"));
        }
        match check(inst, &h) {
            Ok(_) => {
                let theta = inst.point.as_ref().expect("a point").flat();
                let point_loss = inst.problem.loss(inst.point.as_ref().expect("a point"));
                let t = q(h["evidence"]["lower_point"]["t"].as_str().expect("t"));
                let at = arc_point(&theta, &dirs_of(&h), &t);
                let params = Params::from_flat(&inst.problem.arch, &at).expect("params");
                prop_assert!(inst.problem.loss(&params) < point_loss);
            }
            Err(e) => assert_one_line(&e),
        }
    }
}

#[test]
fn too_many_or_repeated_regions_are_refused_quickly() {
    let inst = instance("relu-kink-corner-nonflat-min");
    let c = cert("relu-kink-corner-nonflat-min.json");
    let region = c["evidence"]["regions"][0].clone();
    // one region repeated past the limit: refused by the limit, unread
    let mut h = c.clone();
    h["evidence"]["regions"] = Value::from(vec![region.clone(); relucert_check::MAX_REGIONS + 1]);
    let e = check(&inst, &h).expect_err("over the limit");
    assert!(e.to_string().contains("MAX_REGIONS"), "{e}");
    assert_one_line(&e);
    // within the limit, a repeated region is found by its index, not by
    // comparing it with every earlier one
    let mut h = c.clone();
    let regions = h["evidence"]["regions"].as_array_mut().expect("regions");
    regions.insert(1, region);
    let e = check(&inst, &h).expect_err("listed twice");
    assert!(e.to_string().contains("listed twice"), "{e}");
}

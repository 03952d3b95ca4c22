//! All-dead minima (issue 14): a one-hidden-layer ReLU network whose
//! units are strictly dead on every point, with the output bias at the
//! majority label, is `local-min` with a certificate the checker accepts
//! (and that no single-number mutation gets past); with the output bias
//! moved off that optimum it is `not-local-min`. Small sizes only, no
//! timing (the benchmark `all_dead` measures time).
//!
//! Oracles, computed here and not by the library: the loss as a function
//! of the output bias alone, `L(b) = (1/N) sum_i max(0, 1 - y_i b)` (all
//! units stay dead near the point), and an own exact forward pass for
//! probing random nearby points of every parameter.

mod common;
#[path = "common/all_dead.rs"]
mod gen;

use common::mutate::mutations;
use gen::{all_dead, N};
use num_traits::{One, Signed, Zero};
use relucert::instance::Instance;
use relucert::number::Q;
use relucert::rng::Rng;
use relucert::verify::{verify, Limits, Verdict};
use relucert_check::check;

fn q(p: i64, d: i64) -> Q {
    Q::new(p.into(), d.into())
}

/// `L(b)`: the loss of the output bias alone.
fn bias_loss(inst: &Instance, b: &Q) -> Q {
    let y = &inst.problem.data.y;
    let total = y.iter().fold(Q::zero(), |acc, &yi| {
        let m = Q::one() - Q::from_integer(yi.into()) * b;
        if m.is_positive() {
            acc + m
        } else {
            acc
        }
    });
    total / Q::from_integer((N as i64).into())
}

/// The exact loss of a flat parameter vector (W1 by rows, b1, W2, b2), by
/// an own forward pass.
fn own_loss(inst: &Instance, theta: &[Q]) -> Q {
    let (d, w) = (inst.problem.arch.widths[0], inst.problem.arch.widths[1]);
    let (w1, rest) = theta.split_at(w * d);
    let (b1, rest) = rest.split_at(w);
    let (w2, b2) = rest.split_at(w);
    let data = &inst.problem.data;
    let mut total = Q::zero();
    for (x, &yi) in data.x.iter().zip(&data.y) {
        let mut f = b2[0].clone();
        for j in 0..w {
            let z = (0..d).fold(b1[j].clone(), |a, k| a + &w1[j * d + k] * &x[k]);
            if z.is_positive() {
                f += &w2[j] * z;
            }
        }
        let m = Q::one() - Q::from_integer(yi.into()) * f;
        if m.is_positive() {
            total += m;
        }
    }
    total / Q::from_integer((N as i64).into())
}

fn flat(inst: &Instance) -> Vec<Q> {
    inst.point.as_ref().expect("generated with a point").flat()
}

const SIZES: [(usize, usize); 6] = [(1, 1), (2, 2), (3, 2), (4, 3), (8, 5), (2, 8)];

#[test]
fn all_dead_minima_are_local_minima_with_accepted_certificates() {
    let limits = Limits::default();
    for (seed, &(w, d)) in SIZES.iter().enumerate() {
        let inst = all_dead(w, d, seed as u64 + 1, Q::one());
        let theta = flat(&inst);
        let out = verify(&inst, &limits).expect("a point");
        // the oracle: the loss is L(1) = 4/5, and L has its least value there
        assert_eq!(out.loss, bias_loss(&inst, &Q::one()), "w={w} d={d}");
        assert_eq!(out.loss, own_loss(&inst, &theta), "w={w} d={d}");
        assert_eq!(out.loss, q(4, 5));
        for h in [q(1, 1000), q(1, 3)] {
            assert!(bias_loss(&inst, &(Q::one() + &h)) > out.loss);
            assert!(bias_loss(&inst, &(Q::one() - &h)) > out.loss);
        }
        assert_eq!(
            out.verdict,
            Verdict::LocalMin,
            "w={w} d={d}: {}",
            out.reason
        );
        let cert = out
            .certificate
            .expect("a verdict has a certificate")
            .to_json();
        assert_eq!(
            check(&inst, &cert).map(|a| a.claim.name().to_string()),
            Ok("local-min".to_string()),
            "w={w} d={d}"
        );
        for (path, m) in mutations(&cert) {
            assert!(
                check(&inst, &m).is_err(),
                "w={w} d={d}: mutant {path} accepted"
            );
        }
        // exact probing of every parameter: nothing nearby is lower
        let mut r = Rng::new(seed as u64 + 100);
        for e in [4, 10, 30] {
            let radius = Q::new(1.into(), num_bigint::BigInt::from(10).pow(e));
            for _ in 0..20 {
                let moved: Vec<Q> = theta
                    .iter()
                    .map(|t| t + &radius * q(r.int(-1000, 1000), 1000))
                    .collect();
                assert!(
                    own_loss(&inst, &moved) >= out.loss,
                    "w={w} d={d}: a lower point at radius 1e-{e}"
                );
            }
        }
    }
}

#[test]
fn moving_the_output_bias_off_the_optimum_gives_a_descent() {
    let limits = Limits::default();
    for (seed, &(w, d)) in SIZES.iter().enumerate() {
        for b in [
            q(1, 2),
            q(0, 1),
            q(-1, 3),
            q(3, 2),
            q(1001, 1000),
            q(999, 1000),
        ] {
            let inst = all_dead(w, d, seed as u64 + 1, b.clone());
            let out = verify(&inst, &limits).expect("a point");
            assert_eq!(out.loss, bias_loss(&inst, &b), "w={w} d={d} b={b}");
            // L is piecewise linear with its only minimum at b = 1 on
            // (-1, inf): a smaller value on the side towards 1
            let toward = if b < Q::one() {
                &b + q(1, 10_000)
            } else {
                &b - q(1, 10_000)
            };
            assert!(bias_loss(&inst, &toward) < out.loss, "oracle at b={b}");
            assert_eq!(
                out.verdict,
                Verdict::NotLocalMin,
                "w={w} d={d} b={b}: {}",
                out.reason
            );
            let cert = out
                .certificate
                .expect("a verdict has a certificate")
                .to_json();
            assert_eq!(
                check(&inst, &cert).map(|a| a.claim.name().to_string()),
                Ok("not-local-min".to_string()),
                "w={w} d={d} b={b}"
            );
        }
    }
}

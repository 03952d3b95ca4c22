//! `relucert global`: the exact optimum `L*_m` of one-hidden-layer ReLU
//! networks with the binary hinge loss (THEORY section 9), on fixed data:
//! - `alt8`: 8 integer points on a circle of radius 5, labels alternating
//!   (m = 1, 2, 3);
//! - `line8`: 8 points on a line, labels alternating (m = 3: a positive
//!   optimum, so the enumeration cannot stop early);
//! - `alt12`: 12 integer points on the same circle, alternating (m = 1, 2).
//!
//! Each case's certificate is then checked by `relucert-check`
//! (`check_<case>`), with its size printed. The baseline, from the same run: `alt8` at m = 1 and 2 with every set
//! solved by its own LP (no reuse of dual bounds). Each case prints its
//! chambers, sets, LPs and `(2P)^m` once, for docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use relucert::cert::{Certificate, Claim, Evidence, Header};
use relucert::global::{solve, Options};
use relucert::instance::{canonical_hash, Instance};
use relucert::network::{Activation, Architecture, Data, LossKind, Problem};
use relucert::number::Q;
use std::hint::black_box;
use std::time::Duration;

fn problem(points: &[(i64, i64)]) -> Problem {
    Problem {
        arch: Architecture {
            widths: vec![2, 1, 1],
            activation: Activation::Relu,
            bias: vec![true, true],
        },
        loss: LossKind::Hinge,
        data: Data {
            x: points
                .iter()
                .map(|&(a, b)| vec![Q::from_integer(a.into()), Q::from_integer(b.into())])
                .collect(),
            y: (0..points.len())
                .map(|i| if i % 2 == 0 { 1 } else { -1 })
                .collect(),
            targets: Vec::new(),
        },
    }
}

fn bench(c: &mut Criterion) {
    let alt8 = problem(&[
        (5, 0),
        (4, 3),
        (0, 5),
        (-3, 4),
        (-5, 0),
        (-4, -3),
        (0, -5),
        (3, -4),
    ]);
    let line8 = problem(&(0..8).map(|i| (i, 0)).collect::<Vec<_>>());
    let alt12 = problem(&[
        (5, 0),
        (4, 3),
        (3, 4),
        (0, 5),
        (-3, 4),
        (-4, 3),
        (-5, 0),
        (-4, -3),
        (-3, -4),
        (0, -5),
        (3, -4),
        (4, -3),
    ]);
    let cases: [(&str, &Problem, usize, bool); 8] = [
        ("baseline_alt8_m1_no_reuse", &alt8, 1, false),
        ("baseline_alt8_m2_no_reuse", &alt8, 2, false),
        ("alt8_m1", &alt8, 1, true),
        ("alt8_m2", &alt8, 2, true),
        ("alt8_m3", &alt8, 3, true),
        ("line8_m3", &line8, 3, true),
        ("alt12_m1", &alt12, 1, true),
        ("alt12_m2", &alt12, 2, true),
    ];
    let mut g = c.benchmark_group("global");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (name, p, m, reuse) in cases {
        let opts = Options {
            reuse_duals: reuse,
            ..Options::new(m)
        };
        let once = solve(p, &opts).expect("in scope");
        let growth = (once.pairs as f64).powi(m as i32);
        eprintln!(
            "{name}: L* = {}, chambers {}, pairs 2P = {}, sets {}, LPs {}, (2P)^m = {growth:.0}, sets/(2P)^m = {:.3}",
            once.value,
            once.chambers,
            once.pairs,
            once.sets_total,
            once.lps,
            once.sets_total as f64 / growth
        );
        g.bench_function(name, |b| {
            b.iter(|| black_box(solve(p, &opts).expect("in scope")))
        });
        if !reuse {
            continue;
        }
        // The independent check of the same run's certificate.
        let inst = Instance {
            name: None,
            source: None,
            problem: (*p).clone(),
            point: None,
            expect: None,
        };
        let cert = Certificate {
            header: Header {
                instance_sha256: canonical_hash(&inst),
                claim: Claim::GlobalOptimum,
                loss: once.value.clone(),
            },
            evidence: Evidence::WidthOptimum(once.certificate.clone().expect("complete")),
        }
        .to_json();
        eprintln!(
            "{name}: certificate {} bytes (compact JSON), {} duals",
            cert.to_string().len(),
            once.certificate.as_ref().map_or(0, |c| c.duals.len())
        );
        g.bench_function(format!("check_{name}"), |b| {
            b.iter(|| black_box(relucert_check::check(&inst, &cert).expect("accepted")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

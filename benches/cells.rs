//! Cells per second of the exact arrangement enumerator (`cells`), on
//! random integer normals (fixed seed):
//! - central: n = 16 hyperplanes in R^5, n = 12 in R^4;
//! - affine: n = 16 data points in R^4, i.e. normals (x_i, 1) in R^5.
//!
//! One "element" is one cell (with its exact witness, re-checked).
//!
//! Count-only (issue 18): the characteristic polynomial by
//! deletion-restriction (`Arrangement::count_within`, no cell listed) on
//! n = 100 data points in R^3 (a central arrangement in R^4, 323,600 cells)
//! and n = 50 in R^5 (R^6, 4,276,820 cells); one element is one cell
//! counted.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use num_bigint::BigInt;
use relucert::cells::Arrangement;
use relucert::number::Q;
use std::hint::black_box;
use std::time::Duration;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn int(&mut self, r: i64) -> Q {
        Q::from_integer(BigInt::from((self.next() % (2 * r as u64 + 1)) as i64 - r))
    }
}

fn central(n: usize, dim: usize, seed: u64) -> Arrangement {
    let mut rng = Rng(seed);
    Arrangement::new(
        dim,
        (0..n)
            .map(|_| (0..dim).map(|_| rng.int(20)).collect())
            .collect(),
    )
}

fn affine(n: usize, d: usize, seed: u64) -> Arrangement {
    let mut rng = Rng(seed);
    let normals = (0..n)
        .map(|_| {
            let mut v: Vec<Q> = (0..d).map(|_| rng.int(20)).collect();
            v.push(Q::from_integer(1.into()));
            v
        })
        .collect();
    Arrangement::new(d + 1, normals)
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("central_n16_R5", central(16, 5, 0x1234_5678_9ABC_DEF1)),
        ("central_n12_R4", central(12, 4, 0x0FED_CBA9_8765_4321)),
        ("affine_n16_R4", affine(16, 4, 0x5555_AAAA_3333_CCCC)),
    ];
    let mut g = c.benchmark_group("cells");
    g.measurement_time(Duration::from_secs(5)).sample_size(20);
    for (name, arr) in &cases {
        let count = arr.cells().expect("enumerates").len() as u64;
        eprintln!("{name}: {count} cells");
        g.throughput(Throughput::Elements(count));
        g.bench_function(*name, |b| {
            b.iter(|| black_box(arr.cells().expect("enumerates")))
        });
    }
    // Baseline in the same run: the same enumeration in rational arithmetic
    // only (the fallback path), on the smallest case.
    let (name, arr) = &cases[1];
    g.throughput(Throughput::Elements(
        arr.cells().expect("enumerates").len() as u64
    ));
    g.sample_size(10);
    g.bench_function(format!("{name}_rational_path"), |b| {
        b.iter(|| black_box(arr.cells_rational().expect("enumerates")))
    });
    g.finish();
    let never = relucert::Deadline::never();
    let mut g = c.benchmark_group("cells_count");
    g.measurement_time(Duration::from_secs(5)).sample_size(10);
    for (name, arr) in [
        (
            "count_affine_n100_R4",
            affine(100, 3, 0x1357_9BDF_2468_ACE0),
        ),
        ("count_affine_n50_R6", affine(50, 5, 0x0123_4567_89AB_CDEF)),
    ] {
        let count = arr.count_within(&never).expect("counts");
        eprintln!("{name}: {count} cells");
        g.throughput(Throughput::Elements(
            u64::try_from(&count).expect("fits in u64"),
        ));
        g.bench_function(name, |b| {
            b.iter(|| black_box(arr.count_within(&never).expect("counts")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Shared proptest strategies for random small networks, data and points.
//! Everything is built from small integers so shrinking gives readable
//! counterexamples.
#![allow(dead_code)]

pub mod mutate;
pub mod oracle;

use num_bigint::BigInt;
use num_traits::Zero;
use proptest::prelude::*;
use relucert::network::{Activation, Architecture, Data, LossKind, Params, Problem};
use relucert::number::Q;

pub fn q(p: i64, d: i64) -> Q {
    Q::new(BigInt::from(p), BigInt::from(d))
}

/// A small rational p/d with |p| <= 3, d in 1..=3 (many exact zeros and ties).
pub fn small_q() -> impl Strategy<Value = Q> {
    (-3i64..=3, 1i64..=3).prop_map(|(p, d)| q(p, d))
}

pub fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Relu),
        prop_oneof![Just(q(1, 10)), Just(q(1, 3)), Just(q(1, 2))].prop_map(Activation::Leaky),
        Just(Activation::Linear),
    ]
}

pub fn loss_kind() -> impl Strategy<Value = LossKind> {
    prop_oneof![
        Just(LossKind::Hinge),
        Just(LossKind::MulticlassHinge),
        Just(LossKind::CrammerSinger)
    ]
}

/// Architecture with input dim 1..=3, 0..=max_hidden hidden layers of width
/// 1..=3, random bias flags; output width fitted to the loss.
pub fn architecture(max_hidden: usize) -> impl Strategy<Value = (Architecture, LossKind)> {
    (
        1usize..=3,
        prop::collection::vec(1usize..=3, 0..=max_hidden),
        activation(),
        loss_kind(),
        2usize..=3,
        prop::collection::vec(any::<bool>(), max_hidden + 1),
    )
        .prop_map(|(d, hidden, act, loss, k, bias)| {
            let out = if loss == LossKind::Hinge { 1 } else { k };
            let mut widths = vec![d];
            widths.extend(hidden);
            widths.push(out);
            let depth = widths.len() - 1;
            let arch = Architecture {
                widths,
                activation: act,
                bias: bias[..depth].to_vec(),
            };
            (arch, loss)
        })
}

fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Vec<Vec<Q>>> {
    prop::collection::vec(prop::collection::vec(small_q(), cols), rows)
}

pub fn params(arch: &Architecture) -> impl Strategy<Value = Params> {
    let flat_len = arch.num_params();
    let arch = arch.clone();
    prop::collection::vec(small_q(), flat_len)
        .prop_map(move |flat| Params::from_flat(&arch, &flat).expect("length fits"))
}

/// A problem (architecture, loss, 1..=4 data points) and a point on it.
pub fn problem_and_point(max_hidden: usize) -> impl Strategy<Value = (Problem, Params)> {
    architecture(max_hidden).prop_flat_map(|(arch, loss)| {
        let d = arch.input_dim();
        let k = arch.output_width();
        let labels = if loss == LossKind::Hinge {
            prop::sample::select(vec![1i64, -1]).boxed()
        } else {
            (0..k as i64).boxed()
        };
        (
            matrix(4, d),
            prop::collection::vec(labels, 4),
            1usize..=4,
            params(&arch),
            Just(arch),
            Just(loss),
        )
            .prop_map(|(x, y, n, p, arch, loss)| {
                let data = Data::labelled(x[..n].to_vec(), y[..n].to_vec());
                (Problem { arch, loss, data }, p)
            })
    })
}

/// Rank by plain rational Gaussian elimination (independent of `linalg`).
pub fn rank(rows: &[Vec<Q>]) -> usize {
    let mut m: Vec<Vec<Q>> = rows.to_vec();
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][c].is_zero()) else {
            continue;
        };
        m.swap(r, p);
        for i in 0..m.len() {
            if i != r && !m[i][c].is_zero() {
                let f = &m[i][c] / &m[r][c];
                let pivot_row = m[r].clone();
                for (a, b) in m[i].iter_mut().zip(&pivot_row) {
                    *a -= &f * b;
                }
            }
        }
        r += 1;
    }
    r
}

/// Distinct hyperplanes among nonzero normals: two normals give the same
/// hyperplane iff together they have rank 1.
pub fn distinct_planes(normals: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let mut out: Vec<Vec<Q>> = Vec::new();
    for n in normals {
        if n.iter().all(Zero::is_zero) {
            continue;
        }
        if !out.iter().any(|m| rank(&[m.clone(), n.clone()]) == 1) {
            out.push(n.clone());
        }
    }
    out
}

/// Zaslavsky / Whitney: sum over subsets B of (-1)^(|B| - rank B).
pub fn zaslavsky(normals: &[Vec<Q>]) -> i64 {
    let planes = distinct_planes(normals);
    let m = planes.len();
    let mut total = 0i64;
    for mask in 0u32..(1 << m) {
        let sub: Vec<Vec<Q>> = (0..m)
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| planes[i].clone())
            .collect();
        total += if (sub.len() - rank(&sub)) % 2 == 0 {
            1
        } else {
            -1
        };
    }
    total
}

/// Every fixture file (`fixtures/*.toml` and `*.json`), sorted.
pub fn fixture_paths() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("fixtures");
    let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "json")
            )
        })
        .collect();
    v.sort();
    v
}

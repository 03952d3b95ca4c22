//! Merging the shard certificates of one `relucert global` run.
//!
//! Owns: [`merge`]: checking that the parts are the shards 1..N of one run
//! (same instance, width, chambers), each exactly once, and combining them
//! into one `width-optimum` certificate.
//!
//! Must not: decide the optimum itself; the merged certificate is checked by
//! the independent checker like any other.

use super::GlobalError;
use crate::cert::{Certificate, Claim, DualBound, Evidence, Header, PatternLp, Shard};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Combine the `width-optimum-shard` certificates `parts` into one
/// `width-optimum` certificate.
///
/// The parts must be shard certificates (claim `shard-optimum`, evidence
/// `width-optimum-shard` with a shard and a witness) of the same instance,
/// width, chambers and emptiness proofs, with the same shard count `N`, and
/// their indices must be exactly `1..=N`, each once. The result claims the
/// least of the parts' losses, with that part's witness (the first such
/// part on a tie), the first part's chambers and emptiness proofs, and every
/// part's duals (exact duplicates dropped, first occurrence kept).
///
/// Errors ([`GlobalError::Options`]) name the part (1-based, in the order
/// given) or the shards that are wrong, missing or duplicated.
pub fn merge(parts: &[Certificate]) -> Result<Certificate, GlobalError> {
    let bad = |s: String| GlobalError::Options(format!("merge: {s}"));
    let Some(first) = parts.first() else {
        return Err(bad("no shard certificates to merge".to_string()));
    };
    let mut bodies: Vec<(&PatternLp, Shard)> = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let n = i + 1;
        let body = match &part.evidence {
            Evidence::WidthOptimumShard(p) => p,
            other => {
                return Err(bad(format!(
                    "part {n} is a `{}` certificate, not `width-optimum-shard`",
                    other.kind()
                )))
            }
        };
        if part.header.claim != Claim::ShardOptimum {
            return Err(bad(format!(
                "part {n} claims `{}`, not `shard-optimum`",
                part.header.claim
            )));
        }
        let Some(shard) = body.shard else {
            return Err(bad(format!("part {n} names no shard")));
        };
        if body.witness.is_none() {
            return Err(bad(format!("part {n} has no witness network")));
        }
        bodies.push((body, shard));
    }
    let (body0, shard0) = bodies[0];
    let count = shard0.count;
    if count == 0 {
        return Err(bad("part 1 is a shard of 0".to_string()));
    }
    for (i, ((body, shard), part)) in bodies.iter().zip(parts).enumerate().skip(1) {
        let n = i + 1;
        if part.header.instance_sha256 != first.header.instance_sha256 {
            return Err(bad(format!(
                "part {n} is for another instance (sha256 {}) than part 1 ({})",
                part.header.instance_sha256, first.header.instance_sha256
            )));
        }
        if body.width != body0.width {
            return Err(bad(format!(
                "part {n} is for width {}, part 1 for width {}",
                body.width, body0.width
            )));
        }
        if shard.count != count {
            return Err(bad(format!(
                "part {n} is shard {}/{}, part 1 is shard {}/{count}: the shard counts differ",
                shard.index, shard.count, shard0.index
            )));
        }
        if body.chambers != body0.chambers {
            return Err(bad(format!(
                "part {n} lists other chambers than part 1 (not the same run)"
            )));
        }
        if body.empty != body0.empty {
            return Err(bad(format!(
                "part {n} has other emptiness proofs than part 1 (not the same run)"
            )));
        }
    }
    // Indices exactly 1..=count, each once.
    let mut seen: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, (_, shard)) in bodies.iter().enumerate() {
        if shard.index == 0 || shard.index > count {
            return Err(bad(format!(
                "part {} is shard {}/{count}: the index must be in 1..={count}",
                i + 1,
                shard.index
            )));
        }
        seen[shard.index - 1].push(i + 1);
    }
    let duplicated: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, ps)| ps.len() > 1)
        .map(|(k, ps)| {
            let list: Vec<String> = ps.iter().map(usize::to_string).collect();
            format!("{}/{count} (parts {})", k + 1, list.join(", "))
        })
        .collect();
    if !duplicated.is_empty() {
        return Err(bad(format!(
            "{} {} given more than once",
            plural("shard", duplicated.len()),
            duplicated.join(", ")
        )));
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, ps)| ps.is_empty())
        .map(|(k, _)| format!("{}/{count}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "{} {} missing ({} of {count} given)",
            plural("shard", missing.len()),
            missing.join(", "),
            parts.len()
        )));
    }
    // The least loss (first part on a tie) and its witness.
    let mut best = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.header.loss < parts[best].header.loss {
            best = i;
        }
    }
    let witness = bodies[best].0.witness.clone();
    // Every dual once, in order of first occurrence.
    let mut duals: Vec<DualBound> = Vec::new();
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    for (body, _) in &bodies {
        for d in &body.duals {
            let h = dual_hash(d);
            let bucket = by_hash.entry(h).or_default();
            if bucket.iter().any(|&j| duals[j] == *d) {
                continue;
            }
            bucket.push(duals.len());
            duals.push(d.clone());
        }
    }
    Ok(Certificate {
        header: Header {
            instance_sha256: first.header.instance_sha256.clone(),
            claim: Claim::GlobalOptimum,
            loss: parts[best].header.loss.clone(),
        },
        evidence: Evidence::WidthOptimum(PatternLp {
            width: body0.width,
            chambers: body0.chambers.clone(),
            empty: body0.empty.clone(),
            duals,
            witness,
            shard: None,
        }),
    })
}

fn plural(word: &str, n: usize) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// A hash of a dual's data (equal duals hash equally).
fn dual_hash(d: &DualBound) -> u64 {
    let mut h = DefaultHasher::new();
    d.lambda.hash(&mut h);
    d.pairs.len().hash(&mut h);
    for p in &d.pairs {
        p.pair.hash(&mut h);
        p.nu.hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{Chamber, EmptyFlip, PairProof, WitnessNet, WitnessUnit};
    use crate::network::Sign;
    use crate::number::{qf, qi, Q};

    fn chambers() -> Vec<Chamber> {
        vec![
            Chamber {
                signs: vec![Sign::Pos, Sign::Neg],
                witness: vec![qi(1), qi(0)],
            },
            Chamber {
                signs: vec![Sign::Neg, Sign::Pos],
                witness: vec![qi(-1), qi(0)],
            },
        ]
    }

    fn dual(k: i64) -> DualBound {
        DualBound {
            lambda: vec![qf(1, k), qi(0)],
            pairs: vec![PairProof {
                pair: k as usize,
                nu: vec![(0, qi(k))],
            }],
        }
    }

    /// Shard `index`/`count` with loss `loss`, one dual of its own and one
    /// shared by every shard.
    fn part(index: usize, count: usize, loss: Q) -> Certificate {
        Certificate {
            header: Header {
                instance_sha256: "ab".repeat(32),
                claim: Claim::ShardOptimum,
                loss,
            },
            evidence: Evidence::WidthOptimumShard(PatternLp {
                width: 2,
                chambers: chambers(),
                empty: vec![EmptyFlip {
                    chamber: 0,
                    point: 1,
                    farkas: vec![(0, qi(1)), (1, qi(1))],
                }],
                duals: vec![dual(index as i64 + 1), dual(100)],
                witness: Some(WitnessNet {
                    units: vec![WitnessUnit {
                        pair: index,
                        u: vec![qi(index as i64), qi(1)],
                    }],
                    c: qi(0),
                }),
                shard: Some(Shard { index, count }),
            }),
        }
    }

    fn four() -> Vec<Certificate> {
        vec![
            part(3, 4, qf(1, 2)),
            part(1, 4, qf(3, 4)),
            part(4, 4, qf(1, 4)),
            part(2, 4, qf(1, 4)),
        ]
    }

    fn err(parts: &[Certificate]) -> String {
        match merge(parts) {
            Ok(c) => panic!("merged: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn merges_four_shards() {
        let parts = four();
        let m = merge(&parts).unwrap();
        assert_eq!(m.header.claim, Claim::GlobalOptimum);
        assert_eq!(m.header.loss, qf(1, 4));
        assert_eq!(m.header.instance_sha256, parts[0].header.instance_sha256);
        let Evidence::WidthOptimum(p) = &m.evidence else {
            panic!("kind {}", m.evidence.kind())
        };
        assert_eq!(p.width, 2);
        assert_eq!(p.shard, None);
        assert_eq!(p.chambers, chambers());
        // the first part with the least loss is shard 4 (third part)
        let Evidence::WidthOptimumShard(third) = &parts[2].evidence else {
            panic!()
        };
        assert_eq!(p.witness, third.witness);
        assert_eq!(p.empty, third.empty);
        // own duals of shards 3, 1, 4, 2 and the shared one once
        assert_eq!(p.duals, vec![dual(4), dual(100), dual(2), dual(5), dual(3)]);
        // the merged certificate reads back as itself
        assert_eq!(Certificate::from_json(&m.to_json()).unwrap(), m);
    }

    #[test]
    fn one_shard_of_one() {
        let m = merge(&[part(1, 1, qi(1))]).unwrap();
        assert_eq!(m.header.loss, qi(1));
        assert_eq!(m.evidence.kind(), crate::cert::EvidenceKind::WidthOptimum);
    }

    #[test]
    fn missing_shard_is_named() {
        let mut parts = four();
        parts.remove(3); // shard 2
        let e = err(&parts);
        assert!(e.contains("shard 2/4 missing"), "{e}");
        let e = err(&parts[..1]);
        assert!(e.contains("shards 1/4, 2/4, 4/4 missing"), "{e}");
    }

    #[test]
    fn duplicated_shard_is_named() {
        let mut parts = four();
        parts.push(part(3, 4, qi(0)));
        let e = err(&parts);
        assert!(
            e.contains("shard 3/4 (parts 1, 5) given more than once"),
            "{e}"
        );
        // a duplicate replacing a shard: named as a duplicate (reported first)
        let mut parts = four();
        parts[3] = part(1, 4, qi(0));
        let e = err(&parts);
        assert!(e.contains("shard 1/4 (parts 2, 4)"), "{e}");
    }

    #[test]
    fn index_out_of_range() {
        let mut parts = four();
        parts[0] = part(5, 4, qi(0));
        assert!(err(&parts).contains("index must be in 1..=4"));
        assert!(err(&[part(0, 1, qi(0))]).contains("index must be in 1..=1"));
    }

    #[test]
    fn mismatches_are_refused() {
        let base = four();
        assert!(err(&[]).contains("no shard certificates"));

        let mut parts = base.clone();
        parts[1].header.instance_sha256 = "cd".repeat(32);
        assert!(err(&parts).contains("part 2 is for another instance"));

        let mut parts = base.clone();
        parts[2] = part(4, 5, qi(0));
        assert!(err(&parts).contains("shard counts differ"));

        let with = |f: &dyn Fn(&mut PatternLp)| {
            let mut parts = base.clone();
            if let Evidence::WidthOptimumShard(p) = &mut parts[3].evidence {
                f(p);
            }
            err(&parts)
        };
        assert!(with(&|p| p.width = 3).contains("part 4 is for width 3"));
        assert!(with(&|p| p.chambers.reverse()).contains("other chambers"));
        assert!(with(&|p| p.empty.clear()).contains("other emptiness proofs"));
        assert!(with(&|p| p.witness = None).contains("part 4 has no witness"));
        assert!(with(&|p| p.shard = None).contains("part 4 names no shard"));

        let mut parts = base.clone();
        parts[0].header.claim = Claim::GlobalOptimum;
        assert!(err(&parts).contains("part 1 claims `global-optimum`"));

        let mut parts = base.clone();
        if let Evidence::WidthOptimumShard(p) = parts[1].evidence.clone() {
            parts[1].evidence = Evidence::WidthOptimum(p);
        }
        assert!(err(&parts).contains("part 2 is a `width-optimum` certificate"));
    }
}

//! Writing certificates as JSON: the same keys in the same order as every
//! earlier version wrote them, rationals as canonical `"p/q"` strings.
//!
//! Owns: [`Certificate::to_json`] and [`Evidence::to_json`].
//!
//! Must not: read or judge certificates (not part of the checker's trusted
//! base: the checker never writes).

use super::*;
use crate::network::Sign;
use crate::number::fmt_q;
use serde_json::{json, Map, Value};

fn qs(q: &Q) -> Value {
    Value::String(fmt_q(q))
}

fn qv(v: &[Q]) -> Value {
    Value::Array(v.iter().map(qs).collect())
}

fn qm(m: &[Vec<Q>]) -> Value {
    Value::Array(m.iter().map(|r| qv(r)).collect())
}

fn lower_point_json(p: &LowerPoint) -> Value {
    json!({"t": qs(&p.t), "params": qv(&p.params), "loss": qs(&p.loss)})
}

fn region_json(r: &Region) -> Value {
    let mut m = Map::new();
    let sides: String = r.sides.iter().map(|&s| if s { '+' } else { '-' }).collect();
    m.insert("sides".into(), Value::String(sides));
    m.insert("choice".into(), json!(r.choice));
    match &r.proof {
        RegionProof::SameAs(i) => {
            m.insert("same_as".into(), json!(i));
        }
        RegionProof::Multipliers { lambda, mu } => {
            if let Some(l) = lambda {
                m.insert("lambda".into(), qm(l));
            }
            m.insert("mu".into(), qv(mu));
        }
    }
    Value::Object(m)
}

fn sparse_json(v: &Sparse) -> Value {
    Value::Array(v.iter().map(|(i, q)| json!([i, qs(q)])).collect())
}

fn pattern_json(kind: &str, p: &PatternLp) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("width".into(), json!(p.width));
    if let Some(s) = &p.shard {
        m.insert("shard".into(), json!({"index": s.index, "count": s.count}));
    }
    let chambers = p.chambers.iter().map(|c| {
        let signs: String = c
            .signs
            .iter()
            .map(|s| match s {
                Sign::Pos => '+',
                Sign::Neg => '-',
                Sign::Zero => '0',
            })
            .collect();
        json!({"signs": signs, "witness": qv(&c.witness)})
    });
    m.insert("chambers".into(), Value::Array(chambers.collect()));
    let empty = p
        .empty
        .iter()
        .map(|e| json!({"chamber": e.chamber, "point": e.point, "farkas": sparse_json(&e.farkas)}));
    m.insert("empty".into(), Value::Array(empty.collect()));
    let duals = p.duals.iter().map(|d| {
        let pairs: Vec<Value> = d
            .pairs
            .iter()
            .map(|pp| json!({"pair": pp.pair, "nu": sparse_json(&pp.nu)}))
            .collect();
        json!({"lambda": qv(&d.lambda), "pairs": pairs})
    });
    m.insert("duals".into(), Value::Array(duals.collect()));
    if let Some(w) = &p.witness {
        let units: Vec<Value> = w
            .units
            .iter()
            .map(|u| json!({"pair": u.pair, "u": qv(&u.u)}))
            .collect();
        m.insert("witness".into(), json!({"units": units, "c": qs(&w.c)}));
    }
    Value::Object(m)
}

fn sides_text(sides: &[bool]) -> Value {
    Value::String(sides.iter().map(|&s| if s { '+' } else { '-' }).collect())
}

fn star_json(kind: &str, p: &PatternStar) -> Value {
    let units = p.units.iter().map(|u| {
        let chambers: Vec<Value> = u
            .chambers
            .iter()
            .map(|c| json!({"sides": sides_text(&c.sides), "witness": qv(&c.witness)}))
            .collect();
        let empty: Vec<Value> = u
            .empty
            .iter()
            .map(|e| json!({"sides": sides_text(&e.sides), "farkas": sparse_json(&e.farkas)}))
            .collect();
        json!({"zero": u.zero, "chambers": chambers, "empty": empty})
    });
    let blocks = p.blocks.iter().map(|b| {
        let options: Vec<Value> = b
            .options
            .iter()
            .map(|unit| {
                Value::Array(
                    unit.iter()
                        .map(|o| {
                            json!({"chamber": o.chamber, "sign": sides_text(&[o.positive]), "nu": sparse_json(&o.nu)})
                        })
                        .collect(),
                )
            })
            .collect();
        json!({"tangent": qv(&b.tangent), "options": options})
    });
    json!({"kind": kind, "units": units.collect::<Vec<_>>(), "blocks": blocks.collect::<Vec<_>>()})
}

impl Evidence {
    /// The evidence object, keys in the verifier's order.
    pub fn to_json(&self) -> Value {
        let kind = self.kind().name();
        match self {
            Evidence::ZeroLoss => json!({"kind": kind}),
            Evidence::Flat {
                zero_entries,
                pieces,
            } => json!({"kind": kind, "zero_entries": zero_entries, "pieces": pieces}),
            Evidence::DescentArc {
                dirs,
                loss_polynomial,
                lower_point,
            } => json!({
                "kind": kind,
                "dirs": qm(dirs),
                "loss_polynomial": qv(loss_polynomial),
                "lower_point": lower_point_json(lower_point),
            }),
            Evidence::DescentDirection {
                dir,
                derivative,
                lower_point,
            } => json!({
                "kind": kind,
                "dir": qv(dir),
                "derivative": qs(derivative),
                "lower_point": lower_point_json(lower_point),
            }),
            Evidence::LinearLpBound { affine, lambda } => {
                json!({"kind": kind, "affine": affine, "lambda": qv(lambda)})
            }
            Evidence::MulticlassLpBound { affine, lambda } => {
                json!({"kind": kind, "affine": affine, "lambda": qm(lambda)})
            }
            Evidence::PiecewiseSecondOrder {
                dropped,
                kinks,
                corner_terms,
                regions,
            } => json!({
                "kind": kind,
                "dropped": dropped,
                "kinks": kinks.iter().map(|k| json!({"point": k.point, "unit": k.unit})).collect::<Vec<_>>(),
                "corner_terms": corner_terms,
                "regions": regions.iter().map(region_json).collect::<Vec<_>>(),
            }),
            Evidence::FunctionSpaceBound { lambda } => {
                json!({"kind": kind, "lambda": qm(lambda)})
            }
            Evidence::PatternLp(p) | Evidence::WidthOptimum(p) | Evidence::WidthOptimumShard(p) => {
                pattern_json(kind, p)
            }
            Evidence::LinearRegressionBound { affine, lambda } => {
                json!({"kind": kind, "affine": affine, "lambda": qv(lambda)})
            }
            Evidence::PathLiftingBound {
                kinks,
                pieces,
                duals,
            } => json!({
                "kind": kind,
                "kinks": kinks,
                "pieces": pieces,
                "duals": duals.iter().map(|d| qm(d)).collect::<Vec<_>>(),
            }),
            Evidence::SquaredSecondOrder {
                kinks,
                rescaled,
                dead,
                pieces,
            } => {
                let units = |us: &[Unit]| -> Vec<Value> {
                    us.iter()
                        .map(|u| json!({"layer": u.layer, "unit": u.unit}))
                        .collect()
                };
                let pieces: Vec<Value> = pieces
                    .iter()
                    .map(|p| {
                        let sides: String =
                            p.sides.iter().map(|&s| if s { '+' } else { '-' }).collect();
                        json!({"sides": sides, "lambda": qv(&p.lambda)})
                    })
                    .collect();
                json!({
                    "kind": kind,
                    "kinks": kinks.iter().map(|k| json!({"point": k.point, "unit": k.unit})).collect::<Vec<_>>(),
                    "rescaled": units(rescaled),
                    "dead": units(dead),
                    "pieces": pieces,
                })
            }
            Evidence::PatternStarBound(p) => star_json(kind, p),
            Evidence::DeepSecondOrder {
                rescaled,
                dead,
                dropped,
                regions,
            } => {
                let units = |us: &[Unit]| -> Vec<Value> {
                    us.iter()
                        .map(|u| json!({"layer": u.layer, "unit": u.unit}))
                        .collect()
                };
                let regions: Vec<Value> = regions
                    .iter()
                    .map(|r| json!({"choice": r.choice, "lambda": qv(&r.lambda)}))
                    .collect();
                json!({
                    "kind": kind,
                    "rescaled": units(rescaled),
                    "dead": units(dead),
                    "dropped": dropped,
                    "regions": regions,
                })
            }
        }
    }
}

impl Certificate {
    /// The certificate as JSON, byte for byte what the verifier writes.
    pub fn to_json(&self) -> Value {
        json!({
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "instance_sha256": self.header.instance_sha256,
            "claim": self.header.claim.name(),
            "loss": qs(&self.header.loss),
            "evidence": self.evidence.to_json(),
        })
    }
}

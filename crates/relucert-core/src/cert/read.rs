//! Reading certificates from JSON: shapes and spellings, with errors that
//! name the offending field by its path.
//!
//! Owns: [`Certificate::from_json`] and the located readers behind it.
//!
//! Must not: judge whether a certificate proves anything, or accept a
//! number that is not an exact rational written as a string.

use super::*;
use crate::input::DEFAULT_CERT_MAX_DIGITS;
use crate::network::Sign;
use crate::number::parse_rational_limited;
use serde_json::Value;

/// A JSON value together with its path, for reading with located errors.
#[derive(Clone, Copy)]
struct At<'a> {
    v: &'a Value,
    path: &'a str,
    /// Most decimal digits in one number (checked on the text).
    max_digits: usize,
}

type Read<T> = Result<T, CertFormatError>;

impl<'a> At<'a> {
    fn err<T>(&self, problem: FormatProblem) -> Read<T> {
        Err(CertFormatError {
            field: self.path.to_string(),
            problem,
        })
    }

    /// Calls `f` on the field `key` (path extended by `.key`).
    fn field<T>(&self, key: &str, f: impl FnOnce(At<'_>) -> Read<T>) -> Read<T> {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        match self.v.get(key) {
            Some(v) => f(At {
                v,
                path: &path,
                max_digits: self.max_digits,
            }),
            None => Err(CertFormatError {
                field: path,
                problem: FormatProblem::Missing,
            }),
        }
    }

    fn text(&self) -> Read<String> {
        match self.v.as_str() {
            Some(s) => Ok(s.to_string()),
            None => self.err(FormatProblem::NotString),
        }
    }

    fn index(&self) -> Read<usize> {
        match self.v.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) => Ok(n),
            None => self.err(FormatProblem::NotIndex),
        }
    }

    fn boolean(&self) -> Read<bool> {
        match self.v.as_bool() {
            Some(b) => Ok(b),
            None => self.err(FormatProblem::NotBool),
        }
    }

    fn rational(&self) -> Read<Q> {
        let Some(s) = self.v.as_str() else {
            return self.err(FormatProblem::NotRational);
        };
        parse_rational_limited(s, self.max_digits)
            .or_else(|e| self.err(FormatProblem::BadRational(e)))
    }

    /// Calls `f` on every element (path extended by `[i]`).
    fn array<T>(&self, f: impl Fn(At<'_>) -> Read<T>) -> Read<Vec<T>> {
        let Some(items) = self.v.as_array() else {
            return self.err(FormatProblem::NotArray);
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                f(At {
                    v,
                    path: &format!("{}[{i}]", self.path),
                    max_digits: self.max_digits,
                })
            })
            .collect()
    }

    fn vector(&self) -> Read<Vec<Q>> {
        self.array(|e| e.rational())
    }

    fn matrix(&self) -> Read<Vec<Vec<Q>>> {
        self.array(|e| e.vector())
    }

    fn sparse(&self) -> Read<Sparse> {
        self.array(|e| match e.v.as_array().map(Vec::as_slice) {
            Some([i, q]) => {
                let (pi, pq) = (format!("{}[0]", e.path), format!("{}[1]", e.path));
                let max_digits = e.max_digits;
                let i = At {
                    v: i,
                    path: &pi,
                    max_digits,
                }
                .index()?;
                let q = At {
                    v: q,
                    path: &pq,
                    max_digits,
                }
                .rational()?;
                Ok((i, q))
            }
            _ => e.err(FormatProblem::BadSparse),
        })
    }

    fn object(&self) -> Read<()> {
        if self.v.is_object() {
            Ok(())
        } else {
            self.err(FormatProblem::NotObject)
        }
    }
}

fn read_chamber(at: At<'_>) -> Read<Chamber> {
    at.object()?;
    let signs = at.field("signs", |v| {
        v.text()?
            .chars()
            .map(|c| match c {
                '+' => Ok(Sign::Pos),
                '-' => Ok(Sign::Neg),
                '0' => Ok(Sign::Zero),
                _ => v.err(FormatProblem::BadSigns),
            })
            .collect()
    })?;
    Ok(Chamber {
        signs,
        witness: at.field("witness", |v| v.vector())?,
    })
}

fn read_empty(at: At<'_>) -> Read<EmptyFlip> {
    at.object()?;
    Ok(EmptyFlip {
        chamber: at.field("chamber", |v| v.index())?,
        point: at.field("point", |v| v.index())?,
        farkas: at.field("farkas", |v| v.sparse())?,
    })
}

fn read_dual(at: At<'_>) -> Read<DualBound> {
    at.object()?;
    Ok(DualBound {
        lambda: at.field("lambda", |v| v.vector())?,
        pairs: at.field("pairs", |v| {
            v.array(|p| {
                p.object()?;
                Ok(PairProof {
                    pair: p.field("pair", |i| i.index())?,
                    nu: p.field("nu", |n| n.sparse())?,
                })
            })
        })?,
    })
}

fn read_witness(at: At<'_>) -> Read<WitnessNet> {
    at.object()?;
    Ok(WitnessNet {
        units: at.field("units", |v| {
            v.array(|u| {
                u.object()?;
                Ok(WitnessUnit {
                    pair: u.field("pair", |i| i.index())?,
                    u: u.field("u", |w| w.vector())?,
                })
            })
        })?,
        c: at.field("c", |v| v.rational())?,
    })
}

fn read_shard(at: At<'_>) -> Read<Shard> {
    at.object()?;
    Ok(Shard {
        index: at.field("index", |v| v.index())?,
        count: at.field("count", |v| v.index())?,
    })
}

/// The pattern-LP evidence; `witness` and `shard` are read when the kind
/// has them and must be absent otherwise.
fn read_pattern(at: At<'_>, witness: bool, shard: bool) -> Read<PatternLp> {
    let optional = |key: &str, wanted: bool| -> Read<bool> {
        match (at.v.get(key).is_some(), wanted) {
            (present, true) if !present => at.field(key, |_| Ok(false)),
            (true, false) => at.field(key, |v| v.err(FormatProblem::Unexpected)),
            (present, _) => Ok(present),
        }
    };
    let has_witness = optional("witness", witness)?;
    let has_shard = optional("shard", shard)?;
    Ok(PatternLp {
        width: at.field("width", |v| v.index())?,
        chambers: at.field("chambers", |v| v.array(read_chamber))?,
        empty: at.field("empty", |v| v.array(read_empty))?,
        duals: at.field("duals", |v| v.array(read_dual))?,
        witness: if has_witness {
            Some(at.field("witness", read_witness)?)
        } else {
            None
        },
        shard: if has_shard {
            Some(at.field("shard", read_shard)?)
        } else {
            None
        },
    })
}

fn read_lower_point(at: At<'_>) -> Read<LowerPoint> {
    Ok(LowerPoint {
        t: at.field("t", |v| v.rational())?,
        params: at.field("params", |v| v.vector())?,
        loss: at.field("loss", |v| v.rational())?,
    })
}

fn read_region(at: At<'_>) -> Read<Region> {
    if !at.v.is_object() {
        return at.err(FormatProblem::NotObject);
    }
    let sides = at.field("sides", |v| {
        v.text()?
            .chars()
            .map(|c| match c {
                '+' => Ok(true),
                '-' => Ok(false),
                _ => v.err(FormatProblem::BadSides),
            })
            .collect()
    })?;
    let choice = at.field("choice", |v| v.array(|c| c.index()))?;
    let proof = if at.v.get("same_as").is_some() {
        RegionProof::SameAs(at.field("same_as", |v| v.index())?)
    } else {
        let lambda = match at.v.get("lambda") {
            Some(_) => Some(at.field("lambda", |v| v.matrix())?),
            None => None,
        };
        RegionProof::Multipliers {
            lambda,
            mu: at.field("mu", |v| v.vector())?,
        }
    };
    Ok(Region {
        sides,
        choice,
        proof,
    })
}

/// A string of `+` and `-`.
fn read_sides(at: At<'_>) -> Read<Vec<bool>> {
    at.text()?
        .chars()
        .map(|c| match c {
            '+' => Ok(true),
            '-' => Ok(false),
            _ => at.err(FormatProblem::BadSides),
        })
        .collect()
}

fn read_unit(at: At<'_>) -> Read<Unit> {
    Ok(Unit {
        layer: at.field("layer", |v| v.index())?,
        unit: at.field("unit", |v| v.index())?,
    })
}

fn read_kink(at: At<'_>) -> Read<Kink> {
    Ok(Kink {
        point: at.field("point", |p| p.index())?,
        unit: at.field("unit", |u| u.index())?,
    })
}

fn read_squared_piece(at: At<'_>) -> Read<SquaredPiece> {
    if !at.v.is_object() {
        return at.err(FormatProblem::NotObject);
    }
    Ok(SquaredPiece {
        sides: at.field("sides", read_sides)?,
        lambda: at.field("lambda", |v| v.vector())?,
    })
}

fn read_evidence(at: At<'_>) -> Read<Evidence> {
    let name = at.field("kind", |v| v.text())?;
    let Some(kind) = EvidenceKind::from_name(&name) else {
        return at.field("kind", |v| v.err(FormatProblem::UnknownKind(name.clone())));
    };
    Ok(match kind {
        EvidenceKind::ZeroLoss => Evidence::ZeroLoss,
        EvidenceKind::Flat => Evidence::Flat {
            zero_entries: at.field("zero_entries", |v| v.index())?,
            pieces: at.field("pieces", |v| v.index())?,
        },
        EvidenceKind::DescentArc => Evidence::DescentArc {
            dirs: at.field("dirs", |v| v.matrix())?,
            loss_polynomial: at.field("loss_polynomial", |v| v.vector())?,
            lower_point: at.field("lower_point", read_lower_point)?,
        },
        EvidenceKind::DescentDirection => Evidence::DescentDirection {
            dir: at.field("dir", |v| v.vector())?,
            derivative: at.field("derivative", |v| v.rational())?,
            lower_point: at.field("lower_point", read_lower_point)?,
        },
        EvidenceKind::LinearLpBound => Evidence::LinearLpBound {
            affine: at.field("affine", |v| v.boolean())?,
            lambda: at.field("lambda", |v| v.vector())?,
        },
        EvidenceKind::MulticlassLpBound => Evidence::MulticlassLpBound {
            affine: at.field("affine", |v| v.boolean())?,
            lambda: at.field("lambda", |v| v.matrix())?,
        },
        EvidenceKind::PiecewiseSecondOrder => Evidence::PiecewiseSecondOrder {
            dropped: at.field("dropped", |v| v.array(|d| d.index()))?,
            kinks: at.field("kinks", |v| {
                v.array(|k| {
                    Ok(Kink {
                        point: k.field("point", |p| p.index())?,
                        unit: k.field("unit", |u| u.index())?,
                    })
                })
            })?,
            corner_terms: at.field("corner_terms", |v| v.index())?,
            regions: at.field("regions", |v| v.array(read_region))?,
        },
        EvidenceKind::FunctionSpaceBound => Evidence::FunctionSpaceBound {
            lambda: at.field("lambda", |v| v.matrix())?,
        },
        EvidenceKind::PatternLp => Evidence::PatternLp(read_pattern(at, false, false)?),
        EvidenceKind::WidthOptimum => Evidence::WidthOptimum(read_pattern(at, true, false)?),
        EvidenceKind::WidthOptimumShard => {
            Evidence::WidthOptimumShard(read_pattern(at, true, true)?)
        }
        EvidenceKind::LinearRegressionBound => Evidence::LinearRegressionBound {
            affine: at.field("affine", |v| v.boolean())?,
            lambda: at.field("lambda", |v| v.vector())?,
        },
        EvidenceKind::PathLiftingBound => Evidence::PathLiftingBound {
            kinks: at.field("kinks", |v| v.index())?,
            pieces: at.field("pieces", |v| v.index())?,
            duals: at.field("duals", |v| v.array(|d| d.matrix()))?,
        },
        EvidenceKind::SquaredSecondOrder => Evidence::SquaredSecondOrder {
            kinks: at.field("kinks", |v| v.array(read_kink))?,
            rescaled: at.field("rescaled", |v| v.array(read_unit))?,
            dead: at.field("dead", |v| v.array(read_unit))?,
            pieces: at.field("pieces", |v| v.array(read_squared_piece))?,
        },
        EvidenceKind::PatternStarBound => Evidence::PatternStarBound(read_star(at)?),
        EvidenceKind::DeepSecondOrder => Evidence::DeepSecondOrder {
            rescaled: at.field("rescaled", |v| v.array(read_unit))?,
            dead: at.field("dead", |v| v.array(read_unit))?,
            dropped: at.field("dropped", |v| v.array(|i| i.index()))?,
            regions: at.field("regions", |v| {
                v.array(|r| {
                    r.object()?;
                    Ok(DeepRegion {
                        choice: r.field("choice", |c| c.array(|i| i.index()))?,
                        lambda: r.field("lambda", |l| l.vector())?,
                    })
                })
            })?,
        },
    })
}

/// The `pattern-star-bound` evidence.
fn read_star(at: At<'_>) -> Read<PatternStar> {
    let unit = |u: At<'_>| -> Read<StarUnit> {
        u.object()?;
        Ok(StarUnit {
            zero: u.field("zero", |v| v.array(|i| i.index()))?,
            chambers: u.field("chambers", |v| {
                v.array(|c| {
                    c.object()?;
                    Ok(StarChamber {
                        sides: c.field("sides", read_sides)?,
                        witness: c.field("witness", |w| w.vector())?,
                    })
                })
            })?,
            empty: u.field("empty", |v| {
                v.array(|e| {
                    e.object()?;
                    Ok(StarEmpty {
                        sides: e.field("sides", read_sides)?,
                        farkas: e.field("farkas", |f| f.sparse())?,
                    })
                })
            })?,
        })
    };
    let option = |o: At<'_>| -> Read<StarOption> {
        o.object()?;
        let chamber = o.field("chamber", |v| v.index())?;
        let positive = o.field("sign", |v| match read_sides(v)?.as_slice() {
            [s] => Ok(*s),
            _ => v.err(FormatProblem::BadSides),
        })?;
        Ok(StarOption {
            chamber,
            positive,
            nu: o.field("nu", |v| v.sparse())?,
        })
    };
    Ok(PatternStar {
        units: at.field("units", |v| v.array(unit))?,
        blocks: at.field("blocks", |v| {
            v.array(|b| {
                b.object()?;
                Ok(StarBlock {
                    tangent: b.field("tangent", |t| t.vector())?,
                    options: b.field("options", |o| o.array(|u| u.array(option)))?,
                })
            })
        })?,
    })
}

impl Certificate {
    /// Read a version-1 certificate. Checks the shape and spelling of every
    /// field, never whether it proves anything.
    ///
    /// Numbers are limited to the default [`DEFAULT_CERT_MAX_DIGITS`] digits
    /// (see [`Certificate::from_json_with`]).
    pub fn from_json(v: &Value) -> Result<Certificate, CertFormatError> {
        Certificate::from_json_with(v, DEFAULT_CERT_MAX_DIGITS)
    }

    /// [`Certificate::from_json`] with at most `max_digits` decimal digits
    /// in any number (numerator and denominator each), counted on the text
    /// before any big integer is built.
    pub fn from_json_with(v: &Value, max_digits: usize) -> Result<Certificate, CertFormatError> {
        let root = At {
            v,
            path: "",
            max_digits,
        };
        if !v.is_object() {
            return root.err(FormatProblem::NotObject);
        }
        if root.field("format", |f| f.text())? != FORMAT_NAME {
            return root.field("format", |f| f.err(FormatProblem::WrongFormat));
        }
        root.field("version", |f| match f.v.as_u64() {
            Some(FORMAT_VERSION) => Ok(()),
            _ => f.err(FormatProblem::UnsupportedVersion),
        })?;
        let instance_sha256 = root.field("instance_sha256", |f| f.text())?;
        let claim = root.field("claim", |f| {
            let name = f.text()?;
            Claim::from_name(&name)
                .map_or_else(|| f.err(FormatProblem::UnknownClaim(name.clone())), Ok)
        })?;
        let loss = root.field("loss", |f| f.rational())?;
        let evidence = root.field("evidence", |f| {
            if f.v.is_object() {
                read_evidence(f)
            } else {
                f.err(FormatProblem::NotObject)
            }
        })?;
        Ok(Certificate {
            header: Header {
                instance_sha256,
                claim,
                loss,
            },
            evidence,
        })
    }
}

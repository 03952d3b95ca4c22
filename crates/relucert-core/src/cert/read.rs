//! Reading certificates from JSON: shapes and spellings, with errors that
//! name the offending field by its path.
//!
//! Owns: [`Certificate::from_json`] and the located readers behind it.
//!
//! Must not: judge whether a certificate proves anything, or accept a
//! number that is not an exact rational written as a string.

use super::*;
use crate::number::parse_rational;
use serde_json::Value;

/// A JSON value together with its path, for reading with located errors.
#[derive(Clone, Copy)]
struct At<'a> {
    v: &'a Value,
    path: &'a str,
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
            Some(v) => f(At { v, path: &path }),
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
        parse_rational(s).or_else(|e| self.err(FormatProblem::BadRational(e)))
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
    })
}

impl Certificate {
    /// Read a version-1 certificate. Checks the shape and spelling of every
    /// field, never whether it proves anything.
    pub fn from_json(v: &Value) -> Result<Certificate, CertFormatError> {
        let root = At { v, path: "" };
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

//! The certificate model: a typed mirror of the certificate JSON of
//! docs/certificates.md (format `relucert-certificate`, version 1).
//!
//! Owns: the types [`Certificate`], [`Header`], [`Claim`], [`Evidence`] (one
//! variant per proof kind) and their parts, reading them from JSON
//! ([`Certificate::from_json`], failing with a [`CertFormatError`] that names
//! the offending field by its path, e.g. `evidence.regions[3].mu[2]`) and
//! writing them back ([`Certificate::to_json`], same keys in the same order
//! as the verifier writes them, rationals as canonical `"p/q"` strings). This
//! module is the one place where certificate JSON is read and written.
//!
//! Must not: judge a certificate. Reading checks shapes and spellings only
//! (a rational is a string, an index is a nonnegative integer, `sides` is a
//! string of `+`/`-`); whether the numbers prove anything is the checker's
//! business. No floats: every number is an exact rational or an index.

use crate::number::{fmt_q, parse_rational, NumberError, Q};
use serde_json::{json, Map, Value};

/// The value of the `format` field.
pub const FORMAT_NAME: &str = "relucert-certificate";

/// The value of the `version` field: the one version this model reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// What a certificate claims about the instance's point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    /// The point is a global minimum (`"global-min"`).
    GlobalMin,
    /// The point is a local minimum (`"local-min"`).
    LocalMin,
    /// The point is not a local minimum (`"not-local-min"`).
    NotLocalMin,
}

impl Claim {
    /// The claim's name in certificates.
    pub fn name(self) -> &'static str {
        match self {
            Claim::GlobalMin => "global-min",
            Claim::LocalMin => "local-min",
            Claim::NotLocalMin => "not-local-min",
        }
    }

    /// The claim with this name.
    pub fn from_name(name: &str) -> Option<Claim> {
        [Claim::GlobalMin, Claim::LocalMin, Claim::NotLocalMin]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of an [`Evidence`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// `zero-loss`.
    ZeroLoss,
    /// `flat`.
    Flat,
    /// `descent-arc`.
    DescentArc,
    /// `descent-direction`.
    DescentDirection,
    /// `linear-lp-bound`.
    LinearLpBound,
    /// `multiclass-lp-bound`.
    MulticlassLpBound,
    /// `piecewise-second-order`.
    PiecewiseSecondOrder,
}

impl EvidenceKind {
    const ALL: [EvidenceKind; 7] = [
        EvidenceKind::ZeroLoss,
        EvidenceKind::Flat,
        EvidenceKind::DescentArc,
        EvidenceKind::DescentDirection,
        EvidenceKind::LinearLpBound,
        EvidenceKind::MulticlassLpBound,
        EvidenceKind::PiecewiseSecondOrder,
    ];

    /// The kind's name in certificates (the `kind` field).
    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::ZeroLoss => "zero-loss",
            EvidenceKind::Flat => "flat",
            EvidenceKind::DescentArc => "descent-arc",
            EvidenceKind::DescentDirection => "descent-direction",
            EvidenceKind::LinearLpBound => "linear-lp-bound",
            EvidenceKind::MulticlassLpBound => "multiclass-lp-bound",
            EvidenceKind::PiecewiseSecondOrder => "piecewise-second-order",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<EvidenceKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The one claim this kind of evidence proves.
    pub fn proves(self) -> Claim {
        match self {
            EvidenceKind::ZeroLoss
            | EvidenceKind::LinearLpBound
            | EvidenceKind::MulticlassLpBound => Claim::GlobalMin,
            EvidenceKind::Flat | EvidenceKind::PiecewiseSecondOrder => Claim::LocalMin,
            EvidenceKind::DescentArc | EvidenceKind::DescentDirection => Claim::NotLocalMin,
        }
    }
}

impl std::fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The fields every certificate has besides its evidence (`format` and
/// `version` are the constants [`FORMAT_NAME`] and [`FORMAT_VERSION`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `instance_sha256`: the canonical hash of the instance (hex).
    pub instance_sha256: String,
    /// `claim`.
    pub claim: Claim,
    /// `loss`: the exact loss at the point.
    pub loss: Q,
}

/// A point of lower loss on a descent arc or ray (`lower_point`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerPoint {
    /// `t`: the arc parameter (> 0 in a valid certificate).
    pub t: Q,
    /// `params`: the flat parameter vector of the arc at `t`.
    pub params: Vec<Q>,
    /// `loss`: the exact loss there.
    pub loss: Q,
}

/// A zero first-layer pre-activation named by a `piecewise-second-order`
/// certificate (`{"point": i, "unit": j}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kink {
    /// Data point index.
    pub point: usize,
    /// Hidden unit index (first hidden layer).
    pub unit: usize,
}

/// How a region of a `piecewise-second-order` certificate is proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionProof {
    /// `same_as`: the index of an earlier proven region with the same rows.
    SameAs(usize),
    /// `lambda` (optional: weight 1 on the chosen branches when absent) and `mu`.
    Multipliers {
        /// Convex weights on the branches of each multi-branch term.
        lambda: Option<Vec<Vec<Q>>>,
        /// One multiplier per row of the region.
        mu: Vec<Q>,
    },
}

/// One region (kink cone x leading branches) of a `piecewise-second-order`
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// `sides`: one side per listed kink, `true` for `+`.
    pub sides: Vec<bool>,
    /// `choice`: the leading branch of each multi-branch term.
    pub choice: Vec<usize>,
    /// `same_as`, or `lambda` and `mu`.
    pub proof: RegionProof,
}

/// The proof part of a certificate, one variant per kind (docs/certificates.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// `zero-loss`: the loss is exactly 0.
    ZeroLoss,
    /// `flat`: every piece of the loss next to the point is the constant loss.
    Flat {
        /// `zero_entries`: number of live zero entries.
        zero_entries: usize,
        /// `pieces`: number of completions of those zero entries.
        pieces: usize,
    },
    /// `descent-arc`: `theta* + t d_1 + ... + t^k d_k` lowers the loss.
    DescentArc {
        /// `dirs`: the arc's directions `d_1, ..., d_k`.
        dirs: Vec<Vec<Q>>,
        /// `loss_polynomial`: the loss along the arc, lowest degree first.
        loss_polynomial: Vec<Q>,
        /// `lower_point`.
        lower_point: LowerPoint,
    },
    /// `descent-direction`: a negative one-sided directional derivative.
    DescentDirection {
        /// `dir`: the direction.
        dir: Vec<Q>,
        /// `derivative`: the one-sided directional derivative along `dir`.
        derivative: Q,
        /// `lower_point`.
        lower_point: LowerPoint,
    },
    /// `linear-lp-bound`: weak LP duality for a linear model, binary hinge.
    LinearLpBound {
        /// `affine`: whether the bound allows an offset.
        affine: bool,
        /// `lambda`: one multiplier per data point.
        lambda: Vec<Q>,
    },
    /// `multiclass-lp-bound`: weak LP duality for a linear model, multiclass loss.
    MulticlassLpBound {
        /// `affine`: whether the bound allows an offset.
        affine: bool,
        /// `lambda`: one row of multipliers per data point, one per class.
        lambda: Vec<Vec<Q>>,
    },
    /// `piecewise-second-order`: a quadratic lower bound on every region.
    PiecewiseSecondOrder {
        /// `dropped`: indices of the hinge-corner terms left out.
        dropped: Vec<usize>,
        /// `kinks`: the zero first-layer pre-activations whose side matters.
        kinks: Vec<Kink>,
        /// `corner_terms`: number of kept terms with more than one branch.
        corner_terms: usize,
        /// `regions`.
        regions: Vec<Region>,
    },
}

impl Evidence {
    /// This evidence's kind.
    pub fn kind(&self) -> EvidenceKind {
        match self {
            Evidence::ZeroLoss => EvidenceKind::ZeroLoss,
            Evidence::Flat { .. } => EvidenceKind::Flat,
            Evidence::DescentArc { .. } => EvidenceKind::DescentArc,
            Evidence::DescentDirection { .. } => EvidenceKind::DescentDirection,
            Evidence::LinearLpBound { .. } => EvidenceKind::LinearLpBound,
            Evidence::MulticlassLpBound { .. } => EvidenceKind::MulticlassLpBound,
            Evidence::PiecewiseSecondOrder { .. } => EvidenceKind::PiecewiseSecondOrder,
        }
    }
}

/// A certificate: header and evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Hash, claim and loss.
    pub header: Header,
    /// The proof.
    pub evidence: Evidence,
}

/// What is wrong with a field of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatProblem {
    /// The field is absent.
    Missing,
    /// `format` is not [`FORMAT_NAME`].
    WrongFormat,
    /// `version` is not [`FORMAT_VERSION`].
    UnsupportedVersion,
    /// Not a JSON string.
    NotString,
    /// Not a JSON string (where a rational was expected).
    NotRational,
    /// A string that is not a rational.
    BadRational(NumberError),
    /// Not a JSON array.
    NotArray,
    /// Not a nonnegative integer.
    NotIndex,
    /// Not `true` or `false`.
    NotBool,
    /// Not an object.
    NotObject,
    /// `claim` names no claim.
    UnknownClaim(String),
    /// `kind` names no evidence kind.
    UnknownKind(String),
    /// `sides` has a character other than `+` and `-`.
    BadSides,
}

/// Why a JSON value is not a version-1 certificate: the field (a path such
/// as `evidence.regions[3].mu[2]`) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFormatError {
    /// Path of the offending field from the certificate's root.
    pub field: String,
    /// What is wrong with it.
    pub problem: FormatProblem,
}

impl std::fmt::Display for CertFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = &self.field;
        match &self.problem {
            FormatProblem::Missing => write!(f, "certificate: missing field `{field}`"),
            FormatProblem::WrongFormat => {
                write!(f, "certificate: `format` is not \"{FORMAT_NAME}\"")
            }
            FormatProblem::UnsupportedVersion => write!(
                f,
                "certificate: unsupported `version` (this checker reads version {FORMAT_VERSION})"
            ),
            FormatProblem::NotString => write!(f, "certificate: field `{field}` must be a string"),
            FormatProblem::NotRational => write!(
                f,
                "certificate: {field}: expected a rational written as a string"
            ),
            FormatProblem::BadRational(e) => write!(f, "certificate: {field}: {e}"),
            FormatProblem::NotArray => write!(f, "certificate: {field}: expected an array"),
            FormatProblem::NotIndex => {
                write!(f, "certificate: {field}: expected a nonnegative integer")
            }
            FormatProblem::NotBool => write!(f, "certificate: {field}: expected true or false"),
            FormatProblem::NotObject => write!(f, "certificate: {field}: expected an object"),
            FormatProblem::UnknownClaim(c) => write!(
                f,
                "certificate: {field}: `{c}` is not a claim (global-min, local-min, not-local-min)"
            ),
            FormatProblem::UnknownKind(k) => {
                write!(f, "certificate: {field}: unknown evidence kind `{k}`")
            }
            FormatProblem::BadSides => write!(
                f,
                "certificate: {field}: expected a string of + and - (one per kink)"
            ),
        }
    }
}

impl std::error::Error for CertFormatError {}

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
        }
    }
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

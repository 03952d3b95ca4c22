//! The seed files the fuzz harness mutates: every fixture under `fixtures/`
//! in TOML and in JSON form, the LP files of `tests/data/lp/` plus a few
//! written here, and certificates made at start by verifying fixtures.
//!
//! Owns: [`Corpus`] (built once per test binary) and the JSON form of a
//! TOML fixture (the TOML tree written as JSON, numbers kept as text).
//!
//! Must not: mutate anything (that is `mutate`'s), or decide what a case
//! must satisfy (that is the properties').

use relucert::instance::{self, Expect, Instance, Syntax};
use relucert::verify::{verify, Limits, Verdict};
use relucert_core::Deadline;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// One instance seed.
pub struct InstanceSeed {
    /// The fixture's file name (with `.toml` or `.json`).
    pub name: String,
    /// Its text.
    pub text: String,
    /// Its syntax.
    pub syntax: Syntax,
}

/// One certificate seed: a verified fixture and its certificate.
pub struct CertSeed {
    /// The fixture's file name.
    pub name: String,
    /// The fixture's text (TOML or JSON).
    pub instance_text: String,
    /// Its syntax.
    pub syntax: Syntax,
    /// The parsed fixture.
    pub instance: Instance,
    /// The certificate JSON, pretty-printed (one value per line, so the
    /// line mutations act on single fields).
    pub cert_text: String,
    /// The verdict `verify` gave.
    pub verdict: Verdict,
    /// The fixture's `[expect]` table (hand-computed facts).
    pub expect: Option<Expect>,
}

/// Every seed.
pub struct Corpus {
    /// Instances (TOML and JSON forms).
    pub instances: Vec<InstanceSeed>,
    /// LP files (name, text).
    pub lps: Vec<(String, String)>,
    /// Certificates.
    pub certs: Vec<CertSeed>,
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// LP seeds written here: bounds in every spelling, equality rows, free
/// variables, an objective constant.
const EXTRA_LPS: &[(&str, &str)] = &[
    (
        "bounds.lp",
        "Minimize\n obj: x + y - z + 2\nSubject To\n r1: x + y >= 1\n r2: x - z <= 3\n r3: y + z = 2\nBounds\n -inf <= x <= 4\n y >= -inf\n 0 <= z <= +inf\n w free\nEnd\n",
    ),
    (
        "wide.lp",
        "Maximize\n obj: a + b + c + d + e + f\nSubject To\n c1: a + b + c + d + e + f <= 10\n c2: a - b >= -1\n c3: 2 c + 3 d - e <= 7/2\nBounds\n a <= 1\n b <= 2\n -1 <= c <= 1\n d <= 0.5\n e <= 1e1\n f <= 3\nEnd\n",
    ),
    (
        "neg-infeasible.lp",
        "Min\n obj: x\nst\n c1: x >= 3\nBounds\n x <= -1\nEnd\n",
    ),
];

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    v
}

/// A TOML fixture as JSON text: the same tree, integers as JSON numbers,
/// strings and booleans as themselves (TOML floats do not occur in
/// fixtures; they would be written as JSON numbers).
fn toml_to_json(text: &str) -> Option<String> {
    let v: toml::Value = toml::from_str(text).ok()?;
    fn conv(v: &toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => serde_json::Value::String(s.clone()),
            toml::Value::Integer(i) => serde_json::Value::from(*i),
            toml::Value::Float(f) => serde_json::from_str(&f.to_string())
                .unwrap_or(serde_json::Value::String(f.to_string())),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(conv).collect()),
            toml::Value::Table(t) => {
                serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), conv(v))).collect())
            }
        }
    }
    serde_json::to_string_pretty(&conv(&v)).ok()
}

fn build() -> Corpus {
    let root = root();
    let mut instances = Vec::new();
    for path in read_dir_sorted(&root.join("fixtures")) {
        let name = match path.file_name().and_then(|n| n.to_str()) {
            Some(n) if n.ends_with(".toml") || n.ends_with(".json") => n.to_string(),
            _ => continue,
        };
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let syntax = Syntax::of_path(&path);
        if syntax == Syntax::Toml {
            if let Some(json) = toml_to_json(&text) {
                instances.push(InstanceSeed {
                    name: name.replace(".toml", ".json"),
                    text: json,
                    syntax: Syntax::Json,
                });
            }
        }
        instances.push(InstanceSeed { name, text, syntax });
    }
    let mut lps = Vec::new();
    for path in read_dir_sorted(&root.join("tests/data/lp")) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            lps.push((name.unwrap_or_default(), text));
        }
    }
    lps.extend(
        EXTRA_LPS
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string())),
    );
    // Certificates: verify the fixtures (TOML forms) under a small budget
    // and keep every decided one.
    let limits = || Limits {
        max_pieces: 256,
        deadline: Deadline::after(Duration::from_secs(2)),
        global_budget: 0,
        ..Limits::default()
    };
    let mut certs = Vec::new();
    for seed in instances.iter().filter(|s| s.syntax == Syntax::Toml) {
        let Ok(inst) = instance::parse(&seed.text, seed.syntax, &seed.name) else {
            continue;
        };
        if inst.point.is_none() {
            continue;
        }
        let Ok(out) = verify(&inst, &limits()) else {
            continue;
        };
        let Some(cert) = out.certificate else {
            continue;
        };
        let cert_text = serde_json::to_string_pretty(&cert.to_json()).unwrap_or_default();
        certs.push(CertSeed {
            name: seed.name.clone(),
            instance_text: seed.text.clone(),
            syntax: seed.syntax,
            expect: inst.expect.clone(),
            instance: inst,
            cert_text,
            verdict: out.verdict,
        });
    }
    Corpus {
        instances,
        lps,
        certs,
    }
}

/// The corpus, built once.
pub fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(build)
}

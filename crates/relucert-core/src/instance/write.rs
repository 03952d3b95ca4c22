//! Writing instances: the canonical text and hash that certificates carry,
//! and FORMAT.md TOML.
//!
//! Owns: [`canonical_text`] (compact JSON of the mathematical content, fixed
//! key order, rationals in lowest terms), [`canonical_hash`] (its SHA-256)
//! and [`to_toml`].
//!
//! Must not: change a byte of the canonical text (certificate hashes depend
//! on it; tests/instance_format.rs compares it with serde_json), or write a
//! number in any form but exact `"p/q"` text.

use super::Instance;
use crate::number::Q;

/// The canonical text of the mathematical content of an instance (network,
/// loss, data, point; not name, source or expectations): compact JSON with
/// fixed key order and every rational in lowest terms as `"p/q"`. Two files
/// that describe the same problem and point have the same canonical text.
pub fn canonical_text(inst: &Instance) -> String {
    use crate::number::fmt_q;
    use std::fmt::Write as _;
    // Written directly: the same bytes as serde_json's compact output of
    // {"widths", "activation", "alpha", "bias", "loss", "x", "y", "point"}
    // in that order (every string here is ASCII digits, signs, '/', '.',
    // letters and '-', so nothing needs escaping). tests/instance_format.rs
    // compares it with serde_json on every fixture and generated instance.
    fn list<T>(out: &mut String, items: &[T], mut one: impl FnMut(&mut String, &T)) {
        out.push('[');
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            one(out, v);
        }
        out.push(']');
    }
    let q = |out: &mut String, v: &Q| {
        out.push('"');
        out.push_str(&fmt_q(v));
        out.push('"');
    };
    let p = &inst.problem;
    let mut out = String::with_capacity(256);
    out.push_str("{\"widths\":");
    list(&mut out, &p.arch.widths, |o, w| {
        let _ = write!(o, "{w}");
    });
    let _ = write!(
        out,
        ",\"activation\":\"{}\",\"alpha\":",
        p.arch.activation.name()
    );
    match &p.arch.activation {
        crate::network::Activation::Leaky(a) => q(&mut out, a),
        _ => out.push_str("null"),
    }
    out.push_str(",\"bias\":");
    list(&mut out, &p.arch.bias, |o, b| {
        let _ = write!(o, "{b}");
    });
    let _ = write!(out, ",\"loss\":\"{}\",\"x\":", p.loss.name());
    list(&mut out, &p.data.x, |o, row| list(o, row, q));
    out.push_str(",\"y\":");
    list(&mut out, &p.data.y, |o, y| {
        let _ = write!(o, "{y}");
    });
    out.push_str(",\"point\":");
    match &inst.point {
        Some(pt) => list(&mut out, &pt.flat(), q),
        None => out.push_str("null"),
    }
    out.push('}');
    out
}

/// SHA-256 of `canonical_text`, as lowercase hex: the instance hash that
/// certificates carry.
pub fn canonical_hash(inst: &Instance) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write as _;
    let digest = Sha256::digest(canonical_text(inst).as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Write an instance as FORMAT.md TOML (exact rationals as strings), so
/// generated or descended points can be saved, re-read and shared.
pub fn to_toml(inst: &Instance) -> String {
    use crate::number::fmt_q;
    use std::fmt::Write as _;
    let q = |v: &Q| format!("\"{}\"", fmt_q(v));
    let vec = |v: &[Q]| format!("[{}]", v.iter().map(q).collect::<Vec<_>>().join(", "));
    let mat = |m: &[Vec<Q>]| {
        format!(
            "[{}]",
            m.iter().map(|r| vec(r)).collect::<Vec<_>>().join(", ")
        )
    };
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', " ")
    };
    let p = &inst.problem;
    let mut s = String::new();
    if let Some(n) = &inst.name {
        let _ = writeln!(s, "name = \"{}\"", esc(n));
    }
    if let Some(src) = &inst.source {
        let _ = writeln!(s, "source = \"{}\"", esc(src));
    }
    let widths: Vec<String> = p.arch.widths.iter().map(usize::to_string).collect();
    let _ = writeln!(s, "\n[network]\nwidths = [{}]", widths.join(", "));
    let _ = writeln!(s, "activation = \"{}\"", p.arch.activation.name());
    if let crate::network::Activation::Leaky(a) = &p.arch.activation {
        let _ = writeln!(s, "alpha = {}", q(a));
    }
    let bias: Vec<String> = p.arch.bias.iter().map(bool::to_string).collect();
    let _ = writeln!(s, "bias = [{}]", bias.join(", "));
    let _ = writeln!(s, "\n[loss]\nkind = \"{}\"", p.loss.name());
    let _ = writeln!(s, "\n[data]\nx = {}", mat(&p.data.x));
    let ys: Vec<String> = p.data.y.iter().map(i64::to_string).collect();
    let _ = writeln!(s, "y = [{}]", ys.join(", "));
    if let Some(pt) = &inst.point {
        let _ = writeln!(s, "\n[point]");
        for (l, layer) in pt.layers.iter().enumerate() {
            let _ = writeln!(s, "W{} = {}", l + 1, mat(&layer.w));
            if let Some(b) = &layer.b {
                let _ = writeln!(s, "b{} = {}", l + 1, vec(b));
            }
        }
    }
    if let Some(e) = &inst.expect {
        if e.local_min.is_some() || e.global_min.is_some() || e.loss.is_some() {
            let _ = writeln!(s, "\n[expect]");
            if let Some(v) = e.local_min {
                let _ = writeln!(s, "local_min = {v}");
            }
            if let Some(v) = e.global_min {
                let _ = writeln!(s, "global_min = {v}");
            }
            if let Some(v) = &e.loss {
                let _ = writeln!(s, "loss = {}", q(v));
            }
        }
    }
    s
}

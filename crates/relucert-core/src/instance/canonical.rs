//! The canonical text and hash of an instance, which certificates carry.
//!
//! Owns: [`canonical_text`] (compact JSON of the mathematical content, fixed
//! key order, rationals in lowest terms) and [`canonical_hash`] (its
//! SHA-256). Part of the checker's trusted base.
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
    if p.loss.is_regression() {
        // regression targets: rationals as "p/q" strings
        list(&mut out, &p.data.targets, q);
    } else {
        list(&mut out, &p.data.y, |o, y| {
            let _ = write!(o, "{y}");
        });
    }
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

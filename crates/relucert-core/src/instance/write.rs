//! Writing instances as FORMAT.md TOML.
//!
//! Owns: [`to_toml`], so generated or descended points can be saved,
//! re-read and shared.
//!
//! Must not: write a number in any form but exact `"p/q"` text, or drop
//! anything `parse` reads back (tests/instance_format.rs round-trips every
//! fixture).

use super::Instance;
use crate::number::Q;

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
    if p.loss.is_regression() {
        let _ = writeln!(s, "y = {}", vec(&p.data.targets));
    } else {
        let ys: Vec<String> = p.data.y.iter().map(i64::to_string).collect();
        let _ = writeln!(s, "y = [{}]", ys.join(", "));
    }
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

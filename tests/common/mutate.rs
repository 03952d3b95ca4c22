//! Single-number mutations of a certificate's JSON, for the tests that
//! every certificate resists them.

use relucert::number::{fmt_q, parse_rational, Q};
use serde_json::Value;

/// Every way to corrupt one number (or the hash) of a certificate: each
/// number bumped by one, a non-number string spoiled, with the number's
/// path (`evidence.pieces.0.lambda.2`).
pub fn mutations(cert: &Value) -> Vec<(String, Value)> {
    fn walk(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(Value::from(k.clone()));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(Value::from(i));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::String(_) | Value::Number(_) => out.push(path.clone()),
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(cert, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for p in paths {
        let mut c = cert.clone();
        let mut slot = &mut c;
        for step in &p {
            slot = match step {
                Value::String(k) => &mut slot[k.as_str()],
                Value::Number(i) => &mut slot[i.as_u64().unwrap_or(0) as usize],
                _ => unreachable!("paths hold keys and indices"),
            };
        }
        let replaced = match slot {
            Value::String(s) => match parse_rational(s) {
                Ok(v) if s.len() < 60 => Value::String(fmt_q(&(v + Q::from_integer(1.into())))),
                _ => Value::String(format!("{s}x")),
            },
            Value::Number(n) => Value::from(n.as_u64().unwrap_or(0) + 1),
            _ => continue,
        };
        *slot = replaced;
        let path: Vec<String> = p
            .iter()
            .map(|s| match s {
                Value::String(k) => k.clone(),
                other => other.to_string(),
            })
            .collect();
        out.push((path.join("."), c));
    }
    out
}

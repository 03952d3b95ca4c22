//! Strict JSON reading: a JSON object that names a key twice is an error,
//! as in TOML (serde_json alone keeps the last value silently, so a
//! hand-edited file could say one thing and mean another).
//!
//! Owns: [`parse_strict`], the one way relucert parses JSON it reads from a
//! user (instances, certificates, shard parts, direction files), and the
//! duplicate-key scan behind it.
//!
//! Must not: interpret the values (the instance and certificate readers
//! do) or change how numbers are read (`arbitrary_precision` keeps their
//! text).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Parse `text` as JSON, refusing an object with a repeated key. The error
/// is serde_json's, with its line and column; a repeated key reads
/// `duplicate key "K"`.
pub fn parse_strict(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str::<NoDuplicates>(text)?;
    serde_json::from_str(text)
}

/// A JSON value walked only to find repeated keys (nothing is kept).
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk)
    }
}

struct Walk;

impl<'de> Visitor<'de> for Walk {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        // With `arbitrary_precision` a number arrives as a one-entry map
        // with serde_json's private key: one key, so never a repeat.
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                let shown: String = key.chars().take(60).collect();
                return Err(de::Error::custom(format_args!("duplicate key {shown:?}")));
            }
            map.next_value::<NoDuplicates>()?;
            seen.insert(key);
        }
        Ok(NoDuplicates)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_strict;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": [1, {"c": 1, "c": 1}]}}"#,
            r#"[{"x": "1/2", "y": 0, "x": "1/2"}]"#,
        ] {
            let e = parse_strict(text).expect_err(text).to_string();
            assert!(e.contains("duplicate key"), "{text}: {e}");
        }
    }

    #[test]
    fn distinct_keys_and_big_numbers_pass_unchanged() {
        let text = r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}], "n": 123456789012345678901234567890.5e-3}"#;
        let v = parse_strict(text).expect("valid");
        assert_eq!(
            v,
            serde_json::from_str::<serde_json::Value>(text).expect("valid")
        );
        assert_eq!(v["n"].to_string(), "123456789012345678901234567890.5e-3");
    }
}

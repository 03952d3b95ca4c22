//! Reading `.safetensors` files (the format of Hugging Face's `safetensors`
//! package): an 8-byte little-endian header length, a JSON header mapping
//! each tensor name to `{dtype, shape, data_offsets}`, then the raw
//! little-endian, C-order data.
//!
//! Owns: [`parse`], with its checks: the header length and every
//! `data_offsets` pair lie inside the file, each tensor's byte count equals
//! its shape times its dtype's size, and only the dtypes of
//! [`DType::from_safetensors`] are accepted.
//!
//! Must not: decode values (`Tensor::value` does, exactly), or allocate for
//! a declared length before comparing it with the file's size.

use super::tensor::{DType, Tensor};
use serde_json::Value;

/// The tensors of a safetensors file, in header order (`__metadata__` is
/// skipped). The error is one line without the file name.
pub fn parse(bytes: &[u8]) -> Result<Vec<Tensor>, String> {
    if bytes.len() < 8 {
        return Err(format!(
            "truncated safetensors file: {} bytes, expected at least the 8-byte header length",
            bytes.len()
        ));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[..8]);
    let n = u64::from_le_bytes(len8);
    let rest = (bytes.len() - 8) as u64;
    if n > rest {
        return Err(format!(
            "safetensors header length {n} is past the end of the file ({} bytes)",
            bytes.len()
        ));
    }
    let n = n as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n])
        .map_err(|e| format!("safetensors header is not UTF-8 ({e})"))?;
    let data = &bytes[8 + n..];
    let json: Value = serde_json::from_str(header.trim_end_matches(' '))
        .map_err(|e| format!("safetensors header is not valid JSON ({e})"))?;
    let Value::Object(map) = json else {
        return Err("safetensors header is not a JSON object".to_string());
    };
    let mut out = Vec::new();
    for (name, entry) in &map {
        if name == "__metadata__" {
            continue;
        }
        let what = |m: &str| format!("safetensors header, tensor `{}`: {m}", super::excerpt(name));
        let dtype_name = entry
            .get("dtype")
            .and_then(Value::as_str)
            .ok_or_else(|| what("no \"dtype\" string"))?;
        let dtype = DType::from_safetensors(dtype_name).ok_or_else(|| {
            what(&format!(
                "dtype {dtype_name} is not supported (expected F64, F32, F16, BF16, I64, I32, I16, I8 or U8)"
            ))
        })?;
        let shape = entry
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| what("no \"shape\" array"))?
            .iter()
            .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| what("\"shape\" is not a list of non-negative integers"))?;
        let offsets = entry
            .get("data_offsets")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 2)
            .and_then(|a| Some((a[0].as_u64()?, a[1].as_u64()?)))
            .ok_or_else(|| what("\"data_offsets\" is not a pair of non-negative integers"))?;
        let (begin, end) = offsets;
        if begin > end || end > data.len() as u64 {
            return Err(what(&format!(
                "data_offsets [{begin}, {end}] lie outside the {} data bytes",
                data.len()
            )));
        }
        let t = Tensor::new(
            name,
            dtype,
            shape,
            false,
            false,
            &data[begin as usize..end as usize],
        )?;
        out.push(t);
    }
    Ok(out)
}

//! Reading one `.npy` array (NumPy's format): the magic `\x93NUMPY`, a
//! version, a header length, a Python dict literal
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`, then the
//! raw data.
//!
//! Owns: [`parse`] and the small reader of the header literal (strings,
//! `True`/`False`, integers, tuples); the descrs `f8 f4 f2 i8 i4 i2 i1 u1`
//! in either byte order (`<`, `>`, `|` for one byte), C or Fortran order.
//!
//! Must not: accept object (pickled) or structured arrays, or any dtype not
//! listed; decode values (`Tensor::value` does).

use super::tensor::{DType, Tensor};

/// The array in a `.npy` file's bytes, named `name`. The error is one line
/// without the file name.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Tensor, String> {
    let what = |m: String| format!("array `{name}`: {m}");
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(what("not a .npy array (no \\x93NUMPY magic)".to_string()));
    }
    let major = bytes[6];
    let (hlen, start) = match major {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(what("truncated .npy header".to_string()));
            }
            let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (n as usize, 12)
        }
        v => {
            return Err(what(format!(
                ".npy version {v} is not supported (1, 2 or 3)"
            )))
        }
    };
    if hlen > bytes.len() - start {
        return Err(what(format!(
            ".npy header length {hlen} is past the end of the array's {} bytes",
            bytes.len()
        )));
    }
    let header = std::str::from_utf8(&bytes[start..start + hlen])
        .map_err(|_| what(".npy header is not text".to_string()))?;
    let h = Header::parse(header).map_err(|m| what(format!(".npy header: {m}")))?;
    let (dtype, big) = descr(&h.descr).ok_or_else(|| {
        what(format!(
            "dtype '{}' is not supported (expected <f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1, or big-endian >)",
            super::excerpt(&h.descr)
        ))
    })?;
    Tensor::new(name, dtype, h.shape, big, h.fortran, &bytes[start + hlen..])
}

fn descr(d: &str) -> Option<(DType, bool)> {
    let mut c = d.chars();
    let order = c.next()?;
    let rest: String = c.collect();
    let dtype = match rest.as_str() {
        "f8" => DType::F64,
        "f4" => DType::F32,
        "f2" => DType::F16,
        "i8" => DType::I64,
        "i4" => DType::I32,
        "i2" => DType::I16,
        "i1" => DType::I8,
        "u1" => DType::U8,
        _ => return None,
    };
    let big = match order {
        '<' => false,
        '>' => true,
        '|' if dtype.size() == 1 => false,
        _ => return None,
    };
    Some((dtype, big))
}

struct Header {
    descr: String,
    fortran: bool,
    shape: Vec<usize>,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Str(String),
    Int(usize),
    Bool(bool),
    Punct(char),
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if "{}:,()[]".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else if c == '\'' || c == '"' {
            let end = b[i + 1..]
                .iter()
                .position(|&d| d == c)
                .ok_or("unterminated string")?;
            out.push(Tok::Str(b[i + 1..i + 1 + end].iter().collect()));
            i += end + 2;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let text: String = b[i..j].iter().collect();
            // shapes may carry a Python 2 long suffix
            if j < b.len() && b[j] == 'L' {
                j += 1;
            }
            out.push(Tok::Int(
                text.parse()
                    .map_err(|_| format!("dimension {text} is too large"))?,
            ));
            i = j;
        } else if b[i..].starts_with(&['T', 'r', 'u', 'e']) {
            out.push(Tok::Bool(true));
            i += 4;
        } else if b[i..].starts_with(&['F', 'a', 'l', 's', 'e']) {
            out.push(Tok::Bool(false));
            i += 5;
        } else {
            return Err(format!("unexpected character `{}`", c.escape_default()));
        }
    }
    Ok(out)
}

impl Header {
    fn parse(s: &str) -> Result<Header, String> {
        let toks = tokens(s)?;
        let mut it = toks.into_iter().peekable();
        if it.next() != Some(Tok::Punct('{')) {
            return Err("expected a dict `{...}`".to_string());
        }
        let (mut descr, mut fortran, mut shape) = (None, None, None);
        loop {
            match it.next() {
                Some(Tok::Punct('}')) => break,
                Some(Tok::Str(key)) => {
                    if it.next() != Some(Tok::Punct(':')) {
                        return Err(format!("expected `:` after '{key}'"));
                    }
                    match key.as_str() {
                        "descr" => match it.next() {
                            Some(Tok::Str(d)) => descr = Some(d),
                            _ => {
                                return Err(
                                    "descr is not a simple dtype string (structured arrays are not supported)"
                                        .to_string(),
                                )
                            }
                        },
                        "fortran_order" => match it.next() {
                            Some(Tok::Bool(v)) => fortran = Some(v),
                            _ => return Err("fortran_order is not True or False".to_string()),
                        },
                        "shape" => {
                            if it.next() != Some(Tok::Punct('(')) {
                                return Err("shape is not a tuple".to_string());
                            }
                            let mut dims = Vec::new();
                            loop {
                                match it.next() {
                                    Some(Tok::Punct(')')) => break,
                                    Some(Tok::Int(d)) => dims.push(d),
                                    Some(Tok::Punct(',')) => {}
                                    _ => return Err("shape is not a tuple of integers".to_string()),
                                }
                            }
                            shape = Some(dims);
                        }
                        other => return Err(format!("unknown key '{}'", super::excerpt(other))),
                    }
                    if it.peek() == Some(&Tok::Punct(',')) {
                        it.next();
                    }
                }
                _ => return Err("expected a key string or `}`".to_string()),
            }
        }
        Ok(Header {
            descr: descr.ok_or("no 'descr'")?,
            fortran: fortran.ok_or("no 'fortran_order'")?,
            shape: shape.ok_or("no 'shape'")?,
        })
    }
}

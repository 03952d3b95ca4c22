//! One array read from a weights or data file: its dtype, shape and raw
//! bytes, and the exact value of each entry.
//!
//! Owns: [`DType`] (the element types import accepts, with their sizes and
//! names in safetensors and `.npy`), [`Tensor`] (checked so that the bytes
//! hold exactly the declared number of elements, C or Fortran order, little
//! or big endian) and the exact decoding of an entry, with the one error
//! naming the tensor and the index for NaN or an infinity.
//!
//! Must not: round (floats go through `exact_float`), or allocate for a
//! declared size before it is checked against the bytes really present.

use super::exact_float;
use crate::number::Q;
use num_bigint::BigInt;

/// An element type import accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// IEEE binary64.
    F64,
    /// IEEE binary32.
    F32,
    /// IEEE binary16.
    F16,
    /// bfloat16.
    BF16,
    /// Signed 64-bit integer.
    I64,
    /// Signed 32-bit integer.
    I32,
    /// Signed 16-bit integer.
    I16,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 8-bit integer.
    U8,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 | DType::I32 => 4,
            DType::F16 | DType::BF16 | DType::I16 => 2,
            DType::I8 | DType::U8 => 1,
        }
    }

    /// The safetensors name (`F32`, `BF16`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::F64 => "F64",
            DType::F32 => "F32",
            DType::F16 => "F16",
            DType::BF16 => "BF16",
            DType::I64 => "I64",
            DType::I32 => "I32",
            DType::I16 => "I16",
            DType::I8 => "I8",
            DType::U8 => "U8",
        }
    }

    /// The dtype of a safetensors name, if accepted.
    pub fn from_safetensors(name: &str) -> Option<DType> {
        [
            DType::F64,
            DType::F32,
            DType::F16,
            DType::BF16,
            DType::I64,
            DType::I32,
            DType::I16,
            DType::I8,
            DType::U8,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

/// One array: element type, shape, byte order, memory order and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tensor {
    /// The name in its file (`0.weight`, `X`).
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape (empty for a scalar).
    pub shape: Vec<usize>,
    big_endian: bool,
    fortran: bool,
    bytes: Vec<u8>,
}

/// The number of elements of a shape, `None` on overflow.
pub fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// A shape as printed in messages: `(2, 3)`; at most 8 dimensions shown
/// (then `...`), so that a message stays one short line.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => {
            let mut dims: Vec<String> = shape.iter().take(8).map(usize::to_string).collect();
            if shape.len() > 8 {
                dims.push(format!("... {} dimensions", shape.len()));
            }
            format!("({})", dims.join(", "))
        }
    }
}

impl Tensor {
    /// A tensor over `bytes`, which must hold exactly the elements the
    /// shape declares; the error says what was declared and what is there.
    pub fn new(
        name: &str,
        dtype: DType,
        shape: Vec<usize>,
        big_endian: bool,
        fortran: bool,
        bytes: &[u8],
    ) -> Result<Tensor, String> {
        let need = element_count(&shape).and_then(|n| n.checked_mul(dtype.size()));
        match need {
            Some(n) if n == bytes.len() => Ok(Tensor {
                name: name.to_string(),
                dtype,
                shape,
                big_endian,
                fortran,
                bytes: bytes.to_vec(),
            }),
            Some(n) => Err(format!(
                "tensor `{}` of shape {} and dtype {} needs {n} bytes but has {}",
                super::excerpt(name),
                fmt_shape(&shape),
                dtype.name(),
                bytes.len()
            )),
            None => Err(format!(
                "tensor `{}` has a shape {} too large to address",
                super::excerpt(name),
                fmt_shape(&shape)
            )),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.bytes.len() / self.dtype.size()
    }

    /// True iff the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The multi-index of the C-order (row-major) flat index `i`.
    pub fn multi_index(&self, mut i: usize) -> Vec<usize> {
        let mut idx = vec![0; self.shape.len()];
        for (k, &d) in self.shape.iter().enumerate().rev() {
            if d > 0 {
                idx[k] = i % d;
                i /= d;
            }
        }
        idx
    }

    /// `name[i, j]` for the C-order flat index `i`.
    pub fn fmt_index(&self, i: usize) -> String {
        let idx = self.multi_index(i);
        format!(
            "{}[{}]",
            super::excerpt(&self.name),
            idx.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        )
    }

    /// The storage position of the C-order flat index `i`.
    fn storage(&self, i: usize) -> usize {
        if !self.fortran || self.shape.len() < 2 {
            return i;
        }
        let idx = self.multi_index(i);
        let mut pos = 0;
        for (k, &d) in self.shape.iter().enumerate().rev() {
            pos = pos * d + idx[k];
        }
        pos
    }

    /// The exact value of the entry at C-order flat index `i`; NaN and
    /// infinities are errors naming the tensor and index, as is `i >= len()`.
    pub fn value(&self, i: usize) -> Result<Q, String> {
        if i >= self.len() {
            return Err(format!(
                "index {i} is outside tensor `{}` of {} elements",
                super::excerpt(&self.name),
                self.len()
            ));
        }
        let size = self.dtype.size();
        let at = self.storage(i) * size;
        let mut raw = [0u8; 8];
        raw[..size].copy_from_slice(&self.bytes[at..at + size]);
        if self.big_endian {
            raw[..size].reverse();
        }
        let bits = u64::from_le_bytes(raw);
        let float = |r: Result<Q, exact_float::NotFinite>| {
            r.map_err(|e| format!("{} is {e}; expected a finite number", self.fmt_index(i)))
        };
        let int = |v: i64| Ok(Q::from_integer(BigInt::from(v)));
        match self.dtype {
            DType::F64 => float(exact_float::f64_bits(bits)),
            DType::F32 => float(exact_float::f32_bits(bits as u32)),
            DType::F16 => float(exact_float::f16_bits(bits as u16)),
            DType::BF16 => float(exact_float::bf16_bits(bits as u16)),
            DType::I64 => int(bits as i64),
            DType::I32 => int(i64::from(bits as u32 as i32)),
            DType::I16 => int(i64::from(bits as u16 as i16)),
            DType::I8 => int(i64::from(bits as u8 as i8)),
            DType::U8 => int(i64::from(bits as u8)),
        }
    }

    /// Every entry in C order.
    pub fn values(&self) -> Result<Vec<Q>, String> {
        (0..self.len()).map(|i| self.value(i)).collect()
    }
}

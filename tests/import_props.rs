//! Properties of the import readers (issue 16, section 3): the exact value
//! of every f64 / f32 / f16 / bf16 bit pattern agrees with independent
//! computations (num-rational's `from_float`, a BigInt reconstruction from
//! `f64::to_bits`, and plain `f64` arithmetic where it is exact); `.npy`
//! arrays written here in C or Fortran order, little or big endian, read
//! back to the values written; and byte mutations of the committed files
//! never make a reader panic: they either read or give a one-line error.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::One;
use proptest::prelude::*;
use relucert::import::{exact_float, npy, npz, safetensors};

fn root() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
}

/// The value of a finite f64 by num-rational's own conversion.
fn by_num_rational(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite")
}

/// The value of a finite f64 rebuilt here from its bits: (-1)^s * M * 2^E.
fn by_bits(x: f64) -> BigRational {
    let b = x.to_bits();
    let s = b >> 63;
    let e = ((b >> 52) & 0x7ff) as i32;
    let f = b & ((1u64 << 52) - 1);
    let (m, exp) = if e == 0 {
        (f, -1074)
    } else {
        (f + (1u64 << 52), e - 1075)
    };
    let power = num_traits::pow(BigInt::from(2), exp.unsigned_abs() as usize);
    let v = if exp >= 0 {
        BigRational::from_integer(BigInt::from(m) * power)
    } else {
        BigRational::new(BigInt::from(m), power)
    };
    if s == 1 {
        -v
    } else {
        v
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn f64_bits_exact(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        let got = exact_float::f64_bits(bits);
        if x.is_finite() {
            let q = got.expect("finite decodes");
            prop_assert_eq!(&q, &by_num_rational(x));
            prop_assert_eq!(&q, &by_bits(x));
        } else {
            prop_assert!(got.is_err());
            prop_assert_eq!(got.err() == Some(exact_float::NotFinite::NaN), x.is_nan());
        }
    }

    #[test]
    fn f64_subnormals_and_extremes_exact(
        m in 0u64..(1 << 52),
        e in prop_oneof![Just(0u64), Just(1u64), Just(0x7feu64), 0u64..0x7ff],
        negative in any::<bool>(),
    ) {
        // random u64s rarely land on the smallest or largest exponents
        let bits = (u64::from(negative) << 63) | (e << 52) | m;
        let q = exact_float::f64_bits(bits).expect("finite");
        let x = f64::from_bits(bits);
        prop_assert_eq!(&q, &by_num_rational(x));
        prop_assert_eq!(&q, &by_bits(x));
    }

    #[test]
    fn f32_bits_exact(bits in any::<u32>()) {
        let x = f32::from_bits(bits);
        let got = exact_float::f32_bits(bits);
        if x.is_finite() {
            // widening f32 -> f64 is exact
            prop_assert_eq!(got.expect("finite"), by_num_rational(f64::from(x)));
        } else {
            prop_assert!(got.is_err());
        }
    }

    #[test]
    fn f16_bits_exact(bits in any::<u16>()) {
        let s = if bits >> 15 == 1 { -1.0 } else { 1.0 };
        let e = i32::from((bits >> 10) & 0x1f);
        let m = f64::from(bits & 0x3ff);
        let got = exact_float::f16_bits(bits);
        if e == 31 {
            prop_assert!(got.is_err());
        } else {
            // every f16 is m * 2^k with |m| < 2^11, exact in f64 arithmetic
            let v = if e == 0 { s * m * 2f64.powi(-24) } else { s * (1024.0 + m) * 2f64.powi(e - 25) };
            prop_assert_eq!(got.expect("finite"), by_num_rational(v));
        }
    }

    #[test]
    fn bf16_bits_exact(bits in any::<u16>()) {
        let x = f32::from_bits(u32::from(bits) << 16);
        let got = exact_float::bf16_bits(bits);
        if x.is_finite() {
            prop_assert_eq!(got.expect("finite"), by_num_rational(f64::from(x)));
        } else {
            prop_assert!(got.is_err());
        }
    }
}

/// A `.npy` file of f64 values written here: C or Fortran order, either
/// byte order.
fn npy_bytes(shape: &[usize], values_c: &[f64], fortran: bool, big: bool) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = if shape.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!(
        "{{'descr': '{}f8', 'fortran_order': {}, 'shape': {}, }}",
        if big { '>' } else { '<' },
        if fortran { "True" } else { "False" },
        shape_text
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    let (r, c) = (shape[0], if shape.len() > 1 { shape[1] } else { 1 });
    let order: Vec<usize> = if fortran {
        (0..c)
            .flat_map(|j| (0..r).map(move |i| i * c + j))
            .collect()
    } else {
        (0..r * c).collect()
    };
    for i in order {
        let v = values_c[i];
        out.extend_from_slice(&if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn npy_reads_back_what_was_written(
        rows in 1usize..5,
        cols in 1usize..5,
        seed in proptest::collection::vec(-1.0e6f64..1.0e6, 16),
        fortran in any::<bool>(),
        big in any::<bool>(),
        matrix in any::<bool>(),
    ) {
        let shape = if matrix { vec![rows, cols] } else { vec![rows] };
        let n: usize = shape.iter().product();
        let values: Vec<f64> = seed[..n].iter().map(|v| v / 3.0).collect();
        let t = npy::parse("A", &npy_bytes(&shape, &values, fortran, big))
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(&t.shape, &shape);
        let got = t.values().map_err(TestCaseError::fail)?;
        let want: Vec<BigRational> = values.iter().map(|&v| by_num_rational(v)).collect();
        prop_assert_eq!(got, want);
    }
}

fn committed(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/import/{name}", root())).expect("committed file")
}

/// Read with the library reader of its format; an error must be one line.
fn read_all(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let parsed = if name.ends_with(".npz") {
        npz::parse(bytes, 1 << 20)
    } else {
        safetensors::parse(bytes)
    };
    let result = parsed.and_then(|ts| ts.iter().try_for_each(|t| t.values().map(|_| ())));
    if let Err(m) = result {
        prop_assert!(!m.contains('\n') && !m.is_empty(), "not one line: {m}");
        prop_assert!(m.len() < 400, "too long: {m}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
    ) {
        let name = ["known.safetensors", "known.npz", "known_compressed.npz", "known_be_fortran.npz"][which];
        let mut bytes = committed(name);
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        read_all(name, &bytes)?;
    }
}

#[test]
fn crafted_sizes_are_refused_before_allocation() {
    // a safetensors header claiming a huge tensor in a tiny file
    let h =
        br#"{"w": {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}"#;
    let mut b = (h.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(h);
    b.extend_from_slice(&[0; 8]);
    let e = safetensors::parse(&b).expect_err("refused");
    assert!(e.contains("too large") || e.contains("needs"), "{e}");
    // a header length past the end
    let mut b = u64::MAX.to_le_bytes().to_vec();
    b.extend_from_slice(b"{}");
    assert!(safetensors::parse(&b).unwrap_err().contains("past the end"));
    // a .npy shape larger than its data
    let mut v = npy_bytes(&[2, 2], &[1.0, 2.0, 3.0, 4.0], false, false);
    let at = v
        .windows(6)
        .position(|w| w == b"(2, 2)")
        .expect("the shape");
    v[at..at + 6].copy_from_slice(b"(9, 9)");
    let e = npy::parse("A", &v).expect_err("refused");
    assert!(e.contains("needs 648 bytes but has 32"), "{e}");
    // an npz whose entry inflates beyond the budget
    let z = committed("known_compressed.npz");
    let e = npz::parse(&z, 100).expect_err("budget");
    assert!(e.contains("beyond the input limit"), "{e}");
    let one = BigRational::one();
    assert_eq!(exact_float::f64_bits(1f64.to_bits()), Ok(one));
}

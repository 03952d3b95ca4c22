#!/usr/bin/env python3
"""Make the committed test data of `relucert import` (tests/data/import/).

Uses only numpy (and the standard library). The outputs are committed, so
the tests need neither numpy nor this script; re-run it to regenerate:

    python3 scripts/make_import_data.py

What it writes:
- known.safetensors, known.npz (numpy.savez, stored), known_compressed.npz
  (numpy.savez_compressed, deflated), known_be_fortran.npz (big-endian and
  Fortran-order arrays), known.csv: a 3-2-1 network and 4 data points with
  values that are not short decimals as floats (0.1f32, 1/3 as f64, an f16
  subnormal, bf16); expected.json holds every value as Python's
  Fraction(x), the exact value of the float, written here independently of
  relucert;
- twin_<fixture>.safetensors / .npz: the [point] and [data] of a few
  fixtures (all dyadic numbers, so float32 / float64 hold them exactly), for
  the test that an imported model verifies like its TOML twin;
- order.npz: layers named 0, 2, 10 (numeric order differs from alphabetical);
- bad_*: corrupt variants (bad dtype, bad header JSON, offsets past the end,
  NaN, shape mismatch, 0/1 labels).
"""

import io
import json
import struct
import tomllib
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "import"
FIXTURES = ROOT / "fixtures"


def safetensors_bytes(tensors):
    """tensors: list of (name, dtype string, shape, raw little-endian bytes)."""
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def st(name, arr):
    kinds = {"<f8": "F64", "<f4": "F32", "<f2": "F16", "<i8": "I64",
             "<i4": "I32", "<i2": "I16", "|i1": "I8", "|u1": "U8"}
    a = np.ascontiguousarray(arr)
    return (name, kinds[a.dtype.str], a.shape, a.tobytes())


def bf16_of(values):
    """bfloat16 bit patterns (truncated float32) and their exact values."""
    bits = (np.asarray(values, dtype="<f4").view("<u4") >> 16).astype("<u2")
    exact = (bits.astype("<u4") << 16).view("<f4")
    return bits, exact


def frac(x):
    return str(Fraction(float(x)))


def fracs(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return [frac(v) for v in a]
    return [[frac(v) for v in row] for row in a]


def known():
    W1 = np.array([[0.1, -2.5], [1 / 3, 1e-3], [-0.0, 7.0]], dtype="<f4")
    b1 = np.array([0.1, 6e-8, -65504.0], dtype="<f2")  # 6e-8: an f16 subnormal
    W2 = np.array([[1 / 3, -0.2, 0.3]], dtype="<f8")
    b2_bits, b2 = bf16_of([0.1])
    X = np.array([[0.1, 0.2], [-1.5, 3.0], [1e-300, 0.5], [2.0, -0.7]], dtype="<f8")
    y = np.array([1, -1, -1, 1], dtype="<i8")
    expected = {"W1": fracs(W1), "b1": fracs(b1), "W2": fracs(W2),
                "b2": fracs(b2), "x": fracs(X), "y": [int(v) for v in y],
                "csv_x": [["1/10", "1/5"], ["-3/2", "3"], ["1/1000", "1/2"],
                          ["2", "-7/10"]]}
    (OUT / "known.safetensors").write_bytes(safetensors_bytes([
        st("0.weight", W1), st("0.bias", b1), st("2.weight", W2),
        ("2.bias", "BF16", (1,), b2_bits.tobytes())]))
    # numpy has no bfloat16: the .npz files carry b2 as its exact float32
    arrays = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "X": X, "y": y}
    np.savez(OUT / "known.npz", **arrays)
    np.savez_compressed(OUT / "known_compressed.npz", **arrays)
    odd = {"W1": np.asfortranarray(W1.astype(">f4")), "b1": b1.astype(">f2"),
           "W2": np.asfortranarray(W2.astype(">f8")), "b2": b2.astype(">f4"),
           "X": np.asfortranarray(X.astype(">f8")), "y": y.astype(">i4")}
    assert odd["W1"].flags.f_contiguous and not odd["W1"].flags.c_contiguous
    np.savez(OUT / "known_be_fortran.npz", **odd)
    # CSV: decimal text, read exactly (not as floats)
    (OUT / "known.csv").write_text(
        "x1,x2,label\n0.1,0.2,1\n-1.5,3,-1\n1e-3,0.5,-1\n2,-0.7,1\n")
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


def fixture_arrays(name):
    doc = tomllib.loads((FIXTURES / f"{name}.toml").read_text())
    point, net = doc["point"], doc["network"]
    layers = []
    for l in range(1, len(net["widths"])):
        w = [[Fraction(v) for v in row] for row in point[f"W{l}"]]
        b = [Fraction(v) for v in point[f"b{l}"]] if f"b{l}" in point else None
        layers.append((w, b))
    x = [[Fraction(v) for v in row] for row in doc["data"]["x"]]
    y = doc["data"]["y"]
    return layers, x, y


def exact_array(values, dtype):
    a = np.array([float(v) for v in np.ravel(values)], dtype=dtype)
    for v, f in zip(np.ravel(values), a):
        assert Fraction(float(f)) == v, f"{v} is not exact in {dtype}"
    return a.reshape(np.shape(values))


def twin(name):
    layers, x, y = fixture_arrays(name)
    ts, npz = [], {}
    for i, (w, b) in enumerate(layers):
        W = exact_array(w, "<f4")
        ts.append(st(f"{2 * i}.weight", W))  # nn.Sequential: Linear at 0, 2, 4, ...
        npz[f"W{i + 1}"] = exact_array(w, "<f8")
        if b is not None:
            ts.append(st(f"{2 * i}.bias", exact_array(b, "<f4")))
            npz[f"b{i + 1}"] = exact_array(b, "<f8")
    (OUT / f"twin_{name}.safetensors").write_bytes(safetensors_bytes(ts))
    npz["X"] = exact_array(x, "<f8")
    npz["y"] = np.array(y, dtype="<i8")
    np.savez(OUT / f"twin_{name}.npz", **npz)
    X = exact_array(x, "<f8")
    rows = [",".join(repr(float(v)) for v in row) + f",{lab}" for row, lab in zip(X, y)]
    (OUT / f"twin_{name}.csv").write_text("\n".join(rows) + "\n")


def order():
    # 1 -> 2 -> 3 -> 1: alphabetical order 0, 10, 2 would not chain
    rng = np.random.default_rng(16)
    np.savez(OUT / "order.npz", **{
        "net.0.weight": rng.integers(-3, 4, (2, 1)).astype("<f4"),
        "net.2.weight": rng.integers(-3, 4, (3, 2)).astype("<f4"),
        "net.10.weight": rng.integers(-3, 4, (1, 3)).astype("<f4"),
        "X": np.array([[1.0], [-1.0]]), "y": np.array([1, 0])})


def bad():
    W1 = np.array([[1.0, 2.0]], dtype="<f4")
    good = [st("0.weight", W1)]
    raw = safetensors_bytes(good)
    (OUT / "bad_dtype.safetensors").write_bytes(
        raw.replace(b'"F32"', b'"F8E4"'))
    h = b'{"0.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]'
    (OUT / "bad_header_json.safetensors").write_bytes(
        struct.pack("<Q", len(h)) + h + W1.tobytes())
    h = b'{"0.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 80]}}'
    (OUT / "bad_offsets.safetensors").write_bytes(
        struct.pack("<Q", len(h)) + h + W1.tobytes())
    (OUT / "bad_shape.safetensors").write_bytes(safetensors_bytes(
        [("0.weight", "F32", (1, 3), W1.tobytes())]))
    np.savez(OUT / "bad_nan.npz", W1=np.array([[1.0, np.nan]]), b1=np.array([0.0]),
             X=np.array([[1.0, 2.0]]), y=np.array([1]))
    np.savez(OUT / "bad_mismatch.npz", W1=np.ones((3, 2)), W2=np.ones((1, 4)),
             X=np.ones((2, 2)), y=np.array([1, -1]))
    np.savez(OUT / "labels01.npz", W1=np.ones((1, 2)), b1=np.zeros(1),
             X=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), y=np.array([0.0, 1.0, 0.0]))
    with zipfile.ZipFile(OUT / "bad_not_npy.npz", "w") as z:
        z.writestr("W1.txt", "1 2 3")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    known()
    for name in ["relu-kink-corner-nonflat-min", "relu-multiclass-hinge-descent",
                 "leaky-separable-descent-ray", "relu-two-hidden-layers-hinge"]:
        twin(name)
    order()
    bad()


if __name__ == "__main__":
    main()

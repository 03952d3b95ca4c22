"""The float rule: every float entering from_arrays is stored at its exact
binary value, Fraction(x), never rounded; snap= changes values only when
asked, and reports each change. Values are read back from the instance's
TOML text (tomllib) and parsed independently of the package."""

import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relucert import Instance, InstanceError

from conftest import q

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")


def stored(inst):
    """[point] and [data] read back from the TOML text, as exact Fractions."""
    doc = tomllib.loads(inst.to_toml())
    pt = doc["point"]
    return (
        [[q(v) for v in row] for row in doc["data"]["x"]],
        [[q(v) for v in row] for row in pt["W1"]],
        [q(v) for v in pt["b1"]],
    )


def build(values, dtype=None):
    """A [3, 2, 1] network whose W1 (2x3) holds values[0:6], b1 values[6:8],
    and whose data X (2x3) holds the same six values."""
    w1 = np.array(values[:6], dtype=dtype).reshape(2, 3) if dtype else [values[0:3], values[3:6]]
    b1 = np.array(values[6:8], dtype=dtype) if dtype else values[6:8]
    w2 = [[1, -1]]
    b2 = [0]
    return Instance.from_arrays(w1, [1, -1], [w1, b1, w2, b2], activation="relu", loss="hinge")


finite64 = st.floats(allow_nan=False, allow_infinity=False, width=64)
finite32 = st.floats(allow_nan=False, allow_infinity=False, width=32)
# every finite float16, subnormals included: sign, exponent 0..30, mantissa
finite16 = st.builds(
    lambda s, e, m: float(np.array([(s << 15) | (e << 10) | m], dtype=np.uint16).view(np.float16)[0]),
    st.integers(0, 1),
    st.integers(0, 30),
    st.integers(0, 1023),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(finite64, min_size=8, max_size=8))
def test_python_and_float64_values_are_stored_exactly(values):
    for inst in (build(values), build(values, np.float64)):
        x, w, b = stored(inst)
        assert [v for row in w for v in row] == [Fraction(v) for v in values[:6]]
        assert [v for row in x for v in row] == [Fraction(v) for v in values[:6]]
        assert b == [Fraction(v) for v in values[6:8]]


@settings(max_examples=150, deadline=None)
@given(st.lists(finite32, min_size=8, max_size=8))
def test_float32_values_are_stored_exactly(values):
    arr = np.array(values, dtype=np.float32)
    inst = build(list(arr), np.float32)
    x, w, b = stored(inst)
    # Fraction(np.float32) is the float32's own binary value
    assert [v for row in w for v in row] == [Fraction(float(v)) for v in arr[:6]]
    assert b == [Fraction(float(v)) for v in arr[6:8]]
    # numpy float32 scalars given one by one, in lists
    inst2 = build([arr[i] for i in range(8)])
    assert stored(inst2) == (x, w, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite16, min_size=8, max_size=8))
def test_float16_values_are_stored_exactly(values):
    arr = np.array(values, dtype=np.float16)
    _, w, b = stored(build(list(arr), np.float16))
    assert [v for row in w for v in row] == [Fraction(float(v)) for v in arr[:6]]


def test_edge_values_subnormal_and_huge():
    values = [5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1, -0.0, 1e-45, 3.4028234663852886e38, 2.0**-1074 * 3]
    _, w, b = stored(build(values))
    assert [v for row in w for v in row] == [Fraction(v) for v in values[:6]]
    assert w[0][0] == Fraction(1, 2**1074)
    assert w[1][0] == Fraction(3602879701896397, 2**55)  # float64 0.1
    assert w[1][1] == 0  # -0.0
    assert w[1][2] == Fraction(1e-45) > 0
    assert b == [Fraction(values[6]), Fraction(values[7])]
    # float32 0.1 is 13421773/2^27, not 1/10
    _, w32, _ = stored(build([np.float32(0.1)] * 8))
    assert w32[0][0] == Fraction(13421773, 2**27)


def test_longdouble_is_not_rounded_through_float64():
    if np.finfo(np.longdouble).nmant <= 52:
        pytest.skip("this platform's longdouble is float64")
    v = np.longdouble(1) + np.longdouble(2) ** -60
    _, w, _ = stored(build([v] * 8))
    assert w[0][0] == 1 + Fraction(1, 2**60)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float32("nan")])
def test_nan_and_infinity_name_the_array_and_index(bad):
    w1 = np.zeros((2, 3))
    w1[1, 2] = bad
    with pytest.raises(InstanceError) as e:
        Instance.from_arrays(np.zeros((2, 3)), [1, -1], [w1, [0, 0], [[1, 1]], [0]])
    msg = str(e.value)
    assert "W1[1,2]" in msg and "finite" in msg


def test_snap_changes_only_when_asked_and_reports_every_change():
    w1 = np.array([[0.1, 0.5, 1 / 3], [2.0, -0.25, 0.2]])
    exact = Instance.from_arrays(np.ones((2, 3)), [1, -1], [w1, [0.0, 0.75], [[1, 1]], [0]])
    assert exact.snap_report is None
    _, w, _ = stored(exact)
    assert w[0][0] == Fraction(0.1) != Fraction(1, 10)

    snapped = Instance.from_arrays(np.ones((2, 3)), [1, -1], [w1, [0.0, 0.75], [[1, 1]], [0]], snap=1000)
    _, w, b = stored(snapped)
    assert w == [[Fraction(1, 10), Fraction(1, 2), Fraction(1, 3)], [Fraction(2), Fraction(-1, 4), Fraction(1, 5)]]
    rep = snapped.snap_report
    # six float entries of X (ones: unchanged), six of W1, two of b1
    assert rep.floats == 14
    changed = {c.where.split(": ")[-1]: (c.exact, c.snapped) for c in rep.changes}
    assert set(changed) == {"W1[0,0]", "W1[0,2]", "W1[1,2]"}
    assert changed["W1[0,0]"] == (Fraction(0.1), Fraction(1, 10))
    assert rep.count == 3
    assert rep.max_change == max(abs(Fraction(v) - Fraction(v).limit_denominator(1000)) for v in (0.1, 1 / 3, 0.2))
    assert "3 of 14" in repr(rep)
    # a callable rule
    halves = Instance.from_arrays([[0.3]], [1], [[[0.3]], [0.0]], activation="linear", snap=lambda v: Fraction(round(v * 2), 2))
    assert halves.snap_report.count == 2
    assert stored_x(halves) == [[Fraction(1, 2)]]


def stored_x(inst):
    return [[q(v) for v in row] for row in tomllib.loads(inst.to_toml())["data"]["x"]]


def test_integers_fractions_and_strings_are_exact():
    inst = Instance.from_arrays(
        [[Fraction(1, 3), "2/7", 10**40]], [1], [[[np.int64(3), "0.1", Fraction(-5, 9)]], [7]], activation="linear"
    )
    x = stored_x(inst)
    assert x == [[Fraction(1, 3), Fraction(2, 7), Fraction(10**40)]]
    assert inst.point["W1"] == [[Fraction(3), Fraction(1, 10), Fraction(-5, 9)]]

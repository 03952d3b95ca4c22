"""Regression losses through the package: exact targets in from_arrays,
to_json / to_toml round trips, verify + check on a minimum proven by hand,
theorems, and the errors for targets."""

import json
from fractions import Fraction

import numpy as np
import pytest

from relucert import Instance, InstanceError

# Two relu units dead on every point (pre-activations -x-1 and -2x-1 < 0
# for x >= 0), so near the point the loss is (1/4) sum |b2 - t_i|, which is
# flat for b2 strictly between the middle targets 1 and 3: at b2 = 2 a local
# minimum with loss (2 + 1 + 1 + 3) / 4 = 7/4 (hand computation).
X = [[0], [1], [2], [3]]
T = [0, 1, 3, 5]
W = [[[-1], [-2]], [-1, -1], [[1, -1]], [2]]


def test_targets_are_exact_and_round_trip():
    inst = Instance.from_arrays(X, [0.1, "3/2", Fraction(-1, 3), 7], W, loss="squared")
    assert inst.is_regression
    assert inst.y == [Fraction(0.1), Fraction(3, 2), Fraction(-1, 3), Fraction(7)]
    doc = json.loads(inst.to_json())
    assert doc["data"]["y"] == ["3602879701896397/36028797018963968", "3/2", "-1/3", "7"]
    assert Instance.from_json(inst.to_json()) == inst
    assert Instance.from_toml(inst.to_toml()) == inst


def test_absolute_dead_minimum_verifies_and_checks():
    inst = Instance.from_arrays(X, T, W, loss="absolute")
    ev = inst.eval()
    assert ev.loss == Fraction(7, 4)
    assert ev.targets == tuple(Fraction(t) for t in T)
    assert ev.residuals == tuple(Fraction(2 - t) for t in T)
    assert "residuals" in repr(ev)
    r = inst.verify()
    assert r.is_local_min is True, r
    assert inst.check(r).accepted
    reports = {t.predicate: t for t in inst.theorems()}
    assert reports["P1-flat-interior-minima"].outcome == "holds"
    assert reports["P3a-leaky-separable-constant-output"].outcome == "not-applicable"
    assert reports["P3b-leaky-separable-no-bias-zero-loss"].outcome == "not-applicable"


def test_squared_off_the_mean_is_not_a_minimum():
    # the mean of the targets is 9/4; b2 = 2 lies below it: raising b2 lowers the loss
    inst = Instance.from_arrays(X, T, W, loss="squared")
    r = inst.verify()
    assert r.is_local_min is False
    assert inst.check(r).accepted
    reports = {t.predicate: t for t in inst.theorems()}
    assert reports["P1-flat-interior-minima"].outcome == "not-applicable"


def test_target_errors():
    with pytest.raises(InstanceError, match="expected one target per row of X"):
        Instance.from_arrays(X, [1, 2], W, loss="absolute")
    with pytest.raises(InstanceError, match="1-D array of targets"):
        Instance.from_arrays(X, np.zeros((4, 2)), W, loss="squared")
    with pytest.raises(InstanceError, match="expected a finite number, got nan"):
        Instance.from_arrays(X, [float("nan"), 1, 2, 3], W, loss="squared")
    # a fraction as a hinge label: the library's hint names the regression losses
    with pytest.raises(InstanceError, match="expected an integer label, got 3/2; rational targets are for the regression"):
        Instance.from_arrays(X, [Fraction(3, 2), 1, 1, -1], W, loss="hinge")
    with pytest.raises(InstanceError, match="regression losses"):
        Instance.from_toml(
            '[network]\nwidths = [1, 1]\nactivation = "linear"\nbias = true\n[loss]\nkind = "hinge"\n'
            '[data]\nx = [["1"]]\ny = ["3/2"]\n'
        )

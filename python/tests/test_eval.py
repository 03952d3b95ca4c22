"""eval() against an independent Fraction forward pass (tests/oracle.py):
every fixture, and random small networks of every activation and loss."""

import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relucert import Instance

import oracle
from conftest import FIXTURES, q

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")


def layers_of(doc):
    pt = doc["point"]
    n = len(doc["network"]["widths"]) - 1
    return [
        ([[q(v) for v in r] for r in pt[f"W{l}"]], [q(v) for v in pt[f"b{l}"]] if f"b{l}" in pt else None)
        for l in range(1, n + 1)
    ]


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.glob("*.toml")), ids=lambda p: p.name)
def test_eval_loss_matches_the_oracle_on_every_fixture(path):
    doc = tomllib.loads(path.read_text())
    if "point" not in doc:
        pytest.skip("no [point]")
    net = doc["network"]
    alpha = q(net["alpha"]) if "alpha" in net else None
    X = [[q(v) for v in r] for r in doc["data"]["x"]]
    y = doc["data"]["y"]
    if doc["loss"]["kind"] in ("absolute", "squared"):
        y = [q(t) for t in y]
    ev = Instance.load(path).eval()
    want = oracle.loss(X, y, layers_of(doc), net["activation"], alpha, doc["loss"]["kind"])
    assert ev.loss == want
    for i, x in enumerate(X):
        assert list(ev.outputs[i]) == oracle.forward(x, layers_of(doc), net["activation"], alpha)


small = st.fractions(min_value=-4, max_value=4, max_denominator=8)


@st.composite
def networks(draw):
    d = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    kind = draw(st.sampled_from(["hinge", "multiclass-hinge", "crammer-singer", "absolute", "squared"]))
    k = 1 if kind in ("hinge", "absolute", "squared") else draw(st.integers(2, 3))
    widths = [d] + hidden + [k]
    activation = draw(st.sampled_from(["relu", "leaky", "linear"]))
    alpha = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 2), 0.25])) if activation == "leaky" else None
    n = draw(st.integers(1, 5))
    X = [[draw(small) for _ in range(d)] for _ in range(n)]
    if kind in ("absolute", "squared"):
        # regression targets: Fractions, and floats taken at their binary value
        y = [draw(st.one_of(small, st.sampled_from([0.1, -2.5, 1e-3]))) for _ in range(n)]
    else:
        y = [draw(st.sampled_from([1, -1])) if kind == "hinge" else draw(st.integers(0, k - 1)) for _ in range(n)]
    layers = []
    for l in range(1, len(widths)):
        W = [[draw(small) for _ in range(widths[l - 1])] for _ in range(widths[l])]
        b = [draw(small) for _ in range(widths[l])] if draw(st.booleans()) else None
        layers.append((W, b))
    return X, y, layers, activation, alpha, kind


@settings(max_examples=80, deadline=None)
@given(networks())
def test_eval_loss_matches_the_oracle_on_random_networks(net):
    X, y, layers, activation, alpha, kind = net
    weights = []
    for W, b in layers:
        weights.append(W)
        if b is not None:
            weights.append(b)
    inst = Instance.from_arrays(
        X, y, weights, activation=activation, alpha=alpha, loss=kind, bias=[b is not None for _, b in layers]
    )
    a = Fraction(alpha) if alpha is not None else None
    ev = inst.eval()
    if kind in ("absolute", "squared"):
        y = [Fraction(t) for t in y]  # the exact binary value of a float
        assert inst.y == y and ev.targets == tuple(y)
        assert all(p.label is None for p in ev.points)
        assert list(ev.residuals) == [oracle.forward(x, layers, activation, a)[0] - t for x, t in zip(X, y)]
    assert ev.loss == oracle.loss(X, y, layers, activation, a, kind)
    assert list(ev.losses) == [oracle.point_loss(kind, oracle.forward(x, layers, activation, a), yi) for x, yi in zip(X, y)]

"""A NumPy-built model verifies to the same verdict and loss as its TOML
twin, and both agree with the fixture's own hand-proven [expect] table;
the twin's certificate checks against the NumPy instance (same canonical
content). Fixtures are read with tomllib, independently of the package."""

import sys
from fractions import Fraction

import numpy as np
import pytest

from relucert import Instance

from conftest import FIXTURES, q

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")

TWINS = [
    "relu-kink-flat-local-min.toml",  # local-min (flat, on kinks)
    "leaky-separable-descent-ray.toml",  # not-local-min
    "linear-depth2-affine-global-min.toml",  # global-min
    "leaky-crammer-singer-descent.toml",  # multiclass, bias = [true, false]
    "relu-kink-corner-nonflat-min.toml",  # second-order local-min
]


def as_numpy(values):
    """float64 when every value is a float exactly, else an object array of
    Fractions (1/3 has no float): either way exact."""
    flat = np.array(values, dtype=object).ravel()
    if all(Fraction(float(v)) == v for v in flat):
        return np.array([[float(v) for v in row] for row in values]) if isinstance(values[0], list) else np.array([float(v) for v in values])
    return np.array(values, dtype=object)


def rebuild(doc):
    net, pt = doc["network"], doc["point"]
    layers = len(net["widths"]) - 1
    weights = []
    for n in range(1, layers + 1):
        weights.append(as_numpy([[q(v) for v in row] for row in pt[f"W{n}"]]))
        if f"b{n}" in pt:
            weights.append(as_numpy([q(v) for v in pt[f"b{n}"]]))
    alpha = q(net["alpha"]) if "alpha" in net else None
    if alpha is not None and Fraction(float(alpha)) == alpha:
        alpha = float(alpha)
    X = as_numpy([[q(v) for v in row] for row in doc["data"]["x"]])
    y = np.array(doc["data"]["y"], dtype=np.int64)
    bias = net["bias"] if isinstance(net["bias"], list) else [net["bias"]] * layers
    return Instance.from_arrays(
        X, y, weights, activation=net["activation"], alpha=alpha, loss=doc["loss"]["kind"], bias=bias
    )


@pytest.mark.parametrize("name", TWINS)
def test_numpy_twin_verifies_like_the_file_and_the_expect_table(name):
    path = FIXTURES / name
    doc = tomllib.loads(path.read_text())
    twin = rebuild(doc)
    file = Instance.load(path)
    a, b = twin.verify(), file.verify()
    assert (a.verdict, a.loss) == (b.verdict, b.loss)
    expect = doc["expect"]
    assert a.loss == q(expect["loss"])
    if "local_min" in expect:
        assert a.verdict in (("local-min", "global-min") if expect["local_min"] else ("not-local-min",))
    if expect.get("global_min") is True:
        assert a.verdict == "global-min"
    if expect.get("global_min") is False:
        assert a.verdict != "global-min"
    # the file's certificate is about the same problem and point
    assert twin.check(b.certificate).accepted
    # and what the library stored is what the file says
    assert twin.X == file.X and twin.weights == file.weights and twin.y == file.y


def test_some_twin_was_built_from_float_arrays():
    doc = tomllib.loads((FIXTURES / TWINS[0]).read_text())
    assert as_numpy([[q(v) for v in row] for row in doc["data"]["x"]]).dtype == np.float64


def test_verify_result_matches_the_cli_json_when_the_binary_is_built():
    import json
    import subprocess

    exe = FIXTURES.parent / "target" / "release" / "relucert"
    if not exe.exists():
        pytest.skip(f"the CLI binary {exe} is not built (cargo build --release)")
    path = FIXTURES / TWINS[0]
    cli = json.loads(subprocess.run([str(exe), "verify", str(path), "--json"], capture_output=True, text=True, check=False).stdout)
    r = Instance.load(path).verify()
    assert (r.verdict, r.loss, r.reason) == (cli["verdict"], Fraction(cli["loss"]), cli["reason"])
    assert r.certificate == cli["certificate"]

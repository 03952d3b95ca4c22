"""Errors are Python exceptions carrying the CLI's one-line messages; bad
shapes say what was expected."""

import subprocess

import numpy as np
import pytest

from relucert import Instance, InstanceError, RelucertError

from conftest import FIXTURES, REPO

EXE = REPO / "target" / "release" / "relucert"


def good(**kw):
    args = dict(X=np.zeros((2, 3)), y=[1, -1], weights=[np.zeros((2, 3)), np.zeros(2), np.zeros((1, 2)), np.zeros(1)])
    args.update(kw)
    return Instance.from_arrays(args.pop("X"), args.pop("y"), args.pop("weights"), **args)


def test_the_good_case_builds():
    assert good().widths == [3, 2, 1]


@pytest.mark.parametrize(
    "kw, expected",
    [
        (dict(X=np.zeros(3)), "X: expected a 2-D array (rows x columns), got shape (3,)"),
        (dict(X=np.zeros((2, 4))), "X: expected 3 columns (the columns of W1), got 4"),
        (dict(y=[1, -1, 1]), "y: expected one label per row of X (2), got 3"),
        (dict(y=[0.5, 1]), "y[0]: expected an integer label, got 1/2"),
        (dict(weights=[np.zeros((2, 3)), np.zeros(3), np.zeros((1, 2)), np.zeros(1)]), "b1: expected 2 entries (the rows of W1), got 3"),
        (dict(weights=[np.zeros((2, 3)), np.zeros(2), np.zeros((1, 3)), np.zeros(1)]), "W2: expected 2 columns (the rows of W1), got 3"),
        (dict(weights=[np.zeros(3)]), "weights[0] (W1): expected a 2-D weight matrix"),
        (dict(weights=[[[1, 2, 3], [4, 5]]]), "W1: expected a rectangular 2-D array"),
        (dict(activation="tanh"), "activation: expected one of relu, leaky, linear, got 'tanh'"),
        (dict(activation="leaky"), "alpha: expected the leaky slope (0 < alpha < 1)"),
        (dict(loss="mse"), "loss: expected one of hinge, multiclass-hinge, crammer-singer, absolute, squared, got 'mse'"),
    ],
)
def test_bad_shapes_and_options_say_what_was_expected(kw, expected):
    with pytest.raises(InstanceError) as e:
        good(**kw)
    assert str(e.value).startswith("<from_arrays>: ")
    assert expected in str(e.value)


def test_the_library_validates_what_python_passes_on():
    # alpha outside (0, 1) and hinge labels other than +-1 are the library's rules
    with pytest.raises(InstanceError, match=r"<from_arrays>: network\.alpha"):
        good(activation="leaky", alpha=2)
    with pytest.raises(InstanceError, match=r"<from_arrays>: data\.y"):
        good(y=[1, 2])


def cli_error(path):
    r = subprocess.run([str(EXE), "verify", str(path)], capture_output=True, text=True, check=False)
    assert r.returncode == 1 and r.stderr.startswith("error: ")
    return r.stderr[len("error: "):].rstrip("\n")


@pytest.mark.parametrize(
    "text",
    [
        "[network]\nwidths = [2, 1]\nactivation = \"relu\"\nbias = true\n[loss]\nkind = \"hinge\"\n[data]\nx = [[\"1\", \"2\"]]\ny = [1]\n[point]\nW1 = [[0.5, \"1\"]]\nb1 = [\"0\"]\n",
        "[network]\nwidths = [2, 1]\nactivation = \"relu\"\nbias = true\n[loss]\nkind = \"hinge\"\n[data]\nx = [[\"1\"]]\ny = [1]\n",
        "[network\n",
    ],
)
def test_messages_are_the_cli_messages(text, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InstanceError) as e:
        Instance.load(path)
    with pytest.raises(InstanceError) as e2:
        Instance.from_toml(text, file=str(path))
    assert str(e.value) == str(e2.value)
    assert str(e.value).startswith(f"{path}: ")
    if not EXE.exists():
        pytest.skip(f"the CLI binary {EXE} is not built (cargo build --release)")
    assert str(e.value) == cli_error(path)


def test_missing_file_and_missing_point():
    with pytest.raises(InstanceError, match="no-such-file.toml"):
        Instance.load(FIXTURES / "no-such-file.toml")
    inst = Instance.from_arrays([[1]], [1], None, widths=[1, 1], activation="linear")
    assert inst.point is None
    with pytest.raises(RelucertError, match="point: missing table"):
        inst.eval()


def test_instance_error_is_a_relucert_error():
    assert issubclass(InstanceError, RelucertError) and issubclass(RelucertError, Exception)

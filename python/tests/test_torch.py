"""from_torch: duck-typed stand-ins for nn.Sequential everywhere, real
torch when it is importable."""

from fractions import Fraction

import numpy as np
import pytest

from relucert import Instance, InstanceError, from_torch

from conftest import FIXTURES


class FakeTensor:
    """What from_torch uses of a tensor: .detach().cpu().numpy()."""

    def __init__(self, a):
        self.a = np.asarray(a)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


class Linear:
    def __init__(self, w, b=None):
        self.weight = FakeTensor(w)
        self.bias = None if b is None else FakeTensor(b)


class ReLU:
    pass


class LeakyReLU:
    def __init__(self, negative_slope):
        self.negative_slope = negative_slope


class Sequential(list):
    def children(self):
        return iter(self)


W1 = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], dtype=np.float32)
B1 = np.array([-1.0, -1.0, -1.0], dtype=np.float32)
W2 = np.array([[2.0, 2.0, -2.0]], dtype=np.float32)
B2 = np.array([0.5], dtype=np.float32)
X = np.array([[1, 3], [3, 1], [-2, -2], [0, 0], [0.5, 0]], dtype=np.float32)
Y = np.array([1, 1, -1, 1, -1])
TWIN = FIXTURES / "relu-kink-flat-local-min.toml"


def test_fake_sequential_verifies_like_its_toml_twin():
    inst = from_torch(Sequential([Linear(W1, B1), ReLU(), Linear(W2, B2)]), FakeTensor(X), FakeTensor(Y))
    twin = Instance.load(TWIN)
    assert inst.weights == twin.weights and inst.X == twin.X
    a, b = inst.verify(), twin.verify()
    assert (a.verdict, a.loss) == (b.verdict, b.loss) == ("local-min", Fraction(2, 5))


def test_fake_state_dict_with_module_prefix():
    sd = {"module.0.weight": FakeTensor(W1), "module.0.bias": FakeTensor(B1), "module.2.weight": FakeTensor(W2), "module.2.bias": FakeTensor(B2)}
    inst = from_torch(sd, X, Y, activation="relu")
    assert inst.weights == Instance.load(TWIN).weights
    with pytest.raises(InstanceError, match="activation"):
        from_torch(sd, X, Y)


def test_fake_leaky_slope_and_float32_exactness():
    inst = from_torch(Sequential([Linear(W1 * np.float32(0.1), B1), LeakyReLU(0.25), Linear(W2, None)]), X, Y)
    assert inst.activation == "leaky" and inst.alpha == Fraction(1, 4)
    assert inst.bias == [True, False]
    assert inst.weights[0][0][0] == Fraction(float(np.float32(0.1)))  # exact float32, not 1/10


def test_fake_stacks_relucert_cannot_hold_are_refused():
    with pytest.raises(InstanceError, match="expected a Linear layer last"):
        from_torch(Sequential([Linear(W1, B1), ReLU()]), X, Y)
    with pytest.raises(InstanceError, match="one activation throughout"):
        from_torch(Sequential([Linear(W1, B1), ReLU(), Linear(np.eye(3), None), LeakyReLU(0.1), Linear(W2, B2)]), X, Y)

    class Tanh:
        pass

    with pytest.raises(InstanceError, match=r"model\[1\] \(Tanh\)"):
        from_torch(Sequential([Linear(W1, B1), Tanh(), Linear(W2, B2)]), X, Y)


def test_real_torch_model_verifies_like_its_toml_twin():
    torch = pytest.importorskip("torch", reason="torch is not installed (too big for CI); the duck-typed tests above cover from_torch")
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W1))
        model[0].bias.copy_(torch.tensor(B1))
        model[2].weight.copy_(torch.tensor(W2))
        model[2].bias.copy_(torch.tensor(B2))
    inst = from_torch(model, torch.tensor(X), torch.tensor(Y))
    assert inst.verify().verdict == Instance.load(TWIN).verify().verdict == "local-min"
    inst2 = from_torch(model.state_dict(), X, Y, activation="relu")
    assert inst2 == inst


def test_from_torch_regression_takes_float_targets_exactly():
    # f(x) = 0.5 relu(x) + 0.25 on x = 0, 1, 2 against float32 targets of
    # shape (N, 1): 0.1f32 is 13421773/134217728 exactly
    model = [Linear([[1.0]], [0.0]), ReLU(), Linear([[0.5]], [0.25])]
    targets = np.array([[0.1], [0.75], [1.5]], dtype=np.float32)
    inst = from_torch(Sequential(model), [[0.0], [1.0], [2.0]], FakeTensor(targets), loss="squared")
    t0 = Fraction(13421773, 134217728)
    assert inst.loss_kind == "squared" and inst.is_regression
    assert inst.y == [t0, Fraction(3, 4), Fraction(3, 2)]
    ev = inst.eval()
    # outputs 1/4, 3/4, 5/4; residuals 1/4 - t0, 0, -1/4
    assert ev.residuals == (Fraction(1, 4) - t0, Fraction(0), Fraction(-1, 4))
    assert ev.loss == ((Fraction(1, 4) - t0) ** 2 + Fraction(1, 16)) / 3

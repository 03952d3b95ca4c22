"""PyTorch models and state dicts as instances.

Owns: :func:`from_torch`: an ``nn.Sequential`` of ``Linear`` / ``ReLU`` /
``LeakyReLU`` (or a ``state_dict`` with ``activation=`` given) and data
``X``, ``y`` to an :class:`Instance`, every float at its exact value.

Must not: import torch at module import time (it is optional: modules and
tensors are read by duck typing: ``.weight`` / ``.bias`` /
``.negative_slope`` and ``.detach().cpu().numpy()``), or round a number.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._exact import Snap
from ._instance import Instance
from ._native import InstanceError


def to_array(t: Any) -> Any:
    """A tensor as a NumPy array (bfloat16 widened to float32 first: exact);
    anything else unchanged."""
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach().cpu()
        dtype = str(getattr(t, "dtype", ""))
        if dtype.endswith("bfloat16") and hasattr(t, "float"):
            t = t.float()
        return t.numpy()
    return t


def _layers_of_sequential(model: Any) -> Tuple[List[Any], str, Optional[float]]:
    """``[W1, b1, ...]``, the activation and its slope from a Sequential."""
    mods = list(model.children()) if hasattr(model, "children") else list(model)
    weights: List[Any] = []
    acts: List[Tuple[str, Optional[Any]]] = []
    expect_linear = True
    for i, m in enumerate(mods):
        kind = type(m).__name__
        if kind == "Linear":
            weights.append(to_array(m.weight))
            weights.append(to_array(getattr(m, "bias", None)))
            expect_linear = False
        elif kind in ("ReLU", "LeakyReLU"):
            if expect_linear:
                raise InstanceError(
                    f"model[{i}] ({kind}): expected a Linear layer here (an activation must follow a Linear)"
                )
            acts.append((kind, getattr(m, "negative_slope", None)))
            expect_linear = True
        elif kind in ("Identity", "Flatten", "Dropout"):
            continue
        else:
            raise InstanceError(
                f"model[{i}] ({kind}): expected Linear, ReLU or LeakyReLU (relucert studies "
                "stacks of these)"
            )
    layers = len(weights) // 2
    if layers == 0:
        raise InstanceError("model: expected at least one Linear layer")
    if expect_linear:
        raise InstanceError("model: expected a Linear layer last (the output layer has no activation)")
    if acts and len(acts) != layers - 1:
        raise InstanceError(
            f"model: expected an activation between every two Linear layers "
            f"({layers - 1}), got {len(acts)} (mixed linear and nonlinear layers are not a relucert network)"
        )
    kinds = {k for k, _ in acts}
    slopes = {float(s) for k, s in acts if k == "LeakyReLU"}
    if len(kinds) > 1 or len(slopes) > 1:
        raise InstanceError("model: expected one activation throughout (relucert networks share it across layers)")
    if not acts:
        return weights, "linear", None
    if kinds == {"ReLU"}:
        return weights, "relu", None
    slope = next(s for _, s in acts)
    return weights, "leaky", slope


def _layers_of_state_dict(sd: Mapping[str, Any]) -> List[Any]:
    """``[W1, b1, ...]`` from a state dict, in its order (``module.`` stripped)."""
    items: Dict[str, Any] = {}
    for k, v in sd.items():
        key = k[len("module."):] if k.startswith("module.") else k
        items[key] = v
    weights: List[Any] = []
    for k in items:
        if k.endswith(".weight") or k == "weight":
            prefix = k[: -len("weight")]
            weights.append(to_array(items[k]))
            weights.append(to_array(items.get(prefix + "bias")))
        elif not (k.endswith(".bias") or k == "bias"):
            raise InstanceError(f"state_dict: {k}: expected only *.weight and *.bias entries")
    if not weights:
        raise InstanceError("state_dict: expected *.weight entries (one per Linear layer)")
    return weights


def from_torch(
    model: Any,
    X: Any,
    y: Any,
    *,
    loss: str = "hinge",
    activation: Optional[str] = None,
    alpha: Any = None,
    name: Optional[str] = None,
    source: Optional[str] = None,
    snap: Snap = None,
) -> Instance:
    """An :class:`Instance` from a PyTorch model at its current weights.

    ``model``: an ``nn.Sequential`` of ``Linear`` / ``ReLU`` / ``LeakyReLU``
    (the activation and ``alpha = negative_slope`` are read from it), or a
    ``state_dict`` (its ``*.weight`` / ``*.bias`` entries in order, a
    ``module.`` prefix tolerated; give ``activation=``, and ``alpha=`` for
    leaky). ``X``, ``y``: tensors, arrays or lists (``y``: labels, or for
    ``loss="absolute"`` / ``"squared"`` regression targets of shape (N,) or
    (N, 1), taken exactly like the weights). Float weights are taken at
    their exact binary values (float32 ``0.1`` is 13421773/134217728); see
    ``Instance.from_arrays`` for ``snap``.
    """
    if isinstance(model, Mapping):
        if activation is None:
            raise InstanceError(
                "activation: expected activation=\"relu\", \"leaky\" or \"linear\" with a state_dict "
                "(it holds no activations)"
            )
        weights = _layers_of_state_dict(model)
        act, slope = activation, alpha
    else:
        weights, act, slope = _layers_of_sequential(model)
        if activation is not None and activation != act:
            raise InstanceError(f"activation: the model uses {act!r}, but activation={activation!r} was given")
        if alpha is not None:
            slope = alpha
    has_bias = [weights[i + 1] is not None for i in range(0, len(weights), 2)]
    flat = [w for w in weights if w is not None]
    return Instance.from_arrays(
        to_array(X),
        to_array(y),
        flat,
        activation=act,
        alpha=slope,
        loss=loss,
        bias=has_bias,
        name=name,
        source=source if source is not None else "relucert.from_torch",
        snap=snap,
        file="<from_torch>",
    )

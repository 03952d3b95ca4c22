"""relucert: exact, certified answers about the loss landscape of small
ReLU / leaky / linear networks, from Python.

Owns: the public names of the package (:class:`Instance`,
:func:`from_torch`, the result dataclasses, the exceptions).

Must not: hold logic (each name lives in its own module; the native
``relucert._native`` calls the Rust library).

The float rule: every float you pass (Python, NumPy float16/32/64,
torch tensors) is taken at its exact binary value, ``Fraction(x)``; nothing
is rounded unless you ask with ``snap=`` and then ``instance.snap_report``
lists every change.
"""

from ._native import InstanceError, RelucertError
from ._native import __version__
from ._exact import SnapChange, SnapReport, decimal_text, with_decimal
from ._instance import Instance
from ._results import CheckResult, DescendResult, EvalResult, PointEval, TheoremReport, VerifyResult
from ._torch import from_torch

__all__ = [
    "Instance",
    "from_torch",
    "VerifyResult",
    "EvalResult",
    "PointEval",
    "DescendResult",
    "CheckResult",
    "TheoremReport",
    "SnapReport",
    "SnapChange",
    "RelucertError",
    "InstanceError",
    "with_decimal",
    "decimal_text",
    "__version__",
]

"""The :class:`Instance`: one network, data set, loss and (optional) point,
held as the library's canonical FORMAT.md TOML text.

Owns: the ways in (``load``, ``from_toml``, ``from_json``, ``from_arrays``),
the ways out (``to_toml``, ``to_json``, the read-only views ``widths``,
``X``, ``weights``, ...), and the calls ``verify``, ``eval``, ``descend``,
``check`` and ``theorems``, each one call of the native layer.

Must not: validate or compute anything the library does (every instance is
validated by the library's own reader, so errors are the CLI's one-line
messages), or round a number (``_exact`` converts, exactly).
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _native
from ._exact import Converter, Snap, SnapReport, fmt_q, shape_of
from ._native import InstanceError
from ._results import CheckResult, DescendResult, EvalResult, TheoremReport, VerifyResult

PathLike = Union[str, "os.PathLike[str]"]

ACTIVATIONS = ("relu", "leaky", "linear")
LOSSES = ("hinge", "multiclass-hinge", "crammer-singer", "absolute", "squared")
REGRESSION = ("absolute", "squared")


class Instance:
    """A validated relucert instance (FORMAT.md): network, loss, data and an
    optional parameter point. Build one with :meth:`load`, :meth:`from_toml`,
    :meth:`from_json`, :meth:`from_arrays` or :func:`relucert.from_torch`.

    ``snap_report`` is the :class:`SnapReport` of ``from_arrays(snap=...)``
    (None when no snapping was asked for)."""

    def __init__(self, toml_text: str, file: str = "<instance>", *, _validated: bool = False,
                 snap_report: Optional[SnapReport] = None) -> None:
        self._file = file
        self._toml = toml_text if _validated else _native.parse(toml_text, "toml", file)
        self._data: Optional[Dict[str, Any]] = None
        self.snap_report = snap_report

    # ---- ways in -------------------------------------------------------

    @classmethod
    def load(cls, path: PathLike) -> "Instance":
        """Read an instance file (TOML, or JSON when the name ends in ``.json``)
        under the CLI's input limits."""
        p = os.fspath(path)
        return cls(_native.load(p), p, _validated=True)

    @classmethod
    def from_toml(cls, text: str, file: str = "<toml>") -> "Instance":
        """An instance from FORMAT.md TOML text; ``file`` names it in errors."""
        return cls(_native.parse(text, "toml", file), file, _validated=True)

    @classmethod
    def from_json(cls, text: str, file: str = "<json>") -> "Instance":
        """An instance from FORMAT.md JSON text; ``file`` names it in errors."""
        return cls(_native.parse(text, "json", file), file, _validated=True)

    @classmethod
    def from_arrays(
        cls,
        X: Any,
        y: Any,
        weights: Optional[Sequence[Any]] = None,
        *,
        activation: str = "relu",
        alpha: Any = None,
        loss: str = "hinge",
        bias: Union[None, bool, Sequence[bool]] = None,
        widths: Optional[Sequence[int]] = None,
        name: Optional[str] = None,
        source: Optional[str] = None,
        expect: Optional[Dict[str, Any]] = None,
        snap: Snap = None,
        file: str = "<from_arrays>",
    ) -> "Instance":
        """An instance from arrays: ``X`` (N x d), labels ``y`` (N; hinge:
        +1/-1, multiclass: 0..K-1; for ``loss="absolute"`` or ``"squared"``
        rational regression targets, taken exactly like the weights) and
        ``weights = [W1, b1, W2, b2, ...]``
        (``W_l`` has ``widths[l]`` rows and ``widths[l-1]`` columns, as
        ``torch.nn.Linear.weight``).

        Entries may be NumPy arrays, nested lists, ``int``, ``Fraction``,
        ``float`` (Python or NumPy float16/32/64/longdouble), NumPy ints,
        ``Decimal`` or strings such as ``"3/4"``. Every float is taken at its
        exact binary value (``Fraction(x)``), never rounded; ``snap=M``
        replaces each float-derived value by ``limit_denominator(M)`` (or
        ``snap=f`` by ``f(Fraction)``) and records every change in
        ``instance.snap_report``.

        ``bias``: None (default) reads it off the list (a 1-D array after a
        ``W_l`` is its bias); True / False / one flag per layer say it.
        Without ``weights`` (no point) give ``widths``. ``expect`` is an
        optional ``[expect]`` table (``local_min``, ``global_min``, ``loss``).
        """
        conv = Converter(snap)
        x = conv.array(X, f"{file}: X", 2)
        labels: List[Any]
        if loss in REGRESSION:
            labels = [fmt_q(t) for t in _targets(conv, y, file)]
            what = "target"
        else:
            labels = _labels(y, file)
            what = "label"
        if len(labels) != len(x):
            raise InstanceError(
                f"{file}: y: expected one {what} per row of X ({len(x)}), got {len(labels)}"
            )
        if activation not in ACTIVATIONS:
            raise InstanceError(
                f"{file}: activation: expected one of {', '.join(ACTIVATIONS)}, got {activation!r}"
            )
        if loss not in LOSSES:
            raise InstanceError(f"{file}: loss: expected one of {', '.join(LOSSES)}, got {loss!r}")
        network: Dict[str, Any] = {"activation": activation}
        if activation == "leaky":
            if alpha is None:
                raise InstanceError(f"{file}: alpha: expected the leaky slope (0 < alpha < 1)")
            network["alpha"] = fmt_q(conv.number(alpha, f"{file}: alpha"))
        elif alpha is not None:
            raise InstanceError(
                f"{file}: alpha: given for activation {activation!r}; only \"leaky\" takes one"
            )
        doc: Dict[str, Any] = {}
        if name is not None:
            doc["name"] = name
        if source is not None:
            doc["source"] = source
        if weights is not None:
            layers = _layers(conv, weights, bias, file)
            ws = [len(layers[0][0][0]) if layers[0][0] else 0] + [len(w) for w, _ in layers]
            if widths is not None and list(widths) != ws:
                raise InstanceError(
                    f"{file}: widths: {list(widths)} disagree with the weights' shapes, which give {ws}"
                )
            if x and ws[0] != len(x[0]):
                raise InstanceError(
                    f"{file}: X: expected {ws[0]} columns (the columns of W1), got {len(x[0])}"
                )
            network["widths"] = ws
            network["bias"] = [b is not None for _, b in layers]
            point: Dict[str, Any] = {}
            for n, (w, b) in enumerate(layers, start=1):
                point[f"W{n}"] = [[fmt_q(v) for v in row] for row in w]
                if b is not None:
                    point[f"b{n}"] = [fmt_q(v) for v in b]
            doc["point"] = point
        else:
            if widths is None:
                raise InstanceError(f"{file}: widths: expected the widths when no weights are given")
            network["widths"] = [int(w) for w in widths]
            network["bias"] = True if bias is None else (bias if isinstance(bias, bool) else list(bias))
        doc["network"] = network
        doc["loss"] = {"kind": loss}
        doc["data"] = {"x": [[fmt_q(v) for v in row] for row in x], "y": labels}
        if expect:
            e = dict(expect)
            if "loss" in e and e["loss"] is not None:
                e["loss"] = fmt_q(Converter().number(e["loss"], "expect.loss"))
            doc["expect"] = e
        text = _native.parse(json.dumps(doc), "json", file)
        return cls(text, file, _validated=True, snap_report=conv.report())

    # ---- ways out ------------------------------------------------------

    def to_toml(self) -> str:
        """The instance as canonical FORMAT.md TOML (exact ``"p/q"`` strings)."""
        return self._toml

    def to_json(self) -> str:
        """The instance as FORMAT.md JSON (exact ``"p/q"`` strings)."""
        return _native.to_json(self._toml, "toml", self._file)

    def save(self, path: PathLike) -> None:
        """Write the instance as TOML (or JSON when the name ends in ``.json``)."""
        p = os.fspath(path)
        text = self.to_json() if p.lower().endswith(".json") else self._toml
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)

    def _view(self) -> Dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self.to_json())
        return self._data

    @property
    def file(self) -> str:
        """The name errors and results give this instance (its path, or ``<from_arrays>``)."""
        return self._file

    @property
    def name(self) -> Optional[str]:
        """The ``name`` key."""
        return self._view().get("name")

    @property
    def source(self) -> Optional[str]:
        """The ``source`` key."""
        return self._view().get("source")

    @property
    def widths(self) -> List[int]:
        """``[input dim, hidden widths..., output dim]``."""
        return list(self._view()["network"]["widths"])

    @property
    def activation(self) -> str:
        """``relu``, ``leaky`` or ``linear``."""
        return str(self._view()["network"]["activation"])

    @property
    def alpha(self) -> Optional[Fraction]:
        """The leaky slope (None unless ``activation == "leaky"``)."""
        a = self._view()["network"].get("alpha")
        return None if a is None else Fraction(a)

    @property
    def bias(self) -> List[bool]:
        """One flag per weight layer."""
        return list(self._view()["network"]["bias"])

    @property
    def loss_kind(self) -> str:
        """``hinge``, ``multiclass-hinge``, ``crammer-singer``, ``absolute`` or ``squared``."""
        return str(self._view()["loss"]["kind"])

    @property
    def X(self) -> List[List[Fraction]]:
        """The data points, exact."""
        return [[Fraction(v) for v in row] for row in self._view()["data"]["x"]]

    @property
    def y(self) -> List[Any]:
        """The labels (``int``), or for the regression losses the targets
        (exact ``Fraction``)."""
        ys = self._view()["data"]["y"]
        if self.is_regression:
            return [Fraction(v) for v in ys]
        return [int(v) for v in ys]

    @property
    def is_regression(self) -> bool:
        """Whether the loss is a regression loss (``absolute`` or ``squared``)."""
        return self.loss_kind in REGRESSION

    @property
    def point(self) -> Optional[Dict[str, Any]]:
        """The ``[point]`` table (``W1``, ``b1``, ...) of exact values, or None."""
        pt = self._view().get("point")
        if pt is None:
            return None
        return {k: _fractions(v) for k, v in pt.items()}

    @property
    def weights(self) -> Optional[List[Any]]:
        """The point as ``[W1, b1, W2, b2, ...]`` (biases only where present)."""
        pt = self.point
        if pt is None:
            return None
        out: List[Any] = []
        for n in range(1, len(self.widths)):
            out.append(pt[f"W{n}"])
            if f"b{n}" in pt:
                out.append(pt[f"b{n}"])
        return out

    @property
    def expect(self) -> Optional[Dict[str, Any]]:
        """The ``[expect]`` table (``loss`` as a Fraction), or None."""
        e = self._view().get("expect")
        if e is None:
            return None
        return {k: (Fraction(v) if k == "loss" else v) for k, v in e.items()}

    # ---- the library's answers ----------------------------------------

    def verify(
        self,
        timeout: Optional[float] = None,
        max_pieces: Optional[int] = None,
        *,
        probe: bool = True,
        global_budget: Optional[int] = None,
    ) -> VerifyResult:
        """``relucert verify``: is the point a local minimum, with a certificate.
        ``timeout`` (seconds) and ``max_pieces`` give ``undecided``, never a verdict."""
        out = _native.verify(self._toml, "toml", self._file, timeout, max_pieces, probe, global_budget)
        return VerifyResult._from(json.loads(out))

    def eval(self) -> EvalResult:
        """``relucert eval``: the exact loss, outputs, margins and zero entries at the point."""
        return EvalResult._from(json.loads(_native.eval(self._toml, "toml", self._file)))

    def descend(self, max_steps: int = 200, timeout: Optional[float] = None) -> DescendResult:
        """``relucert descend``: follow certified descent arcs from the point
        until a certified minimum, an undecided point, or a limit."""
        d = json.loads(_native.descend(self._toml, "toml", self._file, max_steps, timeout))
        end = Instance(d["instance"], self._file, _validated=False)
        return DescendResult(
            loss=Fraction(d["loss"]),
            verdict=d["verdict"],
            steps=d["steps"],
            losses=tuple(Fraction(v) for v in d["losses"]),
            stop=d["stop"],
            reason=d["reason"],
            instance=end,
        )

    def check(self, cert: Any, timeout: Optional[float] = None) -> CheckResult:
        """``relucert check``: re-verify a certificate with the independent
        checker. ``cert``: a dict, JSON text, a path, or a ``VerifyResult``.
        A rejected certificate gives ``accepted=False`` and the checker's reason."""
        cert_file = "<certificate>"
        if isinstance(cert, VerifyResult):
            cert = cert.certificate
            if cert is None:
                raise _native.RelucertError(
                    f"{self._file}: the verdict is undecided: there is no certificate to check"
                )
        if isinstance(cert, dict):
            text = json.dumps(cert)
        elif isinstance(cert, str) and cert.lstrip().startswith("{"):
            text = cert
        elif isinstance(cert, (str, os.PathLike)):
            cert_file = os.fspath(cert)
            text = _native.read_certificate(cert_file)
        else:
            raise TypeError(
                f"cert: expected a dict, JSON text, a path or a VerifyResult, got {type(cert).__name__}"
            )
        d = json.loads(_native.check(self._toml, "toml", self._file, text, cert_file, timeout))
        return CheckResult(accepted=d["accepted"], claim=d["claim"], reason=d["reason"], kind=d["kind"])

    def theorems(self, timeout: Optional[float] = None) -> List[TheoremReport]:
        """``relucert theorems``: the source paper's results as predicates at the point."""
        d = json.loads(_native.theorems(self._toml, "toml", self._file, timeout))
        return [TheoremReport(**r) for r in d["reports"]]

    # ---- notebook forms ------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other._toml == self._toml

    def __hash__(self) -> int:
        return hash(self._toml)

    def _summary(self) -> str:
        act = self.activation if self.alpha is None else f"leaky alpha={fmt_q(self.alpha)}"
        pt = "with a point" if self._view().get("point") else "no point"
        name = f"{self.name!r}, " if self.name else ""
        return (
            f"{name}widths={self.widths}, {act}, {self.loss_kind}, "
            f"{len(self._view()['data']['y'])} points, {pt}"
        )

    def __repr__(self) -> str:
        return f"Instance({self._summary()})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    def _repr_html_(self) -> str:
        import html

        return f"<b>relucert Instance</b> <code>{html.escape(self._summary())}</code>"


def _fractions(v: Any) -> Any:
    return [_fractions(x) for x in v] if isinstance(v, list) else Fraction(v)


def _targets(conv: Converter, y: Any, file: str) -> List[Fraction]:
    """Regression targets, exact (floats at their binary value, or snapped
    by ``conv`` like the weights)."""
    s = shape_of(y)
    if s is not None and len(s) == 2 and s[1] == 1:
        y = [row[0] for row in y]
    elif s is not None and len(s) != 1:
        raise InstanceError(f"{file}: y: expected a 1-D array of targets (N), got shape {tuple(s)}")
    return list(conv.array(y, f"{file}: y", 1))


def _labels(y: Any, file: str) -> List[int]:
    """Integer labels (a float label must be an exact integer: ``1.0``)."""
    s = shape_of(y)
    if s is not None and len(s) == 2 and s[1] == 1:
        y = [row[0] for row in y]
    elif s is not None and len(s) != 1:
        raise InstanceError(f"{file}: y: expected a 1-D array of labels (N), got shape {tuple(s)}")
    vals = Converter().array(y, f"{file}: y", 1)
    out = []
    for i, v in enumerate(vals):
        if v.denominator != 1:
            raise InstanceError(
                f"{file}: y[{i}]: expected an integer label, got {fmt_q(v)}; "
                f"rational targets are for the regression losses (loss=\"absolute\" or \"squared\")"
            )
        out.append(int(v))
    return out


def _ndim(a: Any) -> int:
    s = shape_of(a)
    if s is not None:
        return len(s)
    n = 0
    while isinstance(a, (list, tuple)):
        n += 1
        if not a:
            break
        a = a[0]
    return n


def _layers(conv: Converter, weights: Sequence[Any], bias: Any, file: str) -> List[Any]:
    """``[W1, b1, W2, ...]`` as ``[(W, b or None), ...]`` with their shapes checked."""
    ws = list(weights)
    if not ws:
        raise InstanceError(f"{file}: weights: expected [W1, b1, W2, b2, ...], got an empty list")
    flags: Optional[List[bool]]
    if bias is None:
        flags = None
    elif isinstance(bias, bool):
        flags = None if not ws else [bias] * (len(ws) // (2 if bias else 1))
        if bias and len(ws) % 2:
            raise InstanceError(
                f"{file}: weights: bias=True expects pairs [W1, b1, W2, b2, ...], got {len(ws)} arrays"
            )
    else:
        flags = [bool(b) for b in bias]
    layers: List[Any] = []
    k = 0
    n = 0
    while k < len(ws):
        n += 1
        label = f"weights[{k}] (W{n})"
        if _ndim(ws[k]) != 2:
            raise InstanceError(
                f"{file}: {label}: expected a 2-D weight matrix (rows = units of layer {n}, "
                f"columns = its inputs), got a {_ndim(ws[k])}-D array"
            )
        w = conv.array(ws[k], f"{file}: W{n}", 2)
        k += 1
        has_b = (k < len(ws) and _ndim(ws[k]) == 1) if flags is None else (
            flags[n - 1] if n - 1 < len(flags) else False
        )
        b = None
        if has_b:
            if k >= len(ws) or _ndim(ws[k]) != 1:
                raise InstanceError(
                    f"{file}: weights[{k}] (b{n}): expected the bias vector of layer {n} "
                    f"({len(w)} entries)"
                )
            b = conv.array(ws[k], f"{file}: b{n}", 1)
            k += 1
            if len(b) != len(w):
                raise InstanceError(
                    f"{file}: b{n}: expected {len(w)} entries (the rows of W{n}), got {len(b)}"
                )
        if layers:
            prev = len(layers[-1][0])
            cols = len(w[0]) if w else 0
            if cols != prev:
                raise InstanceError(
                    f"{file}: W{n}: expected {prev} columns (the rows of W{n - 1}), got {cols}"
                )
        layers.append((w, b))
    if flags is not None and len(flags) != len(layers):
        raise InstanceError(
            f"{file}: bias: expected one flag per weight layer ({len(layers)}), got {len(flags)}"
        )
    return layers

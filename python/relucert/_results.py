"""The results of the library's answers, as frozen dataclasses of ``Fraction``.

Owns: :class:`VerifyResult`, :class:`EvalResult`, :class:`PointEval`,
:class:`DescendResult`, :class:`CheckResult`, :class:`TheoremReport`, their
construction from the native layer's JSON, and their notebook forms
(``__repr__``, ``_repr_pretty_``, ``_repr_html_``: exact values with a
decimal next to every non-integer fraction).

Must not: compute or re-word anything: verdicts, reasons, outcomes and
messages are the library's strings (the CLI's ``--json`` values).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ._exact import with_decimal

if TYPE_CHECKING:  # pragma: no cover
    from ._instance import Instance


def _q(s: Optional[str]) -> Optional[Fraction]:
    return None if s is None else Fraction(s)


def _show(v: Any) -> str:
    """A field's value in a repr: fractions with their decimal."""
    if isinstance(v, Fraction):
        return with_decimal(v)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, Fraction) for x in v):
        return "[" + ", ".join(with_decimal(x) for x in v) + "]"
    if isinstance(v, str):
        return repr(v if len(v) <= 200 else v[:200] + "...")
    if isinstance(v, dict):
        return "{...}" if v else "{}"
    return repr(v)


class _Pretty:
    """Readable ``repr`` / IPython / HTML forms over the shown fields."""

    _shown: Tuple[str, ...] = ()

    def _pairs(self) -> List[Tuple[str, str]]:
        names = self._shown or tuple(f.name for f in fields(self))  # type: ignore[arg-type]
        return [(n, _show(getattr(self, n))) for n in names]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self._pairs())
        return f"{type(self).__name__}({inner})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        if cycle:
            p.text(f"{type(self).__name__}(...)")
            return
        p.text(f"{type(self).__name__}(\n")
        for k, v in self._pairs():
            p.text(f"    {k}={v},\n")
        p.text(")")

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'><code>{html.escape(v)}</code></td></tr>"
            for k, v in self._pairs()
        )
        return f"<table><caption>{type(self).__name__}</caption>{rows}</table>"


@dataclass(frozen=True, repr=False)
class VerifyResult(_Pretty):
    """``Instance.verify()``: the verdict (``global-min``, ``local-min``,
    ``not-local-min`` or ``undecided``), the exact loss, the reason and the
    certificate (a dict, as ``relucert verify --json``; None when undecided)."""

    verdict: str
    loss: Fraction
    reason: str
    certificate: Optional[Dict[str, Any]]
    global_optimum: Optional[Fraction] = None
    spurious: Optional[bool] = None
    expect: Optional[Dict[str, Any]] = None

    _shown = ("verdict", "loss", "reason", "global_optimum", "spurious")

    @property
    def is_local_min(self) -> Optional[bool]:
        """True / False when the verdict decides it, None when undecided."""
        return {"global-min": True, "local-min": True, "not-local-min": False}.get(self.verdict)

    @staticmethod
    def _from(d: Dict[str, Any]) -> "VerifyResult":
        e = d.get("expect")
        if e is not None:
            e = dict(e, loss=_q(e.get("loss")))
        return VerifyResult(
            verdict=d["verdict"],
            loss=Fraction(d["loss"]),
            reason=d["reason"],
            certificate=d["certificate"],
            global_optimum=_q(d.get("global_optimum")),
            spurious=d.get("spurious"),
            expect=e,
        )


@dataclass(frozen=True, repr=False)
class PointEval(_Pretty):
    """One data point at the instance's point: its label, outputs, margin
    (binary: ``y f``; multiclass: ``f_y - max_{k != y} f_k``; regression:
    the residual ``f - t``) and its loss term (before averaging). For the
    regression losses ``label`` is None and ``target`` / ``residual`` are
    set (None otherwise)."""

    index: int
    label: Optional[int]
    output: Tuple[Fraction, ...]
    margin: Fraction
    loss: Fraction
    hinge_arguments: Tuple[Tuple[Optional[int], Fraction], ...]
    argmax: Optional[Tuple[int, ...]]
    target: Optional[Fraction] = None
    residual: Optional[Fraction] = None


@dataclass(frozen=True, repr=False)
class EvalResult(_Pretty):
    """``Instance.eval()``: the exact loss, per point outputs, margins and
    loss terms, the sign pattern and the zero entries (as ``relucert eval --json``).
    For the regression losses ``targets`` and ``residuals`` (``f - t``) are
    set (None otherwise)."""

    loss: Fraction
    outputs: Tuple[Tuple[Fraction, ...], ...]
    margins: Tuple[Fraction, ...]
    losses: Tuple[Fraction, ...]
    points: Tuple[PointEval, ...]
    signature: Dict[str, Any]
    zero_entries: Tuple[Dict[str, Any], ...]
    targets: Optional[Tuple[Fraction, ...]] = None
    residuals: Optional[Tuple[Fraction, ...]] = None

    _shown = ("loss", "margins", "losses", "zero_entries")

    def _pairs(self) -> List[Tuple[str, str]]:
        # regression: targets and residuals instead of margins
        names = self._shown
        if self.targets is not None:
            names = ("loss", "targets", "residuals", "losses", "zero_entries")
        return [(n, _show(getattr(self, n))) for n in names]

    @staticmethod
    def _from(d: Dict[str, Any]) -> "EvalResult":
        pts = tuple(
            PointEval(
                index=p["index"],
                label=p["label"],
                output=tuple(Fraction(v) for v in p["output"]),
                margin=Fraction(p["margin"]),
                loss=Fraction(p["loss"]),
                hinge_arguments=tuple(
                    (h["class"], Fraction(h["value"])) for h in p["hinge_arguments"]
                ),
                argmax=None if p["argmax"] is None else tuple(p["argmax"]),
                target=_q(p.get("target")),
                residual=_q(p.get("residual")),
            )
            for p in d["points"]
        )
        regression = any(p.target is not None for p in pts)
        return EvalResult(
            loss=Fraction(d["loss"]),
            outputs=tuple(p.output for p in pts),
            margins=tuple(p.margin for p in pts),
            losses=tuple(p.loss for p in pts),
            points=pts,
            signature=d["signature"],
            zero_entries=tuple(d["zero_entries"]),
            targets=tuple(p.target for p in pts) if regression else None,  # type: ignore[misc]
            residuals=tuple(p.residual for p in pts) if regression else None,  # type: ignore[misc]
        )


@dataclass(frozen=True, repr=False)
class DescendResult(_Pretty):
    """``Instance.descend()``: where certified descent ended: the loss and
    the verifier's verdict there, the steps taken, the loss after each step
    (start first), why it stopped, and the final point as an ``Instance``."""

    loss: Fraction
    verdict: str
    steps: int
    losses: Tuple[Fraction, ...]
    stop: str
    reason: str
    instance: "Instance"

    _shown = ("verdict", "loss", "steps", "stop")


@dataclass(frozen=True, repr=False)
class CheckResult(_Pretty):
    """``Instance.check(cert)``: whether the independent checker accepted
    the certificate, the claim it proved (``local-min``, ...) and the kind of
    evidence, or the checker's reason for rejecting it."""

    accepted: bool
    claim: Optional[str]
    reason: Optional[str]
    kind: Optional[str] = None

    def __bool__(self) -> bool:
        return self.accepted


@dataclass(frozen=True, repr=False)
class TheoremReport(_Pretty):
    """One predicate of ``Instance.theorems()``: its name, whether it is a
    theorem of the paper (else a conjecture under test), its outcome
    (``holds``, ``violated`` or ``not-applicable``) and the evidence."""

    predicate: str
    theorem: bool
    outcome: str
    evidence: str

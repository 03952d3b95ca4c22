"""Exact numbers: user values (int, Fraction, float, NumPy scalars, strings)
to ``Fraction`` without rounding, the opt-in ``snap``, and the text forms.

Owns: the float rule (a float is its exact dyadic value, ``Fraction(x)``;
nothing is rounded unless the caller passes ``snap=``, and then every change
is recorded in a :class:`SnapReport`), turning arrays into nested lists of
``Fraction`` with their shapes checked, and ``p/q (decimal)`` formatting.

Must not: round silently, accept NaN or infinities, or import NumPy or torch
(arrays are read through ``tolist``/``shape`` duck typing).
"""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, List, Optional, Tuple, Union

from ._native import InstanceError

Snap = Union[None, int, Callable[[Fraction], Fraction]]


def fmt_q(q: Fraction) -> str:
    """A rational as the CLI writes it: ``"p"`` or ``"p/q"`` in lowest terms."""
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def decimal_text(q: Fraction) -> str:
    """``q`` to 4 significant digits (half away from zero), plain for
    magnitudes in [1e-6, 1e9), else ``d.ddde±k`` (as the CLI's ``decimal``)."""
    digits = 4
    if q == 0:
        return "0"
    a = abs(q)
    e = len(str(a.numerator)) - len(str(a.denominator))
    while a < Fraction(10) ** e:
        e -= 1
    while a >= Fraction(10) ** (e + 1):
        e += 1
    n = math.floor(a * Fraction(10) ** (digits - 1 - e) + Fraction(1, 2))
    if n >= 10**digits:
        n //= 10
        e += 1
    s = str(n)
    sign = "-" if q < 0 else ""
    if -6 <= e < 9:
        if e >= digits - 1:
            body = s + "0" * (e - (digits - 1))
        elif e >= 0:
            body = f"{s[: e + 1]}.{s[e + 1 :]}"
        else:
            body = "0." + "0" * (-e - 1) + s
    else:
        body = f"{s[0]}.{s[1:]}e{e}"
    return sign + body


def with_decimal(q: Fraction) -> str:
    """``2/3 (0.6667)``: the exact value, and a decimal when it is not an integer."""
    return fmt_q(q) if q.denominator == 1 else f"{fmt_q(q)} ({decimal_text(q)})"


@dataclass(frozen=True)
class SnapChange:
    """One value that ``snap`` changed: where, from what, to what."""

    where: str
    exact: Fraction
    snapped: Fraction

    def __repr__(self) -> str:
        return f"{self.where}: {with_decimal(self.exact)} -> {with_decimal(self.snapped)}"


@dataclass(frozen=True)
class SnapReport:
    """What ``snap=`` changed: every float-derived value whose exact dyadic
    value differs from its snapped value (``changes``), their number and the
    largest absolute change."""

    rule: str
    floats: int
    changes: Tuple[SnapChange, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        """How many values were changed."""
        return len(self.changes)

    @property
    def max_change(self) -> Fraction:
        """The largest ``|snapped - exact|`` (0 when nothing changed)."""
        return max((abs(c.snapped - c.exact) for c in self.changes), default=Fraction(0))

    def __repr__(self) -> str:
        head = (
            f"SnapReport({self.rule}: {self.count} of {self.floats} float values changed, "
            f"max change {with_decimal(self.max_change)})"
        )
        shown = "".join(f"\n  {c!r}" for c in self.changes[:10])
        more = f"\n  ... {self.count - 10} more" if self.count > 10 else ""
        return head + shown + more


class Converter:
    """Turns user values into ``Fraction``; applies ``snap`` to values that
    came from floats and records what it changed."""

    def __init__(self, snap: Snap = None) -> None:
        self.rule: Optional[str] = None
        self._snap: Optional[Callable[[Fraction], Fraction]] = None
        if snap is None:
            pass
        elif isinstance(snap, bool) or not (isinstance(snap, numbers.Integral) or callable(snap)):
            raise TypeError(
                "snap: expected None, a positive int (the largest denominator, "
                f"Fraction.limit_denominator) or a callable Fraction -> Fraction, got {snap!r}"
            )
        elif isinstance(snap, numbers.Integral):
            if int(snap) < 1:
                raise ValueError(f"snap: expected a positive largest denominator, got {snap}")
            max_den = int(snap)
            self.rule = f"limit_denominator({max_den})"
            self._snap = lambda q: q.limit_denominator(max_den)
        else:
            self.rule = getattr(snap, "__name__", repr(snap))
            self._snap = snap
        self.floats = 0
        self.changes: List[SnapChange] = []

    def report(self) -> Optional[SnapReport]:
        """The snap report, or None when no ``snap`` was asked for."""
        if self.rule is None:
            return None
        return SnapReport(self.rule, self.floats, tuple(self.changes))

    def number(self, x: Any, where: str) -> Fraction:
        """The exact value of one scalar; ``where`` names it in errors."""
        if isinstance(x, Fraction):
            return x
        if isinstance(x, (bool,)) or type(x).__name__ == "bool_":
            raise InstanceError(f"{where}: expected a number, got the boolean {x!r}")
        if isinstance(x, numbers.Integral):
            return Fraction(int(x))
        if isinstance(x, str):
            try:
                return Fraction(x.strip())
            except (ValueError, ZeroDivisionError):
                raise InstanceError(
                    f"{where}: expected a rational such as \"3/4\" or \"0.125\", got {x[:200]!r}"
                ) from None
        if isinstance(x, decimal.Decimal):
            if not x.is_finite():
                raise InstanceError(f"{where}: expected a finite number, got {x}")
            return Fraction(x)
        ratio = getattr(x, "as_integer_ratio", None)
        if isinstance(x, numbers.Real) and not isinstance(x, numbers.Rational) and ratio is not None:
            if not _finite(x):
                raise InstanceError(
                    f"{where}: expected a finite number, got {x!r} "
                    "(NaN and infinities have no exact value)"
                )
            # exact: p/q of the binary value (float16/32/64/longdouble alike)
            exact = Fraction(*ratio())
            return self._snapped(exact, where)
        if isinstance(x, numbers.Rational):
            return Fraction(x.numerator, x.denominator)
        raise InstanceError(
            f"{where}: expected a number (int, Fraction, float, NumPy scalar or "
            f"string), got {type(x).__name__}"
        )

    def _snapped(self, exact: Fraction, where: str) -> Fraction:
        self.floats += 1
        if self._snap is None:
            return exact
        snapped = self._snap(exact)
        if not isinstance(snapped, Fraction):
            raise TypeError(f"snap: the callable returned {type(snapped).__name__}, not a Fraction")
        if snapped != exact:
            self.changes.append(SnapChange(where, exact, snapped))
        return snapped

    def array(self, a: Any, name: str, ndim: int) -> List[Any]:
        """A ``ndim``-dimensional array (NumPy array, tensor converted by the
        caller, nested lists) as nested lists of ``Fraction``, rectangular."""
        shape = shape_of(a)
        if shape is not None and len(shape) != ndim:
            raise InstanceError(
                f"{name}: expected a {ndim}-D array ({_DIM_WORDS[ndim]}), "
                f"got shape {tuple(shape)}"
            )
        rows = _items(a, name) if ndim >= 1 else a
        if ndim == 1:
            return [self.number(v, f"{name}[{i}]") for i, v in enumerate(rows)]
        out = []
        width = None
        for i, row in enumerate(rows):
            r = _items(row, f"{name}[{i}]")
            if width is None:
                width = len(r)
            elif len(r) != width:
                raise InstanceError(
                    f"{name}: expected a rectangular {ndim}-D array, but row {i} has "
                    f"{len(r)} entries and row 0 has {width}"
                )
            out.append([self.number(v, f"{name}[{i},{j}]") for j, v in enumerate(r)])
        return out


_DIM_WORDS = {1: "a vector", 2: "rows x columns"}


def _finite(x: Any) -> bool:
    """Neither NaN nor infinite, tested in ``x``'s own type (``float(x)``
    would overflow a large longdouble)."""
    return bool(x == x) and bool(abs(x) != float("inf"))


def shape_of(a: Any) -> Optional[Tuple[int, ...]]:
    """The ``shape`` of an array-like, or None for plain nested lists."""
    s = getattr(a, "shape", None)
    return tuple(int(d) for d in s) if s is not None else None


def _items(a: Any, name: str) -> List[Any]:
    """The first-axis items of an array-like, keeping NumPy scalars (never
    ``tolist``, which would turn a longdouble into a rounded float)."""
    if isinstance(a, (str, bytes)) or not hasattr(a, "__len__") or not hasattr(a, "__getitem__"):
        raise InstanceError(f"{name}: expected an array or a list, got {type(a).__name__}")
    return [a[i] for i in range(len(a))]

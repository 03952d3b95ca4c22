"""Shared helpers of the pytest suite: the repository's fixtures folder and
an independent reader of exact rationals."""

import pathlib
from decimal import Decimal
from fractions import Fraction

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def q(text):
    """Parse a FORMAT.md rational (``"p"``, ``"p/q"``, or in fixtures a
    decimal such as ``"-1.5e-1"``), independently of the package: integers
    and ``decimal.Decimal`` (exact) only."""
    if isinstance(text, int):
        return Fraction(text)
    if "/" in text:
        num, _, den = text.partition("/")
        return Fraction(int(num), int(den))
    return Fraction(Decimal(text))


@pytest.fixture
def fixtures():
    return FIXTURES

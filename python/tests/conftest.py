"""Shared helpers of the pytest suite: the repository's fixtures folder and
an independent reader of exact rationals."""

import pathlib
from fractions import Fraction

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def q(text):
    """Parse a FORMAT.md rational written by the library (``"p"`` or
    ``"p/q"``), independently of the package: integer arithmetic only."""
    if isinstance(text, int):
        return Fraction(text)
    num, _, den = text.partition("/")
    return Fraction(int(num), int(den) if den else 1)


@pytest.fixture
def fixtures():
    return FIXTURES

"""Notebook forms: exact values with a decimal next to every fraction
(the CLI's 4 significant digits), and round trips through TOML and JSON."""

from fractions import Fraction

from relucert import Instance, decimal_text, with_decimal

from conftest import FIXTURES


def test_decimals():
    assert with_decimal(Fraction(2, 3)) == "2/3 (0.6667)"
    assert with_decimal(Fraction(7)) == "7"
    assert with_decimal(Fraction(-5, 2)) == "-5/2 (-2.500)"
    assert decimal_text(Fraction(1, 3 * 10**7)) == "3.333e-8"
    assert decimal_text(Fraction(10**12, 7)) == "1.429e11"
    assert decimal_text(Fraction(99995, 100000)) == "1.000"
    assert decimal_text(Fraction(1, 8)) == "0.1250"


def test_reprs_show_the_verdict_and_the_loss_with_its_decimal():
    inst = Instance.load(FIXTURES / "relu-kink-flat-local-min.toml")
    r = inst.verify()
    assert "verdict='local-min'" in repr(r) and "loss=2/5 (0.4000)" in repr(r)
    assert "<table>" in r._repr_html_() and "2/5 (0.4000)" in r._repr_html_()
    assert "widths=[2, 3, 1]" in repr(inst)
    assert "loss=2/5 (0.4000)" in repr(inst.eval())


def test_round_trips():
    inst = Instance.load(FIXTURES / "leaky-hinge-decimals.toml")
    assert Instance.from_toml(inst.to_toml()) == inst
    assert Instance.from_json(inst.to_json()) == inst
    assert Instance.load(FIXTURES / "leaky-multiclass-hinge.json").widths[0] >= 1

"""check(cert): the independent checker accepts verify's certificates and
rejects a certificate with one number changed; descend ends where the
verifier says; theorems are the library's predicates."""

import copy
import json
from fractions import Fraction

import pytest

from relucert import Instance, InstanceError, RelucertError

import oracle
from conftest import FIXTURES, q

CASES = ["relu-kink-flat-local-min.toml", "leaky-separable-descent-ray.toml", "linear-depth2-affine-global-min.toml", "relu-kink-corner-nonflat-min.toml"]


@pytest.mark.parametrize("name", CASES)
def test_checker_accepts_the_certificate_and_rejects_a_changed_loss(name, tmp_path):
    inst = Instance.load(FIXTURES / name)
    r = inst.verify()
    assert r.certificate is not None
    ok = inst.check(r.certificate)
    assert ok.accepted and ok.claim == r.certificate["claim"] and ok.reason is None
    # the same certificate as JSON text and as a file
    assert inst.check(json.dumps(r.certificate)).accepted
    p = tmp_path / "c.json"
    p.write_text(json.dumps(r.certificate))
    assert inst.check(p).accepted and inst.check(str(p)).accepted
    # one number changed: the claimed loss
    bad = copy.deepcopy(r.certificate)
    bad["loss"] = str(q(bad["loss"]) + Fraction(1, 7))
    no = inst.check(bad)
    assert not no.accepted and not no
    assert no.reason.startswith("certificate rejected: ")


def test_a_changed_descent_direction_entry_is_rejected():
    inst = Instance.load(FIXTURES / "leaky-separable-descent-ray.toml")
    cert = inst.verify().certificate
    ev = cert["evidence"]
    key = "dir" if "dir" in ev else "dirs"
    bad = copy.deepcopy(cert)
    if key == "dir":
        bad["evidence"]["dir"][0] = str(q(ev["dir"][0]) + 1000)
    else:
        bad["evidence"]["dirs"][0][0] = str(q(ev["dirs"][0][0]) + 1000)
    assert not inst.check(bad).accepted


def test_a_certificate_for_another_instance_is_rejected():
    a = Instance.load(FIXTURES / CASES[0])
    b = Instance.load(FIXTURES / CASES[2])
    res = b.check(a.verify().certificate)
    assert not res.accepted and "certificate rejected" in res.reason


def test_text_that_is_not_json_is_an_error():
    inst = Instance.load(FIXTURES / CASES[0])
    with pytest.raises(InstanceError, match=r"<certificate>: line 1: the certificate is not JSON"):
        inst.check("{not json")


def test_descend_ends_lower_at_a_point_the_verifier_certifies():
    inst = Instance.load(FIXTURES / "leaky-separable-descent-ray.toml")
    d = inst.descend(max_steps=20)
    assert d.losses[0] == inst.eval().loss == Fraction(1, 3)
    assert d.steps >= 1 and d.loss < d.losses[0]
    assert list(d.losses) == sorted(d.losses, reverse=True)
    end = d.instance
    assert end.verify().verdict == d.verdict
    # the final point's loss, recomputed independently
    pt = end.point
    layers = [(pt["W1"], pt.get("b1")), (pt["W2"], pt.get("b2"))]
    assert oracle.loss(end.X, end.y, layers, "leaky", end.alpha, "hinge") == d.loss


def test_theorems_are_the_library_predicates():
    reps = Instance.load(FIXTURES / "relu-kink-flat-local-min.toml").theorems()
    names = [r.predicate for r in reps]
    assert "P1-flat-interior-minima" in names
    assert all(r.outcome in ("holds", "violated", "not-applicable") for r in reps)
    assert not any(r.theorem and r.outcome == "violated" for r in reps)


def test_timeout_zero_gives_undecided_never_a_verdict():
    r = Instance.load(FIXTURES / "relu-kink-corner-nonflat-min.toml").verify(timeout=0)
    assert r.verdict == "undecided" and r.certificate is None
    with pytest.raises(RelucertError, match="timeout"):
        Instance.load(FIXTURES / CASES[0]).verify(timeout=-1)

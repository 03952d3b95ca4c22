#!/usr/bin/env python3
"""Generated exact LPs for the LP peer harness (benches/peers/lp.py, issue 18).

Owns: four families of CPLEX LP files with exact decimal data, deterministic
from (family, rows, digits, seed), each with its status known by
construction; a reader for exactly the subset of CPLEX LP this module
writes; `--selfcheck`, which re-proves the construction facts with Python
fractions on tiny instances.

Must not: solve an LP, or call relucert or any peer solver. The answers the
harness checks against come from the construction, never from a solver.

Decimals only (no `a/b`): QSopt_ex's `esolver -L` misreads fractions, and
both it and `relucert lp` read exact decimals.

Families (`rows` constraint rows, coefficients with `digits` significant
digits, values about 1 .. 1e4):
- packing: maximise c.x, A x <= b, A >= 0, b > 0, c > 0, x >= 0; every
  variable has a positive coefficient in some row, so the LP is feasible
  (x = 0) and bounded: optimal.
- witness: the cell-witness LP of `relucert cells`: maximise t subject to
  s_i (a_i.x + c_i) >= t, -1 <= x <= 1, t <= 1 (x in R^3..R^8); feasible
  (t small) and bounded (t <= 1): optimal.
- planted: minimise c.x over A x <= A x0 + slack (the first row and about 30% of the
  others tight at x0), box -1e5 <= x <= 1e5; x0 is feasible and the box is bounded:
  optimal.
- infeasible: the planted rows plus one row sum_i lam_i a_i . x >=
  sum_i lam_i b_i + 1/1000 (lam_i positive integers over 2..11 rows); adding
  lam_i times each chosen row to the negated new row gives 0 <= -1/1000:
  infeasible.

CLI:
    lpgen.py FAMILY ROWS DIGITS SEED OUT.lp   # also writes OUT.json (the facts)
    lpgen.py --selfcheck
"""

import json
import os
import random
import sys
import tempfile
from fractions import Fraction as F

FAMILIES = ("packing", "witness", "planted", "infeasible")
EXPECTED = {"packing": "optimal", "witness": "optimal", "planted": "optimal", "infeasible": "infeasible"}
BOX = F(10**5)
EPS = F(1, 10**3)


def dec(rng, digits, pos=False):
    """A decimal with `digits` significant digits, about 1 .. 1e4, random sign unless pos."""
    num = rng.randrange(10 ** (digits - 1), 10**digits)
    scale = rng.randrange(max(0, digits - 4), digits)
    v = F(num, 10**scale)
    if not pos and rng.random() < 0.5:
        v = -v
    return v


def fmt(v):
    """The exact decimal text of a Fraction whose denominator divides a power of 10."""
    d = v.denominator
    k = 0
    while 10**k % d:
        k += 1
        if k > 10000:
            raise ValueError("not a decimal: %s" % v)
    n = v.numerator * (10**k // d)
    sgn = "-" if n < 0 else ""
    s = str(abs(n)).rjust(k + 1, "0")
    return sgn + (s[:-k] + "." + s[-k:] if k else s)


def expr(terms):
    out = []
    for j, c in terms:
        t = fmt(c)
        if t.startswith("-"):
            out.append("- " + t[1:] + " x" + str(j))
        else:
            out.append("+ " + t + " x" + str(j))
    s = " ".join(out)
    return s[2:] if s.startswith("+ ") else s


class Inst:
    """One generated LP and what its construction proves."""

    def __init__(self, family, rows, digits, seed):
        self.family, self.nrows, self.digits, self.seed = family, rows, digits, seed
        self.sense = "Minimize"
        self.obj = []  # [(j, c)]
        self.rows = []  # [(terms, op, rhs)] with op '<=' or '>='
        self.bounds = []  # [(lo|None, hi|None)] per variable
        self.expected = EXPECTED[family]
        self.point = None  # planted: a feasible point (infeasible: feasible for all rows but `extra`)
        self.farkas = None  # infeasible: {row index: lam} (the new row has lam 1)
        self.extra = None  # infeasible: index of the contradicting row

    def text(self):
        out = [self.sense, " obj: " + expr(self.obj), "Subject To"]
        for i, (terms, op, rhs) in enumerate(self.rows):
            out.append(" c%d: %s %s %s" % (i, expr(terms), op, fmt(rhs)))
        out.append("Bounds")
        for j, (lo, hi) in enumerate(self.bounds):
            lo_s = "-inf" if lo is None else fmt(lo)
            hi_s = "+inf" if hi is None else fmt(hi)
            out.append(" %s <= x%d <= %s" % (lo_s, j, hi_s))
        out.append("End")
        return "\n".join(out) + "\n"

    def facts(self):
        d = {
            "family": self.family,
            "rows": len(self.rows),
            "cols": len(self.bounds),
            "digits": self.digits,
            "seed": self.seed,
            "expected": self.expected,
            "sense": self.sense,
        }
        if self.point is not None:
            d["point"] = [str(v) for v in self.point]
        if self.farkas is not None:
            d["farkas"] = {"c%d" % i: str(v) for i, v in sorted(self.farkas.items())}
        return d


def gen(family, m, digits, seed):
    """The instance of (family, m rows, digits, seed); the same arguments give the same LP."""
    if family not in FAMILIES:
        raise ValueError("unknown family %r (one of %s)" % (family, ", ".join(FAMILIES)))
    if m < 3 or not 1 <= digits <= 60:
        raise ValueError("rows must be >= 3 and digits in 1..60")
    rng = random.Random("lpgen/%s/%d/%d/%d" % (family, m, digits, seed))
    inst = Inst(family, m, digits, seed)
    if family == "witness":
        d = rng.randrange(3, 9)
        for _ in range(m):
            a = [dec(rng, digits) for _ in range(d)]
            c = dec(rng, digits)
            s = rng.choice([1, -1])
            # s (a.x + c) >= t  <=>  s a.x - t >= -s c
            terms = [(j, s * a[j]) for j in range(d)] + [(d, F(-1))]
            inst.rows.append((terms, ">=", -s * c))
        inst.bounds = [(F(-1), F(1))] * d + [(None, F(1))]
        inst.sense, inst.obj = "Maximize", [(d, F(1))]
        return inst
    n = max(2, m // 2)
    dens = min(1.0, 8.0 / n)

    def randrow(pos):
        while True:
            terms = [(j, dec(rng, digits, pos=pos)) for j in range(n) if rng.random() < dens]
            if terms:
                return terms

    if family == "packing":
        rows = [[randrow(True), "<=", dec(rng, digits, pos=True) * n] for _ in range(m)]
        covered = {j for terms, _, _ in rows for j, _ in terms}
        for j in range(n):  # bounded by construction: every variable in some row
            if j not in covered:
                r = rows[rng.randrange(m)]
                r[0] = sorted(r[0] + [(j, dec(rng, digits, pos=True))])
        inst.rows = [tuple(r) for r in rows]
        inst.sense = "Maximize"
        inst.obj = [(j, dec(rng, digits, pos=True)) for j in range(n)]
        inst.bounds = [(F(0), None)] * n
        return inst
    x0 = [dec(rng, digits) for _ in range(n)]
    for i in range(m):
        t = randrow(False)
        v = sum(c * x0[j] for j, c in t)
        slack = F(0) if rng.random() < 0.3 or i == 0 else dec(rng, digits, pos=True)
        inst.rows.append((t, "<=", v + slack))
    inst.bounds = [(-BOX, BOX)] * n
    inst.obj = [(j, dec(rng, digits)) for j in range(n)]
    inst.point = x0
    if family == "infeasible":
        k = rng.randrange(2, min(m, 12))
        pick = rng.sample(range(m), k)
        lam = [F(rng.randrange(1, 10)) for _ in pick]
        comb, rhs = {}, F(0)
        for lm, i in zip(lam, pick):
            for j, c in inst.rows[i][0]:
                comb[j] = comb.get(j, F(0)) + lm * c
            rhs += lm * inst.rows[i][2]
        terms = [(j, c) for j, c in sorted(comb.items()) if c != 0]
        at = rng.randrange(m)
        inst.rows.insert(at, (terms, ">=", rhs + EPS))
        inst.extra = at
        inst.farkas = {(i if i < at else i + 1): lm for lm, i in zip(lam, pick)}
        inst.farkas[at] = F(1)
    return inst


def write(inst, path):
    with open(path, "w") as f:
        f.write(inst.text())
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump(inst.facts(), f, indent=1)


def parse_expr(s):
    toks = s.split()
    terms, sign, i = [], 1, 0
    while i < len(toks):
        t = toks[i]
        if t in "+-":
            sign = -1 if t == "-" else 1
            i += 1
            continue
        c = F(t)
        var = toks[i + 1]
        if not var.startswith("x"):
            raise ValueError("expected a variable after %r" % t)
        terms.append((int(var[1:]), sign * c))
        sign, i = 1, i + 2
    return terms


def read_lp(path):
    """Read an LP in exactly the subset `Inst.text` writes (not general CPLEX LP)."""
    with open(path) as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    sense = lines[0]
    if sense not in ("Maximize", "Minimize") or not lines[1].startswith("obj:"):
        raise ValueError("%s: not an lpgen file" % path)
    obj = parse_expr(lines[1][4:])
    k = lines.index("Subject To") + 1
    rows = []
    while lines[k] != "Bounds":
        _, body = lines[k].split(":", 1)
        toks = body.split()
        op, rhs = toks[-2], F(toks[-1])
        rows.append((parse_expr(" ".join(toks[:-2])), op, rhs))
        k += 1
    k += 1
    bounds = []
    while lines[k] != "End":
        lo, _, var, _, hi = lines[k].split()
        if int(var[1:]) != len(bounds):
            raise ValueError("%s: bounds out of order" % path)
        bounds.append((None if lo == "-inf" else F(lo), None if hi == "+inf" else F(hi)))
        k += 1
    return sense, obj, rows, bounds


# ---- self-check: the construction facts, re-proved with fractions ----


def dot(terms, x):
    return sum((c * x[j] for j, c in terms), F(0))


def holds(terms, op, rhs, x):
    v = dot(terms, x)
    return v <= rhs if op == "<=" else v >= rhs


def in_box(bounds, x):
    return all((lo is None or lo <= v) and (hi is None or v <= hi) for (lo, hi), v in zip(bounds, x))


def contradiction(rows, farkas):
    """True iff sum_i farkas_i * (row i written as `lhs <= rhs`) is `0 <= negative`."""
    comb, rhs = {}, F(0)
    for i, lm in farkas.items():
        if lm <= 0:
            return False
        terms, op, b = rows[i]
        s = 1 if op == "<=" else -1  # a >= b  ->  -a <= -b
        for j, c in terms:
            comb[j] = comb.get(j, F(0)) + lm * s * c
        rhs += lm * s * b
    return all(c == 0 for c in comb.values()) and rhs < 0


def check_instance(inst):
    """Every construction fact of one instance; returns a list of failures (empty: all hold)."""
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "i.lp")
        write(inst, p)
        got = read_lp(p)
    rows = [(list(t), op, r) for t, op, r in inst.rows]
    if got != (inst.sense, inst.obj, rows, inst.bounds):
        bad.append("the LP text does not read back to the same exact data")
    n = len(inst.bounds)
    if inst.family == "packing":
        if not all(c > 0 for t, _, _ in inst.rows for _, c in t) or not all(r > 0 for _, _, r in inst.rows):
            bad.append("packing: a coefficient or right-hand side is not positive")
        if {j for t, _, _ in inst.rows for j, _ in t} != set(range(n)):
            bad.append("packing: a variable is in no row (unbounded)")
        if not all(holds(t, op, r, [F(0)] * n) for t, op, r in inst.rows):
            bad.append("packing: x = 0 is not feasible")
    elif inst.family == "witness":
        d = n - 1
        x = [F(0)] * d + [min(-r for _, _, r in inst.rows)]  # t = min_i s_i c_i
        x[d] = min(x[d], F(1))
        if not (all(holds(t, op, r, x) for t, op, r in inst.rows) and in_box(inst.bounds, x)):
            bad.append("witness: (0, min s c) is not feasible")
        if inst.bounds[d] != (None, F(1)) or inst.obj != [(d, F(1))]:
            bad.append("witness: the objective t is not bounded by t <= 1")
    else:
        if not in_box(inst.bounds, inst.point) or not all(b is not None for lh in inst.bounds for b in lh):
            bad.append("planted: the point is outside the box or the box is open")
        ok = [holds(t, op, r, inst.point) for t, op, r in inst.rows]
        if inst.family == "planted":
            if not all(ok):
                bad.append("planted: the planted point violates a row")
            if not any(dot(t, inst.point) == r for t, _, r in inst.rows):
                bad.append("planted: no row is tight at the planted point")
        else:
            if not all(v for i, v in enumerate(ok) if i != inst.extra):
                bad.append("infeasible: the planted point violates an original row")
            if not contradiction(inst.rows, inst.farkas):
                bad.append("infeasible: the combination is not 0 <= negative")
    return bad


def selfcheck():
    count, failures = 0, []
    for family in FAMILIES:
        for rows in (3, 6, 12):
            for digits in (5, 12, 20):
                for seed in range(3):
                    inst = gen(family, rows, digits, seed)
                    if inst.text() != gen(family, rows, digits, seed).text():
                        failures.append("%s/%d/%d/%d: not deterministic" % (family, rows, digits, seed))
                    failures += ["%s/%d/%d/%d: %s" % (family, rows, digits, seed, b) for b in check_instance(inst)]
                    count += 1
    # negative controls: the checks must reject broken constructions
    inst = gen("infeasible", 12, 5, 0)
    i = next(k for k in inst.farkas if k != inst.extra)
    inst.farkas[i] += 1
    if "infeasible: the combination is not 0 <= negative" not in check_instance(inst):
        failures.append("control: a wrong multiplier was not rejected")
    inst = gen("planted", 12, 5, 0)
    t, op, r = inst.rows[0]
    inst.rows[0] = (t, op, dot(t, inst.point) - F(1, 10))
    if "planted: the planted point violates a row" not in check_instance(inst):
        failures.append("control: a violated row was not rejected")
    inst = gen("packing", 12, 5, 0)
    inst.rows = [([(j, c) for j, c in t if j != 0] or [(1, F(1))], op, r) for t, op, r in inst.rows]
    if "packing: a variable is in no row (unbounded)" not in check_instance(inst):
        failures.append("control: an uncovered variable was not rejected")
    for f in failures:
        print("FAIL", f)
    print("lpgen selfcheck: %d instances and 3 negative controls, %d failures" % (count, len(failures)))
    return 0 if not failures else 1


def main(argv):
    if argv[1:] == ["--selfcheck"]:
        return selfcheck()
    if len(argv) != 6:
        sys.stderr.write("usage: lpgen.py FAMILY ROWS DIGITS SEED OUT.lp | lpgen.py --selfcheck\n")
        return 1
    try:
        inst = gen(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
        write(inst, argv[5])
    except (ValueError, OSError) as e:
        sys.stderr.write("lpgen: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

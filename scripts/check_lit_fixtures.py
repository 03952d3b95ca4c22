#!/usr/bin/env python3
"""Independent check of the literature fixtures (fixtures/lit-*.toml).

Owns: re-deriving every `[expect]` claim of a literature fixture WITHOUT
relucert (no import of the project, no call of its binary): exact rational
arithmetic with fractions.Fraction, Z3 for "no lower point in a box", and exact
random probing. It must not import relucert or read anything the verifier wrote.

For each fixture:
  * loss: an exact forward pass (parsed with tomllib, numbers with Fraction);
  * global_min = false: the witness point written in the fixture's comment
    (copied into WITNESSES below) has a strictly lower exact loss;
  * global_min = true: only claimed with L = 0 (losses are >= 0);
  * local_min = false: the descent ray written in the comment (RAYS below)
    lowers the exact loss at every step 1/2, 10^-4 .. 10^-30, and Z3 finds a
    lower point in the boxes of radius 1/100 and 1/10^4 (its model re-checked
    exactly);
  * local_min = true (one hidden layer, L > 0): the hand proof, mechanised:
    (a) every pre-activation on every data point has a strict sign, and a box
        of radius rho (largest power of 1/2 that works) keeps every sign, by the
        exact bound |dz| <= rho (sum_k |x_k| + 1) (weights and bias each move by
        <= rho);
    (b) on that box the output vector lies in the linear span S of the
        columns 1, s_j * x_k, s_j (s_j = the unit's slope on each point, 0 or
        alpha or 1), since v_j w_j and v_j b_j are unconstrained there;
    (c) the loss minimum over S (squared: normal equations; absolute: the best
        basic solution of the LAD linear program, by enumeration) equals L*;
    then Z3 proves "no lower point" in boxes of radius 1/100 and 1/10^4 and
    exact probing at radii 10^-4 .. 10^-30 finds no lower point.

Usage: python3 scripts/check_lit_fixtures.py [--no-z3] [FIXTURE ...]
Prints one summary line per fixture and exits 1 on any contradiction.
"""
import glob
import itertools
import os
import random
import sys
import time
import tomllib
from fractions import Fraction as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# Witnesses and rays copied by hand from the fixtures' comments.
WITNESSES = {
    "lit-swirszcz2016-dead-points-local-min.toml": {
        "W1": [["1"]], "b1": ["3"], "W2": [["11/20"]], "b2": ["-2/5"]},
    "lit-swirszcz2016-dead-network-width3-local-min.toml": {
        "W1": [["1"], ["1"], ["0"]], "b1": ["0", "-2", "0"], "W2": [["1", "3", "0"]], "b2": ["-1"]},
    "lit-swirszcz2016-dead-network-absolute-median-local-min.toml": {
        "W1": [["1"], ["1"]], "b1": ["0", "-2"], "W2": [["1", "3"]], "b2": ["-1"]},
    "lit-yun2019-thm2-affine-fit-local-min.toml": {
        "W1": [["1", "-1"], ["-1", "1"]], "b1": ["0", "0"], "W2": [["-1", "-1"]], "b2": ["1"]},
    "lit-yun2019-thm2-absolute-affine-fit-local-min.toml": {
        "W1": [["1", "-1"], ["-1", "1"]], "b1": ["0", "0"], "W2": [["-1", "-1"]], "b2": ["1"]},
    "lit-yun2019-thm1-leaky-affine-fit-local-min.toml": {
        "W1": [["1"], ["-1"]], "b1": ["-1", "1"], "W2": [["-10/9", "-10/9"]], "b2": ["1"]},
}
# (parameter key, index into that vector's flat entries, direction sign)
RAYS = {
    "lit-swirszcz2016-dead-points-bias-off-descent.toml": ("b2", 0, 1),
    "lit-swirszcz2016-dead-network-absolute-off-median-descent.toml": ("b2", 0, -1),
    "lit-yun2019-thm2-affine-fit-off-descent.toml": ("b2", 0, 1),
    "lit-yun2019-thm1-leaky-affine-fit-off-descent.toml": ("b2", 0, -1),
}
PROBE_EXPONENTS = [4, 6, 8, 10, 15, 20, 25, 30]
Z3_RADII = [F(1, 100), F(1, 10000)]


def q(v):
    return F(str(v))


class Inst:
    def __init__(self, path):
        with open(path, "rb") as fh:
            d = tomllib.load(fh)
        self.d = d
        self.widths = d["network"]["widths"]
        self.act = d["network"]["activation"]
        self.alpha = q(d["network"]["alpha"]) if self.act == "leaky" else None
        bias = d["network"].get("bias", True)
        nl = len(self.widths) - 1
        self.bias = [bias] * nl if isinstance(bias, bool) else list(bias)
        self.kind = d["loss"]["kind"]
        assert self.kind in ("squared", "absolute"), path
        self.x = [[q(v) for v in row] for row in d["data"]["x"]]
        self.t = [q(v) for v in d["data"]["y"]]
        self.keys = []  # flat order: W1 row-major, b1, W2, b2, ...
        for l in range(1, nl + 1):
            self.keys.append(("W%d" % l, self.widths[l] * self.widths[l - 1]))
            if self.bias[l - 1]:
                self.keys.append(("b%d" % l, self.widths[l]))

    def flat(self, point):
        out = []
        for k, n in self.keys:
            v = point[k]
            vals = [q(e) for row in v for e in row] if isinstance(v[0], list) else [q(e) for e in v]
            assert len(vals) == n, k
            out.extend(vals)
        return out

    def unflat(self, th):
        layers, i = [], 0
        for l in range(1, len(self.widths)):
            m, n = self.widths[l], self.widths[l - 1]
            W = [th[i + r * n: i + (r + 1) * n] for r in range(m)]
            i += m * n
            if self.bias[l - 1]:
                b = th[i: i + m]
                i += m
            else:
                b = [F(0)] * m
            layers.append((W, b))
        return layers

    def sigma(self, z, zero=0):
        if self.act == "linear" or z > 0:
            return z
        return self.alpha * z if self.act == "leaky" else zero * z

    def outputs(self, th, sigma=None):
        sigma = sigma or self.sigma
        layers = self.unflat(th)
        res = []
        for x in self.x:
            a = x
            for li, (W, b) in enumerate(layers):
                z = [sum(w * ai for w, ai in zip(row, a)) + bb for row, bb in zip(W, b)]
                a = z if li == len(layers) - 1 else [sigma(zz) for zz in z]
            res.append(a[0])
        return res

    def loss(self, th):
        r = [f - t for f, t in zip(self.outputs(th), self.t)]
        s = sum(e * e for e in r) if self.kind == "squared" else sum(abs(e) for e in r)
        return s / len(r)


def rank_basis(cols):
    """Indices of a maximal linearly independent subset of columns (exact)."""
    basis, rows = [], []
    for j, c in enumerate(cols):
        v = list(c)
        for (piv, bv) in rows:
            if v[piv] != 0:
                f = v[piv] / bv[piv]
                v = [a - f * b for a, b in zip(v, bv)]
        nz = [i for i, a in enumerate(v) if a != 0]
        if nz:
            rows.append((nz[0], v))
            basis.append(j)
    return basis


def solve(A, b):
    """Exact Gauss-Jordan for a square nonsingular A; None if singular."""
    n = len(A)
    M = [list(A[i]) + [b[i]] for i in range(n)]
    for c in range(n):
        p = next((r for r in range(c, n) if M[r][c] != 0), None)
        if p is None:
            return None
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * bb for a, bb in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] for i in range(n)]


def best_over_span(cols, t, kind):
    """min over y in span(cols) of (1/N) sum loss(y_i - t_i), exact."""
    n = len(t)
    cols = [cols[j] for j in rank_basis(cols)]
    k = len(cols)
    if kind == "squared":
        G = [[sum(a * b for a, b in zip(ci, cj)) for cj in cols] for ci in cols]
        rhs = [sum(a * b for a, b in zip(ci, t)) for ci in cols]
        beta = solve(G, rhs)
        y = [sum(beta[j] * cols[j][i] for j in range(k)) for i in range(n)]
        return sum((a - b) ** 2 for a, b in zip(y, t)) / n
    best = None  # LAD: an optimal vertex has k independent zero residuals
    for rows in itertools.combinations(range(n), k):
        beta = solve([[cols[j][i] for j in range(k)] for i in rows], [t[i] for i in rows])
        if beta is None:
            continue
        y = [sum(beta[j] * cols[j][i] for j in range(k)) for i in range(n)]
        v = sum(abs(a - b) for a, b in zip(y, t)) / n
        best = v if best is None or v < best else best
    return best


def local_min_proof(inst, th, lstar):
    """Steps (a)-(c) of the docstring. Returns (ok, text)."""
    if len(inst.widths) != 3:
        return False, "proof step only for one hidden layer"
    (W, b), _ = inst.unflat(th)
    slopes, margin = [], None
    for j in range(len(W)):
        s = []
        for x in inst.x:
            z = sum(w * xi for w, xi in zip(W[j], x)) + b[j]
            if z == 0:
                return False, "a pre-activation is exactly 0 (kink)"
            reach = sum(abs(xi) for xi in x) + 1
            m = abs(z) / reach
            margin = m if margin is None or m < margin else margin
            s.append(F(1) if z > 0 or inst.act == "linear" else (inst.alpha if inst.act == "leaky" else F(0)))
        slopes.append(s)
    rho = F(1)
    while rho >= margin:
        rho /= 2
    n, d = len(inst.x), len(inst.x[0])
    cols = [[F(1)] * n]
    for s in slopes:
        cols.append(list(s))
        for k in range(d):
            cols.append([s[i] * inst.x[i][k] for i in range(n)])
    bound = best_over_span(cols, inst.t, inst.kind)
    return bound == lstar, "box rho=%s keeps every sign; min over the pattern's span = %s" % (rho, bound)


def probe(inst, th, lstar, rng, ndirs=60):
    """Exact random probing; returns the number of lower points found."""
    lower = 0
    for e in PROBE_EXPONENTS:
        r = F(1, 10 ** e)
        for _ in range(ndirs):
            dvec = [F(rng.randint(-1000, 1000), 1000) for _ in th]
            if inst.loss([a + r * c for a, c in zip(th, dvec)]) < lstar:
                lower += 1
    return lower


def z3_lower(inst, th, lstar, radius, timeout_ms=60000):
    """'sat' (with an exactly re-checked model), 'unsat' or 'unknown'."""
    import z3
    v = [z3.Real("p%d" % i) for i in range(len(th))]
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    for vi, c in zip(v, th):
        s.add(vi >= z3.RealVal(str(c - radius)), vi <= z3.RealVal(str(c + radius)))
    alpha = z3.RealVal(str(inst.alpha)) if inst.alpha is not None else None

    def sig(z):
        if inst.act == "linear":
            return z
        return z3.If(z > 0, z, alpha * z if inst.act == "leaky" else z3.RealVal(0))

    layers = inst.unflat(v)
    total = 0
    for x, t in zip(inst.x, inst.t):
        a = [z3.RealVal(str(xi)) for xi in x]
        for li, (Wl, bl) in enumerate(layers):
            z = [z3.Sum([w * ai for w, ai in zip(row, a)]) + (bb if not isinstance(bb, F) else z3.RealVal(str(bb)))
                 for row, bb in zip(Wl, bl)]
            a = z if li == len(layers) - 1 else [sig(zz) for zz in z]
        r = a[0] - z3.RealVal(str(t))
        total = total + (r * r if inst.kind == "squared" else z3.If(r >= 0, r, -r))
    s.add(total < z3.RealVal(str(lstar * len(inst.t))))
    res = s.check()
    if res == z3.sat:
        m = s.model()
        pt = []
        for vi in v:
            val = m.eval(vi, model_completion=True)
            if not z3.is_rational_value(val):
                return "sat (irrational model, not re-checked)"
            pt.append(F(val.numerator_as_long(), val.denominator_as_long()))
        ok = inst.loss(pt) < lstar and all(abs(a - c) <= radius for a, c in zip(pt, th))
        return "sat" if ok else "sat (MODEL FAILS exact re-check)"
    return "unsat" if res == z3.unsat else "unknown"


def check(path, use_z3, rng):
    name = os.path.basename(path)
    inst = Inst(path)
    exp = inst.d.get("expect", {})
    problems, notes = [], []
    if not inst.d.get("source", "").strip():
        problems.append("no source")
    th = inst.flat(inst.d["point"])
    lstar = inst.loss(th)
    if lstar != q(exp["loss"]):
        problems.append("loss %s != expect %s" % (lstar, exp["loss"]))
    gm, lm = exp.get("global_min"), exp.get("local_min")
    if gm is True and lstar != 0:
        problems.append("global_min = true claimed with L > 0 (no proof here)")
    if gm is False:
        w = WITNESSES.get(name)
        if w is None and lm is not False:
            problems.append("global_min = false without a witness")
        elif w is not None:
            lw = inst.loss(inst.flat(w))
            notes.append("witness loss %s" % lw)
            if not lw < lstar:
                problems.append("witness loss %s not below %s" % (lw, lstar))
    if lm is True and lstar != 0:
        ok, text = local_min_proof(inst, th, lstar)
        notes.append(text)
        if not ok:
            problems.append("local-min proof fails: " + text)
        low = probe(inst, th, lstar, rng)
        notes.append("probing %d radii 1e-%d..1e-%d: %d lower" % (len(PROBE_EXPONENTS), PROBE_EXPONENTS[0], PROBE_EXPONENTS[-1], low))
        if low:
            problems.append("probing found %d lower points" % low)
    if lm is False:
        key, idx, sgn = RAYS[name]
        pos = sum(n for k, n in inst.keys[: [k for k, _ in inst.keys].index(key)]) + idx
        steps = [F(1, 2)] + [F(1, 10 ** e) for e in PROBE_EXPONENTS]
        vals = []
        for t in steps:
            pt = list(th)
            pt[pos] += sgn * t
            vals.append(inst.loss(pt))
        notes.append("ray %s[%d] %s: lower at all %d steps" % (key, idx, "+" if sgn > 0 else "-", len(steps)))
        if not all(v < lstar for v in vals):
            problems.append("descent ray does not descend")
    if use_z3 and lm is not None and lstar != 0:
        want = "unsat" if lm else "sat"
        for r in Z3_RADII:
            t0 = time.time()
            ans = z3_lower(inst, th, lstar, r)
            notes.append("z3 r=%s: %s (%.1fs)" % (r, ans, time.time() - t0))
            if ans != want and ans != "unknown":
                problems.append("z3 at radius %s says %s, expected %s" % (r, ans, want))
    status = "FAIL" if problems else "ok"
    print("%s %s: L=%s local_min=%s global_min=%s; %s%s" % (
        status, name, lstar, lm, gm, "; ".join(notes), (" || " + "; ".join(problems)) if problems else ""))
    return not problems


def main(argv):
    use_z3 = "--no-z3" not in argv
    files = [a for a in argv if not a.startswith("--")] or sorted(glob.glob(os.path.join(ROOT, "fixtures", "lit-*.toml")))
    rng = random.Random(20231115)
    ok = all([check(f, use_z3, rng) for f in files])
    print("%d literature fixtures, %s" % (len(files), "all claims re-derived" if ok else "CONTRADICTIONS"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Peer harness: relucert against Z3 and cvc5 on the same questions.

For every instance (all fixtures in fixtures/ plus a seeded generated corpus)
it runs `relucert verify --json` once, then asks each SMT solver "is there a
point within the max-norm box of radius R around the point with strictly
lower loss?" (the file written by `relucert smtlib FILE --radius R`) at the
radii the agreement rules need:

  not-local-min          radii 1, 1/10, 1/100: the solver must answer sat
                         at every one;
  local-min, global-min  radius 1/1000: the solver must answer unsat;
  undecided              radius 1/1000: recorded, no rule (a second opinion).

A timeout (or `unknown`) is recorded, never counted as a disagreement. Every
`sat` model is re-checked here with exact fractions (an independent forward
pass written in this file): inside the box, and loss strictly below L*. The
loss L* is also recomputed here and compared with relucert's.

Timing: every tool is timed the same way, by the wall clock of the whole
process per query (spawn to exit), relucert included: `relucert verify` is
one process per instance, each solver one process per (instance, radius).
Z3 runs as its binary (`z3 -T:S FILE`, shipped with the z3-solver wheel);
cvc5 as its binary when one is on PATH, otherwise through its Python
package (`solve.py`, one Python process per query, so its process time
includes the interpreter start and `import cvc5`; its in-solver time is
recorded too and reported in a second ratio). A solver's time on an
instance is the mean over its queries on that instance (a timed-out query
counts as the time limit), so it is the price of one question, while
relucert's single run answers the stronger question "local minimum at all?".

With --inproc, deciding is also timed in-process, on the same instances and
queries: relucert's `verify()` alone through `cargo bench --bench
peers_inproc -- --list FILE` (benches/peers_inproc.rs), each solver's parse
+ check-sat in a long-running Python worker (inproc.py), median of
repetitions after a warm-up. The table then adds, per solver, the median
per query (fastest radius asked) and per instance (sum over the radii
asked), and relucert's in-process speed-up against both.

Usage:
  cargo build --release
  python3 benches/peers/run.py --out peers.json [--timeout 10] [--count 40]
                               [--seed 7] [--points 4-10] [--width 2-4]
                               [--solvers z3,cvc5] [--fixtures DIR] [--keep DIR]
                               [--inproc] [--inproc-budget 0.3]

Writes per-instance results (JSON) to --out, and a CSV beside it
(same name, .csv). Prints the table.
"""

import argparse
import json
import os
import random
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# ---------------------------------------------------------------------------
# Instances: reading FORMAT.md files exactly, and an independent exact loss.


def num(v):
    """An exact rational from a FORMAT.md number (string or integer)."""
    if isinstance(v, bool):
        raise ValueError("boolean where a number was expected")
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, Fraction):
        return v
    if isinstance(v, str):
        return Fraction(v.strip())
    raise ValueError(f"not an exact number: {v!r}")


def load_instance(path):
    path = Path(path)
    if path.suffix.lower() == ".json":
        raw = json.loads(path.read_text(), parse_float=Fraction, parse_int=int)
    else:
        raw = tomllib.loads(path.read_text())
    net = raw["network"]
    widths = list(net["widths"])
    depth = len(widths) - 1
    act = net["activation"]
    alpha = {"relu": Fraction(0), "linear": Fraction(1)}.get(act)
    if act == "leaky":
        alpha = num(net["alpha"])
    bias = net.get("bias", True)
    if isinstance(bias, bool):
        bias = [bias] * depth
    inst = {
        "name": raw.get("name"),
        "widths": widths,
        "activation": act,
        "alpha": alpha,
        "bias": bias,
        "loss": raw["loss"]["kind"],
        "x": [[num(v) for v in row] for row in raw["data"]["x"]],
        "y": [int(v) for v in raw["data"]["y"]],
        "point": None,
    }
    pt = raw.get("point")
    if pt is not None:
        layers = []
        for l in range(1, depth + 1):
            w = [[num(v) for v in row] for row in pt[f"W{l}"]]
            b = [num(v) for v in pt[f"b{l}"]] if bias[l - 1] else None
            layers.append((w, b))
        inst["point"] = layers
    return inst


def flat(layers):
    out = []
    for w, b in layers:
        for row in w:
            out.extend(row)
        if b is not None:
            out.extend(b)
    return out


def unflat(inst, values):
    it = iter(values)
    layers = []
    w_all = inst["widths"]
    for l in range(1, len(w_all)):
        rows, cols = w_all[l], w_all[l - 1]
        w = [[next(it) for _ in range(cols)] for _ in range(rows)]
        b = [next(it) for _ in range(rows)] if inst["bias"][l - 1] else None
        layers.append((w, b))
    return layers


def forward(inst, layers, x):
    a = list(x)
    alpha = inst["alpha"]
    for l, (w, b) in enumerate(layers):
        z = [sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) for row in w]
        if b is not None:
            z = [zi + bi for zi, bi in zip(z, b)]
        if l + 1 == len(layers):
            return z
        a = [zi if zi >= 0 else alpha * zi for zi in z]
    return a


def loss(inst, layers):
    total = Fraction(0)
    for x, y in zip(inst["x"], inst["y"]):
        f = forward(inst, layers, x)
        if inst["loss"] == "hinge":
            total += max(Fraction(0), 1 - y * f[0])
        elif inst["loss"] == "multiclass-hinge":
            total += sum(max(Fraction(0), 1 + f[k] - f[y]) for k in range(len(f)) if k != y)
        else:
            best = max(f[k] for k in range(len(f)) if k != y)
            total += max(Fraction(0), 1 + best - f[y])
    return total / len(inst["x"])


def fq(q):
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


# ---------------------------------------------------------------------------
# The generated corpus (seeded): FORMAT.md TOML files.


def rq(rng, m=4, dens=(1, 1, 2, 4)):
    return Fraction(rng.randint(-m, m), rng.choice(dens))


def toml_text(name, widths, act, alpha, bias, loss_kind, xs, ys, layers):
    s = lambda q: f'"{fq(q)}"'
    lines = [f'name = "{name}"', 'source = "benches/peers/run.py generator"', "",
             "[network]", f"widths = {widths}", f'activation = "{act}"']
    if act == "leaky":
        lines.append(f'alpha = "{fq(alpha)}"')
    lines += [f"bias = [{', '.join('true' if b else 'false' for b in bias)}]", "",
              "[loss]", f'kind = "{loss_kind}"', "", "[data]",
              "x = [" + ", ".join("[" + ", ".join(s(v) for v in row) + "]" for row in xs) + "]",
              f"y = [{', '.join(str(v) for v in ys)}]", "", "[point]"]
    for l, (w, b) in enumerate(layers, start=1):
        lines.append(f"W{l} = [" + ", ".join("[" + ", ".join(s(v) for v in row) + "]"
                                             for row in w) + "]")
        if b is not None:
            lines.append(f"b{l} = [" + ", ".join(s(v) for v in b) + "]")
    return "\n".join(lines) + "\n"


def random_layers(rng, widths, bias, m=3):
    layers = []
    for l in range(1, len(widths)):
        w = [[rq(rng, m) for _ in range(widths[l - 1])] for _ in range(widths[l])]
        b = [rq(rng, m) for _ in range(widths[l])] if bias[l - 1] else None
        layers.append((w, b))
    return layers


def hidden_pre(layers, x, alpha):
    """First-layer pre-activations at x."""
    w, b = layers[0]
    return [sum((wi * xi for wi, xi in zip(row, x)), Fraction(0)) + (b[j] if b else 0)
            for j, row in enumerate(w)]


def gen_one(rng, kind, idx, points=(4, 10), width=(2, 4)):
    """One generated instance of the given kind; returns (name, toml text)."""
    d = rng.choice([2, 2, 3])
    n = rng.randint(*points)
    xs = [[rq(rng, 3) for _ in range(d)] for _ in range(n)]
    act, alpha = "relu", Fraction(0)
    loss_kind = "hinge"
    if kind in ("kinks", "zero-loss"):
        if rng.random() < 0.4:
            act, alpha = "leaky", rng.choice([Fraction(1, 10), Fraction(1, 4), Fraction(1, 2)])
    if kind == "linear":
        act, alpha = "linear", Fraction(1)
    h = rng.randint(*width)
    if kind == "linear":
        widths = [d, h, 1] if rng.random() < 0.5 else [d, h, rng.randint(2, 3), 1]
    elif kind == "multiclass":
        widths = [d, h, 3]
        loss_kind = rng.choice(["multiclass-hinge", "crammer-singer"])
    else:
        widths = [d, h, 1]
    depth = len(widths) - 1
    bias = [True] * depth if kind != "linear" else [rng.random() < 0.5 for _ in range(depth)]
    if kind == "multiclass":
        ys = [rng.randrange(3) for _ in range(n)]
    else:
        ys = [rng.choice([1, -1]) for _ in range(n)]
        ys[0], ys[1] = 1, -1
    inst = {"widths": widths, "activation": act, "alpha": alpha, "bias": bias,
            "loss": loss_kind, "x": xs, "y": ys}
    layers = random_layers(rng, widths, bias)

    if kind in ("kinks", "multiclass"):
        # Pre-activations exactly 0: unit j passes through data point i.
        for j in rng.sample(range(h), k=min(h, rng.randint(1, 2))):
            i = rng.randrange(n)
            w, b = layers[0]
            b[j] = -sum((wi * xi for wi, xi in zip(w[j], xs[i])), Fraction(0))
        if kind == "kinks":
            # A margin exactly 1 through the output bias.
            i = rng.randrange(n)
            w2, b2 = layers[-1]
            b2[0] = 0
            g = forward(inst, layers, xs[i])[0]
            b2[0] = ys[i] - g
    elif kind == "dead":
        # Every unit dead on every point (pre-activations <= -1), labels
        # balanced, output bias in (-1, 1): the loss is flat around the point.
        n = 2 * (n // 2)
        xs, ys = xs[:n], [1] * (n // 2) + [-1] * (n // 2)
        rng.shuffle(ys)
        inst["x"], inst["y"] = xs, ys
        w, b = layers[0]
        for j in range(h):
            top = max(sum((wi * xi for wi, xi in zip(w[j], x)), Fraction(0)) for x in xs)
            b[j] = -top - rng.choice([Fraction(1), Fraction(1, 2), Fraction(3)])
        layers[-1][1][0] = Fraction(rng.randint(-3, 3), 4)
    elif kind == "zero-loss":
        # Labels from the sign of f, then W2, b2 scaled so that the smallest
        # margin is exactly 1 (a hinge corner at zero loss).
        w2, b2 = layers[-1]
        fs = [forward(inst, layers, x)[0] for x in xs]
        if any(f == 0 for f in fs):
            b2[0] += Fraction(1, 7)
            fs = [forward(inst, layers, x)[0] for x in xs]
        ys = [1 if f > 0 else -1 for f in fs]
        inst["y"] = ys
        c = 1 / min(abs(f) for f in fs)
        layers[-1] = ([[c * v for v in row] for row in w2], [c * v for v in b2])
    elif kind == "linear":
        r = rng.random()
        if r < 0.3:
            layers = [([[Fraction(0)] * len(row) for row in w],
                       [Fraction(0)] * len(b) if b is not None else None) for w, b in layers]
        elif r < 0.6 and bias[-1]:
            i = rng.randrange(n)
            layers[-1][1][0] = 0
            g = forward(inst, layers, xs[i])[0]
            layers[-1][1][0] = ys[i] - g
    name = f"gen-{idx:03d}-{kind}"
    return name, toml_text(name, widths, act, alpha, bias, loss_kind, inst["x"], inst["y"],
                           layers)


def generate(directory, count, seed, points=(4, 10), width=(2, 4)):
    rng = random.Random(seed)
    kinds = ["kinks", "dead", "zero-loss", "linear", "multiclass"]
    paths = []
    for idx in range(count):
        name, text = gen_one(rng, kinds[idx % len(kinds)], idx, points, width)
        p = Path(directory) / f"{name}.toml"
        p.write_text(text)
        paths.append(p)
    return paths


# ---------------------------------------------------------------------------
# Running the tools.


def timed(cmd, limit):
    """Run cmd; (returncode or None on kill, stdout, stderr, wall seconds)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
        return p.returncode, p.stdout, p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out, "", time.perf_counter() - t0


def real_binary(name):
    """A solver binary: next to this Python (pip wheels put one there), else on
    PATH. pyenv shims (shell scripts) are skipped: they add tens of ms."""
    cand = Path(sys.executable).parent / name
    if cand.is_file() and os.access(cand, os.X_OK):
        return str(cand)
    found = shutil.which(name)
    if found and ".pyenv/shims" not in found:
        return found
    return None


def has_module(name):
    r = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True)
    return r.returncode == 0


def sexprs(text):
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    pos = 0

    def parse():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            out = []
            while tokens[pos] != ")":
                out.append(parse())
            pos += 1
            return out
        return tok

    out = []
    while pos < len(tokens):
        out.append(parse())
    return out


def sexpr_value(e):
    """An exact rational from a solver's value term, or None (algebraic)."""
    if isinstance(e, str):
        try:
            return Fraction(e)
        except ValueError:
            return None
    if len(e) == 2 and e[0] == "-":
        v = sexpr_value(e[1])
        return None if v is None else -v
    if len(e) == 3 and e[0] == "/":
        a, b = sexpr_value(e[1]), sexpr_value(e[2])
        return None if a is None or b is None or b == 0 else a / b
    return None


class Solver:
    def __init__(self, name):
        self.name = name
        self.binary = real_binary(name)
        self.module = None if self.binary else (has_module(name) and name)
        self.how = (f"binary {self.binary}" if self.binary
                    else f"Python package via solve.py ({sys.executable})" if self.module
                    else None)

    def available(self):
        return self.how is not None

    def query(self, smt2, timeout):
        """{'answer', 'process_s', 'solver_s', 'model', 'detail'}"""
        guard = timeout + 2
        if self.binary:
            if self.name == "z3":
                cmd = [self.binary, f"-T:{int(timeout + 0.999)}", str(smt2)]
            else:
                cmd = [self.binary, f"--tlimit-per={int(timeout * 1000)}", str(smt2)]
            rc, out, err, wall = timed(cmd, guard)
            lines = out.strip().splitlines()
            first = lines[0].strip() if lines else ""
            model = None
            if first == "sat":
                model = {}
                try:
                    for entry in sexprs("\n".join(lines[1:]))[0]:
                        if isinstance(entry[0], str) and re.fullmatch(r"p\d+", entry[0]):
                            v = sexpr_value(entry[1])
                            model[entry[0]] = None if v is None else fq(v)
                except (IndexError, TypeError):
                    model = None
            if first in ("sat", "unsat", "unknown"):
                answer = first
            elif rc is None or first == "timeout":
                answer = "timeout"
            else:
                answer = "error"
            return {"answer": answer, "process_s": wall, "solver_s": None, "model": model,
                    "detail": "" if answer != "error" else (out + err).strip()[:300]}
        cmd = [sys.executable, str(HERE / "solve.py"), self.name, str(smt2),
               "--timeout", str(timeout)]
        rc, out, err, wall = timed(cmd, guard)
        if rc is None:
            return {"answer": "timeout", "process_s": wall, "solver_s": None, "model": None,
                    "detail": "killed"}
        try:
            res = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"answer": "error", "process_s": wall, "solver_s": None, "model": None,
                    "detail": (out + err).strip()[:300]}
        return {"answer": res["answer"], "process_s": wall, "solver_s": res.get("seconds"),
                "model": res.get("model"), "detail": res.get("detail", "")}


class InprocWorker:
    """A long-running `inproc.py` process for one solver (Python package):
    the in-solver time of each query (parse + check-sat, repeated, median),
    without interpreter start-up or import. A query that overruns its guard
    kills the worker (recorded as a timeout); the next query starts a new one."""

    def __init__(self, name, budget):
        self.name, self.budget, self.proc = name, budget, None
        self.version = None

    def _start(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "inproc.py"), self.name, "--budget", str(self.budget)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self._read(120)
        if line is None:
            raise RuntimeError(f"inproc.py {self.name} did not start")
        self.version = json.loads(line).get("version")

    def _read(self, limit):
        ready, _, _ = select.select([self.proc.stdout], [], [], limit)
        return self.proc.stdout.readline() if ready else None

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def query(self, smt2, timeout):
        """{'answer', 'reps', 'median_s', 'min_s', 'warmup_s', 'detail'}"""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps({"file": str(smt2), "timeout": timeout}) + "\n")
        self.proc.stdin.flush()
        # warm-up (at most the limit) plus repetitions (each about as long)
        line = self._read(2 * timeout + self.budget + 10)
        if not line:
            self.stop()
            return {"answer": "timeout", "reps": 0, "median_s": None, "min_s": None,
                    "warmup_s": None, "detail": "worker killed after its guard"}
        return json.loads(line)


def relucert_inproc(files, workdir, budget_ms):
    """`cargo bench --bench peers_inproc` on exactly these instance files:
    {resolved path: its JSON line} (verify alone, in-process, median)."""
    lst = Path(workdir) / "inproc-instances.txt"
    lst.write_text("".join(f"{Path(f).resolve()}\n" for f in files))
    cmd = ["cargo", "bench", "--quiet", "--bench", "peers_inproc", "--", "--list", str(lst),
           "--budget-ms", str(budget_ms)]
    print("relucert in-process: " + " ".join(cmd), file=sys.stderr)
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    out = {}
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            v = json.loads(line)
            out[str(Path(v["file"]).resolve())] = v
    return out


RADII = {
    "not-local-min": ["1", "1/10", "1/100"],
    "local-min": ["1/1000"],
    "global-min": ["1/1000"],
    "undecided": ["1/1000"],
}
EXPECTED = {"not-local-min": "sat", "local-min": "unsat", "global-min": "unsat"}


def check_model(inst, model, radius, lstar):
    """Exact re-check of a sat model: (ok, text)."""
    if model is None:
        return None, "no model"
    c = flat(inst["point"])
    vals = []
    for i in range(len(c)):
        v = model.get(f"p{i}")
        if v is None:
            return None, f"p{i} missing or not rational"
        vals.append(Fraction(v))
    r = Fraction(radius)
    if any(abs(v - ci) > r for v, ci in zip(vals, c)):
        return False, "model outside the box"
    lv = loss(inst, unflat(inst, vals))
    if lv < lstar:
        return True, f"loss {fq(lv)} < {fq(lstar)}"
    return False, f"model loss {fq(lv)} is not below L* = {fq(lstar)}"


def run_instance(path, relucert, solvers, timeout, workdir, workers=None):
    inst = load_instance(path)
    row = {"file": str(path), "name": inst["name"]}
    rc, out, err, wall = timed([relucert, "verify", "--json", str(path)], timeout + 60)
    row["relucert_s"] = wall
    if rc not in (0, 3):
        row.update(verdict="error", detail=(out + err).strip()[:300])
        return row
    v = json.loads(out)
    verdict = v["verdict"]
    row["verdict"] = verdict
    row["loss"] = v["loss"]
    lstar = loss(inst, inst["point"])
    row["loss_recomputed"] = fq(lstar)
    row["loss_agrees"] = fq(lstar) == v["loss"]
    row["queries"] = []
    for radius in RADII[verdict]:
        smt2 = Path(workdir) / (Path(path).stem + f"-r{radius.replace('/', '_')}.smt2")
        rc, out, err, _ = timed([relucert, "smtlib", str(path), "--radius", radius,
                                 "--out", str(smt2)], 60)
        if rc != 0:
            row["queries"].append({"radius": radius, "export_error": (out + err).strip()})
            continue
        for s in solvers:
            q = s.query(smt2, timeout)
            q["solver"], q["radius"] = s.name, radius
            if q["answer"] == "sat":
                q["model_ok"], q["model_check"] = check_model(inst, q["model"], radius, lstar)
            if workers and s.name in workers:
                w = workers[s.name].query(smt2, timeout)
                q["inproc_answer"], q["inproc_reps"] = w["answer"], w["reps"]
                q["inproc_median_s"] = w["median_s"]
                if w.get("detail"):
                    q["inproc_detail"] = w["detail"]
            row["queries"].append(q)
    for s in solvers:
        qs = [q for q in row["queries"] if q.get("solver") == s.name]
        row[f"{s.name}_agreement"] = agreement(verdict, qs)
        if qs:
            row[f"{s.name}_s"] = statistics.fmean(
                min(q["process_s"], timeout) if q["answer"] == "timeout" else q["process_s"]
                for q in qs)
            # In-solver time (Python-package solvers only): the same mean.
            if not s.binary and all(q["solver_s"] is not None or q["answer"] == "timeout"
                                    for q in qs):
                row[f"{s.name}_inner_s"] = statistics.fmean(
                    timeout if q["answer"] == "timeout" else q["solver_s"] for q in qs)
            row[f"{s.name}_answers"] = " ".join(f"{q['radius']}:{q['answer']}" for q in qs)
            if workers and s.name in workers:
                # In-process (parse + check-sat, median of repetitions); a
                # query that timed out or gave up counts as the limit.
                t = [q["inproc_median_s"] if q["inproc_answer"] in ("sat", "unsat")
                     else timeout for q in qs]
                row[f"{s.name}_inproc_query_s"] = min(t)
                row[f"{s.name}_inproc_instance_s"] = sum(t)
                row[f"{s.name}_inproc_answers"] = " ".join(
                    f"{q['radius']}:{q['inproc_answer']}" for q in qs)
    return row


def agreement(verdict, qs):
    if not qs:
        return "none"
    expected = EXPECTED.get(verdict)
    answers = [q["answer"] for q in qs]
    if any(q.get("model_ok") is False for q in qs):
        return "BAD-MODEL"
    if expected is None:
        return "no-rule"
    if any(a in ("sat", "unsat") and a != expected for a in answers):
        return "DISAGREE"
    if any(a == "error" for a in answers):
        return "error"
    if any(a != expected for a in answers):
        return "timeout"
    return "agree"


def startup_floor(relucert, solvers, work):
    """Wall time of each tool on a trivial input: the cost of a process."""
    triv = Path(work) / "trivial.smt2"
    triv.write_text("(set-logic QF_NRA)\n(declare-fun x () Real)\n(assert (> x 0))\n(check-sat)\n")
    out = {"relucert --version": median([timed([relucert, "--version"], 30)[3]
                                          for _ in range(20)])}
    for s in solvers:
        out[s.name] = median([s.query(triv, 10)["process_s"] for _ in range(20)])
    return out


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def ms(x):
    if x != x:
        return "-"
    if x < 1e-3:
        return f"{x * 1e6:.0f} us"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def speedup(tool, rel):
    """How many times faster relucert is: tool time over relucert time."""
    if tool != tool or rel != rel or rel <= 0:
        return "-"
    r = tool / rel
    return f"{r:.1f}x" if r >= 1 else f"{r:.2f}x (relucert slower)"


def inproc_summary(rows, solvers, workers, timeout):
    """Lines after the table: per-instance ratios, the 100x goal, relucert's
    slowest instances, and consistency of the in-process runs."""
    names = [s.name for s in solvers if s.name in workers]
    per_q, per_i, cmp_rows = [], [], []
    for r in rows:
        rel = r.get("relucert_inproc_s")
        qs = [r[f"{n}_inproc_query_s"] for n in names if f"{n}_inproc_query_s" in r]
        ins = [r[f"{n}_inproc_instance_s"] for n in names if f"{n}_inproc_instance_s" in r]
        if rel and qs:
            per_q.append(min(qs) / rel)
            per_i.append(min(ins) / rel)
            cmp_rows.append(r)
    if per_q:
        n = len(per_q)
        print(f"\nin-process, instance by instance against the faster solver on that "
              f"instance ({' or '.join(names)}), {n} instances: median ratio "
              f"{median(per_q):.1f}x per query (fastest radius), {median(per_i):.1f}x per "
              f"instance (all radii asked); relucert at least 100x faster on "
              f"{sum(1 for x in per_q if x >= 100)}/{n} (per query), "
              f"{sum(1 for x in per_i if x >= 100)}/{n} (per instance); slower than the "
              f"faster solver on {sum(1 for x in per_q if x < 1)}/{n} (per query). "
              f"Solver timeouts count as {timeout:g} s.")
    slow = sorted((r for r in rows if "relucert_inproc_s" in r),
                  key=lambda r: -r["relucert_inproc_s"])[:6]
    if slow:
        print("relucert's slowest instances in-process (verify only; solvers per query, "
              "fastest radius):")
        for r in slow:
            sol = ", ".join(f"{n} {ms(r[f'{n}_inproc_query_s'])}" for n in names
                            if f"{n}_inproc_query_s" in r)
            print(f"  {Path(r['file']).name}: {r.get('verdict')}, "
                  f"{ms(r['relucert_inproc_s'])} ({sol})")
    bench_v = [r for r in rows if "relucert_inproc_verdict" in r]
    same = sum(1 for r in bench_v if r["relucert_inproc_verdict"] == r.get("verdict"))
    print(f"relucert in-process verdicts equal the `relucert verify` process verdicts on "
          f"{same}/{len(bench_v)} (of {len(rows)} instances)")
    for n in names:
        qs = [(Path(r["file"]).stem, q) for r in rows for q in r.get("queries", [])
              if q.get("solver") == n and "inproc_answer" in q]
        diff = [(f, q) for f, q in qs if q["inproc_answer"] != q["answer"]]
        hard = [q for _, q in diff if {q["inproc_answer"], q["answer"]} == {"sat", "unsat"}]
        print(f"{n} in-process answers ({workers[n].version}, {len(qs)} queries): "
              f"{len(qs) - len(diff)} equal to the process answers, {len(diff)} differ "
              f"(sat against unsat: {len(hard)})" + (": " + "; ".join(
                  f"{f} r={q['radius']} process {q['answer']}, in-process {q['inproc_answer']}"
                  for f, q in diff[:10]) if diff else ""))


def main():
    ap = argparse.ArgumentParser(description="relucert against Z3 and cvc5")
    ap.add_argument("--out", required=True, help="per-instance results (JSON; a .csv beside it)")
    ap.add_argument("--relucert", default=str(ROOT / "target" / "release" / "relucert"))
    ap.add_argument("--timeout", type=float, default=10.0, help="per-query limit, seconds")
    ap.add_argument("--count", type=int, default=40, help="generated instances")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--points", default="4-10", help="data points per generated instance, LO-HI")
    ap.add_argument("--width", default="2-4", help="hidden width of generated instances, LO-HI")
    ap.add_argument("--solvers", default="z3,cvc5")
    ap.add_argument("--fixtures", default=str(ROOT / "fixtures"))
    ap.add_argument("--keep", help="write the corpus and the .smt2 files here")
    ap.add_argument("--inproc", action="store_true",
                    help="also time deciding in-process: relucert's verify() through "
                         "`cargo bench --bench peers_inproc`, each solver's parse + check-sat "
                         "through its Python package (inproc.py)")
    ap.add_argument("--inproc-budget", type=float, default=0.3,
                    help="measured seconds per instance / query after the warm-up (--inproc)")
    args = ap.parse_args()

    if not Path(args.relucert).exists():
        sys.exit(f"error: {args.relucert} not found: run `cargo build --release` first")
    solvers = []
    for name in args.solvers.split(","):
        s = Solver(name.strip())
        if s.available():
            solvers.append(s)
            print(f"{s.name}: {s.how}", file=sys.stderr)
        else:
            print(f"{name}: not installed, skipped (pip install z3-solver cvc5, "
                  f"or apt-get install z3 cvc5)", file=sys.stderr)
    if not solvers:
        sys.exit("error: no SMT solver found; see benches/peers/README.md")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="relucert-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    files = sorted(p for p in Path(args.fixtures).iterdir()
                   if p.suffix in (".toml", ".json"))
    span = lambda t: tuple(int(v) for v in t.split("-", 1)) if "-" in t else (int(t), int(t))
    files += generate(corpus, args.count, args.seed, span(args.points), span(args.width))
    rows = []
    t_start = time.perf_counter()
    workers, rel_inproc = {}, {}
    if args.inproc:
        rel_inproc = relucert_inproc(files, work, int(args.inproc_budget * 1000))
        for s in solvers:
            if has_module(s.name):
                workers[s.name] = InprocWorker(s.name, args.inproc_budget)
            else:
                print(f"{s.name}: no Python package, no in-process time "
                      f"(pip install z3-solver cvc5)", file=sys.stderr)
    for k, path in enumerate(files, 1):
        row = run_instance(path, args.relucert, solvers, args.timeout, work, workers)
        v = rel_inproc.get(str(Path(path).resolve()))
        if v is not None and "verify_ns_median" in v:
            row["relucert_inproc_s"] = v["verify_ns_median"] / 1e9
            row["relucert_inproc_parse_s"] = v["parse_verify_ns_median"] / 1e9
            row["relucert_inproc_reps"] = v["reps"]
            row["relucert_inproc_verdict"] = v["verdict"]
        rows.append(row)
        summary = "  ".join(f"{s.name} {row.get(s.name + '_agreement')}" for s in solvers)
        print(f"[{k}/{len(files)}] {Path(path).name}: {row.get('verdict')} "
              f"({ms(row['relucert_s'])})  {summary}", file=sys.stderr)

    for w in workers.values():
        w.stop()
    Path(args.out).write_text(json.dumps(
        {"timeout_s": args.timeout, "inproc": args.inproc,
         "inproc_budget_s": args.inproc_budget if args.inproc else None,
         "inproc_versions": {k: w.version for k, w in workers.items()}, "seed": args.seed, "count": args.count,
         "points": args.points, "width": args.width,
         "solvers": {s.name: s.how for s in solvers}, "instances": rows}, indent=1))
    csv = Path(args.out).with_suffix(".csv")
    cols = ["file", "verdict", "loss", "loss_agrees", "relucert_s"]
    if args.inproc:
        cols += ["relucert_inproc_s", "relucert_inproc_parse_s"]
    for s in solvers:
        cols += [f"{s.name}_agreement", f"{s.name}_answers", f"{s.name}_s", f"{s.name}_inner_s"]
        if s.name in workers:
            cols += [f"{s.name}_inproc_answers", f"{s.name}_inproc_query_s",
                     f"{s.name}_inproc_instance_s"]
    with csv.open("w") as fh:
        fh.write(",".join(cols) + "\n")
        for r in rows:
            fh.write(",".join(str(r.get(c, "")) for c in cols) + "\n")

    # The table.
    n = len(rows)
    verdicts = {}
    for r in rows:
        verdicts[r.get("verdict")] = verdicts.get(r.get("verdict"), 0) + 1
    rel = [r["relucert_s"] for r in rows]
    print(f"\ninstances: {n} ({len(files) - args.count} fixtures + {args.count} generated, "
          f"seed {args.seed}, points {args.points}, width {args.width}); "
          f"per-query limit {args.timeout:g} s; "
          f"total {time.perf_counter() - t_start:.0f} s")
    print("relucert verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    print("loss recomputed here (fractions) equals relucert's on "
          f"{sum(1 for r in rows if r.get('loss_agrees'))}/{n}")
    print()
    def ratio(m):
        r = med_rel / m
        return f"{r:.3f} (relucert {1 / r:.1f}x faster)" if r < 1 else f"{r:.2f} (relucert slower)"

    med_rel = median(rel)
    ip = args.inproc
    med_in = median([r["relucert_inproc_s"] for r in rows if "relucert_inproc_s" in r])
    med_in_parse = median([r["relucert_inproc_parse_s"] for r in rows
                           if "relucert_inproc_parse_s" in r])
    head = ("| tool | agree | disagree | timeout/unknown | no rule (undecided) | errors "
            "| whole process: median per instance | relucert / tool (whole process) |")
    if ip:
        head += (" in-process: median per query (fastest radius) | in-process: median per "
                 "instance (all radii asked) | relucert in-process faster by (per query / "
                 "per instance) |")
    print(head)
    print("| --- " * (head.count("|") - 1) + "|")
    extra = f" {ms(med_in)} | {ms(med_in)} | 1 |" if ip else ""
    print(f"| relucert verify | - | - | - | - | "
          f"{sum(1 for r in rows if r.get('verdict') == 'error')} | {ms(med_rel)} | 1 |{extra}")
    if ip:
        print(f"| relucert parse + verify (in-process) | | | | | | | | {ms(med_in_parse)} | "
              f"{ms(med_in_parse)} | |")
    for s in solvers:
        ag = [r.get(f"{s.name}_agreement") for r in rows]
        times = [r[f"{s.name}_s"] for r in rows if f"{s.name}_s" in r]
        m = median(times)
        extra = ""
        if ip:
            if s.name in workers:
                mq = median([r[f"{s.name}_inproc_query_s"] for r in rows
                             if f"{s.name}_inproc_query_s" in r])
                mi = median([r[f"{s.name}_inproc_instance_s"] for r in rows
                             if f"{s.name}_inproc_instance_s" in r])
                extra = (f" {ms(mq)} | {ms(mi)} | {speedup(mq, med_in)} / "
                         f"{speedup(mi, med_in)} |")
            else:
                extra = " - | - | - |"
        print(f"| {s.name} ({'binary' if s.binary else 'Python package'}) | "
              f"{ag.count('agree')} | {ag.count('DISAGREE') + ag.count('BAD-MODEL')} | "
              f"{ag.count('timeout')} | {ag.count('no-rule')} | {ag.count('error')} | "
              f"{ms(m)} | {ratio(m)} |{extra}")
    for s in solvers:
        inner = [r[f"{s.name}_inner_s"] for r in rows if r.get(f"{s.name}_inner_s") is not None]
        if inner:
            m = median(inner)
            print(f"| {s.name}: in-solver time only, one run per query (no interpreter start, "
                  f"no import) | | | | | | {ms(m)} | {ratio(m)} |" + (" | | |" if ip else ""))
    if ip:
        inproc_summary(rows, solvers, workers, args.timeout)
    queries = [q for r in rows for q in r.get("queries", []) if "solver" in q]
    sats = [q for q in queries if q["answer"] == "sat"]
    print(f"\nqueries: {len(queries)}; sat answers {len(sats)}, of which "
          f"{sum(1 for q in sats if q.get('model_ok') is True)} models re-checked exactly "
          f"(inside the box, exact loss < L*), "
          f"{sum(1 for q in sats if q.get('model_ok') is False)} wrong, "
          f"{sum(1 for q in sats if q.get('model_ok') is None)} not rational / not checked")
    floor = startup_floor(args.relucert, solvers, work)
    print("process start-up floor (trivial input, median of 20): " +
          ", ".join(f"{k} {ms(v)}" for k, v in floor.items()))
    # Instances where a solver timed out: did relucert decide them?
    for s in solvers:
        to = [r for r in rows if r.get(f"{s.name}_agreement") == "timeout"
              or "timeout" in (r.get(f"{s.name}_answers") or "")]
        dec = [r for r in to if r.get("verdict") in EXPECTED]
        print(f"\n{s.name} timed out on {len(to)} instance(s); relucert decided "
              f"{len(dec)} of them" + (": " + ", ".join(Path(r["file"]).stem for r in to)
                                       if to else ""))
    bad = [r for r in rows if any(r.get(f"{s.name}_agreement") in ("DISAGREE", "BAD-MODEL")
                                  for s in solvers)]
    if bad:
        print("\nDISAGREEMENTS (investigate):")
        for r in bad:
            print(f"  {r['file']}: relucert {r['verdict']}; " + "; ".join(
                f"{s.name} {r.get(s.name + '_answers')}" for s in solvers))
    if args.keep:
        print(f"\nper-instance results: {args.out} and {csv}; instances and queries in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
        print(f"\nper-instance results: {args.out} and {csv} (--keep DIR keeps the corpus "
              f"and the queries)")


if __name__ == "__main__":
    main()

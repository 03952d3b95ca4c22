#!/usr/bin/env python3
"""Exact LP against peers: `relucert lp` vs QSopt_ex (`esolver`) and cddlib (issue 18).

Owns: running each solver as a whole process on the instances of lpgen.py
(families x rows x digits x seeds), timing it (wall, CPU and peak memory of
that child, from os.wait4), comparing every answer with the status known by
construction and the optimal values with each other as exact Fractions, and
re-checking relucert's own answer with fractions (feasibility, objective,
dual certificate or Farkas multipliers, per docs/lp.md). Writes JSON and a
markdown table; progress lines go to stderr.

Must not: decide anything from a float. Every comparison here is exact.

    python3 benches/peers/lp.py --out lp-peers.json --md lp-peers.md
    python3 benches/peers/lp.py --rows 50,100 --digits 5 --seeds 1 --timeout 20   # quick

cddlib runs through pycddlib's exact (GMP) interface in a child process
(`lp.py --cdd-solve FILE`), so its times include starting Python and
reading the file; its in-process solve time is recorded too.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys

# Exact answers of 500-row LPs run to thousands of digits.
if hasattr(sys, 'set_int_max_str_digits'):
    sys.set_int_max_str_digits(0)
import tempfile
import threading
import time
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lpgen  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


TIME = "/usr/bin/time"


def run(cmd, timeout, cwd, out_path):
    """Run cmd as its own process group; returns wall, cpu, peak MB, exit code, timed_out.

    CPU time is the child's rusage from os.wait4. Peak memory comes from GNU
    time's %M when /usr/bin/time exists: a child forked from this Python
    process would otherwise report at least this process's own peak (Linux
    keeps the pre-exec high-water mark in ru_maxrss)."""
    mem_path = out_path + ".mem"
    wrap = [TIME, "-f", "%M", "-o", mem_path] if os.path.exists(TIME) else []
    with open(out_path, "w") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(wrap + cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        fired = threading.Event()

        def kill():
            fired.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
    mb = ru.ru_maxrss / 1024.0
    if wrap:
        mb = None
        try:
            with open(mem_path) as f:
                last = f.read().split()
            mb = int(last[-1]) / 1024.0 if last and last[-1].isdigit() else None
            os.remove(mem_path)
        except OSError:
            pass
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "mb": mb,
        "rc": p.returncode,
        "timeout": fired.is_set(),
    }


# ---- relucert ----


def relucert_answer(path):
    with open(path) as f:
        d = json.load(f)
    a = {"status": d["status"]}
    if "objective" in d:
        a["value"] = d["objective"]
    a["raw"] = d
    return a


def check_relucert(inst_path, raw):
    """Re-check relucert's answer with fractions (docs/lp.md's conditions); returns a failure or ''."""
    sense, obj, rows, bounds = lpgen.read_lp(inst_path)
    n = len(bounds)
    if raw["status"] == "optimal":
        x = [F(raw["x"]["x%d" % j]) for j in range(n)]
        if not lpgen.in_box(bounds, x):
            return "x outside the bounds"
        for i, (t, op, r) in enumerate(rows):
            if not lpgen.holds(t, op, r, x):
                return "x violates c%d" % i
        value = F(raw["objective"])
        if lpgen.dot(obj, x) != value:
            return "objective != c.x"
        # duals: minimisation signs (>= rows y >= 0, <= rows y <= 0); a maximisation is min -c.x with -y
        flip = -1 if sense == "Maximize" else 1
        y = [flip * F(raw["duals"]["c%d" % i]) for i in range(len(rows))]
        for (t, op, r), yi in zip(rows, y):
            if (op == ">=" and yi < 0) or (op == "<=" and yi > 0):
                return "a dual has the wrong sign"
        d = [F(0)] * n
        for j, c in obj:
            d[j] += flip * c
        for (t, op, r), yi in zip(rows, y):
            for j, c in t:
                d[j] -= yi * c
        dual = sum((yi * r for (t, op, r), yi in zip(rows, y)), F(0))
        for dj, (lo, hi) in zip(d, bounds):
            if dj > 0:
                if lo is None:
                    return "a positive reduced cost without a lower bound"
                dual += dj * lo
            elif dj < 0:
                if hi is None:
                    return "a negative reduced cost without an upper bound"
                dual += dj * hi
        if dual != flip * value:
            return "dual objective != objective"
        return ""
    if raw["status"] == "infeasible":
        y = [F(raw["farkas"]["c%d" % i]) for i in range(len(rows))]
        for (t, op, r), yi in zip(rows, y):
            if (op == ">=" and yi < 0) or (op == "<=" and yi > 0):
                return "a Farkas multiplier has the wrong sign"
        g = [F(0)] * n
        for (t, op, r), yi in zip(rows, y):
            for j, c in t:
                g[j] += yi * c
        top = F(0)
        for gj, (lo, hi) in zip(g, bounds):
            if gj > 0:
                if hi is None:
                    return "max (A^T y).x is unbounded"
                top += gj * hi
            elif gj < 0:
                if lo is None:
                    return "max (A^T y).x is unbounded"
                top += gj * lo
        b = sum((yi * r for (t, op, r), yi in zip(rows, y)), F(0))
        return "" if top < b else "max (A^T y).x >= b.y"
    return "status %s not checked" % raw["status"]


# ---- QSopt_ex ----


def qsopt_answer(sol_path):
    """status and exact value from esolver's -O file.

    esolver 2.5.10 prints the value through a buffer of about 4 KB: a longer
    value is cut (the end of the denominator and the newline are lost, and
    `VARS:` follows on the same line). Such a value is kept as `value_cut`,
    a prefix of the exact `p/q` text, and compared as a prefix."""
    with open(sol_path) as f:
        text = f.read(1 << 20)
    status, a = None, {}
    for ln in text.splitlines():
        if ln.strip().startswith("status"):
            status = ln.split()[-1].lower()
            break
    a["status"] = status
    if "Value =" in text:
        line = text.split("Value =", 1)[1].split("\n", 1)[0]
        if "VARS" in line:
            a["value_cut"] = line.split("VARS", 1)[0].strip()
        else:
            a["value"] = line.strip()
    return a


# ---- cddlib (child process) ----


def cdd_solve(path):
    import cdd
    import cdd.gmp

    t0 = time.perf_counter()
    sense, obj, rows, bounds = lpgen.read_lp(path)
    n = len(bounds)
    arr = []  # 0 <= b + A x
    for t, op, r in rows:
        s = -1 if op == "<=" else 1
        row = [-s * r] + [F(0)] * n
        for j, c in t:
            row[1 + j] += s * c
        arr.append(row)
    for j, (lo, hi) in enumerate(bounds):
        if lo is not None:
            row = [-lo] + [F(0)] * n
            row[1 + j] = F(1)
            arr.append(row)
        if hi is not None:
            row = [hi] + [F(0)] * n
            row[1 + j] = F(-1)
            arr.append(row)
    o = [F(0)] * (n + 1)
    for j, c in obj:
        o[1 + j] += c
    arr.append(o)
    kind = cdd.LPObjType.MAX if sense == "Maximize" else cdd.LPObjType.MIN
    t1 = time.perf_counter()
    lp = cdd.gmp.linprog_from_array(arr, kind)
    cdd.gmp.linprog_solve(lp)
    t2 = time.perf_counter()
    st = lp.status
    names = {
        cdd.LPStatusType.OPTIMAL: "optimal",
        cdd.LPStatusType.INCONSISTENT: "infeasible",
        cdd.LPStatusType.STRUC_INCONSISTENT: "infeasible",
        cdd.LPStatusType.DUAL_INCONSISTENT: "unbounded",
        cdd.LPStatusType.STRUC_DUAL_INCONSISTENT: "unbounded",
    }
    out = {"status": names.get(st, str(st)), "read_s": t1 - t0, "solve_s": t2 - t1}
    if st == cdd.LPStatusType.OPTIMAL:
        out["value"] = str(F(lp.obj_value))
    print(json.dumps(out))
    return 0


def have_cdd():
    try:
        import cdd  # noqa: F401
        import cdd.gmp  # noqa: F401

        return True
    except ImportError:
        return False


def selftest(binary):
    """The fraction re-check of relucert's answers, against real answers and mutations of them.

    Real answers on small instances of every family must pass; each must fail
    with the objective value moved by 1/7 or one nonzero multiplier's sign
    flipped; an infeasible answer must still pass with every Farkas
    multiplier doubled (a certificate scaled by 2 is still one), and an
    optimal one with a nonzero dual must fail with every dual doubled."""
    bad, n = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for fam in lpgen.FAMILIES:
            for seed in range(3):
                inst = lpgen.gen(fam, 8, 5, seed)
                path = os.path.join(tmp, "%s-%d.lp" % (fam, seed))
                lpgen.write(inst, path)
                p = subprocess.run([binary, "lp", path, "--json"], capture_output=True, text=True, timeout=60)
                raw = json.loads(p.stdout)
                name = "%s-%d" % (fam, seed)
                if raw["status"] != inst.expected:
                    bad.append("%s: relucert says %s" % (name, raw["status"]))
                    continue
                if check_relucert(path, raw):
                    bad.append("%s: the real answer fails: %s" % (name, check_relucert(path, raw)))
                key = "duals" if raw["status"] == "optimal" else "farkas"
                muts = []
                if raw["status"] == "optimal":
                    m = json.loads(json.dumps(raw))
                    m["objective"] = str(F(m["objective"]) + F(1, 7))
                    muts.append(("value + 1/7", m, False))
                for row, v in raw[key].items():
                    if F(v) != 0:
                        m = json.loads(json.dumps(raw))
                        m[key][row] = str(-F(v))
                        muts.append(("%s %s flipped" % (key, row), m, False))
                if any(F(v) != 0 for v in raw[key].values()):  # (all zero: doubling changes nothing)
                    m = json.loads(json.dumps(raw))
                    m[key] = {k: str(2 * F(v)) for k, v in m[key].items()}
                    muts.append(("%s doubled" % key, m, raw["status"] == "infeasible"))
                for what, m, accept in muts:
                    n += 1
                    if (check_relucert(path, m) == "") != accept:
                        bad.append("%s: %s was %s" % (name, what, "rejected" if accept else "accepted"))
    for b in bad:
        print("FAIL", b)
    print("lp.py selftest: 12 real answers, %d mutations: %d failures" % (n, len(bad)))
    return 0 if not bad else 1


# ---- the grid ----


def solve_all(args, inst, path, work, skip):
    """Run every solver on one instance; returns the record."""
    rec = {k: v for k, v in inst.facts().items() if k not in ("point", "farkas")}
    rec["lp_rows"], rec["rows"] = rec["rows"], inst.nrows
    rec["file_bytes"] = os.path.getsize(path)
    tmo = args.timeout_500 if inst.nrows >= 500 else args.timeout
    rec["timeout_s"] = tmo
    key = (inst.family, inst.digits)
    if "relucert" in args.solvers:
        runs = []
        if inst.nrows > skip.get(("relucert",) + key, 10**9):
            rec["relucert"] = {"skipped": "a smaller instance timed out"}
        else:
            for k in range(args.repeat):
                outp = os.path.join(work, "r.json")
                r = run([args.binary, "lp", path, "--json"], tmo, ROOT, outp)
                if not r["timeout"] and r["rc"] == 0:
                    a = relucert_answer(outp)
                    if k == 0:
                        r["status"] = a["status"]
                        r["value"] = a.get("value")
                        r["check"] = check_relucert(path, a["raw"]) or "ok"
                elif not r["timeout"]:
                    with open(outp) as f:
                        r["error"] = f.read()[-300:]
                runs.append(r)
                if r["timeout"] or r["rc"] != 0:
                    break
            if runs[0]["timeout"]:
                skip[("relucert",) + key] = min(skip.get(("relucert",) + key, 10**9), inst.nrows)
            rec["relucert"] = {"runs": runs}
    if "qsopt" in args.solvers:
        if inst.nrows > skip.get(("qsopt",) + key, 10**9):
            rec["qsopt"] = {"skipped": "a smaller instance timed out"}
        else:
            sol = os.path.join(work, "q.sol")
            if os.path.exists(sol):
                os.remove(sol)
            r = run([args.esolver, "-L", "-O", sol, path], tmo, work, os.path.join(work, "q.out"))
            if not r["timeout"] and os.path.exists(sol):
                r.update(qsopt_answer(sol))
            if r["timeout"]:
                skip[("qsopt",) + key] = min(skip.get(("qsopt",) + key, 10**9), inst.nrows)
            rec["qsopt"] = {"runs": [r]}
    if "cdd" in args.solvers:
        if inst.nrows > skip.get(("cdd",) + key, 10**9):
            rec["cdd"] = {"skipped": "a smaller instance timed out"}
        else:
            outp = os.path.join(work, "c.json")
            r = run([sys.executable, os.path.abspath(__file__), "--cdd-solve", path], tmo, ROOT, outp)
            if not r["timeout"] and r["rc"] == 0:
                with open(outp) as f:
                    r.update(json.loads(f.read().strip().splitlines()[-1]))
            if r["timeout"]:
                skip[("cdd",) + key] = min(skip.get(("cdd",) + key, 10**9), inst.nrows)
            rec["cdd"] = {"runs": [r]}
    judge(rec)
    return rec


def first(rec, s):
    e = rec.get(s)
    if not e or "runs" not in e:
        return None
    return e["runs"][0]


def judge(rec):
    """Answers against the construction, and values against each other (exact)."""
    notes = []
    ok = True
    vals = {}
    for s in ("relucert", "qsopt", "cdd"):
        r = first(rec, s)
        if r is None or r["timeout"] or "status" not in r:
            continue
        if r["status"] != rec["expected"]:
            ok = False
            notes.append("%s says %s, construction %s" % (s, r["status"], rec["expected"]))
        if r.get("value") is not None:
            vals[s] = F(r["value"])
    if len(set(vals.values())) > 1:
        ok = False
        notes.append("values differ: " + ", ".join("%s %s" % (k, v) for k, v in vals.items()))
    q = first(rec, "qsopt")
    if q and q.get("value_cut"):
        rec["qsopt_value_cut"] = len(q["value_cut"])
        for k, v in vals.items():
            txt = "%d/%d" % (v.numerator, v.denominator) if v.denominator != 1 else str(v.numerator)
            if not txt.startswith(q["value_cut"]):
                ok = False
                notes.append("QSopt_ex's (cut) value is not a prefix of %s's" % k)
    r = first(rec, "relucert")
    if r and r.get("check") not in (None, "ok"):
        ok = False
        notes.append("relucert's certificate fails the fraction re-check: " + r["check"])
    rec["agree"] = ok
    rec["compared_values"] = sorted(vals) + (["qsopt (prefix)"] if q and q.get("value_cut") and vals else [])
    rec["notes"] = notes
    e = rec.get("relucert")
    if e and "runs" in e:
        ws = [x["wall"] for x in e["runs"] if not x["timeout"] and x["rc"] == 0]
        rec["relucert_wall"] = statistics.median(ws) if len(ws) == len(e["runs"]) else None
        rec["variation"] = (max(ws) - min(ws)) / min(ws) if len(ws) >= 2 and min(ws) > 0 else None


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_s(v, lower=False):
    if v is None:
        return "-"
    s = "%.0f ms" % (v * 1000) if v < 1 else "%.2f s" % v
    return ("≥" + s) if lower else s


def wall_of(rec, s):
    """(seconds, is_lower_bound) of solver s on rec, or None when it did not run or failed."""
    r = first(rec, s)
    if r is None:
        return None
    if r["timeout"]:
        return (rec["timeout_s"], True)
    if r["rc"] != 0 and s != "qsopt":
        return None
    if s == "relucert":
        return (rec["relucert_wall"], False) if rec.get("relucert_wall") is not None else None
    return (r["wall"], False)


def cpu_of(rec, s):
    """CPU seconds of solver s on rec (relucert: median over its runs), or None unless it answered."""
    r = first(rec, s)
    if r is None or r["timeout"] or (r["rc"] != 0 and s != "qsopt"):
        return None
    if s == "relucert":
        runs = rec["relucert"]["runs"]
        if any(x["timeout"] or x["rc"] != 0 for x in runs):
            return None
        return statistics.median(x["cpu"] for x in runs)
    return r["cpu"]


def table(records, by):
    """Markdown table grouped by `by` (a tuple of record keys)."""
    groups = {}
    for rec in records:
        groups.setdefault(tuple(rec[k] for k in by), []).append(rec)
    head = list(by) + [
        "LPs",
        "relucert (median)",
        "QSopt_ex (median)",
        "cddlib (median)",
        "ratio r/Q (median)",
        "max ratio r/Q",
        "CPU ratio r/Q (median, both answered)",
        "answers agree / answered",
        "timeouts r / Q / c",
        "max run-to-run variation",
        "peak MB r / Q / c (max)",
    ]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] * len(by) + ["---:"] * (len(head) - len(by))) + " |"]
    fam_order = {f: i for i, f in enumerate(lpgen.FAMILIES)}
    for key in sorted(groups, key=lambda k: tuple(fam_order.get(x, x) if i == 0 else x for i, x in enumerate(k))):
        g = groups[key]
        cells = []
        for s in ("relucert", "qsopt", "cdd"):
            ws = [wall_of(r, s) for r in g]
            ws = [w for w in ws if w is not None]
            if not ws:
                cells.append("-")
                continue
            m = med([w[0] for w in ws])
            # a timeout counts as its limit, a lower bound: raising it can only raise the
            # median, so the median is a lower bound (≥) as soon as any entry is one
            lower = any(w[1] for w in ws)
            part = " (%d of %d)" % (len(ws), len(g)) if len(ws) < len(g) else ""
            cells.append(fmt_s(m, lower) + part)
        ratios = []  # over the LPs where both ran and QSopt_ex answered
        for r in g:
            a, b = wall_of(r, "relucert"), wall_of(r, "qsopt")
            if a and b and not b[1]:
                ratios.append((a[0] / b[0], a[1]))
        if ratios:
            rm = med([x[0] for x in ratios])
            rl = any(x[1] for x in ratios)
            mx = max(ratios, key=lambda x: x[0])
            cells.append(("%s%.1fx" % ("≥" if rl else "", rm)))
            cells.append(("%s%.1fx" % ("≥" if rl else "", mx[0])))
        else:
            cells += ["-", "-"]
        cr = [cpu_of(r, "relucert") / cpu_of(r, "qsopt") for r in g if cpu_of(r, "relucert") and cpu_of(r, "qsopt")]
        cells.append("%.1fx" % med(cr) if cr else "-")
        answered = [r for r in g if any(first(r, s) and "status" in first(r, s) for s in ("relucert", "qsopt", "cdd"))]
        cells.insert(0, str(len(g)))
        cells.append("%d/%d" % (sum(1 for r in answered if r["agree"]), len(answered)))
        tos = []
        for s in ("relucert", "qsopt", "cdd"):
            n_to = sum(1 for r in g if first(r, s) and first(r, s)["timeout"])
            n_sk = sum(1 for r in g if r.get(s, {}).get("skipped"))
            tos.append(str(n_to) + ("+%d skipped" % n_sk if n_sk else ""))
        cells.append(" / ".join(tos))
        vs = [r["variation"] for r in g if r.get("variation") is not None]
        cells.append("%.0f%%" % (100 * max(vs)) if vs else "-")
        mbs = []
        for s in ("relucert", "qsopt", "cdd"):
            ms = [first(r, s)["mb"] for r in g if first(r, s) and first(r, s).get("mb") is not None]
            mbs.append("%.0f" % max(ms) if ms else "-")
        cells.append(" / ".join(mbs))
        out.append("| " + " | ".join([str(k) for k in key] + cells) + " |")
    return "\n".join(out)


def targets(records):
    """Issue 18's acceptance figures over the LPs up to 200 rows."""
    small = [r for r in records if r["rows"] <= 200]
    ratios, slow, var_hi, var_n, skipped = [], 0, 0, 0, 0
    for r in small:
        a, b = wall_of(r, "relucert"), wall_of(r, "qsopt")
        if r.get("relucert", {}).get("skipped"):
            skipped += 1
        if a and b and not b[1]:
            ratios.append((a[0] / b[0], a[1]))
            if b[0] < 5 and a[0] > 10:
                slow += 1
        if r.get("variation") is not None:
            var_n += 1
            var_hi += r["variation"] >= 0.25
    if not ratios:
        return ""
    lb = any(x[1] for x in ratios)
    within2 = sum(1 for x in ratios if x[0] <= 2 and not x[1])
    # The same per family: the median ratio of each family's LPs.
    fams = {}
    for r in small:
        a, b = wall_of(r, "relucert"), wall_of(r, "qsopt")
        if a and b and not b[1]:
            fams.setdefault(r["family"], []).append(a[0] / b[0])
    fam_meds = {f: statistics.median(v) for f, v in sorted(fams.items())}
    fam_text = ", ".join("%s %.1fx" % (f, m) for f, m in fam_meds.items())
    return (
        "Issue 18 targets, LPs up to 200 rows: ratio relucert/QSopt_ex median %s%.1fx (target <= 1.2x); "
        "per family (median ratio): %s, %d of %d families within 2x; per LP: %d of %d within 2x; "
        "%d LPs where QSopt_ex < 5 s and relucert > 10 s (target 0)%s; "
        "%d of %d LPs run twice vary by 25%% or more (target 0). A timeout counts as its limit (≥)."
        % ("≥" if lb else "", statistics.median(x[0] for x in ratios), fam_text,
           sum(1 for m in fam_meds.values() if m <= 2), len(fam_meds), within2, len(ratios), slow,
           (" (+%d not run after a smaller timeout)" % skipped) if skipped else "", var_hi, var_n)
    )


def tables(records):
    md = targets(records) + "\n\n"
    md += "By family and size (all digits and seeds):\n\n" + table(records, ("family", "rows"))
    md += "\n\nBy family, size and digits:\n\n" + table(records, ("family", "rows", "digits"))
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--families", default=",".join(lpgen.FAMILIES))
    ap.add_argument("--rows", default="50,100,200,500")
    ap.add_argument("--digits", default="5,12,20")
    ap.add_argument("--seeds", type=int, default=2, help="seeds 0..K-1 per (family, rows, digits)")
    ap.add_argument("--seeds-500", type=int, default=1, help="seeds per (family, rows, digits) at 500 rows and more")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run below 500 rows")
    ap.add_argument("--timeout-500", type=float, default=20.0, help="seconds per run at 500 rows and more")
    ap.add_argument("--repeat", type=int, default=2, help="relucert runs per LP (run-to-run variation)")
    ap.add_argument("--solvers", default="relucert,qsopt,cdd")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "relucert"))
    ap.add_argument("--esolver", default=shutil.which("esolver") or "esolver")
    ap.add_argument("--out", default="lp-peers.json")
    ap.add_argument("--md", default=None, help="also write the markdown tables here")
    ap.add_argument("--keep", default=None, help="keep the generated .lp files in this folder")
    ap.add_argument("--cdd-solve", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--table-from", default=None, help="print the tables of an earlier --out JSON and exit")
    ap.add_argument("--selftest", action="store_true", help="test the fraction re-check of relucert's answers and exit")
    args = ap.parse_args()
    if args.selftest:
        return selftest(args.binary)
    if args.table_from:
        with open(args.table_from) as f:
            records = json.load(f)["records"]
        for rec in records:
            judge(rec)
        print(tables(records))
        return 0
    if args.cdd_solve:
        return cdd_solve(args.cdd_solve)
    args.solvers = [s for s in args.solvers.split(",") if s]
    if "cdd" in args.solvers and not have_cdd():
        log("pycddlib (import cdd, cdd.gmp) is not available: cddlib skipped")
        args.solvers.remove("cdd")
    if "qsopt" in args.solvers and not shutil.which(args.esolver):
        log("esolver not found: QSopt_ex skipped")
        args.solvers.remove("qsopt")
    if "relucert" in args.solvers and not os.path.exists(args.binary):
        log("%s not found (cargo build --release -p relucert-cli)" % args.binary)
        return 1
    fams = args.families.split(",")
    rows = sorted(int(x) for x in args.rows.split(","))
    digits = [int(x) for x in args.digits.split(",")]
    work = tempfile.mkdtemp(prefix="lp-peers-")
    keep = args.keep
    if keep:
        os.makedirs(keep, exist_ok=True)
    records, skip = [], {}
    t_start = time.time()
    for m in rows:
        for fam in fams:
            for dg in digits:
                for seed in range(args.seeds if m < 500 else args.seeds_500):
                    inst = lpgen.gen(fam, m, dg, seed)
                    name = "%s-%d-%d-%d.lp" % (fam, m, dg, seed)
                    path = os.path.join(keep or work, name)
                    lpgen.write(inst, path)
                    rec = solve_all(args, inst, path, work, skip)
                    rec["name"] = name
                    records.append(rec)
                    parts = []
                    for s in ("relucert", "qsopt", "cdd"):
                        w = wall_of(rec, s)
                        if w is not None:
                            parts.append("%s %s" % (s, fmt_s(*w)))
                        elif rec.get(s, {}).get("skipped"):
                            parts.append("%s skipped" % s)
                    log("[%5.0fs] %-24s %s  %s%s" % (time.time() - t_start, name, "agree" if rec["agree"] else "DISAGREE", ", ".join(parts), ("  " + "; ".join(rec["notes"])) if rec["notes"] else ""))
                    with open(args.out, "w") as f:
                        json.dump({"args": vars(args), "records": records}, f, indent=1)
    md = tables(records)
    print(md)
    if args.md:
        with open(args.md, "w") as f:
            f.write(md + "\n")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    bad = [r["name"] for r in records if not r["agree"]]
    log("%d LPs, %d disagreements%s" % (len(records), len(bad), (": " + ", ".join(bad)) if bad else ""))
    return 0 if not bad else 2


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""In-process solver time: a long-running worker that answers `relucert
smtlib` queries with Z3 or cvc5 through their Python packages, and times
only what happens inside the solver for each query: parsing the query text
(already in memory) and check-sat, on a fresh solver object each time. The
interpreter start, the `import`, reading the file and the JSON exchange are
outside the timed region.

Protocol (used by `run.py --inproc`): after the import the worker prints
one line `{"ready": true, "solver": ..., "version": ...}`; then for every
request line on stdin, `{"file": PATH, "timeout": SECONDS}`, it prints one
line

    {"file": PATH, "answer": "sat" | "unsat" | "timeout" | "unknown" | "error",
     "reps": N, "median_s": S, "min_s": S, "warmup_s": S, "detail": "..."}

Per query: one warm-up call (timed too, as `warmup_s`, and its answer is
the query's answer), then, if it answered sat or unsat, repetitions until
`--budget` seconds of measured time are spent, at least `--min-reps` (only
1 when the warm-up alone took longer than the budget) and at most
`--max-reps`; `median_s` is the median of the repetitions. A query that
times out or gives up is not repeated (`reps` 0, `median_s` null).

How each solver is called (the same as `relucert smtlib`'s file would be
run by the binary):
  z3:   s = z3.SolverFor("QF_NRA"); s.set("timeout", ms);
        s.from_string(text); s.check()
  cvc5: a new TermManager and Solver, tlimit-per, the InputParser on the
        text, every command but check-sat / get-value / get-model invoked,
        then solver.checkSat()

Usage: inproc.py z3|cvc5 [--budget 0.3] [--min-reps 3] [--max-reps 21]
"""

import argparse
import json
import statistics
import sys
import time


def z3_once(text, timeout):
    import z3

    t0 = time.perf_counter()
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", int(timeout * 1000))
    s.from_string(text)
    r = s.check()
    dt = time.perf_counter() - t0
    if r == z3.sat:
        return "sat", dt, ""
    if r == z3.unsat:
        return "unsat", dt, ""
    reason = s.reason_unknown()
    return ("timeout" if ("timeout" in reason or "canceled" in reason) else "unknown"), dt, reason


def cvc5_once(text, timeout):
    import cvc5

    t0 = time.perf_counter()
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(int(timeout * 1000)))
    parser = cvc5.InputParser(solver)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    sm = parser.getSymbolManager()
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        if cmd.getCommandName() in ("check-sat", "get-value", "get-model"):
            continue
        cmd.invoke(solver, sm)
    r = solver.checkSat()
    dt = time.perf_counter() - t0
    if r.isSat():
        return "sat", dt, ""
    if r.isUnsat():
        return "unsat", dt, ""
    reason = str(r.getUnknownExplanation())
    return ("timeout" if "TIMEOUT" in reason.upper() else "unknown"), dt, reason


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("solver", choices=["z3", "cvc5"])
    ap.add_argument("--budget", type=float, default=0.3,
                    help="measured seconds per query (after the warm-up)")
    ap.add_argument("--min-reps", type=int, default=3)
    ap.add_argument("--max-reps", type=int, default=21)
    args = ap.parse_args()
    if args.solver == "z3":
        import z3
        version, once = z3.get_version_string(), z3_once
    else:
        import cvc5
        version, once = getattr(cvc5, "__version__", ""), cvc5_once
    print(json.dumps({"ready": True, "solver": args.solver, "version": version}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        path, timeout = req["file"], float(req["timeout"])
        out = {"file": path, "reps": 0, "median_s": None, "min_s": None, "detail": ""}
        try:
            with open(path) as fh:
                text = fh.read()
            answer, warm, detail = once(text, timeout)
            out.update(answer=answer, warmup_s=warm, detail=detail)
            if answer in ("sat", "unsat"):
                floor = args.min_reps if warm <= args.budget else 1
                times, spent = [], 0.0
                while len(times) < args.max_reps and (len(times) < floor or spent < args.budget):
                    a, dt, _ = once(text, timeout)
                    if a != answer:
                        out["detail"] = f"repetition answered {a}, warm-up {answer}"
                    times.append(dt)
                    spent += dt
                out.update(reps=len(times), median_s=statistics.median(times), min_s=min(times))
        except Exception as e:  # an error is an answer to record
            out.update(answer="error", warmup_s=None, detail=f"{type(e).__name__}: {e}")
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

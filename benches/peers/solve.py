#!/usr/bin/env python3
"""Run one SMT-LIB query (a file written by `relucert smtlib`) with Z3 or
cvc5 through their Python packages, and print one JSON line:

    {"solver": "z3", "version": "...", "answer": "sat" | "unsat" | "timeout" |
     "unknown" | "error", "seconds": S, "model": {"p0": "3/4", ...} | null,
     "detail": "..."}

`seconds` is the time inside the solver (parsing the file and check-sat),
without the interpreter start-up and the import; whoever starts this script
can also time the whole process. The model lists each declared parameter as
an exact rational "p/q"; a value the solver gives as an algebraic number
(not rational) is written as null, and such models are not checked exactly.

Usage: solve.py z3|cvc5 FILE.smt2 [--timeout SECONDS]

Install the solvers with `pip install z3-solver cvc5`.
"""

import argparse
import json
import sys
import time
from fractions import Fraction


def run_z3(path, timeout):
    import z3

    t0 = time.perf_counter()
    assertions = z3.parse_smt2_file(path)
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", int(timeout * 1000))
    solver.add(assertions)
    result = solver.check()
    seconds = time.perf_counter() - t0
    out = {"solver": "z3", "version": z3.get_version_string(), "seconds": seconds,
           "model": None, "detail": ""}
    if result == z3.sat:
        out["answer"] = "sat"
        model = solver.model()
        values = {}
        for decl in model.decls():
            if decl.arity() != 0 or not decl.name().startswith("p"):
                continue
            v = model[decl]
            if z3.is_rational_value(v):
                f = v.as_fraction()
                values[decl.name()] = f"{f.numerator}/{f.denominator}"
            else:
                values[decl.name()] = None
        out["model"] = values
    elif result == z3.unsat:
        out["answer"] = "unsat"
    else:
        reason = solver.reason_unknown()
        out["detail"] = reason
        out["answer"] = "timeout" if ("timeout" in reason or "canceled" in reason) else "unknown"
    return out


def run_cvc5(path, timeout):
    import cvc5

    t0 = time.perf_counter()
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    solver.setOption("tlimit-per", str(int(timeout * 1000)))
    parser = cvc5.InputParser(solver)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, path)
    sm = parser.getSymbolManager()
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        # We run check-sat ourselves and read the model through the API.
        if cmd.getCommandName() in ("check-sat", "get-value", "get-model"):
            continue
        cmd.invoke(solver, sm)
    result = solver.checkSat()
    seconds = time.perf_counter() - t0
    version = getattr(cvc5, "__version__", "") or solver.getVersion()
    out = {"solver": "cvc5", "version": version, "seconds": seconds,
           "model": None, "detail": ""}
    if result.isSat():
        out["answer"] = "sat"
        values = {}
        for term in sm.getDeclaredTerms():
            name = str(term)
            if not name.startswith("p"):
                continue
            v = solver.getValue(term)
            if v.isRealValue():
                f = Fraction(v.getRealValue())
                values[name] = f"{f.numerator}/{f.denominator}"
            else:
                values[name] = None
        out["model"] = values
    elif result.isUnsat():
        out["answer"] = "unsat"
    else:
        reason = str(result.getUnknownExplanation())
        out["detail"] = reason
        out["answer"] = "timeout" if "TIMEOUT" in reason.upper() else "unknown"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("solver", choices=["z3", "cvc5"])
    ap.add_argument("file")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    try:
        out = (run_z3 if args.solver == "z3" else run_cvc5)(args.file, args.timeout)
    except ImportError as e:
        out = {"solver": args.solver, "answer": "error", "seconds": 0.0, "model": None,
               "detail": f"the Python package is not installed ({e}); "
                         "pip install z3-solver cvc5"}
    except Exception as e:  # a solver error is an answer to record, not a crash
        out = {"solver": args.solver, "answer": "error", "seconds": 0.0, "model": None,
               "detail": f"{type(e).__name__}: {e}"}
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

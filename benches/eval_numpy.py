#!/usr/bin/env python3
"""Exact evaluation at scale (issue 18): instance generator and the float64
NumPy baseline that `relucert eval` is measured against.

  python3 benches/eval_numpy.py gen OUT.json --n 100000 --d 8 --hidden 256 [--seed 1]
  python3 benches/eval_numpy.py run OUT.json        # the NumPy baseline (whole process)

`gen` writes a JSON instance (FORMAT.md): ReLU network with biases, widths
[d, hidden..., 1], binary hinge, inputs with 3 decimals in [-1, 1], weights
with 2 decimals in [-1, 1], labels +-1, and the parameter point. Numbers are
plain JSON numbers, so relucert reads them exactly from their decimal text
and NumPy reads the very same file with `json.load` + `np.array(...,
dtype=float64)`.

`run` is the yardstick: load the JSON, float64 forward pass, per-point
outputs, margins and hinge losses, the mean loss, and the signs of every
hidden pre-activation and hinge argument (the signature `relucert eval`
reports); it prints the loss and the zero counts. It decides nothing: it is
only the speed a float forward pass gets on the same input. numpy is needed
for `run` only (`pip install numpy`); it is not a project dependency.
"""

import argparse
import json
import random
import sys


def gen(args):
    rng = random.Random(args.seed)
    widths = [args.d] + args.hidden + [1]

    def dec(digits):
        scale = 10**digits
        v = rng.randint(-scale, scale)
        # a JSON number with exactly that many decimals (exact decimal text)
        sign = "-" if v < 0 else ""
        v = abs(v)
        return json.loads(f"{sign}{v // scale}.{v % scale:0{digits}d}")

    x = [[dec(3) for _ in range(args.d)] for _ in range(args.n)]
    y = [rng.choice((1, -1)) for _ in range(args.n)]
    point = {}
    for l in range(1, len(widths)):
        point[f"W{l}"] = [[dec(2) for _ in range(widths[l - 1])] for _ in range(widths[l])]
        point[f"b{l}"] = [dec(2) for _ in range(widths[l])]
    inst = {
        "name": f"eval scale: N = {args.n}, widths {widths}, seed {args.seed}",
        "source": "benches/eval_numpy.py gen",
        "network": {"widths": widths, "activation": "relu", "bias": True},
        "loss": {"kind": "hinge"},
        "data": {"x": x, "y": y},
        "point": point,
    }
    with open(args.out, "w") as f:
        json.dump(inst, f, separators=(",", ":"))


def run(args):
    import numpy as np

    with open(args.file) as f:
        inst = json.load(f)
    widths = inst["network"]["widths"]
    x = np.array(inst["data"]["x"], dtype=np.float64)
    y = np.array(inst["data"]["y"], dtype=np.float64)
    pt = inst["point"]
    layers = [
        (np.array(pt[f"W{l}"], dtype=np.float64), np.array(pt[f"b{l}"], dtype=np.float64))
        for l in range(1, len(widths))
    ]
    a = x
    zero_pre = 0
    for l, (w, b) in enumerate(layers):
        z = a @ w.T + b
        if l + 1 < len(layers):
            zero_pre += int(np.count_nonzero(z == 0.0))
            _signs = np.sign(z).astype(np.int8)  # the signature's hidden signs
            a = np.maximum(z, 0.0)
        else:
            a = z
    f = a[:, 0]
    margin = y * f
    arg = 1.0 - margin
    losses = np.maximum(arg, 0.0)
    loss = float(losses.mean())
    zero_hinge = int(np.count_nonzero(arg == 0.0))
    print(f"loss: {loss!r}")
    print(f"points: {len(y)}  zero pre-activations: {zero_pre}  zero hinge arguments: {zero_hinge}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("out")
    g.add_argument("--n", type=int, default=100000)
    g.add_argument("--d", type=int, default=8)
    g.add_argument("--hidden", type=int, nargs="+", default=[256])
    g.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    r.add_argument("file")
    a = p.parse_args()
    if a.cmd == "gen":
        gen(a)
    else:
        run(a)


if __name__ == "__main__":
    sys.exit(main())

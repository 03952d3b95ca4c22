"""An independent exact forward pass and loss (FORMAT.md semantics), in
plain Fraction arithmetic, for the tests to compare the library with."""

from fractions import Fraction


def act(t, activation, alpha):
    if activation == "relu":
        return max(t, Fraction(0))
    if activation == "leaky":
        return max(t, alpha * t)
    return t


def forward(x, layers, activation, alpha):
    """``layers``: [(W, b or None), ...]; the output is linear."""
    a = list(x)
    for n, (w, b) in enumerate(layers):
        z = [sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) + (b[j] if b else 0) for j, row in enumerate(w)]
        a = z if n == len(layers) - 1 else [act(t, activation, alpha) for t in z]
    return a


def point_loss(kind, f, y):
    """``y``: the label, or for the regression losses the target (exact)."""
    if kind == "absolute":
        return abs(f[0] - y)
    if kind == "squared":
        return (f[0] - y) ** 2
    if kind == "hinge":
        return max(Fraction(0), 1 - y * f[0])
    others = [f[k] for k in range(len(f)) if k != y]
    if kind == "multiclass-hinge":
        return sum((max(Fraction(0), 1 + fk - f[y]) for fk in others), Fraction(0))
    if kind == "crammer-singer":
        return max(Fraction(0), 1 + max(others) - f[y])
    raise ValueError(kind)


def loss(X, y, layers, activation, alpha, kind):
    terms = [point_loss(kind, forward(x, layers, activation, alpha), yi) for x, yi in zip(X, y)]
    return sum(terms, Fraction(0)) / len(terms)

"""Paired significance test for `blueprint eval --compare` (no SciPy in either lock).

The paired t-test on per-case score differences d_i = candidate_i − stable_i:
t = mean(d) / (sd(d) / √n), df = n − 1, two-sided p = I_{df/(df+t²)}(df/2, 1/2), where I is the
regularized incomplete beta function, evaluated with the continued fraction of Numerical Recipes
(Press et al., 3rd ed., §6.4) by the modified Lentz method. Checked in tests against published
t-table values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_EPS, _TINY, _MAX_ITER = 3e-16, 1e-300, 300


def _betacf(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITER + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError("incomplete beta: continued fraction did not converge")


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1."""
    if not 0.0 <= x <= 1.0:
        raise ValueError("betainc: x must be in [0, 1]")
    if x in (0.0, 1.0):
        return x
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with df degrees of freedom."""
    if df <= 0:
        raise ValueError("t test: needs at least 2 paired cases")
    return betainc(df / 2.0, 0.5, df / (df + t * t))


@dataclass(frozen=True)
class PairedResult:
    n: int
    mean_stable: float
    mean_candidate: float
    mean_difference: float
    t: float
    p_value: float

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def paired_t(stable: Sequence[float], candidate: Sequence[float]) -> PairedResult:
    if len(stable) != len(candidate):
        raise ValueError("paired test: both runs must score the same cases")
    n = len(stable)
    if n < 2:
        raise ValueError("paired test: needs at least 2 paired cases")
    diffs = [c - s for s, c in zip(stable, candidate, strict=True)]
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    ms, mc = sum(stable) / n, sum(candidate) / n
    if var == 0.0:  # identical differences: no variance to test against
        t = 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
        return PairedResult(n, ms, mc, mean, t, 1.0 if mean == 0.0 else 0.0)
    t = mean / math.sqrt(var / n)
    return PairedResult(n, ms, mc, mean, t, t_two_sided_p(t, n - 1))

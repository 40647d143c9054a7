"""The paired t-test against published values (Student's t table; NIST/SEMATECH e-Handbook 1.3.6.7.2)."""

from __future__ import annotations

import math

import pytest

from evals import stats


@pytest.mark.parametrize(("t", "df", "p"), [
    (12.706, 1, 0.05), (4.303, 2, 0.05), (2.228, 10, 0.05), (3.169, 10, 0.01), (2.086, 20, 0.05),
    (1.960, 1e7, 0.05), (2.576, 1e7, 0.01), (0.0, 5, 1.0),
])
def test_two_sided_p_matches_t_tables(t: float, df: float, p: float) -> None:
    assert stats.t_two_sided_p(t, df) == pytest.approx(p, abs=2e-4)


def test_betainc_known_values() -> None:
    assert stats.betainc(1, 1, 0.3) == pytest.approx(0.3)  # uniform CDF
    assert stats.betainc(2, 3, 0.4) == pytest.approx(0.5248)  # 1 - sum binomial, exact: 0.5248
    assert stats.betainc(0.5, 0.5, 0.5) == pytest.approx(0.5)


def test_paired_t_on_a_worked_example() -> None:
    # d = [1, 2, 3, 4, 5]: mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5)/sqrt(5)) = 4.2426, df 4, p = 0.01324
    r = stats.paired_t([0, 0, 0, 0, 0], [1, 2, 3, 4, 5])
    assert r.t == pytest.approx(3 / math.sqrt(0.5))
    assert r.p_value == pytest.approx(0.01324, abs=1e-4)
    assert r.significant()


def test_identical_runs_are_not_different_and_errors() -> None:
    assert stats.paired_t([0.5, 0.7], [0.5, 0.7]).p_value == 1.0
    assert stats.paired_t([0.5, 0.7], [0.6, 0.8]).p_value < 1e-9  # float noise: differences 0.1 ± 1 ulp
    with pytest.raises(ValueError, match="same cases"):
        stats.paired_t([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        stats.paired_t([1.0], [1.0])

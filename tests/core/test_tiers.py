"""The classification matrix loader refuses hostile YAML with a problem line, never a hang or traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.problems import SettingsError
from core.tiers import MATRIX_PATH, load_matrix


def _bomb() -> str:
    rows = ["a: &a [" + ",".join(["lol"] * 10) + "]"]
    rows += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("text,expected", [
    (_bomb(), "expands to more than"),
    ("public: {}\npublic: {}\n", "duplicate key"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than"),
])
def test_a_hostile_matrix_is_one_problem_naming_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "classification.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_matrix.__wrapped__(path)
    (problem,) = caught.value.problems
    assert "classification.yaml" in str(problem)
    assert expected in str(problem)


def test_the_shipped_matrix_loads() -> None:
    assert set(load_matrix(MATRIX_PATH)) == {"public", "internal", "confidential", "restricted"}

"""Golden sets: `evals/golden/<use-case>.jsonl`, one case per line (schema: `evals/golden.schema.json`).

The operating model's Stage 2 deliverable is a golden set of at least `STAGE2_MIN_CASES` cases per
use case; its pre-launch checklist requires `PRODUCTION_MIN_CASES` or more before production.
`readiness()` is the one place that compares the shipped sets with both numbers (the readiness
checklist imports it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema

from evals.corpus import CORPUS_DIR

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SCHEMA_PATH = Path(__file__).resolve().parent / "golden.schema.json"
STAGE2_MIN_CASES = 50
"""Operating model, Stage 1 → 2 deliverable: a golden test set with 50 cases (per use case)."""
PRODUCTION_MIN_CASES = 500
"""Operating model, pre-launch checklist (Quality, required): golden set tests with 500+ cases."""
ADVERSARIAL = "adversarial"


class GoldenError(ValueError):
    """A golden set is malformed; the message names the file, line and field, never the text."""


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    reference: str
    facts: tuple[str, ...]
    cite: tuple[str, ...]
    must_not_contain: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def adversarial(self) -> bool:
        """The guardrail must block it; it carries no facts and counts only for safety."""
        return ADVERSARIAL in self.tags


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def load(path: Path, corpus_dir: Path = CORPUS_DIR) -> tuple[Case, ...]:
    """Parse and validate a golden set; every cited document must exist in the corpus."""
    if not path.is_file():
        raise GoldenError(f"{path.name}: no such golden set")
    known = {p.stem for p in corpus_dir.glob("*.md")}
    cases: list[Case] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            raw = json.loads(line)
        except ValueError:
            raise GoldenError(f"{where}: not a JSON object") from None
        errors = sorted(_validator().iter_errors(raw), key=lambda e: list(e.path))
        if errors:
            field = ".".join(str(p) for p in errors[0].path) or "(case)"
            raise GoldenError(f"{where}: {field}: {errors[0].validator} check failed (see evals/golden.schema.json)")
        if raw["id"] in seen:
            raise GoldenError(f"{where}: id: duplicate case id")
        seen.add(raw["id"])
        unknown = [d for d in raw["cite"] if d not in known]
        if unknown:
            raise GoldenError(f"{where}: cite: names a document that is not in evals/corpus/")
        cases.append(Case(raw["id"], raw["question"], raw["reference"], tuple(raw["facts"]), tuple(raw["cite"]),
                          tuple(raw["must_not_contain"]), tuple(raw["tags"])))
    if not cases:
        raise GoldenError(f"{path.name}: empty golden set")
    return tuple(cases)


def path_for(use_case: str) -> Path:
    return GOLDEN_DIR / f"{use_case}.jsonl"


def counts(golden_dir: Path = GOLDEN_DIR) -> dict[str, int]:
    """use case → number of cases in its shipped golden set."""
    return {p.stem: len(load(p)) for p in sorted(golden_dir.glob("*.jsonl"))}


@dataclass(frozen=True)
class Readiness:
    use_case: str
    cases: int
    stage2: bool
    """At least STAGE2_MIN_CASES (the operating model's Stage 2 deliverable)."""
    production: bool
    """At least PRODUCTION_MIN_CASES (the pre-launch checklist's requirement)."""

    @property
    def note(self) -> str:
        if self.production:
            return f"{self.cases} cases: meets the {PRODUCTION_MIN_CASES}+ production requirement"
        return (f"{self.cases} cases: production needs {PRODUCTION_MIN_CASES}+ "
                f"({PRODUCTION_MIN_CASES - self.cases} more); Stage 2 minimum is {STAGE2_MIN_CASES}")


def readiness(golden_dir: Path = GOLDEN_DIR) -> tuple[Readiness, ...]:
    return tuple(Readiness(uc, n, n >= STAGE2_MIN_CASES, n >= PRODUCTION_MIN_CASES)
                 for uc, n in counts(golden_dir).items())

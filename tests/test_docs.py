"""The repository documents itself: every design document a docstring cites is a file in the repository.

A clone has only the repository, so a docstring that points at a design note kept outside it
leaves the reader with nothing. Every ``*.md`` path named in a module, class or function docstring
of the project must exist (relative to the repository root or to the module's own directory).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "stacks", "components", "policies", "blueprint", "router", "compliance", "evals", "prompts",
            "tests", "benchmarks")
MD_PATH = re.compile(r"(?<![\w/.-])((?:\.\./)*[\w.-]+(?:/[\w.-]+)*\.md)\b")


def docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))]
    return [doc for n in nodes if (doc := ast.get_docstring(n))]


def is_document(ref: str) -> bool:
    """A cited document: a path (``docs/architecture.md``) or a capitalised note name; a bare
    lower-case name such as ``diff.md`` is a file the code writes, not a document it cites."""
    return "/" in ref or ref.removesuffix(".md").isupper()


def _inside(candidate: Path) -> bool:
    """An existing file within the repository (a path that climbs out of it does not count, even
    where the machine happens to have a file there)."""
    resolved = candidate.resolve()
    return resolved.is_file() and resolved.is_relative_to(ROOT)


def unresolved(path: Path) -> list[str]:
    missing = []
    for doc in docstrings(path):
        for ref in filter(is_document, MD_PATH.findall(doc)):
            if not (_inside(ROOT / ref) or _inside(path.parent / ref)):
                missing.append(ref)
    return missing


FILES = [*sorted(p for pkg in PACKAGES if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")
                if ".venv" not in p.parts), ROOT / "__main__.py"]


def test_every_cited_document_is_in_the_repository() -> None:
    bad = {str(p.relative_to(ROOT)): refs for p in FILES if (refs := unresolved(p))}
    assert bad == {}


def test_the_architecture_page_exists_and_is_cited() -> None:
    assert (ROOT / "docs" / "architecture.md").is_file()
    assert any("docs/architecture.md" in doc for p in FILES for doc in docstrings(p))


def test_a_reference_outside_the_repository_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""See STYLE.md, ../shared/FACTS.md and docs/architecture.md; writes report.md."""\n')
    assert unresolved(module) == ["STYLE.md", "../shared/FACTS.md"]


def test_the_readme_counts_the_rules_and_families_that_exist() -> None:
    """The README's rule count is the one a reviewer quotes: it must match the rule set."""
    import re

    from policies.rules import all_rules

    rules = all_rules()
    words = {10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen"}
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`policies/rules/` holds (\d+) rules in (\w+) families", text)
    assert match, "README no longer states the rule count"
    families = len({r.family for r in rules})
    assert (int(match.group(1)), match.group(2)) == (len(rules), words.get(families, str(families)))

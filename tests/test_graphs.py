"""Graph byte-identity: dev, prod and prod as each classification tier plan to the committed goldens.

The goldens (``tests/graphs/<variant>.json``) are the graphs as ``blueprint plan`` writes them. A
change that alters a plan on purpose regenerates them in the same commit and says why:

    make goldens        # = .venv/bin/python -m tests.test_graphs

A refactoring must leave every byte unchanged. The plans come from the session caches shared with
the other tests (``tests/conftest.py``, ``tests/components/tiers.py``), so this costs no extra plan.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from blueprint.graph import Graph
from tests.components.tiers import TIERS, tier_graph

pytestmark = pytest.mark.integration

GOLDEN_DIR = Path(__file__).resolve().parent / "graphs"
VARIANTS = ("dev", "prod", *(f"prod-{tier}" for tier in TIERS))


def _graph(variant: str, planned: Callable[[str], Graph]) -> Graph:
    return tier_graph(variant.removeprefix("prod-")) if variant.startswith("prod-") else planned(variant)


def _bytes(graph: Graph, tmp: Path) -> bytes:
    """The graph exactly as ``blueprint plan`` writes it (``Graph.write``)."""
    return graph.write(tmp / "graph.json").read_bytes()


@pytest.mark.parametrize("variant", VARIANTS)
def test_graph_is_byte_identical_to_its_golden(variant: str, planned: Callable[[str], Graph], tmp_path: Path) -> None:
    golden = GOLDEN_DIR / f"{variant}.json"
    assert golden.is_file(), f"no golden for {variant}: run `make goldens` and commit tests/graphs/"
    actual = _bytes(_graph(variant, planned), tmp_path)
    expected = golden.read_bytes()
    if actual != expected:
        diff = difflib.unified_diff(expected.decode().splitlines(), actual.decode().splitlines(),
                                    f"golden/{variant}.json", f"planned/{variant}.json", lineterm="", n=2)
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"{variant} plans differently from its golden (intended? `make goldens` and say why in "
                    f"the commit):\n{shown}")


def _regenerate() -> None:
    import tempfile

    from tests.conftest import plan_variant

    GOLDEN_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:
            graph = tier_graph(variant.removeprefix("prod-")) if variant.startswith("prod-") else plan_variant(variant)
            data = _bytes(graph, Path(tmp))
            target = GOLDEN_DIR / f"{variant}.json"
            changed = not target.is_file() or target.read_bytes() != data
            target.write_bytes(data)
            print(f"{'updated' if changed else 'unchanged'} {target.relative_to(Path.cwd())} ({len(graph.nodes)} nodes)")


if __name__ == "__main__":
    sys.exit(_regenerate())

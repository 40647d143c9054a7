"""Framework catalogs (``compliance/catalogs/<framework>.yaml``, schema ``compliance/catalog.schema.json``).

Loading checks every catalog against the schema and every rule's ``controls`` against the
catalogs: a rule citing a control no catalog holds is an error, so a citation cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.inputs import InputError
from core.schema import StrictDraft202012
from core.yamlsafe import load_yaml

HERE = Path(__file__).resolve().parent
CATALOG_DIR = HERE / "catalogs"
SCHEMA = HERE / "catalog.schema.json"
EVIDENCE_CLASSES = ("plan", "plan+live", "live", "process")


class CatalogError(ValueError):
    """A catalog breaks its schema, or a rule cites a control no catalog has; names file/rule and id."""


@dataclass(frozen=True)
class Control:
    framework: str
    id: str
    section: str
    title: str
    evidence: str
    how: str = ""
    level: int | None = None
    assessment: str | None = None

    @property
    def ref(self) -> str:
        """The id rules cite: ``<framework>:<id>``."""
        return f"{self.framework}:{self.id}"


@dataclass(frozen=True)
class Catalog:
    framework: str
    title: str
    version: str
    source: str
    controls: tuple[Control, ...]
    levels: bool = False
    reference: str = ""

    def sections(self) -> list[str]:
        return list(dict.fromkeys(c.section for c in self.controls))


def _load_file(path: Path, validator: Any) -> Catalog:
    try:
        data = load_yaml(path)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise CatalogError(f"{path.name}: {where}: does not match the catalog schema ({errors[0].validator} check)")
    if data["framework"] != path.stem:
        raise CatalogError(f"{path.name}: framework id differs from the file name")
    ids = [c["id"] for c in data["controls"]]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"{path.name}: duplicate control ids: {', '.join(dupes)}")
    controls = tuple(Control(framework=data["framework"], id=c["id"], section=c["section"], title=c["title"],
                             evidence=c["evidence"], how=c.get("how", ""), level=c.get("level"),
                             assessment=c.get("assessment")) for c in data["controls"])
    return Catalog(framework=data["framework"], title=data["title"], version=str(data["version"]), source=data["source"],
                   controls=controls, levels=bool(data.get("levels")), reference=data.get("reference", ""))


def load_catalogs(directory: Path = CATALOG_DIR) -> dict[str, Catalog]:
    """Every catalog in ``directory``, schema-checked, keyed by framework id."""
    validator = StrictDraft202012(json.loads(SCHEMA.read_text(encoding="utf-8")))
    catalogs = [_load_file(p, validator) for p in sorted(directory.glob("*.yaml"))]
    if not catalogs:
        raise CatalogError(f"{directory.name}: no catalogs")
    return {c.framework: c for c in catalogs}


def check_citations(catalogs: Mapping[str, Catalog], rules: Iterable[Any]) -> None:
    """Raise CatalogError naming every rule whose ``controls`` cite an id no catalog holds."""
    known = {c.ref for cat in catalogs.values() for c in cat.controls}
    bad = [f"{r.id} cites {ref}" for r in rules for ref in r.controls if ref not in known]
    if bad:
        raise CatalogError("rules cite controls no catalog has: " + "; ".join(bad))


@cache
def catalogs() -> dict[str, Catalog]:
    """The shipped catalogs, with every rule citation resolved (the one entry point reports use)."""
    from policies.rules import all_rules

    loaded = load_catalogs()
    check_citations(loaded, all_rules())
    return loaded

"""`blueprint plan` prints the out-of-band checklist: what must exist before a stack's first deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprint.planning import before_first_deploy, print_checklist
from core.tables import prerequisites
from tests.conftest import ROOT


def test_prod_checklist_lists_what_the_stack_cannot_create(capsys: pytest.CaptureFixture[str]) -> None:
    print_checklist("prod", ROOT)
    out = capsys.readouterr().out
    assert "before the first deploy of 'prod'" in out
    ids = {p.id for p in before_first_deploy("prod", ROOT)}
    assert {"router-image", "identity-groups", "image-signing-key", "apm-vantage-point-workers"} <= ids
    assert "router-database-secret" not in ids and "tls-certificate" not in ids  # prod sets neither
    for p in before_first_deploy("prod", ROOT):
        assert p.what in out and p.doc in out and p.config in out


def test_checklist_follows_the_stack(tmp_path: Path) -> None:
    dev = {p.id for p in before_first_deploy("dev", ROOT)}
    assert "image-signing-key" not in dev  # dev does not verify image signatures
    assert len(dev) < len(prerequisites())


def test_checklist_names_config_keys_never_values(capsys: pytest.CaptureFixture[str]) -> None:
    print_checklist("prod", ROOT)
    out = capsys.readouterr().out
    stack_file = (ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    assert "ocid1." not in out and "sha256:" not in out
    assert "Default/genai-prod-network-admins" in stack_file and "Default/genai-prod-network-admins" not in out

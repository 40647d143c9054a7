"""Prompts as code: every prompt file validates, is locked, and a changed body needs a new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prompts import registry

REAL = registry.PROMPTS_DIR


def test_at_least_three_use_cases_validate() -> None:
    prompts = registry.load_all()
    assert len(prompts) >= 3
    for versions in prompts.values():
        for p in versions.values():
            assert p.system and "{question}" in p.template and "{context}" in p.template
            assert (REAL.parent / p.golden_set).is_file(), f"{p.ref}: gating golden set missing"


def test_every_version_is_locked() -> None:
    assert registry.lock_problems() == []


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "prompts"
    shutil.copytree(REAL, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root, root / "prompts.lock.json"


def test_changed_body_without_version_bump_fails(tmp_path: Path) -> None:
    root, lock = _copy(tmp_path)
    path = root / "rag-assistant" / "1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("one or two sentences", "three sentences"), encoding="utf-8")
    problems = registry.lock_problems(root, lock)
    assert problems == ["rag-assistant@1.0.0: content changed without a version bump; "
                        "add a new version file instead of editing a released one"]


def test_new_version_must_be_locked_and_then_passes(tmp_path: Path) -> None:
    root, lock = _copy(tmp_path)
    text = (root / "rag-assistant" / "1.0.0.md").read_text(encoding="utf-8")
    (root / "rag-assistant" / "9.0.0.md").write_text(text.replace("version: 1.0.0", "version: 9.0.0"), encoding="utf-8")
    assert [p.split(":")[0] for p in registry.lock_problems(root, lock)] == ["rag-assistant@9.0.0"]
    registry.write_lock(root, lock)
    assert registry.lock_problems(root, lock) == []
    assert registry.latest("rag-assistant", root).version == "9.0.0"


def test_removed_released_version_fails(tmp_path: Path) -> None:
    root, lock = _copy(tmp_path)
    (root / "ops-agent" / "1.0.0.md").unlink()
    assert registry.lock_problems(root, lock) == [
        "ops-agent@1.0.0: locked but its file is gone (released versions stay for rollback)"]


F = "rag-assistant/1.0.0.md: "


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("version: 1.0.0", "version: v1.0.0"), "rag-assistant/1.0.0.md: version: pattern check failed"),
    (lambda t: t.replace("owner: genai-platform-team@example.com\n", ""), F + "(front matter): required check failed"),
    (lambda t: t.replace("id: rag-assistant", "id: other-prompt"), "rag-assistant/1.0.0.md: id: must equal the directory name"),
    (lambda t: t.replace("version: 1.0.0", "version: 1.0.1"), "rag-assistant/1.0.0.md: version: must equal the file name"),
    (lambda t: t.replace("## Template", "## Body"), "rag-assistant/1.0.0.md: body: needs exactly one"),
    (lambda t: t.replace("Question: {question}", "Question:"), "rag-assistant/1.0.0.md: Template: missing the {question}"),
    (lambda t: t.replace("---\n", "", 1), "rag-assistant/1.0.0.md: no YAML front matter"),
    (lambda t: t.replace("model_family: cohere.command-r", "model_family: [x"), F + "front matter is not valid YAML"),
    (lambda t: t.replace("change_note:", "secret: hunter2-value\nchange_note:"), F + "(front matter): additionalProperties"),
])
def test_schema_errors_name_file_and_field_never_the_value(tmp_path: Path, edit, message: str) -> None:
    root, _ = _copy(tmp_path)
    path = root / "rag-assistant" / "1.0.0.md"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(registry.PromptError) as err:
        registry.load_all(root)
    assert str(err.value).startswith(message)
    assert "hunter2" not in str(err.value)


def test_get_unknown_version_is_an_error() -> None:
    with pytest.raises(registry.PromptError, match=r"rag-assistant@9\.9\.9 does not exist"):
        registry.get("rag-assistant", "9.9.9")


def test_render_fills_context_and_question() -> None:
    p = registry.get("rag-assistant", "1.0.0")
    msgs = p.messages(context="<document id=\"x\">\nA.\n</document>", question="Why?")
    assert msgs[0] == {"role": "system", "content": p.system}
    assert msgs[1]["content"].endswith("Question: Why?") and "<document id=\"x\">" in msgs[1]["content"]

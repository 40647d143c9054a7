"""Stack files and stack names as `blueprint plan` meets them: each bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blueprint.cli import main
from blueprint.stackconfig import StackConfigError, load_stack_config
from core.markers import SECRET_MARKER
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's files a plan reads, inside tmp_path/proj (outputs go to tmp_path/proj/out)."""
    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        (proj / name).write_text((ROOT / name).read_text())
    return proj


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def plan(capsys, proj: Path, stack: str) -> tuple[int, list[str]]:
    code = main(["--project-dir", str(proj), "--out", str(proj / "out"), "plan", stack])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


def one_error(capsys, proj: Path, stack: str = "dev") -> str:
    before = files_under(proj.parent)
    code, lines = plan(capsys, proj, stack)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert files_under(proj.parent) == before, "a failed plan wrote something"
    return lines[0]


@pytest.mark.parametrize("stack", ["..", ".", "../../../outside/x", "a/b", "dev/../dev", "x" * 101, "",
                                   "dev\x1b[31m", "dev\n"])
def test_stack_names_pulumi_refuses_never_touch_the_filesystem(capsys, project, stack):
    # Stack files planted where a traversing name would find them, and outputs where it would write.
    (project / "Pulumi.." ).mkdir()
    (project / "Pulumi....yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    (project.parent / "outside").mkdir()
    (project.parent / "outside" / "x.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    line = one_error(capsys, project, stack)
    assert "not a valid stack name" in line or "a stack name" in line
    assert "\x1b" not in line
    assert not (project / "out").exists() and not (project.parent / "graph.json").exists()


def test_a_stack_name_pulumi_accepts_is_planned(capsys, project):
    (project / "Pulumi.dev_2.x-y.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    code, lines = plan(capsys, project, "dev_2.x-y")
    assert code == 0, lines
    assert (project / "out" / "dev_2.x-y" / "graph.json").is_file()


def test_pulumi_yaml_config_as_a_list_is_an_error(capsys, project):
    (project / "Pulumi.yaml").write_text("name: genai-platform\nruntime: python\nconfig:\n  - a\n  - b\n")
    assert one_error(capsys, project) == "error: stack 'dev': Pulumi.yaml: config: wrong type; expected a mapping of " \
                                         "config keys to their types"


def test_pulumi_yaml_with_a_bad_project_name_is_an_error(capsys, project):
    (project / "Pulumi.yaml").write_text("name: ../x\nruntime: python\n")
    assert "Pulumi.yaml: name: not a valid project name" in one_error(capsys, project)


def test_stack_file_that_is_a_directory(capsys, project):
    (project / "Pulumi.dev.yaml").unlink()
    (project / "Pulumi.dev.yaml").mkdir()
    assert one_error(capsys, project) == "error: stack 'dev': Pulumi.dev.yaml: is a directory, not a file"


def test_stack_file_in_a_symlink_loop(capsys, project):
    (project / "Pulumi.dev.yaml").unlink()
    (project / "Pulumi.dev.yaml").symlink_to(project / "Pulumi.loop.yaml")
    (project / "Pulumi.loop.yaml").symlink_to(project / "Pulumi.dev.yaml")
    assert one_error(capsys, project).endswith("Pulumi.dev.yaml: cannot be opened (a symlink loop)")


def test_stack_file_not_utf8(capsys, project):
    text = (project / "Pulumi.dev.yaml").read_bytes().replace(b"costCenter: CC-AI-DEV", b"costCenter: CC-\xe9")
    (project / "Pulumi.dev.yaml").write_bytes(text)
    assert "Pulumi.dev.yaml:9: not UTF-8 text" in one_error(capsys, project)


def test_stack_file_unreadable(capsys, project, monkeypatch):
    (project / "Pulumi.dev.yaml").chmod(0)
    if os.geteuid() == 0:  # root reads any mode: fail the open as it fails for any other user
        from core import inputs

        real_open = inputs.os.open

        def open_(path, *args, **kwargs):
            if str(path).endswith("Pulumi.dev.yaml"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(inputs.os, "open", open_)
    assert one_error(capsys, project).endswith("Pulumi.dev.yaml: cannot be read (permission denied)")


def test_duplicate_classification_line_is_refused(capsys, project):
    text = (project / "Pulumi.dev.yaml").read_text().replace(
        "  genai-platform:classification: internal\n",
        "  genai-platform:classification: restricted\n  genai-platform:classification: public\n")
    (project / "Pulumi.dev.yaml").write_text(text)
    line = one_error(capsys, project)
    assert line.endswith("Pulumi.dev.yaml:5: config.genai-platform:classification: duplicate key; "
                         "each key may appear once (no silent override)")
    assert "public" not in line and "restricted" not in line


def test_yaml_bomb_in_a_stack_file(capsys, project):
    bomb = "  genai-platform:bomb:\n    a: &a [" + ",".join(["x"] * 10) + "]\n"
    bomb += "".join(f"    {c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
    (project / "Pulumi.dev.yaml").write_text((project / "Pulumi.dev.yaml").read_text() + bomb)
    assert "refusing a YAML bomb" in one_error(capsys, project)


def test_the_secret_placeholder_text_is_not_a_value(capsys, project):
    text = (project / "Pulumi.dev.yaml").read_text().replace(
        "      critical:\n        emails: [genai-dev-oncall@example.com]\n",
        f"      critical:\n        emails: [genai-dev-oncall@example.com]\n        pagerDutyUrls: ['{SECRET_MARKER}']\n")
    (project / "Pulumi.dev.yaml").write_text(text)
    assert one_error(capsys, project).endswith(
        f"Pulumi.dev.yaml: genai-platform:operations.notifications.critical.pagerDutyUrls[0]: the text {SECRET_MARKER} is "
        "reserved for secure values offline; allowed: a real value, or a secret set with `pulumi config set --secret`")


def test_a_missing_classification_fails_closed(capsys, project):
    text = (project / "Pulumi.dev.yaml").read_text().replace("  genai-platform:classification: internal\n", "")
    (project / "Pulumi.dev.yaml").write_text(text)
    code, lines = plan(capsys, project, "dev")
    assert code == 2
    assert "  genai-platform: missing required key 'classification'" in lines
    assert not (project / "out").exists()


def test_a_project_default_for_the_classification_is_refused(capsys, project):
    (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text().replace(
        "    type: string\n", "    type: string\n    default: internal\n"))
    assert "declares a default tier" in one_error(capsys, project)


def test_the_shipped_project_declares_no_default_tier():
    cfg = load_stack_config(ROOT, "dev")
    assert cfg.values["genai-platform:classification"] == "internal"  # from the stack file itself


def test_secure_leaves_are_recorded_by_path():
    cfg = load_stack_config(ROOT, "prod")
    assert "genai-platform:operations.notifications.critical.pagerDutyUrls[0]" in cfg.secret_paths
    assert all(p.split(".")[0] in cfg.secret_keys for p in cfg.secret_paths)


def test_a_malformed_secure_value_is_refused(tmp_path):
    for name in ("Pulumi.yaml",):
        (tmp_path / name).write_text((ROOT / name).read_text())
    (tmp_path / "Pulumi.s.yaml").write_text("config:\n  genai-platform:data:\n    database:\n"
                                            "      adminPassword: {secure: 42}\n")
    with pytest.raises(StackConfigError, match=r"database\.adminPassword: a secure value must be exactly"):
        load_stack_config(tmp_path, "s")

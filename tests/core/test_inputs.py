"""Reading untrusted files: directories, FIFOs, symlink loops, unreadable, oversized and non-UTF-8 files."""

from __future__ import annotations

import os

import pytest

from core import inputs
from core.inputs import InputError, escape, key_path, read_text

pytestmark = pytest.mark.unit


def error_of(path, **kw) -> str:
    with pytest.raises(InputError) as info:
        read_text(path, **kw)
    return str(info.value)


def test_a_regular_utf8_file_is_read(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes("\ufeffa: ü\n".encode())
    assert read_text(path) == "a: ü\n"


def test_missing_file(tmp_path):
    assert error_of(tmp_path / "nope.yaml") == "nope.yaml: file not found"


def test_directory(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    assert error_of(tmp_path / "d.yaml") == "d.yaml: is a directory, not a file"


def test_symlink_loop(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert error_of(tmp_path / "a.yaml") == "a.yaml: cannot be opened (a symlink loop)"


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.yaml")
    assert error_of(tmp_path / "p.yaml") == "p.yaml: is not a regular file"


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any mode: make the open fail the way it fails for everyone else
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(inputs.os, "open", denied)
    assert error_of(path) == "secret.yaml: cannot be read (permission denied)"


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"owner: ok\nname: caf\xe9\n")
    assert error_of(path) == "latin.yaml:2: not UTF-8 text"


def test_oversized(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a" * 2048)
    assert error_of(path, max_bytes=1024) == "big.yaml: larger than 1024 bytes; refusing to parse it"


def test_escape_never_passes_terminal_controls():
    assert escape("ok-key_1.x") == "ok-key_1.x"
    assert escape("\x1b[31mred\x07\n\u202e\u200b\\") == "\\x1b[31mred\\x07\\x0a\\u202e\\u200b\\\\"
    assert len(escape("k" * 500)) == 80
    assert key_path(["config", "a\x1b", 0, "b"]) == "config.a\\x1b[0].b"

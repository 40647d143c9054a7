"""Reading untrusted input files, and wording problems about them without echoing what they hold.

Every reader of a user-supplied file (stack files, ``Pulumi.yaml``, waivers, the classification
matrix, a resource graph) goes through :func:`read_text`: it refuses directories, FIFOs and devices,
symlink loops, unreadable, oversized and non-UTF-8 files with one :class:`InputError` line naming
the file. Key names quoted in a message go through :func:`escape`, so control characters and
terminal escape sequences hidden in a key are shown escaped, never sent raw to a terminal.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterable
from pathlib import Path

#: Input files larger than this are refused before parsing (the stack files are a few KiB; graphs ~1 MiB).
DEFAULT_MAX_BYTES = 1 << 20
#: Quoted key names longer than this are cut (a message line stays one readable line).
MAX_QUOTED = 80


class InputError(Exception):
    """One line: the file, optionally the line and key path inside it, and what is wrong (never a value)."""

    def __init__(self, file: str, message: str, *, where: str = "", line: int | None = None) -> None:
        self.file, self.where, self.line, self.message = file, where, line, message
        location = file + (f":{line}" if line is not None else "")
        super().__init__(f"{location}: {where}: {message}" if where else f"{location}: {message}")


def escape(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` safe to print on one terminal line: control, format (bidi) and separator characters escaped."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch)[0] in "CZ" and ch != " ":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    escaped = "".join(out)
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"


def key_path(parts: Iterable[str | int]) -> str:
    """``['config', 'a', 0, 'b']`` → ``config.a[0].b``, every key escaped."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + escape(str(part))
    return out


def read_text(path: Path, *, label: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The UTF-8 text of a regular file, or InputError naming ``label`` (default: the file name)."""
    name = label or escape(path.name)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it anyway.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(name, "file not found") from None
    except PermissionError:
        raise InputError(name, "cannot be read (permission denied)") from None
    except OSError as exc:
        reason = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror or type(exc).__name__
        raise InputError(name, f"cannot be opened ({reason})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(name, "is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise InputError(name, "is not a regular file")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 16, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except PermissionError:
        raise InputError(name, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise InputError(name, f"larger than {max_bytes} bytes; refusing to parse it")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(name, "not UTF-8 text", line=line) from None

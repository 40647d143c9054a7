"""Pulumi's naming rules for projects and stacks, checked before a name touches the filesystem.

From the Pulumi SDK (sdk/go/common/tokens): a stack name is 1–100 characters of
``[A-Za-z0-9_.-]`` (``ParseStackName``, stack_name.go); a project name is 1–100 characters
matching ``[A-Za-z_.][A-Za-z0-9_.-]*`` (``ValidateProjectName`` / ``IsName``, project.go, names.go):
https://github.com/pulumi/pulumi/blob/master/sdk/go/common/tokens/stack_name.go
https://github.com/pulumi/pulumi/blob/master/sdk/go/common/tokens/names.go

Pulumi's stack pattern admits ``.`` and ``..``; here a stack name is also a path segment
(``Pulumi.<stack>.yaml``, ``out/<stack>/``), so those two are refused as well.
"""

from __future__ import annotations

import re

from core.inputs import escape

STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
PROJECT_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.-]{0,99}")
_PATH_SEGMENTS = (".", "..")


class InvalidName(ValueError):
    """A stack or project name Pulumi would refuse (or that would leave its directory)."""


def stack_name_problem(name: object) -> str | None:
    """Why ``name`` is not a usable stack name, or None."""
    if not isinstance(name, str):
        return "a stack name must be text"
    if not STACK_NAME.fullmatch(name):
        return "not a valid stack name; allowed: 1 to 100 letters, digits, '-', '_' or '.' (Pulumi's rule)"
    if name in _PATH_SEGMENTS:
        return "not a valid stack name; '.' and '..' are path segments"
    return None


def check_stack_name(name: object) -> str:
    problem = stack_name_problem(name)
    if problem:
        shown = escape(name) if isinstance(name, str) else type(name).__name__
        raise InvalidName(f"stack '{shown}': {problem}")
    assert isinstance(name, str)
    return name


def project_name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not PROJECT_NAME.fullmatch(name):
        return "not a valid project name; allowed: 1 to 100 letters, digits, '-', '_' or '.', not starting with a digit or '-'"
    return None

"""What every command shares: exit codes, the console, and the one-line report of bad input.

Commands import this (never ``blueprint.cli``), so the CLI sits on top and nothing imports it back.
"""

from __future__ import annotations

from rich.console import Console

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def report_input_error(stack: str, exc: Exception) -> int:
    """Print a stack's configuration problems (one line each, never a value) and return EXIT_INPUT."""
    from blueprint.stackconfig import InvalidStackName
    from core.inputs import escape
    from core.problems import SettingsError

    err = console(stderr=True)
    if isinstance(exc, SettingsError):
        err.print(f"error: stack '{escape(stack)}' has an invalid configuration ({len(exc.problems)} problem(s)); "
                  "nothing was planned:", markup=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False)
    elif isinstance(exc, InvalidStackName):  # its message names the stack already
        err.print(f"error: {exc}", markup=False)
    else:
        err.print(f"error: stack '{escape(stack)}': {exc}", markup=False)
    return EXIT_INPUT

"""`check --format table` (default): findings grouped by severity, one summary line per stack."""

from __future__ import annotations

import io
from collections.abc import Sequence

from blueprint.outputs import OutputFormat, RenderOptions
from core.severity import SEVERITIES
from policies.findings import StackResult

SHOWN = ("fail", "indeterminate", "waived")


def render(results: Sequence[StackResult], options: RenderOptions) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, soft_wrap=True, force_terminal=options.color,
                      no_color=not options.color, width=options.width)
    for result in results:
        s = result.summary()
        shown = [f for f in result.findings if options.show_pass or f.status in SHOWN]
        table = Table(title=f"blueprint check {result.stack}: {s['resources']} resources, {s['findings']} findings",
                      show_lines=False)
        for col in ("severity", "rule", "status", "enforcement", "resource", "what is wrong"):
            table.add_column(col)
        ordered = sorted(shown, key=lambda f: (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
                                               f.rule, f.urn))
        for f in ordered:
            table.add_row(f.severity, f.rule, f.status, f.enforcement, f.urn.rsplit("::", 1)[-1] or result.stack,
                          f.message or f.title, )
        if ordered:
            console.print(table)
        blocking = result.failing(options.allow_indeterminate)
        console.print(f"{result.stack}: {s['pass']} pass, {s['fail']} fail, {s['indeterminate']} indeterminate, "
                      f"{s['waived']} waived, {s['not_applicable']} not applicable — "
                      + ("[red]FAILED[/]" if blocking else "[green]OK[/]") + f" ({len(blocking)} blocking)")
    return buffer.getvalue().rstrip("\n")


FORMAT = OutputFormat(name="table", kind="findings", suffix=".txt", description="findings by severity (terminal)",
                      render=render)

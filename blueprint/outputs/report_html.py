"""`report`: one self-contained HTML page per framework — inline CSS, no scripts, no external assets;
a Content-Security-Policy forbids loading anything, so the page makes no request when opened."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions
from compliance.model import CONTROL_STATUSES, STATUS_LABELS

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_COLOURS = {"pass": "#1b7f3b", "fail": "#b3261e", "waived": "#8a5a00", "indeterminate": "#6a4fb3",
            "not_applicable": "#5f6368", "uncovered": "#a1421a", "live_only": "#0b57d0", "process": "#3c4043"}
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1180px;
color:#1f1f1f;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:12.5px}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #e0e0e0;padding:4px 7px;text-align:left;vertical-align:top}th{background:#f5f5f5;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.z{color:#bbb}
.s{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}
details{border:1px solid #e6e6e6;border-radius:6px;margin:5px 0;padding:4px 10px}summary{cursor:pointer}
code{font-size:12px;word-break:break-all}.how{color:#0b57d0}.rem{color:#333}
.cards{display:flex;gap:8px;flex-wrap:wrap;margin:10px 0}
.card{border-radius:8px;padding:8px 12px;color:#fff;min-width:92px}.card b{display:block;font-size:20px}
"""


def _badge(status: str) -> str:
    return f'<span class="s" style="background:{_COLOURS[status]}">{escape(STATUS_LABELS[status])}</span>'


def _count_cells(counts: Mapping[str, int]) -> str:
    return "".join(f'<td class="n{" z" if not counts[s] else ""}">{counts[s]}</td>' for s in CONTROL_STATUSES)


def _control(c: Mapping[str, Any]) -> str:
    level = f" · level {c['level']} ({escape(c['assessment'])})" if "level" in c else ""
    confirm = " · <b>a live tenancy must confirm</b>" if c["evidence"] == "plan+live" and c["status"] == "pass" else ""
    head = (f"<summary>{_badge(c['status'])} <b>{escape(c['id'])}</b> {escape(c['title'])} "
            f"<span class=\"meta\">· {escape(c['evidence'])}{level}{confirm}</span></summary>")
    body = []
    if c.get("how"):
        body.append(f'<p class="how">Outside the plan, evidence: {escape(c["how"])}.</p>')
    if not c["rules"]:
        body.append("<p>No rule evidences this control.</p>")
    else:
        rows = []
        for r in c["rules"]:
            if not r["results"]:
                rows.append(f"<tr><td>{escape(r['id'])}</td><td>{escape(r['severity'])}</td><td>—</td>"
                            f"<td>not applicable ({r['not_applicable']})</td><td></td></tr>")
            for res in r["results"]:
                note = escape(res["message"])
                if res.get("waiver"):
                    w = res["waiver"]
                    state = "expired waiver" if w["expired"] else "waived"
                    note = (f"<b>{state}</b>: approver {escape(w['approver'])}, expires {escape(w['expires'])} — "
                            f"{escape(w['reason'])}")
                rows.append(f"<tr><td>{escape(r['id'])}</td><td>{escape(r['severity'])}</td><td><code>{escape(res['urn'])}</code>"
                            f"</td><td>{_badge(res['status']) if res['status'] in _COLOURS else escape(res['status'])}</td>"
                            f"<td>{note}</td></tr>")
        body.append("<table><tr><th>rule</th><th>severity</th><th>resource (URN)</th><th>result</th><th>note</th></tr>"
                    + "".join(rows) + "</table>")
        body.append("<ul>" + "".join(f'<li><b>{escape(r["id"])}</b> {escape(r["title"])}. '
                                     f'<span class="rem">Remediation: {escape(r["remediation"])}</span></li>'
                                     for r in c["rules"]) + "</ul>")
    return f"<details{' open' if c['status'] in ('fail', 'waived') else ''}>{head}{''.join(body)}</details>"


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    fw, summary = model["framework"], model["summary"]
    title = f"{fw['title']} {fw['version']} — {model['stack']}"
    header = "".join(f"<th>{escape(STATUS_LABELS[s])}</th>" for s in CONTROL_STATUSES)
    section_rows = "".join(f"<tr><td>{escape(s['name'])}</td><td class=\"n\">{s['controls']}</td>{_count_cells(s['counts'])}</tr>"
                           for s in model["sections"])
    section_rows += f"<tr><th>all</th><th class=\"n\">{summary['controls']}</th>{_count_cells(summary['counts'])}</tr>"
    cards = "".join(f'<div class="card" style="background:{_COLOURS[s]}"><b>{summary["counts"][s]}</b>'
                    f'{escape(STATUS_LABELS[s])}</div>' for s in CONTROL_STATUSES)
    levels = ""
    if "levels" in summary:
        levels = ("<h2>By profile level</h2><table><tr><th>level</th>" + header + "</tr>"
                  + "".join(f"<tr><td>Level {escape(lv)}</td>{_count_cells(counts)}</tr>"
                            for lv, counts in summary["levels"].items())
                  + "</table>")
    by_section = "".join(f"<h2>{escape(s['name'])}</h2>" + "".join(_control(c) for c in model["controls"]
                                                                   if c["section"] == s["name"])
                         for s in model["sections"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p class="meta">Project <code>{escape(model['project'])}</code> · commit <code>{escape(model['commit'])}</code> ·
stack config sha256 <code>{escape(model['config_sha256'][:16])}…</code> · {model['rules']} rules · generated
{escape(model['generated'])} · catalog source: {escape(fw['source'])}</p>
<p>Every status is computed from the stack's plan and the policy rules. <i>Uncovered</i> means no rule evidences
the control — it is never counted as passing. <i>Live-only</i> and <i>process</i> controls need evidence a plan
cannot hold; each says what would evidence it.</p>
<div class="cards">{cards}</div>
<h2>Summary by section</h2>
<table><tr><th>section</th><th>controls</th>{header}</tr>{section_rows}</table>
{levels}
{by_section}
</body></html>"""


FORMAT = OutputFormat(name="html", kind="report", suffix=".html", filename="report.html",
                      description="self-contained HTML page", render=render)

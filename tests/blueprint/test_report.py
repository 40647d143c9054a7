"""`blueprint report`: every format for every framework, a manifest of hashes, the compliance diff, the
scorecard and checklist for dev and prod, and the HTML page rendered in headless Chromium with no
external request."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from blueprint import outputs
from blueprint.cli import main
from compliance.catalogs import catalogs
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
CHROMIUM = Path("/usr/bin/chromium")
#: offline and quiet: no background services, and no host name resolves (nothing can leave the machine)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--host-resolver-rules=MAP * ~NOTFOUND")
WIDTH, HEIGHT = 1280, 1600


@pytest.fixture(scope="module")
def reported(tmp_path_factory, planned):
    out = tmp_path_factory.mktemp("out")
    graphs = {s: planned(s).write(out / s / "graph.json") for s in ("dev", "prod")}
    old = out / "dev-before.json"
    shutil.copy(graphs["dev"], old)
    code = main(["--project-dir", str(ROOT), "--out", str(out), "report", "dev", "prod", "--against", str(old)])
    return code, out


def test_report_writes_every_format_for_every_framework(reported, capsys):
    code, out = reported
    assert code == 0
    directory = out / "prod" / "compliance"
    files = {fmt.filename for fmt in outputs.formats().values() if fmt.kind == "report"}
    assert files == {"report.md", "report.html", "report.csv", "report.json", "component-definition.json",
                     "assessment-results.json"}
    for framework in catalogs():
        for name in files:
            assert (directory / framework / name).stat().st_size > 200, (framework, name)
    model = json.loads((directory / "cis-oci-3.1" / "report.json").read_text())
    assert model["summary"]["controls"] == 54 and set(model["summary"]["levels"]) == {"1", "2"}
    rows = list(csv.DictReader(io.StringIO((directory / "cis-oci-3.1" / "report.csv").read_text())))
    assert sum(r["row"] == "summary" for r in rows) == 54
    assert any(r["row"] == "detail" and r["resource"].startswith("urn:pulumi:prod::") for r in rows)


def test_the_manifest_hashes_every_artifact_with_commit_and_config_hash(reported):
    _, out = reported
    directory = out / "prod" / "compliance"
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["config_sha256"] == hashlib.sha256((ROOT / "Pulumi.prod.yaml").read_bytes()).hexdigest()
    assert manifest["commit"] != "unknown" and len(manifest["commit"].split("+")[0]) == 40
    listed = {a["path"]: a["sha256"] for a in manifest["artifacts"]}
    on_disk = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    assert all(hashlib.sha256((directory / p).read_bytes()).hexdigest() == h for p, h in listed.items())


def test_against_an_old_graph_lists_the_controls_whose_results_differ(reported):
    _, out = reported
    text = (out / "prod" / "compliance" / "diff.md").read_text()
    assert text.startswith("## Compliance diff: `prod` against `dev")
    dev = json.loads((out / "dev" / "compliance" / "cis-oci-3.1" / "report.json").read_text())
    prod = json.loads((out / "prod" / "compliance" / "cis-oci-3.1" / "report.json").read_text())
    differing = {c["id"] for c, d in zip(prod["controls"], dev["controls"], strict=True) if c["status"] != d["status"]}
    assert differing  # dev and prod differ (e.g. customer-managed keys are advisory in dev)
    for cid in differing:
        assert f"| cis-oci-3.1 | {cid} |" in text
    assert (out / "dev" / "compliance" / "diff.md").read_text().strip().endswith("No control changes status.")


def test_scorecard_and_checklist_are_printed_for_dev_and_prod_naming_their_evidence(reported, capsys):
    _, out = reported
    for stack in ("dev", "prod"):
        data = json.loads((out / stack / "compliance" / "readiness.json").read_text())
        assert len(data["scorecard"]["dimensions"]) == 6 and len(data["checklist"]) == 20
        assert all(d["evidence"] for d in data["scorecard"]["dimensions"])
        assert all(i["evidence"] for i in data["checklist"])
        assert data["verdict"] == ("ready" if not data["blocking"] else "not ready")
        md = (out / stack / "compliance" / "readiness.md").read_text()
        assert f"## Maturity scorecard — {stack}: {data['scorecard']['total']}/30" in md


def test_redact_hashes_ocids_and_emails_in_every_artifact(tmp_path, planned):
    graph = planned("prod").write(tmp_path / "prod" / "graph.json")
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "report", "--graph", str(graph), "--redact",
                 "--framework", "cis-oci-3.1"]) == 0
    directory = tmp_path / "prod" / "compliance"
    assert "ocid1." in graph.read_text()
    for path in directory.rglob("*"):
        if path.is_file():
            assert "ocid1." not in path.read_text(), path
    assert json.loads((directory / "manifest.json").read_text())["redacted"] is True


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "report", "prod", "--framework", "nope"]) == 2
    assert "unknown framework id(s) nope" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "report", "--graph", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a resource graph" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------------------
# The HTML page in headless Chromium
# ------------------------------------------------------------------------------------------------


def _render(page: Path, work: Path) -> tuple[Path, list[str]]:
    """Screenshot the page; return the http(s) URLs the page itself asked for (from Chromium's NetLog:
    requests whose network isolation key is the file:// page, not the browser's own services)."""
    shot, netlog = work / "shot.png", work / "netlog.json"
    done = subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
                           f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", f"--log-net-log={netlog}",
                           page.as_uri()], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = [e["params"]["url"] for e in log["events"] if e["type"] == start
                 and "file://" in str(e["params"].get("network_isolation_key", ""))
                 and e["params"]["url"].startswith(("http:", "https:"))]
    return shot, requested


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_html_page_renders_in_chromium_without_external_requests(reported, tmp_path):
    _, out = reported
    page = out / "prod" / "compliance" / "cis-oci-3.1" / "report.html"
    html = page.read_text()
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    assert "<script" not in html and "url(" not in html
    assert not any(attr in html for attr in ('src="http', "src='http", 'href="http', "href='http"))
    shot, requested = _render(page, tmp_path / "page")
    assert requested == []
    assert _png_size(shot) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 50_000  # a rendered report, not a blank page (blank: a few kB)
    artifacts = ROOT / "out" / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artifacts / "compliance-report-prod-cis-oci.png")


def test_the_network_check_sees_a_page_that_does_request_something(tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><img src="https://example.org/pixel.png"></body></html>')
    _, requested = _render(page, tmp_path / "leaky")
    assert requested == ["https://example.org/pixel.png"]


def test_grants_list_every_planned_statement_with_its_source_for_dev_and_prod(reported, capsys):
    _, out = reported
    for stack in ("dev", "prod"):
        directory = out / stack / "compliance"
        data = json.loads((directory / "grants.json").read_text())
        assert data["summary"]["unmatched"] == 0 and data["summary"]["unknown"] == 0
        assert data["summary"]["matched"] == data["summary"]["statements"] >= 90
        assert all(s["source"]["doc"].startswith("https://docs.oracle.com/") for s in data["statements"])
        md = (directory / "grants.md").read_text()
        assert md.startswith(f"# IAM grants of `{stack}` and their sources")
        manifest = json.loads((directory / "manifest.json").read_text())
        assert {"grants.md", "grants.json"} <= {a["path"] for a in manifest["artifacts"]}
        assert manifest["grants"] == data["summary"]

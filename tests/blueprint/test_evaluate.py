"""`blueprint eval`: exit codes, reports, comparisons and input errors (loopback endpoint only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blueprint.cli import main
from tests.conftest import ROOT
from tests.evals.fake_endpoint import FakeEndpoint
from tests.evals.test_runner import degraded_prompts

pytestmark = pytest.mark.integration
GOLDEN = str(ROOT / "evals" / "golden" / "rag-assistant.jsonl")


def _eval(url: str, tmp_path: Path, *extra: str) -> int:
    return main(["--project-dir", str(ROOT), "--out", str(tmp_path / "out"), "eval", "dev", "--golden", GOLDEN,
                 "--endpoint", url, "--embedding-model", "embed", *extra])


def test_passes_and_writes_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeEndpoint() as ep:
        assert _eval(ep.url, tmp_path, "--prompt-version", "1.0.0") == 0
    out = capsys.readouterr().out
    for metric in ("relevance", "groundedness", "coverage", "harmful_rate", "latency_p95_s", "cost_per_request_usd"):
        assert metric in out
    doc = json.loads((tmp_path / "out" / "dev" / "eval" / "rag-assistant@1.0.0.json").read_text())
    assert doc["passed"] and len(doc["cases"]) == 50 and doc["aggregate"]["coverage"] == 1.0
    assert all(c["version"] == "fake@1" for c in doc["cases"])
    assert "**Gate: PASS**" in (tmp_path / "out" / "dev" / "eval" / "rag-assistant@1.0.0.md").read_text()


def test_degraded_prompt_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = degraded_prompts(tmp_path)
    with FakeEndpoint() as ep:
        assert _eval(ep.url, tmp_path, "--prompts-dir", str(root), "--prompt-version", "1.9.0") == 1
    err = capsys.readouterr().err
    assert "gate failed: coverage" in err and "gate failed: groundedness" in err


def test_compare_reports_significant_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = degraded_prompts(tmp_path)
    with FakeEndpoint() as ep:
        assert _eval(ep.url, tmp_path, "--prompts-dir", str(root), "--compare", "1.0.0", "1.9.0") == 1
    doc = json.loads((tmp_path / "out" / "dev" / "eval" / "compare-rag-assistant-1.0.0-1.9.0.json").read_text())
    assert doc["metrics"]["coverage"]["mean_difference"] == -1.0
    assert doc["metrics"]["groundedness"]["p_value"] < 0.001
    assert "candidate regresses coverage significantly" in capsys.readouterr().err
    with FakeEndpoint() as ep:
        assert _eval(ep.url, tmp_path, "--compare", "1.0.0", "1.0.0") == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "no-such-model"], "--model: not a logical model name in the stack's catalogue"),
    (["--prompt-version", "9.9.9"], "--prompt-version: no such version"),
    (["--api-key-env", "GENAI_EVAL_UNSET_KEY"], "--api-key-env: the named environment variable is not set"),
])
def test_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    with FakeEndpoint() as ep:
        assert _eval(ep.url, tmp_path, *args) == 2
    assert message in capsys.readouterr().err


def test_bad_golden_and_unreachable_endpoint_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rag-assistant.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    assert main(["--project-dir", str(ROOT), "eval", "dev", "--golden", str(bad), "--endpoint", "http://127.0.0.1:9",
                 "--embedding-model", "e"]) == 2
    assert "--golden: rag-assistant.jsonl:1:" in capsys.readouterr().err
    assert _eval("http://127.0.0.1:9", tmp_path) == 2
    assert "/v1/chat/completions: endpoint unreachable" in capsys.readouterr().err
    assert _eval("ftp://127.0.0.1", tmp_path) == 2
    assert "endpoint: must be an http(s) URL" in capsys.readouterr().err

"""`blueprint verify`: alarm metrics against a loopback Monitoring stub (ListAlarms, ListMetrics; every request's
OCI signature verified with router/testing/oci_stub.py's helper) and unit prices against a loopback price catalogue.
Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from blueprint.alarms import alarm_rows
from blueprint.cli import main
from blueprint.verify import PriceFact, check_prices, checked_endpoint, classify, price_facts
from components.mql import parse
from core.genai_units import UNIT_SHAPES
from router.testing.oci_stub import parse_authorization, verify_signature
from stacks.settings.model import DEFAULT_MODEL_PARTS, on_demand_default_prices
from tests.conftest import ROOT

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaverifytestcompartment0000000000000000000000000000000"
ALARMS_PATH = "/20180401/alarms"
LIST_METRICS_PATH = "/20180401/metrics/actions/listMetrics"
PAGE = 7  # ListAlarms / ListMetrics page size: the client must follow opc-next-page


@dataclass
class MonitoringState:
    key: rsa.RSAPublicKey
    alarms: list[dict[str, Any]] = field(default_factory=list)
    streams: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)


class _Monitoring(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, next_page: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("opc-request-id", "stub")
        if next_page:
            self.send_header("opc-next-page", next_page)
        self.end_headers()
        self.wfile.write(data)

    def _page(self, rows: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        start = int(query.get("page", ["0"])[0])
        nxt = str(start + PAGE) if start + PAGE < len(rows) else None
        self._send(200, rows[start:start + PAGE], nxt)

    def _verified(self, body: bytes | None) -> bool:
        state: MonitoringState = self.server.state
        if not verify_signature(self, parse_authorization(self.headers.get("authorization", "")), state.key, body):
            self._send(401, {"code": "NotAuthenticated", "message": "The required information to complete "
                                                                    "authentication was not provided."})
            return False
        return True

    def do_GET(self) -> None:
        state: MonitoringState = self.server.state
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path != ALARMS_PATH:
            self._send(404, {"code": "NotFound", "message": "no such path"})
            return
        if not self._verified(None):
            return
        state.calls.append("ListAlarms")
        state.calls.append(f"lifecycleState={query.get('lifecycleState', ['any'])[0]}")
        self._page([a for a in state.alarms if a["compartmentId"] == query["compartmentId"][0]
                    and a["lifecycleState"] in query.get("lifecycleState", [a["lifecycleState"]])], query)

    def do_POST(self) -> None:
        state: MonitoringState = self.server.state
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if url.path != LIST_METRICS_PATH:
            self._send(404, {"code": "NotFound", "message": "no such path"})
            return
        if not self._verified(body):
            return
        state.calls.append("ListMetrics")
        details = json.loads(body)
        rows = [s for s in state.streams if s["compartmentId"] == query["compartmentId"][0]
                and s["namespace"] == details["namespace"] and s["name"] == details["name"]]
        self._page(rows, query)


class _Prices(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        status, payload = self.server.answer(query.get("partNumber", [""])[0], query.get("currencyCode", [""])[0])
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _serve(handler: type[BaseHTTPRequestHandler], **attrs: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for k, v in attrs.items():
        setattr(server, k, v)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _config(tmp_path: Path, key: rsa.RSAPrivateKey) -> Path:
    pem = tmp_path / "key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaaverifytestuser\n"
                      "fingerprint=12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef\n"
                      f"key_file={pem}\ntenancy=ocid1.tenancy.oc1..aaaaaaaaverifytesttenancy\nregion=eu-frankfurt-1\n")
    return config


def _streams_for(query: str, namespace: str) -> list[dict[str, Any]]:
    """Streams that pass every filter of the query, each with one more dimension OCI adds."""
    out = []
    for cond in parse(query).conditions:
        dims = {"resourceDisplayName": "stub"}
        for f in cond.filters:
            dims[f.dimension] = (f.value.split("|")[0].replace("*", "x") if f.operator == "=~"
                                 else f.value if f.operator == "=" else f.value + "-other")
        for d in cond.group_by or ():
            dims.setdefault(d, "search")
        out.append({"namespace": namespace, "name": cond.metric, "compartmentId": COMPARTMENT, "dimensions": dims})
    return out


@pytest.fixture()
def deployed(planned, tmp_path: Path) -> Iterator[tuple[MonitoringState, Path, str]]:
    """prod planned into tmp_path/out, deployed into the stub as planned, with a stream behind every query."""
    planned("prod").write(tmp_path / "out" / "prod" / "graph.json")
    key = _key()
    state = MonitoringState(key.public_key())
    for i, row in enumerate(alarm_rows(planned("prod"))):
        state.alarms.append({"id": f"ocid1.alarm.oc1.eu-frankfurt-1.stub{i}", "displayName": row.display_name,
                             "compartmentId": COMPARTMENT, "metricCompartmentId": COMPARTMENT,
                             "namespace": row.namespace, "query": row.query, "severity": row.severity,
                             "destinations": [], "isEnabled": True, "lifecycleState": "ACTIVE"})
        state.streams += _streams_for(row.query, row.namespace)
    state.alarms.append({**state.alarms[0], "id": "ocid1.alarm.oc1.eu-frankfurt-1.other", "displayName": "not-ours",
                         "query": "this is no query"})  # another team's alarm in the compartment: ignored
    state.alarms.append({**state.alarms[1], "id": "ocid1.alarm.oc1.eu-frankfurt-1.gone", "query": "deleted",
                         "lifecycleState": "DELETED"})  # an earlier deploy's alarm of the same name, deleted
    yield from ((state, _config(tmp_path, key), url) for url in _serve(_Monitoring, state=state))


def _verify(capsys: pytest.CaptureFixture[str], tmp_path: Path, config: Path, url: str,
            *extra: str) -> tuple[int, str, str]:
    code = main(["--project-dir", str(ROOT), "--out", str(tmp_path / "out"), "verify", "prod", "--only", "alarms",
                 "--compartment-id", COMPARTMENT, "--config-file", str(config), "--monitoring-endpoint", url, *extra])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def _row(out: str, alarm: str) -> list[str]:
    """The alarm's row: alarm, namespace, metric(s), status and detail (columns are two spaces apart or more)."""
    (line,) = [ln for ln in out.splitlines() if ln.split() and ln.split()[0] == alarm]
    return [*re.split(r"\s{2,}", line), ""][:5]


def _status(out: str, alarm: str) -> str:
    return _row(out, alarm)[3]


def test_every_planned_alarm_matches_a_stream_ok(capsys, deployed, tmp_path: Path) -> None:
    state, config, url = deployed
    code, out, err = _verify(capsys, tmp_path, config, url)
    names = [r["displayName"] for r in state.alarms if r["displayName"] != "not-ours" and r["lifecycleState"] == "ACTIVE"]
    assert code == 0, out + err
    assert all(_status(out, n) == "ok" for n in names)
    assert f"{len(names)} ok" in out and "not-ours" not in out
    assert state.calls.count("ListAlarms") == -(-(len(state.alarms) - 1) // PAGE)  # every page of active alarms
    assert set(state.calls) >= {"lifecycleState=ACTIVE"} and "lifecycleState=any" not in state.calls
    assert state.calls.count("ListMetrics") >= len({(s["namespace"], s["name"]) for s in state.streams})


def test_no_traffic_yet_is_no_data_yet_and_passes(capsys, deployed, tmp_path: Path) -> None:
    state, config, url = deployed
    for s in state.streams:
        if s["namespace"] == "oci_autonomous_database":
            s["dimensions"]["resourceId"] = "ocid1.autonomousdatabase.oc1.eu-frankfurt-1.someoneelses"
    code, out, _ = _verify(capsys, tmp_path, config, url)
    assert code == 0
    assert _status(out, "genai-prod-database-cpu") == "no-data-yet"
    assert _status(out, "genai-prod-gateway-5xx") == "ok"


def test_a_query_filtering_on_a_dimension_the_streams_lack_is_wrong_dimension(capsys, deployed, tmp_path: Path) -> None:
    """The mutation: the unschedulable-pods alarm filters on clusterId, which OCI's streams do not carry."""
    state, config, url = deployed
    (alarm,) = [a for a in state.alarms if a["displayName"] == "genai-prod-oke-unschedulable-pods"]
    alarm["query"] = alarm["query"].replace("{resourceId =", "{clusterId =")
    code, out, err = _verify(capsys, tmp_path, config, url)
    assert code == 1, out + err
    assert _row(out, "genai-prod-oke-unschedulable-pods")[3:] == [
        "wrong-dimension", "query names clusterId; OCI reports dimensions resourceDisplayName, resourceId"]
    assert "ocid1.cluster" not in out  # dimension names, never values


def test_the_endpoint_alarms_watch_every_stream_and_print_ocis_dimension_names(capsys, deployed,
                                                                             tmp_path: Path) -> None:
    """The Generative AI endpoint alarms name no dimension (no page names one): whatever OCI calls it, they
    watch every endpoint's stream, and verify prints the names OCI reports (never the values)."""
    state, config, url = deployed
    genai = [s for s in state.streams if s["namespace"] == "oci_generativeai"]
    assert genai and all(set(s["dimensions"]) == {"resourceDisplayName"} for s in genai)
    state.streams = [s for s in state.streams if s["namespace"] != "oci_generativeai"] + [
        {**s, "dimensions": {"endpointId": f"ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.e{i}",
                             "resourceDisplayName": f"genai-prod-e{i}"}}
        for s in genai for i in range(3)]
    code, out, err = _verify(capsys, tmp_path, config, url)
    assert code == 0, out + err
    for alarm in ("genai-prod-dedicated-cluster-latency", "genai-prod-dedicated-cluster-server-errors"):
        assert _row(out, alarm)[3:] == [
            "ok", "watches every stream (3); OCI reports dimensions endpointId, resourceDisplayName"]
    assert "ocid1.generativeaiendpoint" not in out and "genai-prod-e1" not in out


def test_endpoint_metrics_without_streams_are_no_metric(capsys, deployed, tmp_path: Path) -> None:
    """No dedicated endpoint call in two weeks, or a wrong metric name: the unfiltered alarms still fail."""
    state, config, url = deployed
    state.streams = [s for s in state.streams if s["namespace"] != "oci_generativeai"]
    code, out, _ = _verify(capsys, tmp_path, config, url)
    assert code == 1
    assert [_status(out, a) for a in ("genai-prod-dedicated-cluster-latency",
                                      "genai-prod-dedicated-cluster-server-errors")] == ["no-metric", "no-metric"]


def test_a_metric_without_streams_is_no_metric_and_a_missing_alarm_not_deployed(capsys, deployed, tmp_path: Path) -> None:
    state, config, url = deployed
    state.streams = [s for s in state.streams if s["namespace"] != "genai_quality"]
    state.alarms = [a for a in state.alarms if a["displayName"] != "genai-prod-slo-latency-p95"]
    code, out, _ = _verify(capsys, tmp_path, config, url)
    assert code == 1
    assert _status(out, "genai-prod-slo-quality-groundedness") == "no-metric"
    assert _status(out, "genai-prod-slo-latency-p95") == "not-deployed"


def test_a_deployed_query_the_grammar_refuses_is_unparseable(capsys, deployed, tmp_path: Path) -> None:
    state, config, url = deployed
    state.alarms[0]["query"] = "CpuUtilization[5m]{resourceId = }.mean() > 80"
    code, out, _ = _verify(capsys, tmp_path, config, url)
    assert code == 1 and _status(out, state.alarms[0]["displayName"]) == "unparseable"


def test_classify_each_status() -> None:
    cond = parse('M[5m]{resourceId = "a", state =~ "X|Y*"}.groupBy(tool).sum() > 0').conditions[0]
    assert classify(cond, [])[0] == "no-metric"
    assert classify(cond, [{"resourceId": "a", "state": "Yes", "tool": "t"}]) == ("ok", "")
    assert classify(cond, [{"resourceId": "b", "state": "X", "tool": "t"}])[0] == "no-data-yet"
    status, detail = classify(cond, [{"resourceId": "a", "state": "X"}])
    assert status == "wrong-dimension" and detail == "query names tool; OCI reports dimensions resourceId, state"
    whole = parse("M[5m].sum() > 0").conditions[0]
    assert classify(whole, []) == ("no-metric", "ListMetrics returned no stream of this metric in the compartment")
    assert classify(whole, [{"resourceId": "a"}, {"resourceId": "b"}]) == (
        "ok", "watches every stream (2); OCI reports dimensions resourceId")


# ---- errors: one line, exit 2, nothing of a value or credential ----


def test_a_wrong_key_is_an_authentication_failure(capsys, deployed, tmp_path: Path) -> None:
    _, _, url = deployed
    other = tmp_path / "other"
    other.mkdir()
    code, out, err = _verify(capsys, tmp_path, _config(other, _key()), url)
    assert code == 2 and out == ""
    assert err.strip() == "error: Monitoring ListAlarms failed: HTTP 401 NotAuthenticated"


def test_an_unreachable_endpoint(capsys, deployed, tmp_path: Path) -> None:
    _, config, _ = deployed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused
        code, _, err = _verify(capsys, tmp_path, config, f"http://127.0.0.1:{port}")
    assert code == 2 and err.startswith("error: Monitoring ListAlarms: could not reach the endpoint (")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(("args", "expected"), [
    (["--monitoring-endpoint", "http://example.com"], "error: --monitoring-endpoint: not an allowed URL"),
    (["--prices-url", "ftp://127.0.0.1/x"], "error: --prices-url: not an allowed URL"),
    (["--compartment-id", "ocid1.user.oc1..aaaa"], "error: --compartment-id: not a compartment OCID"),
])
def test_bad_arguments(capsys, deployed, tmp_path: Path, args: list[str], expected: str) -> None:
    state, config, url = deployed
    code, _, err = _verify(capsys, tmp_path, config, url, *args)
    assert code == 2 and err.startswith(expected) and len(err.splitlines()) == 1
    assert "ocid1.user" not in err and state.calls == []


def test_missing_compartment(capsys, tmp_path: Path) -> None:
    code = main(["--project-dir", str(ROOT), "--out", str(tmp_path), "verify", "prod"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --compartment-id: required to check alarms")


def test_config_file_errors(capsys, deployed, tmp_path: Path) -> None:
    _, config, url = deployed
    secret_line = next(ln for ln in config.read_text().splitlines() if ln.startswith("fingerprint"))
    code, _, err = _verify(capsys, tmp_path, tmp_path / "absent", url)
    assert code == 2 and err.strip() == f"error: OCI config file '{tmp_path / 'absent'}': not found or unreadable"
    code, _, err = _verify(capsys, tmp_path, config, url, "--profile", "OPS")
    assert code == 2 and err.strip().endswith("profile 'OPS': no such profile")
    broken = tmp_path / "broken"
    broken.write_text(config.read_text().replace(secret_line, "fingerprint=not-a-fingerprint"))
    code, _, err = _verify(capsys, tmp_path, broken, url)
    assert code == 2 and err.strip().endswith("profile 'DEFAULT': invalid or missing fingerprint")
    assert "not-a-fingerprint" not in err
    nokey = tmp_path / "nokey"
    nokey.write_text(config.read_text().replace(str(tmp_path / "key.pem"), str(tmp_path / "gone.pem")))
    code, _, err = _verify(capsys, tmp_path, nokey, url)
    assert code == 2 and "the key file it names is missing or not a usable private key" in err


def test_a_bad_stack_is_reported_before_any_call(capsys, deployed, tmp_path: Path) -> None:
    state, config, url = deployed
    code = main(["--project-dir", str(ROOT), "--out", str(tmp_path / "out"), "verify", "../x",
                 "--compartment-id", COMPARTMENT, "--config-file", str(config), "--monitoring-endpoint", url])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and state.calls == []
    code = main(["--project-dir", str(ROOT), "--out", str(tmp_path / "out"), "verify", "nosuchstack",
                 "--compartment-id", COMPARTMENT, "--config-file", str(config), "--monitoring-endpoint", url])
    assert code == 2 and "nosuchstack" in capsys.readouterr().err and state.calls == []
    assert not (tmp_path / "out" / "nosuchstack").exists()


def test_nothing_is_written(capsys, deployed, tmp_path: Path) -> None:
    """Without a fresh graph the planned alarms come from a plan kept in memory; failures write nothing either."""
    state, config, url = deployed
    empty = tmp_path / "no-graph-here"
    args = ["--project-dir", str(ROOT), "--out", str(empty), "verify", "prod", "--only", "alarms",
            "--compartment-id", COMPARTMENT, "--monitoring-endpoint", url]
    assert main([*args, "--config-file", str(tmp_path / "absent")]) == 2
    assert main([*args, "--config-file", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"{len(state.alarms) - 2} ok" in out
    assert not empty.exists()


# ---- prices ----


def _item(fact: PriceFact, value: float, name: str | None = None) -> dict[str, Any]:
    unit = "AI Unit Per Hour" if fact.dedicated else "10,000 Transactions"
    return {"partNumber": fact.part, "displayName": f"Oracle Cloud Infrastructure Generative AI - {name or fact.product}",
            "metricName": unit, "serviceCategory": "Generative AI",
            "currencyCodeLocalizations": [{"currencyCode": "USD", "prices": [{"model": "PAY_AS_YOU_GO", "value": value}]}]}


def _catalogue(items: dict[str, dict[str, Any]], asked: list[tuple[str, str]]) -> Any:
    def answer(part: str, currency: str) -> tuple[int, Any]:
        asked.append((part, currency))
        return 200, {"items": [items[part]] if part in items else [], "hasMore": False}
    return answer


def _prices(capsys, tmp_path: Path, answer: Any) -> tuple[int, str, str]:
    for url in _serve(_Prices, answer=answer):
        code = main(["--project-dir", str(ROOT), "--out", str(tmp_path), "verify", "prod", "--only", "prices",
                     "--prices-url", f"{url}/pls/apex/cetools/api/v1/products/"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def _rows(out: str) -> dict[str, list[str]]:
    """priced as → [priced as, part, ours, catalogue, status, detail] (columns two spaces apart or more)."""
    return {ln.split()[0]: [*re.split(r"\s{2,}", ln), ""][:6] for ln in out.splitlines()[1:-1]}


def test_every_price_fact_is_a_unit_shape_or_a_default_on_demand_model() -> None:
    facts = price_facts()
    assert [f.part for f in facts if f.dedicated] == [s.part for s in UNIT_SHAPES.values()]
    assert {f.what.split()[0] for f in facts if not f.dedicated} == set(DEFAULT_MODEL_PARTS) == set(on_demand_default_prices())
    assert len({f.part for f in facts}) == len(facts)


def test_prices_match_the_catalogue(capsys, tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []
    facts = price_facts()
    code, out, _ = _prices(capsys, tmp_path, _catalogue({f.part: _item(f, f.ours) for f in facts}, asked))
    assert code == 0 and f"{len(facts)} ok" in out
    assert sorted(asked) == sorted((f.part, "USD") for f in facts)


def test_a_mismatch_a_wrong_product_and_a_missing_part(capsys, tmp_path: Path) -> None:
    facts = price_facts()
    shape, dedicated_as_on_demand, missing, on_demand, ok = facts[0], facts[1], facts[2], facts[-1], facts[3]
    items = {f.part: _item(f, f.ours) for f in facts}
    items[shape.part] = _item(shape, shape.ours + 0.5)
    items[dedicated_as_on_demand.part] = _item(dedicated_as_on_demand, dedicated_as_on_demand.ours, "Cohere Rerank")
    del items[missing.part]
    items[on_demand.part] = _item(on_demand, on_demand.ours, on_demand.product + " - Dedicated")
    code, out, _ = _prices(capsys, tmp_path, _catalogue(items, []))
    assert code == 1
    rows = _rows(out)
    assert rows[shape.what.split()[0]][1:5] == [shape.part, f"{shape.ours:g}", f"{shape.ours + 0.5:g}", "mismatch"]
    assert "core/genai_units.py UNIT_SHAPES" in rows[shape.what.split()[0]][5]
    assert rows[dedicated_as_on_demand.what.split()[0]][4:] == [
        "wrong-product", "the catalogue names this part 'Oracle Cloud Infrastructure Generative AI - Cohere Rerank'"]
    assert rows[missing.what.split()[0]][3:5] == ["-", "not-in-catalogue"]
    assert rows[on_demand.what.split()[0]][4] == "wrong-product"  # an on-demand part must not name a dedicated line
    assert rows[ok.what.split()[0]][4] == "ok"


def test_an_on_demand_price_mismatch_names_its_home(capsys, tmp_path: Path) -> None:
    facts = price_facts()
    (cheap,) = [f for f in facts if f.what.startswith("command-r ")]
    items = {f.part: _item(f, f.ours) for f in facts}
    items[cheap.part] = _item(cheap, 0.0009)
    code, out, _ = _prices(capsys, tmp_path, _catalogue(items, []))
    assert code == 1
    assert _rows(out)["command-r"][2:] == [f"{cheap.ours:g}", "0.0009", "mismatch",
                                          "stacks/settings/model.py _DEFAULT_MODELS must follow the catalogue"]


def test_catalogue_failures_are_one_line(capsys, tmp_path: Path) -> None:
    first = price_facts()[0].part
    code, _, err = _prices(capsys, tmp_path, lambda part, cur: (503, {"error": "down"}))
    assert code == 2 and err.strip() == f"error: price catalogue GET products (part number {first}) failed: HTTP 503"
    code, _, err = _prices(capsys, tmp_path, lambda part, cur: (200, b"<html>"))
    assert code == 2 and err.strip().endswith("the response is not JSON")
    code, _, err = _prices(capsys, tmp_path, lambda part, cur: (200, {"items": "x"}))
    assert code == 2 and err.strip().endswith("the response has no 'items' list of objects")


def test_check_prices_reads_both_price_block_shapes() -> None:
    fact = price_facts()[0]
    item = {"partNumber": fact.part, "displayName": fact.product,
            "prices": [{"currencyCode": "USD", "prices": [{"model": "PAY_AS_YOU_GO", "value": fact.ours}]}]}
    results = check_prices(lambda part: [item] if part == fact.part else [])
    assert results[0].status == "ok" and {r.status for r in results[1:]} == {"not-in-catalogue"}


def test_only_https_or_loopback_http() -> None:
    assert checked_endpoint("https://telemetry.eu-frankfurt-1.oraclecloud.com", "x")
    assert checked_endpoint("http://127.0.0.1:8080/p", "x")
    for bad in ("http://localhost:1", "http://10.0.0.1", "file:///etc/passwd", "https://"):
        with pytest.raises(Exception, match="not an allowed URL"):
            checked_endpoint(bad, "x")


def test_a_negotiated_unit_price_is_reported_as_negotiated_never_as_a_mismatch(capsys, tmp_path: Path) -> None:
    """model.unitPrices: the shape's list price is still compared with the catalogue; the stack's own price is
    reported as negotiated (not compared, not printed, not a failure)."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    doc["config"]["genai-platform:model"]["unitPrices"] = {"LARGE_COHERE_V2_2": 13.75}
    (proj / "Pulumi.prod.yaml").write_text(yaml.safe_dump(doc))
    facts = price_facts()
    (large,) = [f for f in facts if f.shape == "LARGE_COHERE_V2_2"]
    for url in _serve(_Prices, answer=_catalogue({f.part: _item(f, f.ours) for f in facts}, [])):
        code = main(["--project-dir", str(proj), "--out", str(tmp_path / "out"), "verify", "prod", "--only", "prices",
                     "--prices-url", f"{url}/pls/apex/cetools/api/v1/products/"])
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.out + out.err
    rows = _rows(out.out)
    assert rows["LARGE_COHERE_V2_2"][4] == "ok"  # the list price, compared as before
    assert rows["model.unitPrices.LARGE_COHERE_V2_2"][1:5] == [large.part, "-", f"{large.ours:g}", "negotiated"]
    assert "not compared" in rows["model.unitPrices.LARGE_COHERE_V2_2"][5]
    assert "13.75" not in out.out and f"{len(facts)} ok, 1 negotiated" in out.out.splitlines()[-1]
    assert [r for r in rows if r.startswith("model.unitPrices.")] == ["model.unitPrices.LARGE_COHERE_V2_2"]

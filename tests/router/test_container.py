"""The container contract: the planned router Deployment runs the image as the image expects.

The prod plan comes from the main venv (`.venv/bin/python -m blueprint plan prod`, Pulumi is not
in this venv). Static: the Dockerfile's ENV/CMD/USER use router/container.py's paths, and the
planned container's command, args, env and mounts satisfy ``contract_problems``; moving the mount
(or the image's config variable) in one place breaks it. Live: the real LiteLLM proxy started with
exactly the planned argv and env, with the planned ConfigMap's content at its mount path (every
mounted path rebased under a temporary root), serves a chat completion through our hooks against
the loopback OCI stub.

What the live test substitutes, and why (nothing else is changed):
- ``--host``/``--port``: loopback and a free port (the pod's 0.0.0.0:4000 is not ours here);
- the OCI endpoint inside the config: the stub's loopback URL (no OCI here);
- the signer: ``GENAI_ROUTER_SIGNER=api-key`` with a throwaway key the stub verifies (no OKE
  workload identity here); Secret-sourced variables get throwaway values;
- ``PYTHONPATH``: the image's /opt/genai-router is the repo's router/hooks (the Dockerfile copies it);
- OCI Cache: the planned REDIS_HOST (the cluster's FQDN) becomes a real TLS-only redis-server on
  loopback, its port replaces 6379 in the config, and SSL_CERT_FILE trusts its throwaway CA;
- telemetry targets: the config's otel_endpoint and the Monitoring/Logging endpoints point at the
  stub; the Secret-mounted APM data key file holds the stub's throwaway key.
The proxy then really emits: request logs reach the planned log id, spans reach APM, and the
per-tenant counters land in the shared Redis.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from router import container as contract
from router.testing.oci_stub import GUARDRAILS_PATH, OCIStub, reply_text
from router.testing.proxy import eventually, free_port, stop_process, throwaway_key, wait_until_live
from router.testing.redis_server import RedisServer

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "router" / "Dockerfile"
MAIN_PYTHON = REPO / ".venv" / "bin" / "python"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


@pytest.fixture(scope="module")
def image() -> contract.Image:
    return contract.parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The prod plan's router pod spec and ConfigMaps, planned by the main venv."""
    if not MAIN_PYTHON.exists():
        pytest.fail("the main venv is missing: run `make setup` (make test does)")
    out = tmp_path_factory.mktemp("plan")
    subprocess.run([str(MAIN_PYTHON), "-m", "blueprint", "--project-dir", str(REPO), "--out", str(out), "plan", "prod"],
                   check=True, capture_output=True, cwd=REPO, timeout=600)
    graph = json.loads((out / "prod" / "graph.json").read_text(encoding="utf-8"))
    deployments = [n for n in graph["nodes"] if n["type"] == DEPLOYMENT]
    assert len(deployments) == 1, "prod plans exactly one router Deployment"
    config_maps = {n["inputs"]["metadata"]["name"]: n["inputs"]["data"] for n in graph["nodes"] if n["type"] == CONFIG_MAP}
    return {"pod": deployments[0]["inputs"]["spec"]["template"]["spec"], "config_maps": config_maps}


def _router(pod: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in pod["containers"] if c["name"] == "router")


# -- the image ---------------------------------------------------------------------------------


def test_dockerfile_reads_the_config_where_the_contract_says(image: contract.Image) -> None:
    for name in contract.CONFIG_ENV:
        assert image.env.get(name) == contract.CONFIG_PATH, name
    assert contract.flags(image.cmd)["config"] == contract.CONFIG_PATH
    assert contract.flags(image.cmd)["port"] == str(contract.CONTAINER_PORT)
    assert image.entrypoint == ("litellm",)
    assert image.user.split(":")[0] == str(contract.RUN_AS)
    assert contract.CONTAINER_PORT in image.exposed


def test_parse_dockerfile_takes_the_final_stage_and_exec_forms() -> None:
    parsed = contract.parse_dockerfile('FROM a\nENV X=1\nCMD ["old"]\nFROM b\nENV Y="two words" \\\n  Z=3\n'
                                       'ENTRYPOINT ["run"]\nCMD ["--config", "/c"]\nUSER 7:7\nEXPOSE 80/tcp\n')
    assert parsed == contract.Image(("run",), ("--config", "/c"), {"Y": "two words", "Z": "3"}, "7:7", (80,))
    with pytest.raises(ValueError, match="exec"):
        contract.parse_dockerfile("FROM a\nCMD litellm --config /c\n")


def test_process_follows_kubernetes_command_and_args(image: contract.Image) -> None:
    argv, env = contract.process(image, {"args": ["--port", "1"], "env": [
        {"name": "A", "value": "x"}, {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})
    assert argv == ["litellm", "--port", "1"]  # args replace CMD, ENTRYPOINT stays
    assert env["A"] == "x" and env["S"] is None and env["GENAI_ROUTER_CONFIG"] == contract.CONFIG_PATH
    argv, _ = contract.process(image, {"command": ["sh"], "args": ["-c", "x"]})
    assert argv == ["sh", "-c", "x"]  # command replaces ENTRYPOINT (and drops CMD)
    argv, _ = contract.process(image, {})
    assert argv == ["litellm", *image.cmd]


# -- the planned Deployment against the image ----------------------------------------------------


def test_planned_router_container_agrees_with_the_image(prod: dict[str, Any], image: contract.Image) -> None:
    assert contract.contract_problems(image, prod["pod"], prod["config_maps"]) == []


def test_moving_the_mount_in_the_deployment_alone_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    pod = copy.deepcopy(prod["pod"])
    mount = next(m for m in _router(pod)["volumeMounts"] if m["name"] == "config")
    mount["mountPath"] = "/etc/litellm"  # the defect this contract exists for
    problems = contract.contract_problems(image, pod, prod["config_maps"])
    assert any("no volume mount" in p for p in problems), problems


def test_moving_the_config_in_the_image_alone_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    moved = contract.Image(image.entrypoint, image.cmd, {**image.env, "GENAI_ROUTER_CONFIG": "/etc/litellm/config.yaml"},
                           image.user, image.exposed)
    problems = contract.contract_problems(moved, prod["pod"], prod["config_maps"])
    assert problems == ["GENAI_ROUTER_CONFIG names another file than --config"]


def test_a_config_key_the_configmap_lacks_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    config_maps = {name: {"other.yaml": next(iter(data.values()))} for name, data in prod["config_maps"].items()}
    problems = contract.contract_problems(image, prod["pod"], config_maps)
    assert any("is not a key of the ConfigMap" in p for p in problems), problems


def test_a_writable_config_mount_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    pod = copy.deepcopy(prod["pod"])
    next(m for m in _router(pod)["volumeMounts"] if m["name"] == "config")["readOnly"] = False
    problems = contract.contract_problems(image, pod, prod["config_maps"])
    assert problems == ["the config mount '/etc/genai-router' is not read-only"]


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {str(e["name"]): e.get("value") for e in container.get("env") or []}


def test_planned_pod_gives_the_hooks_their_telemetry_and_shared_state(prod: dict[str, Any]) -> None:
    """The variables the hooks and LiteLLM read (router/container.py names them once) are set from the plan."""
    from genai_router_hooks import telemetry

    assert (telemetry.ENV_LOG_ID, telemetry.ENV_APM_DATA_KEY_FILE) == (contract.LOG_ID_ENV, contract.APM_DATA_KEY_FILE_ENV)
    env = _env(_router(prod["pod"]))
    assert env[contract.LOG_ID_ENV].startswith("ocid1.log.")
    assert env[contract.REDIS_HOST_ENV].endswith(".redis.eu-frankfurt-1.oci.oraclecloud.com")
    assert (env[contract.REDIS_PORT_ENV], env[contract.REDIS_SSL_ENV]) == ("6379", "true")
    assert env[contract.APM_DATA_KEY_FILE_ENV] == contract.APM_DATA_KEY_PATH
    volume = next(v for v in prod["pod"]["volumes"] if v["name"] == "telemetry")
    assert volume["secret"]["secretName"] == contract.TELEMETRY_SECRET
    assert [i["key"] for i in volume["secret"]["items"]] == [contract.APM_DATA_KEY]


def test_the_pods_grace_period_holds_litellms_drain_and_the_final_flush(prod: dict[str, Any]) -> None:
    """SIGKILL comes terminationGracePeriodSeconds after SIGTERM: the planned pod's period leaves room for
    the installed LiteLLM's drain cap (GracefulShutdownManager, GRACEFUL_SHUTDOWN_TIMEOUT unset in the
    pod) and then the hooks' final telemetry flush (handler.flush_after_drain)."""
    from genai_router_hooks import telemetry
    from litellm.proxy.shutdown.graceful_shutdown_manager import GracefulShutdownManager

    assert prod["pod"]["terminationGracePeriodSeconds"] == contract.TERMINATION_GRACE_S
    assert "GRACEFUL_SHUTDOWN_TIMEOUT" not in _env(_router(prod["pod"]))
    assert GracefulShutdownManager.get_timeout() + telemetry.SHUTDOWN_FLUSH_S < contract.TERMINATION_GRACE_S


def test_an_env_reference_the_pod_does_not_set_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    pod = copy.deepcopy(prod["pod"])
    container = _router(pod)
    container["env"] = [e for e in container["env"] if e["name"] != contract.REDIS_HOST_ENV]
    problems = contract.contract_problems(image, pod, prod["config_maps"])
    assert problems == [f"the config reads os.environ/{contract.REDIS_HOST_ENV}, which the container does not set"]


def test_a_data_key_file_outside_a_secret_volume_breaks_the_contract(prod: dict[str, Any], image: contract.Image) -> None:
    pod = copy.deepcopy(prod["pod"])
    container = _router(pod)
    for e in container["env"]:
        if e["name"] == contract.APM_DATA_KEY_FILE_ENV:
            e["value"] = contract.CONFIG_DIR + "/apm-data-key"  # the ConfigMap, not the Secret
    problems = contract.contract_problems(image, pod, prod["config_maps"])
    assert problems == [f"{contract.APM_DATA_KEY_FILE_ENV}: '{contract.CONFIG_DIR}/apm-data-key' is not under a Secret volume"]


# -- the real proxy, started as the pod would start it -------------------------------------------


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}


@pytest.mark.integration
def test_real_proxy_runs_the_planned_container(prod: dict[str, Any], image: contract.Image, tmp_path: Path) -> None:
    pod, config_maps = prod["pod"], prod["config_maps"]
    container = _router(pod)
    root = tmp_path / "root"
    moved = contract.materialize(root, container, pod, config_maps)
    argv, env = contract.process(image, container)

    key, key_file = throwaway_key(tmp_path)
    data_key = "throwaway-apm-data-key"
    with OCIStub(public_key=key.public_key(), apm_data_key=data_key) as stub, RedisServer(tls=True) as cache:
        # The one change to the ConfigMap's content: OCI's endpoint is the loopback stub.
        config_file = Path(contract.rebase(contract.flags(argv)["config"], moved))
        text = config_file.read_text(encoding="utf-8")
        endpoints = {line.split(": ", 1)[1] for line in text.splitlines()
                     if line.strip().startswith(("api_base: ", "oci_endpoint: "))}
        assert len(endpoints) == 1, "one OCI endpoint in the config"
        text = text.replace(endpoints.pop(), stub.url)
        # Traces to the stub's APM path; OCI Cache's port to the loopback TLS redis-server.
        traces = next(line.split(": ", 1)[1] for line in text.splitlines() if line.strip().startswith("otel_endpoint: "))
        text = text.replace(traces, stub.url + traces[traces.index("/20200101/"):])
        assert text.count(": 6379\n") == 3, "OCI Cache's port: router_settings, cache_params, genai_router.redis"
        config_file.write_text(text.replace(": 6379\n", f": {cache.port}\n"), encoding="utf-8")
        key_path = Path(contract.rebase(env[contract.APM_DATA_KEY_FILE_ENV] or "", moved))
        key_path.write_text(data_key, encoding="utf-8")

        port = free_port()
        opts = contract.flags(argv)
        run = [str(Path(sys.executable).with_name(argv[0]))]
        for i, token in enumerate(argv[1:], start=1):
            previous = argv[i - 1]
            run.append("127.0.0.1" if previous == "--host" else str(port) if previous == "--port"
                       else contract.rebase(token, moved))
        if "host" not in opts:
            run += ["--host", "127.0.0.1"]
        proc_env = {name: (contract.rebase(value, moved) if value is not None else "throwaway-" + name.lower())
                    for name, value in env.items()}
        proc_env.update({
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO / "router" / "hooks"),
            "GENAI_ROUTER_SIGNER": "api-key",
            "GENAI_ROUTER_KEY_TENANCY": "ocid1.tenancy.oc1..aaaaaaaatesttenancy",
            "GENAI_ROUTER_KEY_USER": "ocid1.user.oc1..aaaaaaaatestuser",
            "GENAI_ROUTER_KEY_FINGERPRINT": "20:3b:97:13:55:1c:aa:bb:cc:dd:ee:ff:00:11:22:33",
            "GENAI_ROUTER_KEY_FILE": str(key_file),
            "NO_PROXY": "127.0.0.1,localhost",
            "LITELLM_LOG": "ERROR",
            contract.REDIS_HOST_ENV: "127.0.0.1",
            contract.REDIS_PORT_ENV: str(cache.port),
            "SSL_CERT_FILE": str(cache.ca_file),
            "GENAI_ROUTER_MONITORING_ENDPOINT": stub.url,
            "GENAI_ROUTER_LOGGING_ENDPOINT": stub.url,
            "GENAI_ROUTER_TELEMETRY_INTERVAL_S": "0.5",
        })
        log_path = tmp_path / "proxy.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(run, env=proc_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_live(proc, url, log_path)
            import yaml

            config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
            model = config["model_list"][0]
            status, body = _post(f"{url}/v1/chat/completions",
                                 {"model": model["model_name"], "messages": [{"role": "user", "content": "Ping"}]})
            assert status == 200, log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            upstream = model["litellm_params"].get("oci_endpoint_id") or model["model_info"]["oci_model_id"]
            assert body["choices"][0]["message"]["content"] == reply_text(upstream)
            # Through the hooks: they read the config (GENAI_ROUTER_CONFIG) and called OCI's guardrails.
            assert stub.calls(path=GUARDRAILS_PATH), "the hooks never ran the guardrail check"
            assert not [c for c in stub.state.calls if c.status == 401], "a request was not signed"
            # It emits: a request log on the planned log, spans with the data key, tenant counters in OCI Cache.
            assert eventually(lambda: bool(stub.log_entries() and stub.spans()), timeout=30), "no log entry or span"
            assert {b.log_id for b in stub.state.log_batches} == {env[contract.LOG_ID_ENV]}
            assert cache.client().keys("genai_router:limit:*"), "the tenant limits did not count in the shared Redis"
        finally:
            stop_process(proc)

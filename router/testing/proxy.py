"""Start the real LiteLLM proxy on loopback against the OCI stub, with real OCI request signing.

Used by the integration tests and the benchmark. A throwaway RSA key is generated per run; the
proxy signs with it through our hooks (`GENAI_ROUTER_SIGNER=api-key`) and the stub verifies
every signature with the public half. Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from router.inputs import Guardrails, ModelSpec, RouterInputs
from router.render import render_yaml
from router.testing.oci_stub import OCIStub

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
# The API-key identity a throwaway key signs as (the stub checks the signature with the key's public half).
TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy"
USER = "ocid1.user.oc1..aaaaaaaatestuser"
FINGERPRINT = "20:3b:97:13:55:1c:aa:bb:cc:dd:ee:ff:00:11:22:33"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def throwaway_key(directory: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = directory / "oci_api_key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key, path


COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
NO_GUARDRAILS = Guardrails(prompt_injection=False, content_filter=False, oci_guardrail=False)
"""No OCI guardrail call on any request: for tests about something else."""


def loopback_inputs(endpoint: str | None, models: tuple[ModelSpec, ...], **options: Any) -> RouterInputs:
    """Router inputs for a proxy against the stub at ``endpoint``: the internal tier, on-demand serving,
    eu-frankfurt-1 and the test compartment; ``options`` are the other RouterInputs fields."""
    return RouterInputs(tier="internal", region="eu-frankfurt-1", compartment_ocid=COMPARTMENT,
                        allowed_serving_modes=("on-demand",), models=models, oci_endpoint=endpoint, **options)


def signer_env(key_file: Path) -> dict[str, str]:
    """The variables that make our hooks (router/hooks/genai_router_hooks/signing.py) sign with ``key_file``.
    Our hook's variables, not LiteLLM's OCI_*: LiteLLM has no credentials of its own, so an unsigned
    (hook-less) call fails instead of being signed by LiteLLM."""
    return {"GENAI_ROUTER_SIGNER": "api-key", "GENAI_ROUTER_KEY_TENANCY": TENANCY, "GENAI_ROUTER_KEY_USER": USER,
            "GENAI_ROUTER_KEY_FINGERPRINT": FINGERPRINT, "GENAI_ROUTER_KEY_FILE": str(key_file)}


def api_key_signer(key_file: Path, region: str = "eu-frankfurt-1") -> tuple[Any, dict[str, str]]:
    """An OCI SDK signer and client config signing as TENANCY/USER/FINGERPRINT with ``key_file``."""
    import oci

    signer = oci.signer.Signer(TENANCY, USER, FINGERPRINT, str(key_file))
    return signer, {"region": region, "tenancy": TENANCY, "user": USER, "fingerprint": FINGERPRINT,
                    "key_file": str(key_file)}


@contextlib.contextmanager
def signed_stub(directory: Path | None = None, **stub_options: Any) -> Iterator[tuple[OCIStub, Path, Path]]:
    """A started OCI stub that accepts only what a throwaway key signs: (stub, the key's file, the
    directory it is in). Without ``directory`` a scratch one is made, and removed after."""
    wd = directory if directory is not None else workdir()
    key, key_file = throwaway_key(wd)
    stub = OCIStub(public_key=key.public_key(), **stub_options).start()
    try:
        yield stub, key_file, wd
    finally:
        stub.stop()
        if directory is None:
            shutil.rmtree(wd, ignore_errors=True)


@contextlib.contextmanager
def running(proxy: Proxy) -> Iterator[Proxy]:
    """``proxy`` started, and stopped after whatever happens."""
    try:
        yield proxy.start()
    finally:
        proxy.stop()


class Proxy:
    """`litellm --config ... --host 127.0.0.1 --port N` as a subprocess; always stop() it."""

    def __init__(self, inputs: RouterInputs, key_file: Path, workdir: Path, workers: int = 1,
                 env: dict[str, str] | None = None, config: str | None = None, gunicorn: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.master_key = "sk-test-" + secrets.token_hex(16)
        self.config_path = workdir / "config.yaml"
        self.config_path.write_text(config if config is not None else render_yaml(inputs), encoding="utf-8")
        self.extra_env = dict(env or {})
        self.inputs = inputs
        self.log_path = workdir / "proxy.log"
        self.key_file = key_file
        self.workers = workers
        self.gunicorn = gunicorn
        """Run the workers under gunicorn (``--run_gunicorn``), as the Deployment does with several
        (components/router_workload.py ``worker_args``)."""
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proxy:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "LITELLM_", "OTEL_"))
        }
        env.update(
            {
                "PYTHONPATH": os.pathsep.join([str(REPO / "router" / "hooks"), str(REPO)]),
                "LITELLM_MASTER_KEY": self.master_key,
                "GENAI_ROUTER_CONFIG": str(self.config_path),
                **signer_env(self.key_file),
                "LITELLM_LOG": "ERROR",
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # never fetch the price map
                "NO_PROXY": "127.0.0.1,localhost",
                "DISABLE_ADMIN_UI": "True",
            }
        )
        if self.inputs.oci_endpoint:
            # Telemetry goes to the same loopback stub as chat, never to a real OCI endpoint.
            env.update({
                "GENAI_ROUTER_MONITORING_ENDPOINT": self.inputs.oci_endpoint,
                "GENAI_ROUTER_LOGGING_ENDPOINT": self.inputs.oci_endpoint,
                "GENAI_ROUTER_OBJECTSTORAGE_ENDPOINT": self.inputs.oci_endpoint,
                "GENAI_ROUTER_TELEMETRY_INTERVAL_S": "0.5",
                "GENAI_ROUTER_SAMPLE_PERIOD_S": "1",  # evaluation samples: an object per second, not per minute
            })
        env.update(self.extra_env)
        exe = Path(sys.executable).with_name("litellm")
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(exe), "--config", str(self.config_path), "--host", "127.0.0.1", "--port", str(self.port),
             "--num_workers", str(self.workers), *(["--run_gunicorn"] if self.gunicorn else [])],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_live(self.proc, self.url, self.log_path)
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def chat(self, model: str, text: str, timeout: float = 30.0, headers: dict[str, str] | None = None,
             messages: list[dict[str, Any]] | None = None) -> tuple[int, dict[str, Any]]:
        msgs = messages if messages is not None else [{"role": "user", "content": text}]
        body = json.dumps({"model": model, "messages": msgs}).encode()
        req = urllib.request.Request(
            f"{self.url}/v1/chat/completions",
            data=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {self.master_key}",
                     **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read())
            except ValueError:
                return e.code, {}

    def stream_chat(self, model: str, text: str, timeout: float = 30.0,
                    headers: dict[str, str] | None = None) -> tuple[int, str]:
        """A streamed chat completion (``stream: true``); (status, the assembled text of its deltas)."""
        body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": text}]}).encode()
        req = urllib.request.Request(
            f"{self.url}/v1/chat/completions", data=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {self.master_key}",
                     **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                parts = []
                for raw in r.read().decode().splitlines():
                    line = raw.strip()
                    if line.startswith("data:") and line != "data: [DONE]":
                        for choice in json.loads(line[5:]).get("choices") or []:
                            parts.append((choice.get("delta") or {}).get("content") or "")
                return r.status, "".join(parts)
        except urllib.error.HTTPError as e:
            return e.code, ""

    def metrics(self) -> str:
        req = urllib.request.Request(
            f"{self.url}/metrics", headers={"authorization": f"Bearer {self.master_key}"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return str(r.read().decode())


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Wait (bounded) for something a background thread delivers, e.g. telemetry reaching the stub."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def wait_until_live(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Return once the proxy at ``url`` answers its liveness probe; raise if it exits or never does."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"proxy exited early; see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/health/liveliness", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    raise TimeoutError(f"proxy did not start in {START_TIMEOUT_S}s; see {log_path}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a proxy started in its own session (SIGTERM, then SIGKILL)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="genai-router-"))

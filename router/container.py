"""The router container's contract: what the image expects and what the Deployment must give it.

One home for the paths and port the image (router/Dockerfile) and the Kubernetes Deployment
(components/router_workload.py) share. The Dockerfile cannot import Python, so its literal
``ENV`` / ``CMD`` values are checked against these constants by ``tests/router/test_container.py``;
the Deployment imports them. Stdlib only: both venvs import it.

``contract_problems`` reads a planned pod spec the way the kubelet runs it (``command`` replaces
the image's ENTRYPOINT, ``args`` its CMD, ``env`` overlays the image's ENV, volumes mount at their
``mountPath``) and lists every way the process would not find what it needs. ``materialize`` lays
the pod's ConfigMap volumes out under a temporary root so the real proxy can be started with the
planned argv and env, every mounted path rebased under that root.

Kubernetes semantics cited: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/
(command/args vs ENTRYPOINT/CMD) and https://kubernetes.io/docs/concepts/storage/volumes/#configmap
(each ConfigMap key becomes a file named after the key under the mount path).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from router.hooks.genai_router_hooks import releases

CONFIG_DIR = "/etc/genai-router"
"""Where the router's ConfigMap is mounted (read-only) in the pod."""
CONFIG_FILE = "config.yaml"
"""The ConfigMap key, and so the file name under CONFIG_DIR."""
CONFIG_PATH = f"{CONFIG_DIR}/{CONFIG_FILE}"
"""The rendered LiteLLM config inside the container: `--config`, CONFIG_FILE_PATH and GENAI_ROUTER_CONFIG."""
CONFIG_ENV = ("CONFIG_FILE_PATH", "GENAI_ROUTER_CONFIG")
"""Variables naming the config file: LiteLLM's proxy (CONFIG_FILE_PATH) and our hooks (GENAI_ROUTER_CONFIG)."""
CONTAINER_PORT = 4000
"""The port the image EXPOSEs and its CMD listens on."""
RUN_AS = 65532
"""The image's numeric non-root USER; the pod's securityContext runs as the same UID."""
TERMINATION_GRACE_S = 60
"""The router pod's terminationGracePeriodSeconds: SIGTERM, then SIGKILL this long after. A stopping
proxy drains its requests (LiteLLM's GracefulShutdownManager, at most GRACEFUL_SHUTDOWN_TIMEOUT, 30 s
by default; several workers run under gunicorn, whose graceful_timeout, 30 s by default, bounds each
worker's drain and flush) and then flushes its telemetry (the hooks' SHUTDOWN_FLUSH_S):
``tests/router/test_container.py`` checks the sum fits."""

#: Request header naming the tenant the router's per-tenant limits count against, defined once where
#: the hooks in the image read it (router/hooks/genai_router_hooks/releases.py). The API Gateway sets
#: it on every route from the authenticated token's subject, overwriting whatever a client sent
#: (components/experience.py).
TENANT_HEADER = releases.TENANT_HEADER
#: Request header the API Gateway sets to the token's subject on every route; its presence tells the
#: router a request came through the gateway, not from the online evaluation job (releases.tenant_of).
SUBJECT_HEADER = releases.SUBJECT_HEADER

# -- what the hooks read from the environment (router/hooks/genai_router_hooks/telemetry.py and
# LiteLLM's Redis clients; tests/router/test_container.py checks the hooks use the same names) --
LOG_ID_ENV = "GENAI_ROUTER_LOG_ID"
"""OCID of the router's custom log (operations plane): request logs go there through PutLogs."""
SAMPLE_BUCKET_ENV = "GENAI_ROUTER_SAMPLE_BUCKET"
"""Name of the evaluation-sample bucket (data plane) the hooks PutObject sampled requests into; set only
where the tier keeps samples in a bucket."""
SAMPLE_NAMESPACE_ENV = "GENAI_ROUTER_SAMPLE_NAMESPACE"
"""The tenancy's Object Storage namespace holding that bucket."""
APM_DATA_KEY_FILE_ENV = "GENAI_ROUTER_APM_DATA_KEY_FILE"
"""File holding the APM domain's private data key (a Secret volume; never an env value)."""
REDIS_HOST_ENV = "REDIS_HOST"
"""Host of the shared Redis (OCI Cache's primary FQDN); the config references it as os.environ/REDIS_HOST."""
REDIS_PORT_ENV = "REDIS_PORT"
REDIS_SSL_ENV = "REDIS_SSL"
"""LiteLLM builds every Redis client it creates from REDIS_* variables too (litellm/_redis.py
_redis_kwargs_from_environment), so port and TLS are set for all of them, not only the configured ones."""

TELEMETRY_SECRET = "genai-router-telemetry"
"""Kubernetes Secret in the router's namespace, synced from Vault out of band
(core/tables/prerequisites.yaml, row router-apm-data-key)."""
APM_DATA_KEY = "apm-data-key"
"""The Secret's key holding the APM private data key."""
SECRETS_DIR = "/etc/genai-router-secrets"
"""Where the telemetry Secret is mounted (read-only): the data key is SECRETS_DIR/APM_DATA_KEY."""
APM_DATA_KEY_PATH = f"{SECRETS_DIR}/{APM_DATA_KEY}"

_FLAG = re.compile(r"^--([a-z_]+)$")
_ENV_REF = re.compile(r"os\.environ/([A-Z_][A-Z0-9_]*)")


@dataclass(frozen=True)
class Image:
    """What a Dockerfile's final stage sets for the process: ENTRYPOINT, CMD, ENV, USER, EXPOSE."""

    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    user: str = ""
    exposed: tuple[int, ...] = ()


def parse_dockerfile(text: str) -> Image:
    """The exec-form ENTRYPOINT/CMD, ENV pairs, last USER and EXPOSEd ports of a Dockerfile."""
    text = re.sub(r"\\\n", " ", text)
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: dict[str, str] = {}
    user = ""
    exposed: list[int] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        op, rest = op.upper(), rest.strip()
        if op == "FROM":  # a new stage starts from its base: only the final stage counts
            entrypoint, cmd, env, user, exposed = (), (), {}, "", []
        elif op in ("ENTRYPOINT", "CMD"):
            if not rest.startswith("["):
                raise ValueError(f"Dockerfile {op}: use the exec (JSON array) form")
            value = tuple(str(v) for v in json.loads(rest))
            if op == "ENTRYPOINT":
                entrypoint, cmd = value, ()  # Docker: setting ENTRYPOINT resets an inherited CMD
            else:
                cmd = value
        elif op == "ENV":
            for token in shlex.split(rest):
                name, sep, setting = token.partition("=")
                if not sep:
                    raise ValueError("Dockerfile ENV: use the NAME=value form")
                env[name] = setting
        elif op == "USER":
            user = rest
        elif op == "EXPOSE":
            exposed += [int(p.split("/")[0]) for p in rest.split()]
    return Image(entrypoint, cmd, env, user, tuple(exposed))


def process(image: Image, container: Mapping[str, Any]) -> tuple[list[str], dict[str, str | None]]:
    """The argv and environment the kubelet starts: ``command``/``args`` override ENTRYPOINT/CMD.

    Environment values from ``valueFrom`` (Secret or ConfigMap keys) are ``None``: known to exist,
    not known here.
    """
    command = container.get("command")
    args = container.get("args")
    argv = [*command, *(args or [])] if command else [*image.entrypoint, *(args if args is not None else image.cmd)]
    env: dict[str, str | None] = dict(image.env)
    for item in container.get("env") or []:
        env[str(item["name"])] = None if item.get("valueFrom") else str(item.get("value", ""))
    return [str(a) for a in argv], env


def flags(argv: Sequence[str]) -> dict[str, str]:
    """``--name value`` pairs of an argv (LiteLLM's CLI options)."""
    out: dict[str, str] = {}
    for i, token in enumerate(argv):
        m = _FLAG.match(token)
        if m and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            out[m.group(1)] = argv[i + 1]
    return out


def _mounted_file(path: str, container: Mapping[str, Any], volumes: Mapping[str, Mapping[str, Any]],
                  config_maps: Mapping[str, Mapping[str, str]]) -> str | None:
    """Why ``path`` is not a file from a ConfigMap volume of this pod; None when it is."""
    for mount in container.get("volumeMounts") or []:
        base = str(mount["mountPath"]).rstrip("/")
        if not path.startswith(base + "/"):
            continue
        volume = volumes.get(str(mount["name"]))
        if volume is None:
            return f"volume mount '{mount['name']}' names no volume of the pod"
        source = volume.get("configMap")
        if not source:
            return f"'{path}' is under mount '{mount['name']}', which is not a ConfigMap volume"
        data = config_maps.get(str(source.get("name")))
        if data is None:
            return f"the ConfigMap of volume '{mount['name']}' is not planned"
        key = path[len(base) + 1:]
        items = source.get("items")
        if items:
            keys = {str(i["path"]): str(i["key"]) for i in items}
            key = keys.get(key, "")
        if key not in data:
            return f"'{path}' is not a key of the ConfigMap mounted at '{base}'"
        if not mount.get("readOnly"):
            return f"the config mount '{base}' is not read-only"
        return None
    return f"'{path}' is under no volume mount of the container"


def contract_problems(image: Image, pod_spec: Mapping[str, Any], config_maps: Mapping[str, Mapping[str, str]],
                      container_name: str = "router") -> list[str]:
    """Every way the planned container would not run as the image expects (empty: none)."""
    containers = {str(c["name"]): c for c in pod_spec.get("containers") or []}
    container = containers.get(container_name)
    if container is None:
        return [f"the pod has no container '{container_name}'"]
    volumes = {str(v["name"]): v for v in pod_spec.get("volumes") or []}
    argv, env = process(image, container)
    problems: list[str] = []
    if not argv or argv[0] != (image.entrypoint[0] if image.entrypoint else None):
        problems.append("the container's command replaces the image's ENTRYPOINT")
    opts = flags(argv)
    config = opts.get("config")
    if config is None:
        problems.append("the process gets no --config")
    else:
        for name in CONFIG_ENV:
            if name in env and env[name] != config:
                problems.append(f"{name} names another file than --config")
        why = _mounted_file(config, container, volumes, config_maps)
        if why:
            problems.append(why)
    port = opts.get("port")
    declared = [int(p["containerPort"]) for p in container.get("ports") or []]
    if port is None or int(port) not in declared:
        problems.append("--port is not a declared containerPort")
    if config is not None and not _mounted_file(config, container, volumes, config_maps):
        text = _config_text(config, container, volumes, config_maps)
        for name in sorted(set(_ENV_REF.findall(text))):
            if name not in env:
                problems.append(f"the config reads os.environ/{name}, which the container does not set")
    key_file = env.get(APM_DATA_KEY_FILE_ENV)
    if key_file:
        why = _secret_file(key_file, container, volumes)
        if why:
            problems.append(f"{APM_DATA_KEY_FILE_ENV}: {why}")
    return problems


def _config_text(path: str, container: Mapping[str, Any], volumes: Mapping[str, Mapping[str, Any]],
                 config_maps: Mapping[str, Mapping[str, str]]) -> str:
    """The text of a config file ``_mounted_file`` accepted."""
    for mount in container.get("volumeMounts") or []:
        base = str(mount["mountPath"]).rstrip("/")
        if path.startswith(base + "/"):
            source = volumes[str(mount["name"])]["configMap"]
            key = path[len(base) + 1:]
            keys = {str(i["path"]): str(i["key"]) for i in source.get("items") or []}
            return config_maps[str(source["name"])][keys.get(key, key)]
    return ""


def _secret_file(path: str, container: Mapping[str, Any], volumes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why ``path`` is not a key of a Secret volume mounted read-only; None when it is."""
    for mount in container.get("volumeMounts") or []:
        base = str(mount["mountPath"]).rstrip("/")
        if not path.startswith(base + "/"):
            continue
        source = (volumes.get(str(mount["name"])) or {}).get("secret")
        if not source:
            return f"'{path}' is not under a Secret volume"
        key = path[len(base) + 1:]
        items = source.get("items")
        if items and key not in {str(i["path"]) for i in items}:
            return f"'{path}' is not an item of the Secret mounted at '{base}'"
        if not mount.get("readOnly"):
            return f"the Secret mount '{base}' is not read-only"
        return None
    return f"'{path}' is under no volume mount of the container"


def materialize(root: Path, container: Mapping[str, Any], pod_spec: Mapping[str, Any],
                config_maps: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Write every ConfigMap volume the container mounts under ``root`` (rebased mount paths).

    Returns {mountPath: rebased directory}; ``rebase`` uses it to move argv and env paths.
    """
    volumes = {str(v["name"]): v for v in pod_spec.get("volumes") or []}
    moved: dict[str, str] = {}
    for mount in container.get("volumeMounts") or []:
        target = root / str(mount["mountPath"]).lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        moved[str(mount["mountPath"]).rstrip("/")] = str(target)
        source = (volumes.get(str(mount["name"])) or {}).get("configMap")
        if source:
            for key, text in (config_maps.get(str(source["name"])) or {}).items():
                (target / key).write_text(text, encoding="utf-8")
    return moved


def rebase(value: str, moved: Mapping[str, str]) -> str:
    """``value`` with a mounted absolute path moved under the temporary root."""
    for base, target in sorted(moved.items(), key=lambda kv: -len(kv[0])):
        if value == base or value.startswith(base + "/"):
            return target + value[len(base):]
    return value

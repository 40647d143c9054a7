"""Stack config as the Pulumi CLI would hand it to the program.

``Pulumi.yaml`` project defaults, overlaid by ``Pulumi.<stack>.yaml``. Structured values are
JSON-encoded and scalars stringified, as the language host does. A ``secure:`` value cannot be
decrypted offline: it becomes the settings' offline-secret placeholder and its key is marked
secret, so the program sees a secret and nothing in clear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stacks.settings import OFFLINE_SECRET


class StackConfigError(Exception):
    """A stack or project file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]
    secret_keys: tuple[str, ...]

    @property
    def region(self) -> str | None:
        return self.values.get("oci:region")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackConfigError(f"{path.name}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise StackConfigError(f"{path.name}: not valid YAML{where}") from None


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace every ``{secure: …}`` leaf with the placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return OFFLINE_SECRET, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], hit = _strip_secure(v)
            found = found or hit
        return out, found
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(hit for _, hit in items)
    return value, False


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    project_doc = _read_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(project_doc, dict) or not isinstance(project_doc.get("name"), str):
        raise StackConfigError("Pulumi.yaml: missing the project 'name'")
    project = project_doc["name"]
    values: dict[str, str] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(spec, dict) and "default" in spec:
            values[full] = _encode(spec["default"])
        elif not isinstance(spec, dict):
            values[full] = _encode(spec)
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    stack_doc = _read_yaml(stack_file) or {}
    if not isinstance(stack_doc, dict):
        raise StackConfigError(f"{stack_file.name}: expected a mapping with a 'config' key")
    config = stack_doc.get("config") or {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{stack_file.name}: 'config' must be a mapping")
    secret_keys: list[str] = []
    for key, raw in config.items():
        full = key if ":" in key else f"{project}:{key}"
        value, secret = _strip_secure(raw)
        if secret:
            secret_keys.append(full)
        values[full] = _encode(value)
    return StackConfig(project=project, stack=stack, values=values, secret_keys=tuple(sorted(secret_keys)))


def list_stacks(project_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for k, v in override.items():
            merged[k] = _deep_merge(base.get(k), v) if k in base else v
        return merged
    return override


#: Passing this as an override value deletes the key.
DELETE = object()


def _drop_deleted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_deleted(v) for k, v in value.items() if v is not DELETE}
    return value


def with_overrides(cfg: StackConfig, overrides: dict[str, Any], *, stack: str | None = None) -> StackConfig:
    """A copy of ``cfg`` with structured values deep-merged (tests and tier variants use this).

    Keys are full config keys (``genai-platform:network``); a value of ``DELETE`` removes a key.
    """
    values = dict(cfg.values)
    for key, override in overrides.items():
        if override is DELETE:
            values.pop(key, None)
            continue
        current = values.get(key)
        decoded = json.loads(current) if isinstance(current, str) and current[:1] in "{[" else current
        values[key] = _encode(_drop_deleted(_deep_merge(decoded, override)))
    return StackConfig(project=cfg.project, stack=stack or cfg.stack, values=values, secret_keys=cfg.secret_keys)


def namespace_values(cfg: StackConfig) -> dict[str, Any]:
    """The project namespace's keys (prefix stripped, structured values decoded), as settings read them."""
    from stacks.settings import NAMESPACE, _decode

    prefix = NAMESPACE + ":"
    return {k[len(prefix):]: _decode(v) for k, v in cfg.values.items() if k.startswith(prefix)}


def settings_for(project_dir: Path, stack: str) -> Any:
    """Validated settings of a stack without running the program (raises SettingsError)."""
    from stacks.settings import validate

    cfg = load_stack_config(project_dir, stack)
    return validate(namespace_values(cfg), region=cfg.region, project=cfg.project, stack=stack)

"""Stack config as the Pulumi CLI would hand it to the program.

``Pulumi.yaml`` project defaults, overlaid by ``Pulumi.<stack>.yaml``. Structured values are
JSON-encoded and scalars stringified, as the language host does. A ``secure:`` value cannot be
decrypted offline: it becomes the graph's secret marker (``core.markers``) and its key is marked
secret, so the program sees a secret and nothing in clear. The placeholder text itself is refused
as a plain value, so it can only ever stand for a ``secure:`` one.

Files are read with ``core.yamlsafe`` (duplicate keys, aliases, bombs, tags, non-finite numbers,
unreadable or non-regular files are one-line errors) and the stack name is checked against
Pulumi's rule (``core.names``) before it becomes part of a path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.inputs import InputError, escape, key_path
from core.markers import SECRET_MARKER, OfflineSecret
from core.names import project_name_problem, stack_name_problem
from core.yamlsafe import load_yaml
from stacks.settings.common import NAMESPACE

CLASSIFICATION_KEY = f"{NAMESPACE}:classification"


class StackConfigError(Exception):
    """A stack or project file that cannot be read; the message names the file and the problem."""


class InvalidStackName(StackConfigError):
    """A stack name Pulumi refuses, or one that would leave its directory; the message names it (escaped)."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]
    secret_keys: tuple[str, ...]
    #: Key paths (``genai-platform:data.database.adminPassword``) of the ``secure:`` leaves.
    secret_paths: tuple[str, ...] = ()

    @property
    def region(self) -> str | None:
        return self.values.get("oci:region")


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path)
    except InputError as exc:
        raise StackConfigError(str(exc)) from None


def _strip_secure(value: Any, path: list[str | int], file: str, found: list[str]) -> Any:
    """Replace every ``{secure: …}`` leaf with the placeholder, appending its key path to ``found``."""
    if isinstance(value, dict):
        if "secure" in value:
            if set(value) != {"secure"} or not isinstance(value["secure"], str) or not value["secure"]:
                raise StackConfigError(f"{file}: {key_path(path)}: a secure value must be exactly "
                                       "{secure: <ciphertext>} (written by `pulumi config set --secret`)")
            found.append(key_path(path))
            return SECRET_MARKER
        return {k: _strip_secure(v, [*path, k], file, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_secure(v, [*path, i], file, found) for i, v in enumerate(value)]
    if value == SECRET_MARKER:
        raise StackConfigError(f"{file}: {key_path(path)}: the text {SECRET_MARKER} is reserved for secure values "
                               "offline; allowed: a real value, or a secret set with `pulumi config set --secret`")
    return value


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def stack_file(project_dir: Path, stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` of a stack whose name Pulumi accepts (StackConfigError otherwise)."""
    problem = stack_name_problem(stack)
    if problem:
        raise InvalidStackName(f"stack '{escape(stack)}': {problem}")
    return project_dir / f"Pulumi.{stack}.yaml"


def stack_out_dir(out_dir: Path, stack: str) -> Path:
    """``<out>/<stack>``: the only directory a stack's outputs are written to."""
    problem = stack_name_problem(stack)
    if problem:
        raise InvalidStackName(f"stack '{escape(stack)}': {problem}")
    return out_dir / stack


def _config_mapping(doc: Any, file: str, what: str) -> dict[str, Any]:
    config = doc.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{file}: config: wrong type; expected a mapping of {what}")
    return config


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    path = stack_file(project_dir, stack)
    project_doc = _read_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(project_doc, dict) or "name" not in project_doc:
        raise StackConfigError("Pulumi.yaml: missing the project 'name'")
    if project_name_problem(project_doc["name"]):
        raise StackConfigError(f"Pulumi.yaml: name: {project_name_problem(project_doc['name'])}")
    project: str = project_doc["name"]
    values: dict[str, str] = {}
    for key, spec in _config_mapping(project_doc, "Pulumi.yaml", "config keys to their types").items():
        full = key if ":" in key else f"{project}:{key}"
        if full == CLASSIFICATION_KEY and (not isinstance(spec, dict) or "default" in spec):
            raise StackConfigError(f"Pulumi.yaml: config.{key}: declares a default tier; the classification must be "
                                   "set in each stack file (a security tier never falls back to a default)")
        if isinstance(spec, dict) and "default" in spec:
            values[full] = _encode(_strip_secure(spec["default"], ["config", key, "default"], "Pulumi.yaml", []))
        elif not isinstance(spec, dict):
            values[full] = _encode(_strip_secure(spec, ["config", key], "Pulumi.yaml", []))
    stack_doc = _read_yaml(path)
    if stack_doc is None:
        stack_doc = {}
    if not isinstance(stack_doc, dict):
        raise StackConfigError(f"{path.name}: expected a mapping with a 'config' key")
    secret_keys: list[str] = []
    secret_paths: list[str] = []
    for key, raw in _config_mapping(stack_doc, path.name, "config keys to values").items():
        full = key if ":" in key else f"{project}:{key}"
        found: list[str] = []
        value = _strip_secure(raw, [full], path.name, found)
        if found:
            secret_keys.append(full)
            secret_paths.extend(found)
        values[full] = _encode(value)
    return StackConfig(project=project, stack=stack, values=values, secret_keys=tuple(sorted(secret_keys)),
                       secret_paths=tuple(sorted(secret_paths)))


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
    return StackConfig(project=cfg.project, stack=stack or cfg.stack, values=values, secret_keys=cfg.secret_keys,
                       secret_paths=cfg.secret_paths)


def namespace_values(cfg: StackConfig) -> dict[str, Any]:
    """The project namespace's keys (prefix stripped, structured values decoded), as settings read them."""
    from stacks.settings.reader import decode

    prefix = NAMESPACE + ":"
    secret = set(cfg.secret_paths)

    def mark(value: Any, parts: list[str | int]) -> Any:
        """The engine's placeholder object at each secure leaf (text typed in a file stays text)."""
        if isinstance(value, dict):
            return {k: mark(v, [*parts, k]) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v, [*parts, i]) for i, v in enumerate(value)]
        return OfflineSecret(value) if value == SECRET_MARKER and key_path(parts) in secret else value

    return {k[len(prefix):]: mark(decode(v), [k]) for k, v in cfg.values.items() if k.startswith(prefix)}


def settings_for(project_dir: Path, stack: str) -> Any:
    """Validated settings of a stack without running the program (raises SettingsError)."""
    from stacks.settings import validate

    cfg = load_stack_config(project_dir, stack)
    return validate(namespace_values(cfg), region=cfg.region, project=cfg.project, stack=stack)

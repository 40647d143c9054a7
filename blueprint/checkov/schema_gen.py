"""Regenerate ``tf_schema.json``: Pulumi type token → Terraform type and the Terraform schema we export.

A maintainer's tool, not run by tests or CI (it needs the two upstream sources checked out):

    python -m blueprint.checkov.schema_gen --pulumi-oci DIR --tf-oci DIR [--types out/*/graph.json]

- ``DIR`` of https://github.com/pulumi/pulumi-oci: ``provider/resources.go`` gives the explicit
  ``Tok:`` overrides (e.g. ``oci_apm_synthetics_monitor`` → ``ApmSynthetics/config:Config``) and
  ``mappedMods``, the Terraform prefix → Pulumi module table the bridge's
  ``MappedModulesWithInferredFallback`` + ``tokens.MakeStandard`` strategy uses for every other
  resource (the longest matching prefix names the module; the rest, PascalCased, the resource).
- ``DIR`` of https://github.com/oracle/terraform-provider-oci: every
  ``internal/service/*/register_resource.go`` names the Terraform types and their schema functions;
  each function's ``Schema: map[string]*schema.Schema{…}`` gives attribute names, types
  (``TypeList``/``TypeSet`` of ``schema.Resource`` = nested block, ``MaxItems: 1`` = a block the
  bridge flattens to one object, ``TypeMap`` = map), ``Sensitive`` and computed-only attributes.

Only the tokens in the given graphs and in ``policies/rules`` are written (a few dozen, not the
provider's thousand). The parser reads the Go source's structure (braces, ``Key: value`` pairs);
it does not copy code.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "tf_schema.json"
_TYPES = {"TypeString": "string", "TypeInt": "int", "TypeFloat": "float", "TypeBool": "bool", "TypeMap": "map",
          "TypeList": "list", "TypeSet": "set"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _read(repo: Path, path: str) -> str:
    return _git(repo, "show", f"HEAD:{path}")


# ------------------------------------------------------------------------------------------------
# A small reader for Go composite literals
# ------------------------------------------------------------------------------------------------


def _strip_comments(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if (c == '"' and text[j] == "\\") else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("/*", i):
            i = text.find("*/", i) + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _match(text: str, open_at: int) -> int:
    """Index of the brace closing the one at ``open_at`` (strings skipped)."""
    depth, i = 0, open_at
    while i < len(text):
        c = text[i]
        if c in "\"`":
            j = i + 1
            while text[j] != c:
                j += 2 if (c == '"' and text[j] == "\\") else 1
            i = j
        elif c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces")


def _split_top(body: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        c = body[i]
        if c in "\"`":
            j = i + 1
            while body[j] != c:
                j += 2 if (c == '"' and body[j] == "\\") else 1
            i = j
        elif c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
        i += 1
    parts.append(body[start:].strip())
    return [p for p in parts if p]


_SCHEMA_MAP = "map[string]*schema.Schema{"


class Source:
    """One service directory's Go files, searchable for functions."""

    def __init__(self, repo: Path, directory: str) -> None:
        names = [n for n in _git(repo, "ls-tree", "--name-only", f"HEAD:{directory}").split() if n.endswith(".go")
                 and not n.endswith("_test.go")]
        self.text = "\n".join(_strip_comments(_read(repo, f"{directory}/{n}")) for n in names)

    def function_body(self, name: str) -> str | None:
        m = re.search(rf"func {re.escape(name)}\([^)]*\)[^{{]*{{", self.text)
        if not m:
            return None
        return self.text[m.end() - 1:_match(self.text, m.end() - 1) + 1]

    def resource_schema(self, func: str) -> dict[str, Any] | None:
        body = self.function_body(func)
        if body is None:
            return None
        wrapped = re.search(r"ConvertToDefaultVcnResourceSchema\((\w+)\(\)\)", body)
        if wrapped:  # core/helpers_core.go: + manage_default_resource_id, compartment_id optional, - vcn_id
            schema = self.resource_schema(wrapped.group(1)) or {}
            schema["manage_default_resource_id"] = {"type": "string"}
            schema["compartment_id"] = {"type": "string"}
            schema.pop("vcn_id", None)
            return schema
        at = body.find(_SCHEMA_MAP)
        if at < 0:
            return None
        return self.schema_map(body, at + len(_SCHEMA_MAP) - 1)

    def schema_map(self, text: str, open_at: int) -> dict[str, Any]:
        body = text[open_at + 1:_match(text, open_at)]
        out: dict[str, Any] = {}
        for entry in _split_top(body):
            m = re.match(r'"(\w+)"\s*:\s*(?:&schema\.Schema)?\s*{', entry)
            if m:
                start = m.end() - 1
                out[m.group(1)] = self.attribute(entry[start + 1:_match(entry, start)])
        return out

    def attribute(self, body: str) -> dict[str, Any]:
        fields = {}
        for part in _split_top(body):
            key, _, value = part.partition(":")
            fields[key.strip()] = value.strip()
        kind = _TYPES.get(fields.get("Type", "").removeprefix("schema."), "unknown")
        spec: dict[str, Any] = {"type": kind}
        if fields.get("Sensitive") == "true":
            spec["sensitive"] = True
        if fields.get("Computed") == "true":
            # computed only: set by the provider; optional + computed: the provider fills it when unset
            spec["computed_only" if "Optional" not in fields and "Required" not in fields else "computed"] = True
        if kind in ("list", "set"):
            elem = fields.get("Elem", "")
            at = elem.find(_SCHEMA_MAP)
            call = re.fullmatch(r"(\w+)\(\)", elem)
            if at >= 0:
                spec.update(type="block", schema=self.schema_map(elem, at + len(_SCHEMA_MAP) - 1))
            elif call:
                spec.update(type="block", schema=self.resource_schema(call.group(1)) or {})
            else:
                inner = re.search(r"Type:\s*schema\.(\w+)", elem) or re.search(r"schema\.(\w+)", elem)
                spec["elem"] = _TYPES.get(inner.group(1), "unknown") if inner else "unknown"
            if spec["type"] == "block" and fields.get("MaxItems") == "1":
                spec["max_one"] = True
        return spec


# ------------------------------------------------------------------------------------------------
# Token ↔ Terraform type
# ------------------------------------------------------------------------------------------------


def _pascal(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_") if p)


def token_table(pulumi_oci: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(overrides tf → token, mappedMods prefix → module) from pulumi-oci's provider/resources.go."""
    text = _read(pulumi_oci, "provider/resources.go")
    consts = dict(re.findall(r'^\s*(\w+)\s*=\s*"(\w+)"', text, re.M))
    mods_at = text.index("var mappedMods = map[string]string{")
    mods_body = text[text.index("{", mods_at) + 1:_match(text, text.index("{", mods_at))]
    # A module is a named constant or, for a few entries, a string literal.
    mods = {k: consts.get(v, lit) for k, lit, v in re.findall(r'"(\w+)"\s*:\s*(?:"(\w+)"|(\w+))', mods_body)}
    overrides = {tf: f"oci:{consts[mod]}/{name[:1].lower()}{name[1:]}:{name}" for tf, mod, name in re.findall(
        r'"(oci_\w+)":\s*{\s*Tok:\s*tfbridge\.MakeResource\(mainPkg,\s*(\w+),\s*"(\w+)"\)', text)}
    return overrides, mods


def token_for(tf_type: str, overrides: dict[str, str], mods: dict[str, str]) -> str | None:
    if tf_type in overrides:
        return overrides[tf_type]
    rest = tf_type.removeprefix("oci_")
    prefixes = sorted((p for p in mods if rest.startswith(p + "_")), key=len, reverse=True)
    if not prefixes:
        return None
    name = _pascal(rest[len(prefixes[0]) + 1:])
    return f"oci:{mods[prefixes[0]]}/{name[:1].lower()}{name[1:]}:{name}"


def wanted_tokens(graphs: list[Path]) -> set[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from blueprint.graph import load_graph_json
    from policies.rules import all_rules

    tokens = {t for r in all_rules() for t in r.types if t.startswith("oci:")}
    for g in graphs:
        nodes = load_graph_json(g)["nodes"]  # the one graph reader, with its format check
        tokens |= {n["type"] for n in nodes if n["type"].startswith("oci:") and n["custom"]}
    return tokens


def generate(pulumi_oci: Path, tf_oci: Path, graphs: list[Path]) -> dict[str, Any]:
    overrides, mods = token_table(pulumi_oci)
    wanted = wanted_tokens(graphs)
    registry: dict[str, tuple[str, str, str]] = {}
    for path in _git(tf_oci, "ls-tree", "-r", "--name-only", "HEAD", "internal/service").split():
        if path.endswith("/register_resource.go"):
            for tf_type, func in re.findall(r'RegisterResource\("(oci_\w+)",\s*(\w+)\(\)\)', _read(tf_oci, path)):
                token = token_for(tf_type, overrides, mods)
                if token in wanted:
                    registry[token] = (tf_type, path.rsplit("/", 1)[0], func)
    missing = sorted(wanted - set(registry))
    if missing:
        raise SystemExit(f"no Terraform type found for: {', '.join(missing)}")
    sources: dict[str, Source] = {}
    resources = {}
    for token, (tf_type, directory, func) in sorted(registry.items()):
        src = sources.setdefault(directory, Source(tf_oci, directory))
        schema = src.resource_schema(func)
        if not schema:
            raise SystemExit(f"{tf_type}: schema not found in {directory}")
        resources[token] = {"tf_type": tf_type, "schema": schema}
    return {
        "sources": {
            "pulumi-oci": f"https://github.com/pulumi/pulumi-oci/blob/{_git(pulumi_oci, 'rev-parse', 'HEAD').strip()}"
                          "/provider/resources.go",
            "terraform-provider-oci": "https://github.com/oracle/terraform-provider-oci/tree/"
                                      f"{_git(tf_oci, 'rev-parse', 'HEAD').strip()}/internal/service",
        },
        "resources": resources,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulumi-oci", type=Path, required=True, help="git directory of pulumi/pulumi-oci")
    parser.add_argument("--tf-oci", type=Path, required=True, help="git directory of oracle/terraform-provider-oci")
    parser.add_argument("--types", type=Path, nargs="*", default=[], help="graph.json files whose types to include")
    args = parser.parse_args(argv)
    data = generate(args.pulumi_oci, args.tf_oci, args.types)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['resources'])} resource types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Structure-aware fuzzing of the stack files: hostile and careless configs must never raise a traceback.

Each example starts from ``Pulumi.dev.yaml`` or ``Pulumi.prod.yaml`` and applies 1–4 mutations:

- structural: replace a value at a random key path with a value of another type, delete a key, add
  an unknown key (sometimes with control characters or a terminal escape in its name), empty a mapping;
- strings: a trailing newline, control characters and ANSI escapes, bidi overrides, the offline
  secret placeholder ``[secret]``, empty and very long text;
- numbers: NaN and infinities, integers beyond 2**53 and beyond a float, floats where counts are
  expected, negative and zero values;
- YAML text: duplicated key lines, recursive aliases, alias bombs, deep nesting, ``no:`` keys,
  timestamps, ``!!set``/``!!binary`` tags, merge keys, several documents, invalid UTF-8, a BOM;
- names: a traversing or malformed stack name;
- the evaluation-sample keys the stack files leave out (``evaluation.online.trafficSample.rate`` and
  ``.retentionDays``, and the mapping itself): written in about a quarter of the examples, with values
  within and beyond the tier's maxima (``trafficSample`` in policies/classification.yaml), at and past
  the schema's bounds, of the wrong type, and with escapes or bidi overrides in key names; the
  structural mutations then reach them too;
- the negotiated unit-hour prices (``model.unitPrices``, which the stack files leave out): written in about
  a fifth of the examples, by unit shape, with plausible prices, the schema's bounds (more than 0, at most
  1000), wrong types and unknown or escaped shape names.

The mutated file is written into a scratch project and read the way ``blueprint plan`` reads it
(``load_stack_config``, then ``stacks.settings.validate``); with ``--plan``, every accepted config
is also planned by the offline engine, so a value the settings let through cannot fail later in
the program. Outcomes: *accepted* (valid settings, and planned), *rejected* (StackConfigError or
SettingsError), or a *traceback* (anything else). Every rejection
is also checked: one line per problem, naming the file or a config key, printable (no control
characters), no line repeated, and never echoing an injected value (values carry a sentinel).

Run: .venv/bin/python benchmarks/fuzz_settings.py [--count 10000] [--seed 1] [--plan]
The default test run uses the same generator for a few hundred examples
(tests/benchmarks/test_fuzz_settings.py); this script is the large run. Exit 1 on any defect.
"""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from core.markers import SECRET_MARKER  # noqa: E402

#: Injected string values carry this; a problem line containing it echoed a value.
SENTINEL = "ZQXV"
STACKS = ("dev", "prod")

_STRINGS = [f"{SENTINEL}\n", f"a{SENTINEL}@example.com\n", f"\x1b[31m{SENTINEL}@example.com",
            f"{SENTINEL}\x00", f"https://{SENTINEL}.example.com/\x1b]0;x\x07", f"{SENTINEL}\u202e", SECRET_MARKER,
            "", " ", f"{SENTINEL}" * 400, f"ocid1.tenancy.oc1..{SENTINEL}\n", f"10.0.0.0/16\n{SENTINEL}",
            f"https://{SENTINEL}.example.com/\n", f"{SENTINEL}\r\n", f"\t{SENTINEL}"]
_NUMBERS = [float("nan"), float("inf"), -float("inf"), 2**53 + 1, 2**64, 10**400, 2.0, 2.5, -1, 0, 1e308, -0.0,
            True, 10**20]
_OTHERS = [None, [], {}, [None], {"x": 1}, [f"{SENTINEL}"], {"kx": [1, 2]}]
#: Plausible values: they keep a config valid often enough to reach the plane parsers behind the schema.
_PLAUSIBLE = [1, 2, 3, 7, 30, 90, 365, 4000, 0.5, 0.999, True, False, "internal", "restricted", "confidential",
              "public", "HSM", "SOFTWARE", "VIRTUAL_PRIVATE", "10.40.0.0/16", "10.40.9.0/24", "0.0.0.0/0",
              "ops@example.com", "https://hooks.example.com/x", "500m", "4000m", "1Gi", "on-demand",
              "dedicated-cluster", "EMBED_COHERE", "eu-frankfurt-1", "ap-tokyo-1", [], {}]
_KEYS = ["extra", "no", "\x1b[2Jevil", "k\u202ename", "a.b", "", "genai-platform:extra", "secure", "<<"]
#: evaluation.online.trafficSample values around the tiers' maxima (internal 0.05 / 14 days, confidential
#: 0.01 / 7, public and restricted keep no sample) and the schema's bounds (rate in (0, 1], days 1-30).
_SAMPLE_RATES = [0.001, 0.01, 0.0100001, 0.02, 0.05, 0.05000001, 0.5, 1, 1.0, 1.5, 0, -0.01, 1e-300]
_SAMPLE_DAYS = [1, 6, 7, 8, 13, 14, 15, 30, 31, 0, -1, 7.0, 7.5, 10**20]
_SAMPLE_KEYS = ["rate", "retentionDays", "Rate", "retention_days", "rate\x1b[2J", "\x1b]0;x\x07retentionDays",
                "rate\u202e", "store", ""]
#: model.unitPrices: USD per unit-hour around the list prices and the schema's bounds (more than 0, at most 1000).
_UNIT_PRICES = [0.5, 6.5, 12, 15.25, 24.0, 999.99, 1000, 1000.01, 0, -1, 1e-300, 10**20]
_UNIT_SHAPES = ["SMALL_COHERE_V2", "LARGE_COHERE_V2_2", "LARGE_GENERIC", "EMBED_COHERE", "large_generic",
                "HUGE\x1b[2J", "EMBED_COHERE\u202e", ""]


def _paths(node: Any, prefix: list[Any]) -> list[list[Any]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, [*prefix, k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, [*prefix, i])
    return out


def _parent(doc: Any, path: list[Any]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _value(rng: random.Random) -> Any:
    kind = rng.random()
    if kind < 0.35:
        return copy.deepcopy(rng.choice(_PLAUSIBLE))
    if kind < 0.6:
        return rng.choice(_STRINGS)
    if kind < 0.85:
        return rng.choice(_NUMBERS)
    return copy.deepcopy(rng.choice(_OTHERS))


def mutate_structure(doc: dict[str, Any], rng: random.Random) -> None:
    paths = _paths(doc["config"], [])
    path = rng.choice(paths)
    parent = _parent(doc["config"], path)
    op = rng.random()
    if op < 0.5:
        parent[path[-1]] = _value(rng)
    elif op < 0.7 and isinstance(parent, dict):
        del parent[path[-1]]
    elif op < 0.85:
        target = parent[path[-1]] if isinstance(parent[path[-1]], dict) else parent
        if isinstance(target, dict):
            target[rng.choice(_KEYS)] = _value(rng)
    else:
        value = parent[path[-1]]
        if isinstance(value, dict):
            value.clear()
        elif isinstance(value, list):
            value.append(_value(rng))


def mutate_traffic_sample(doc: dict[str, Any], rng: random.Random) -> None:
    """Write ``evaluation.online.trafficSample`` (rate, retentionDays or both, a wrong key, a non-mapping)."""
    evaluation = doc["config"].setdefault("genai-platform:evaluation", {})
    online = evaluation.setdefault("online", {}) if isinstance(evaluation, dict) else None
    if not isinstance(online, dict):
        return
    op = rng.random()
    if op < 0.1:
        online["trafficSample"] = _value(rng)  # not a mapping, or an odd one
        return
    sample: dict[str, Any] = {}
    if op < 0.4 or op >= 0.7:
        sample["rate"] = rng.choice(_SAMPLE_RATES) if rng.random() < 0.7 else _value(rng)
    if op >= 0.4:
        sample["retentionDays"] = rng.choice(_SAMPLE_DAYS) if rng.random() < 0.7 else _value(rng)
    if rng.random() < 0.2:
        sample[rng.choice(_SAMPLE_KEYS)] = _value(rng)
    online["trafficSample"] = sample


def mutate_unit_prices(doc: dict[str, Any], rng: random.Random) -> None:
    """Write ``model.unitPrices`` (one to three shapes, sometimes a wrong one, sometimes not a mapping)."""
    model = doc["config"].setdefault("genai-platform:model", {})
    if not isinstance(model, dict):
        return
    if rng.random() < 0.1:
        model["unitPrices"] = _value(rng)
        return
    shapes = _UNIT_SHAPES[:4] if rng.random() < 0.7 else _UNIT_SHAPES
    model["unitPrices"] = {rng.choice(shapes): rng.choice(_UNIT_PRICES) if rng.random() < 0.8 else _value(rng)
                           for _ in range(rng.choice((1, 1, 2, 3)))}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _represent_int(dumper: yaml.SafeDumper, data: int) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:int", str(data) if abs(data) < 10**300 else "9" * 400)


_Dumper.add_representer(int, _represent_int)


def dump(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def _text_trick(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    keyed = [i for i, ln in enumerate(lines) if ":" in ln and not ln.lstrip().startswith("-")]
    i = rng.choice(keyed) if keyed else 0
    indent = " " * (len(lines[i]) - len(lines[i].lstrip())) if lines else ""
    trick = rng.randrange(14)
    if trick == 0:  # duplicate a key line (last-wins in a naive reader)
        lines.insert(i + 1, lines[i])
    elif trick == 1:
        lines.insert(i, f"{indent}loop: &a [*a]\n")
    elif trick == 2:
        bomb = f"{indent}b0: &b0 [" + ",".join(["lol"] * 9) + "]\n"
        bomb += "".join(f"{indent}b{n}: &b{n} [" + ",".join([f"*b{n - 1}"] * 9) + "]\n" for n in range(1, 9))
        lines.insert(i, bomb)
    elif trick == 3:
        lines.insert(i, f"{indent}deep: " + "[" * rng.choice([40, 1000, 100_000]) + "\n")
    elif trick == 4:
        lines.insert(i, f"{indent}no: 1\n")
    elif trick == 5:
        lines.insert(i, f"{indent}when: 2027-02-30\n")
    elif trick == 6:
        lines.insert(i, f"{indent}tags: !!set {{a, b}}\n")
    elif trick == 7:
        lines.insert(i, f"{indent}blob: !!binary aGVsbG8=\n")
    elif trick == 8:
        lines.insert(i, f"{indent}<<: {{x: 1}}\n")
    elif trick == 9:
        lines.append("---\nconfig: {}\n")
    elif trick == 10:
        return ("".join(lines)).encode() .replace(b"e", b"\xe9", 1)
    elif trick == 11:
        return b"\xef\xbb\xbf" + "".join(lines).encode()
    elif trick == 12:
        lines.insert(i, f"{indent}nanvalue: .nan\n")
    else:
        lines.insert(i, f"{indent}big: {'9' * rng.choice([17, 400, 5000])}\n")
    return "".join(lines).encode()


@dataclass
class Example:
    stack: str
    data: bytes
    name: str = "fuzz"
    traffic_sample: bool = False
    """``mutate_traffic_sample`` wrote evaluation.online.trafficSample."""
    unit_prices: bool = False
    """``mutate_unit_prices`` wrote model.unitPrices."""


def generate(rng: random.Random, bases: dict[str, dict[str, Any]]) -> Example:
    stack = rng.choice(STACKS)
    doc = copy.deepcopy(bases[stack])
    sampled = rng.random() < 0.25
    if sampled:
        mutate_traffic_sample(doc, rng)
    priced = rng.random() < 0.2
    if priced:
        mutate_unit_prices(doc, rng)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        mutate_structure(doc, rng)
    text = dump(doc)
    data = _text_trick(text, rng) if rng.random() < 0.3 else text.encode()
    name = rng.choice(["..", "../x", "a/b", "x" * 101, "fuzz\x1b"]) if rng.random() < 0.02 else "fuzz"
    return Example(stack, data, name, sampled, priced)


def base_documents() -> dict[str, dict[str, Any]]:
    from core.yamlsafe import load_yaml

    return {s: load_yaml(ROOT / f"Pulumi.{s}.yaml") for s in STACKS}


@dataclass
class Tally:
    generated: int = 0
    accepted: int = 0
    rejected: int = 0
    tracebacks: int = 0
    bad_messages: int = 0
    problem_lines: int = 0
    planned: int = 0
    engine_errors: int = 0
    traceback_kinds: Counter[str] = field(default_factory=Counter)
    message_defects: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    traffic_sample: Counter[str] = field(default_factory=Counter)
    """Outcomes of the examples that wrote trafficSample, and how many rejections named it."""
    unit_prices: Counter[str] = field(default_factory=Counter)
    """Outcomes of the examples that wrote unitPrices, and how many rejections named it."""


def _message_defect(line: str) -> str | None:
    if "\n" in line or "\r" in line:
        return "more than one line"
    if any(unicodedata.category(c)[0] == "C" for c in line):
        return "unescaped control character"
    if SENTINEL in line:
        return "echoes a value"
    return None


def run_one(example: Example, project: Path, tally: Tally, *, plan: bool = False) -> str:
    """Read one generated stack file as `blueprint plan` does; returns 'accepted', 'rejected' or 'traceback'."""
    from blueprint.lookups import UnlistedLookupError
    from blueprint.stackconfig import StackConfigError, load_stack_config, namespace_values
    from core.problems import SettingsError
    from stacks.settings import validate

    (project / "Pulumi.fuzz.yaml").write_bytes(example.data)
    tally.generated += 1
    try:
        cfg = load_stack_config(project, example.name)
        validate(namespace_values(cfg), region=cfg.region, project=cfg.project, stack=example.name)
        if plan:
            from blueprint import engine

            tally.planned += 1
            try:
                engine.plan(example.name, ROOT, config=cfg)
            except UnlistedLookupError:  # a clean exit-3 error naming the lookup: the engine's table, not a crash
                tally.engine_errors += 1
    except StackConfigError as exc:
        lines = [str(exc)]
        _count_sample(example, tally, "rejected", lines)
        named = lines[0].startswith(("Pulumi.fuzz.yaml", "Pulumi.yaml", "stack '"))
        return _rejected(tally, lines, named, example)
    except SettingsError as exc:
        lines = [str(p) for p in exc.problems]
        _count_sample(example, tally, "rejected", lines)
        named = all(line.startswith(("genai-platform", "oci:region")) for line in lines)
        if len(set(lines)) != len(lines):
            tally.message_defects["a problem line repeated"] += 1
            tally.bad_messages += 1
        return _rejected(tally, lines, named, example)
    except Exception as exc:  # the defect this script hunts
        tally.tracebacks += 1
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        kind = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        tally.traceback_kinds[kind] += 1
        _count_sample(example, tally, "traceback", [])
        if len(tally.samples) < 20:
            tally.samples.append(f"{kind}\n{example.data[:4000]!r}")
        return "traceback"
    tally.accepted += 1
    _count_sample(example, tally, "accepted", [])
    return "accepted"


def _count_sample(example: Example, tally: Tally, outcome: str, lines: list[str]) -> None:
    """Tally an outcome for each key the example wrote beyond the stack files (and rejections naming it)."""
    for wrote, counter, key in ((example.traffic_sample, tally.traffic_sample, "evaluation.online.trafficSample"),
                                (example.unit_prices, tally.unit_prices, "model.unitPrices")):
        if wrote:
            counter[outcome] += 1
            if any(key in line for line in lines):
                counter[f"rejections naming {key.rsplit('.', 1)[-1]}"] += 1


def _rejected(tally: Tally, lines: list[str], named: bool, example: Example) -> str:
    tally.rejected += 1
    tally.problem_lines += len(lines)
    defects = [d for d in (_message_defect(line) for line in lines) if d]
    if not named:
        defects.append("does not name the file or a config key")
    for defect in set(defects):
        tally.message_defects[defect] += 1
    if defects:
        tally.bad_messages += 1
        if len(tally.samples) < 20:
            tally.samples.append(f"{defects}: {lines[:3]!r}")
    return "rejected"


def scratch_project() -> Path:
    project = Path(tempfile.mkdtemp(prefix="fuzz-settings-"))
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan", action="store_true", help="also plan every accepted config with the offline engine")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    rng = random.Random(args.seed)
    bases = base_documents()
    project = scratch_project()
    tally = Tally()
    started = time.perf_counter()
    try:
        for _ in range(args.count):
            run_one(generate(rng, bases), project, tally, plan=args.plan)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    seconds = time.perf_counter() - started
    print(f"generated {tally.generated}  accepted {tally.accepted}  rejected {tally.rejected}  "
          f"tracebacks {tally.tracebacks}  rejections with a bad message {tally.bad_messages}  "
          f"({tally.problem_lines} problem lines; seed {args.seed}; {seconds:.1f} s)")
    print("with trafficSample written: " + "  ".join(f"{k} {v}" for k, v in sorted(tally.traffic_sample.items())))
    print("with unitPrices written: " + "  ".join(f"{k} {v}" for k, v in sorted(tally.unit_prices.items())))
    if args.plan:
        print(f"planned {tally.planned} accepted configs; {tally.engine_errors} stopped at an unlisted lookup (exit 3)")
    for kind, n in tally.traceback_kinds.most_common():
        print(f"  traceback {n:>5} × {kind}")
    for defect, n in tally.message_defects.most_common():
        print(f"  message   {n:>5} × {defect}")
    for sample in tally.samples[:5]:
        print("  sample:", sample[:600].replace("\n", "\n          "))
    return 1 if tally.tracebacks or tally.bad_messages else 0


if __name__ == "__main__":
    raise SystemExit(main())

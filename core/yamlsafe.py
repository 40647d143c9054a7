"""The one YAML reader for user-editable files: stack files, ``Pulumi.yaml``, waivers, the classification matrix.

PyYAML's ``safe_load`` refuses arbitrary objects but not hostile or careless documents. This reader
keeps YAML 1.1 scalar resolution (booleans such as ``yes``/``no``, as the Pulumi CLI's YAML library,
gopkg.in/yaml.v2, reads them: https://github.com/pulumi/pulumi/blob/master/sdk/go/common/encoding/marshal.go)
and refuses, with one :class:`~core.inputs.InputError` line naming the file, line and key path:

- duplicate keys (``safe_load`` silently keeps the last one);
- keys that are not strings (``no:`` is the boolean false in YAML 1.1, ``1:`` a number);
- recursive aliases (``&a [*a]``), and documents whose aliases expand to more than ``max_nodes``
  nodes ("billion laughs"): the size is computed while composing, so a bomb fails in microseconds;
- nesting deeper than ``max_depth`` (after alias expansion) instead of a RecursionError;
- explicit tags other than the JSON-like core (``!!set``, ``!!binary``, ``!!omap``, ``!!python/…``,
  local ``!tags``) and ``<<`` merge keys;
- NaN and infinities, and integers beyond ±2**53 (not exactly representable as the JSON number a
  Pulumi config value becomes);
- more than one document.

Timestamps stay the text they were written as (``2027-03-31`` is the string ``"2027-03-31"``, as
yaml.v2 hands it to an untyped value); the reader of the file checks dates where it expects them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from core.inputs import DEFAULT_MAX_BYTES, InputError, escape, key_path, read_text

MAX_DEPTH = 32
MAX_NODES = 20_000
#: Largest integer magnitude a config number may have: every integer up to it is an exact float64.
MAX_SAFE_INTEGER = 2**53

_T = "tag:yaml.org,2002:"
_STRINGLIKE = {_T + "str", _T + "timestamp", _T + "value", _T + "yaml"}
_KEY_KIND = {_T + "bool": "true/false (quote it: YAML 1.1 reads yes/no/on/off as booleans)",
             _T + "int": "a number (quote it)", _T + "float": "a number (quote it)", _T + "null": "null (quote it)"}


def _base() -> type:
    """libyaml's event parser (~10x faster than the pure-Python one); composing stays in Python, below."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return yaml.SafeLoader

    class _CSafeComposer(Composer, CParser, SafeConstructor, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    return _CSafeComposer


class _Limited(_base()):  # type: ignore[misc]
    """A safe loader whose composer tracks nesting depth, open anchors and each node's expanded size."""

    def __init__(self, text: str, label: str, max_depth: int, max_nodes: int) -> None:
        super().__init__(text)
        self.label, self.max_depth, self.max_nodes = label, max_depth, max_nodes
        self._depth = 0
        self._open: set[str] = set()
        #: id(node) → (expanded node count, expanded depth); aliases reuse their anchor's entry.
        self.measure: dict[int, tuple[int, int]] = {}
        self._keep: list[Node] = []

    def _fail(self, message: str, mark: Any) -> InputError:
        return InputError(self.label, message, line=mark.line + 1 if mark is not None else None)

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # The scanner keeps a possible simple key per open bracket and rescans them all per token:
        # thousands of '[' would take quadratic time before the composer ever saw the depth.
        if self.flow_level >= self.max_depth:
            raise self._fail(f"nested deeper than {self.max_depth} levels", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) and event.anchor in self._open:
            raise self._fail(f"alias '{escape(event.anchor)}' refers to its own anchor (a recursive structure)",
                             event.start_mark)
        anchor = event.anchor if isinstance(event, (SequenceStartEvent, MappingStartEvent)) else None
        self._depth += 1
        if self._depth > self.max_depth:
            raise self._fail(f"nested deeper than {self.max_depth} levels", event.start_mark)
        if anchor is not None:
            self._open.add(anchor)
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)
        assert node is not None  # compose_node is only called where a node follows
        self._measure(node, event.start_mark)
        return node

    def _measure(self, node: Node, mark: Any) -> None:
        if id(node) in self.measure:
            return
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        size, depth = 1, 1
        for child in children:
            child_size, child_depth = self.measure.get(id(child), (1, 1))
            size += child_size
            depth = max(depth, child_depth + 1)
        if size > self.max_nodes:
            raise self._fail(f"expands to more than {self.max_nodes} values (aliases); refusing a YAML bomb", mark)
        if depth > self.max_depth:
            raise self._fail(f"nested deeper than {self.max_depth} levels once aliases are expanded", mark)
        self.measure[id(node)] = (size, depth)
        self._keep.append(node)  # ids stay unique while the node lives


def parse_yaml(text: str, label: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """One YAML document → plain Python (dict, list, str, int, float, bool, None), or InputError."""
    loader = None
    try:
        loader = _Limited(text, label, max_depth, max_nodes)
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if exc.context and "expected a single document" in exc.context:
                raise InputError(label, "holds more than one YAML document; expected exactly one",
                                 line=exc.problem_mark.line + 1 if exc.problem_mark else None) from None
            raise
        return None if node is None else _Converter(loader).value(node, [])
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise InputError(label, f"contains a control character YAML does not allow (#x{exc.character:04x})",
                         line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = escape(exc.problem or "syntax error", 120)
        raise InputError(label, f"not valid YAML ({problem})", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError:
        raise InputError(label, "not valid YAML") from None
    finally:
        if loader is not None and hasattr(loader, "dispose"):
            loader.dispose()


def load_yaml(path: Path, *, label: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
              max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """Read and parse one YAML file (see the module docstring for what is refused)."""
    name = label or escape(path.name)
    return parse_yaml(read_text(path, label=name, max_bytes=max_bytes), name, max_depth=max_depth, max_nodes=max_nodes)


class _Converter:
    """Composed nodes → plain values; depth and size were bounded while composing."""

    def __init__(self, loader: _Limited) -> None:
        self.loader = loader

    def _fail(self, node: Node, path: list[str | int], message: str) -> InputError:
        return InputError(self.loader.label, message, where=key_path(path), line=node.start_mark.line + 1)

    def value(self, node: Node, path: list[str | int]) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode) and node.tag == _T + "seq":
            return [self.value(child, [*path, i]) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode) and node.tag == _T + "map":
            return self.mapping(node, path)
        raise self._fail(node, path, f"unsupported YAML tag '{escape(node.tag)}'; allowed: plain maps, lists and scalars")

    def scalar(self, node: ScalarNode, path: list[str | int]) -> Any:
        tag = node.tag
        if tag in _STRINGLIKE:
            return node.value
        if tag == _T + "int" and len(node.value.replace("_", "").lstrip("+-0")) > 20:
            raise self._fail(node, path, "integer too large; allowed: at most 2**53 in magnitude")
        if tag in (_T + "int", _T + "float", _T + "bool", _T + "null"):
            value = self.loader.construct_object(node)
            if isinstance(value, float) and not math.isfinite(value):
                raise self._fail(node, path, "not a finite number (NaN and infinity are not allowed)")
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
                raise self._fail(node, path, "integer too large; allowed: at most 2**53 in magnitude")
            return value
        raise self._fail(node, path, f"unsupported YAML tag '{escape(tag)}'; allowed: plain maps, lists and scalars")

    def mapping(self, node: MappingNode, path: list[str | int]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _T + "merge":
                raise self._fail(key_node, path, "'<<' merge keys are not supported; write the keys out")
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _STRINGLIKE:
                kind = _KEY_KIND.get(key_node.tag, "a list or mapping") if isinstance(key_node, ScalarNode) \
                    else "a list or mapping"
                shown = f" '{escape(key_node.value)}'" if isinstance(key_node, ScalarNode) else ""
                raise self._fail(key_node, path, f"key{shown} is not a string but {kind}")
            key = key_node.value
            if key in out:
                raise self._fail(key_node, [*path, key], "duplicate key; each key may appear once (no silent override)")
            out[key] = self.value(value_node, [*path, key])
        return out

"""A parser for the subset of OCI Monitoring Query Language (MQL) that alarm queries use.

Grammar (OCI Monitoring "Monitoring Query Language (MQL) Reference"), as accepted here::

    query      := condition (("&&" | "||") condition)*
    condition  := stream (comparison | ".absent()")       -- absent() is itself the condition
    stream     := metric "[" interval "]" filters? grouping? "." statistic
    metric     := letter (letter | digit | "_")*
    interval   := integer ("m" | "h" | "d")               -- alarms: 1m to 60m, or 1h
    filters    := "{" filter ("," filter)* "}"
    filter     := dimension ("=" | "=~" | "!=") quoted-string
    grouping   := ".grouping()" | ".groupBy(" dimension ("," dimension)* ")"
    statistic  := ("rate" | "sum" | "mean" | "min" | "max" | "count" | "last") "()"
                | "percentile(" number ")"                -- 0 < p < 1
    comparison := (">" | ">=" | "<" | "<=" | "==" | "!=") number
                | ("in" | "not in") "(" number "," number ")"

MQL has no arithmetic between metric streams, so a ratio (errors / requests) cannot be alarmed on
directly: the router publishes the ratio as its own metric (see components/operations.py).

``parse(text)`` returns a ``Query`` or raises ``MqlError`` naming the offset and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATISTICS = ("rate", "sum", "mean", "min", "max", "count", "last", "percentile")
COMPARATORS = (">=", "<=", "==", "!=", ">", "<")
ALARM_INTERVALS_MINUTES = range(1, 61)


class MqlError(ValueError):
    """A malformed query: says where and what was expected (never echoes dimension values)."""


@dataclass(frozen=True)
class Filter:
    dimension: str
    operator: str
    value: str


@dataclass(frozen=True)
class Condition:
    metric: str
    interval: str
    filters: tuple[Filter, ...]
    group_by: tuple[str, ...] | None
    """None: no grouping; (): grouping() over everything; otherwise the dimensions grouped by."""
    statistic: str
    """A statistic name, or 'absent'."""
    percentile: float | None
    operator: str | None
    threshold: tuple[float, ...]


@dataclass(frozen=True)
class Query:
    conditions: tuple[Condition, ...]
    joins: tuple[str, ...]


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<interval>\d+[mhd](?![A-Za-z0-9_]))
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![A-Za-z0-9_.]))
  | (?P<op>&&|\|\||>=|<=|==|!=|=~|[><=\[\]{}().,])
  | (?P<name>[A-Za-z][A-Za-z0-9_]*)
""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise MqlError(f"unexpected character at offset {pos}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group(), pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, *, for_alarm: bool) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.for_alarm = for_alarm

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, kind: str, value: str | None = None, what: str | None = None) -> str:
        k, v, pos = self.peek()
        if k != kind or (value is not None and v != value):
            raise MqlError(f"expected {what or value or kind} at offset {pos}")
        self.i += 1
        return v

    def at(self, kind: str, value: str | None = None) -> bool:
        k, v, _ = self.peek()
        return k == kind and (value is None or v == value)

    def query(self) -> Query:
        conditions = [self.condition()]
        joins: list[str] = []
        while self.at("op", "&&") or self.at("op", "||"):
            joins.append(self.take("op"))
            conditions.append(self.condition())
        self.take("end", what="end of query")
        return Query(tuple(conditions), tuple(joins))

    def condition(self) -> Condition:
        metric = self.take("name", what="a metric name")
        self.take("op", "[", "'[' and an interval")
        _, interval, pos = self.peek()
        self.take("interval", what="an interval such as 1m, 5m or 1h")
        self._check_interval(interval, pos)
        self.take("op", "]")
        filters: list[Filter] = []
        if self.at("op", "{"):
            self.take("op", "{")
            while True:
                dim = self.take("name", what="a dimension name")
                k, op, pos = self.peek()
                if op not in ("=", "=~", "!=") or k != "op":
                    raise MqlError(f"expected '=', '=~' or '!=' at offset {pos}")
                self.i += 1
                value = self.take("string", what="a double-quoted dimension value")
                filters.append(Filter(dim, op, value[1:-1]))
                if self.at("op", "}"):
                    self.take("op", "}")
                    break
                self.take("op", ",", "',' or '}'")
        group_by: tuple[str, ...] | None = None
        self.take("op", ".", "'.' and a statistic")
        name = self.take("name", what="a grouping function or statistic")
        if name in ("grouping", "groupBy"):
            self.take("op", "(")
            dims: list[str] = []
            if name == "groupBy":
                dims.append(self.take("name", what="a dimension to group by"))
                while self.at("op", ","):
                    self.take("op", ",")
                    dims.append(self.take("name", what="a dimension to group by"))
            self.take("op", ")")
            group_by = tuple(dims)
            self.take("op", ".", "'.' and a statistic")
            name = self.take("name", what="a statistic")
        if name == "absent":
            self.take("op", "(")
            self.take("op", ")")
            return Condition(metric, interval, tuple(filters), group_by, "absent", None, None, ())
        if name not in STATISTICS:
            raise MqlError(f"unknown statistic before offset {self.peek()[2]}; allowed: {', '.join(STATISTICS)}, absent")
        self.take("op", "(")
        percentile: float | None = None
        if name == "percentile":
            pos = self.peek()[2]
            percentile = float(self.take("number", what="a percentile between 0 and 1"))
            if not 0 < percentile < 1:
                raise MqlError(f"percentile at offset {pos} must be between 0 and 1 (exclusive)")
        self.take("op", ")")
        operator, threshold = self.comparison()
        return Condition(metric, interval, tuple(filters), group_by, name, percentile, operator, threshold)

    def comparison(self) -> tuple[str, tuple[float, ...]]:
        k, v, pos = self.peek()
        if k == "op" and v in COMPARATORS:
            self.i += 1
            return v, (float(self.take("number", what="a numeric threshold")),)
        negate = False
        if k == "name" and v == "not":
            self.i += 1
            negate = True
            k, v, pos = self.peek()
        if k == "name" and v == "in":
            self.i += 1
            self.take("op", "(")
            lo = float(self.take("number", what="a lower bound"))
            self.take("op", ",")
            hi = float(self.take("number", what="an upper bound"))
            self.take("op", ")")
            if lo > hi:
                raise MqlError(f"range before offset {self.peek()[2]} has its lower bound above its upper bound")
            return ("not in" if negate else "in"), (lo, hi)
        raise MqlError(f"expected a comparison (>, >=, <, <=, ==, !=, in, not in) at offset {pos}")

    def _check_interval(self, interval: str, pos: int) -> None:
        amount, unit = int(interval[:-1]), interval[-1]
        if amount < 1:
            raise MqlError(f"interval at offset {pos} must be at least 1")
        if self.for_alarm and not ((unit == "m" and amount in ALARM_INTERVALS_MINUTES) or interval == "1h"):
            raise MqlError(f"alarm interval at offset {pos} must be 1m to 60m, or 1h")


def parse(text: str, *, for_alarm: bool = True) -> Query:
    """Parse an MQL alarm query; raises MqlError if it is malformed."""
    if not isinstance(text, str) or not text.strip():
        raise MqlError("empty query")
    return _Parser(text, for_alarm=for_alarm).query()

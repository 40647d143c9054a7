"""`blueprint verify <stack> --compartment-id OCID`: after a deploy, check against the live services the
cross-service facts no page reachable offline could confirm.

1. **Alarm metrics exist as queried.** The stack's planned alarms (display names from its offline plan,
   ``blueprint/alarms.py``) are looked up in OCI with Monitoring ``ListAlarms`` in the stack's compartment
   (``pulumi stack output compartmentId``): the deployed alarm carries the real query (real OCIDs in its
   filters) and the compartment its metrics live in, which the offline plan cannot know. Each query is
   parsed with the MQL grammar (``components/mql.py``) and every metric it names is listed with
   ``ListMetrics`` (namespace and name) in the alarm's metric compartment. Per alarm, the worst of:

   ``ok``               a stream of the metric passes every filter of the query (a query that names no
                        dimension watches every stream: the dimension names OCI reports are printed);
   ``no-data-yet``      streams of the metric carry every dimension the query names, but none has the
                        filtered values yet (e.g. no traffic since the deploy);
   ``wrong-dimension``  streams of the metric exist, but none carries a dimension the query filters or
                        groups on: the query filters nothing (OCI ignores an unknown dimension) — the
                        dimension names OCI reports are printed;
   ``no-metric``        no stream of that namespace and metric in the compartment (ListMetrics returns
                        metrics that received data in the last two weeks);
   ``not-deployed``     a planned alarm that ListAlarms does not return.

   Custom namespaces (``genai_*``) are included: their streams prove the router's emitters post.
2. **Prices.** Every dedicated AI cluster unit shape's part number (``core/genai_units.py``, USD per
   unit-hour) and every default on-demand model's (``stacks/settings/model.py`` ``DEFAULT_MODEL_PARTS``, USD per
   10,000 characters) is read from Oracle's public cost-estimator catalogue and its pay-as-you-go USD price
   compared with ours:
   ``ok``, ``mismatch`` (both numbers printed; prices are public), ``wrong-product`` (the part number names
   another product), ``not-in-catalogue`` (the public catalogue is a subset of the price list: unverified,
   not a failure). A unit shape the stack prices itself (``genai-platform:model.unitPrices``, a contracted
   rate) gets a second row, ``negotiated``: its list price is still checked above, the stack's price is
   not compared with the public list (and not printed), and it is not a failure.

Exit codes: 0 nothing wrong; 1 ``wrong-dimension``, ``no-metric``, ``not-deployed``, ``unparseable``,
``mismatch`` or ``wrong-product``; 2 bad input (stack, arguments, OCI config), an authentication failure
or an unreachable service — one line naming the service and operation, never a value or a credential.
Nothing is written: the planned alarms come from the stack's graph when it is fresh, else from a plan kept in
memory; the stack is validated before any call is made. Exit 3: the offline engine could not plan it. The principal needs
``inspect alarms`` and ``inspect metrics`` in the compartment (ListAlarms: ALARM_INSPECT, ListMetrics:
METRIC_INSPECT, https://docs.oracle.com/iaas/Content/Identity/Reference/monitoringpolicyreference.htm).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blueprint.console import EXIT_ENGINE, EXIT_FAILED, EXIT_INPUT, EXIT_OK, console, report_input_error

#: Oracle's public cost-estimator catalogue (no authentication; JSON ``{"items": [{"partNumber",
#: "displayName", "metricName", "serviceCategory", "currencyCodeLocalizations": [{"currencyCode",
#: "prices": [{"model": "PAY_AS_YOU_GO", "value"}]}]}]}``), queried per part number with
#: ``?partNumber=<PN>&currencyCode=USD`` as Oracle's own OCI Pricing MCP server does
#: (https://github.com/oracle/mcp/blob/main/src/oci-pricing-mcp-server/oci-pricing-mcp-server.py, which also
#: reads price blocks under ``prices`` and notes that the catalogue is a public subset: an empty ``items`` is normal).
PRICES_URL = "https://apexapps.oracle.com/pls/apex/cetools/api/v1/products/"
PRICE_MODEL = "PAY_AS_YOU_GO"
CURRENCY = "USD"
#: Statuses that fail the command (exit 1).
FAILING = frozenset({"wrong-dimension", "no-metric", "not-deployed", "unparseable", "mismatch", "wrong-product"})
_SEVERITY = ("ok", "no-data-yet", "not-in-catalogue", "unparseable", "wrong-dimension", "no-metric", "not-deployed")
_COMPARTMENT = re.compile(r"^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$")
_TIMEOUT_S = 30


class VerifyError(Exception):
    """A failure that stops the command: one line naming what failed and where (never a value)."""


def add_command(sub: Any) -> None:
    p = sub.add_parser("verify", help="after a deploy: check alarm metrics and unit prices against the live services")
    p.add_argument("stack")
    p.add_argument("--compartment-id", help="the deployed stack's compartment (pulumi stack output compartmentId); "
                                            "required unless --only prices")
    p.add_argument("--only", choices=("alarms", "prices"), help="run one of the two checks")
    p.add_argument("--auth", choices=("config", "instance_principal"), default="config",
                   help="OCI credentials: the SDK config file (default) or the instance principal")
    p.add_argument("--config-file", default="~/.oci/config", help="OCI SDK config file (with --auth config)")
    p.add_argument("--profile", default="DEFAULT", help="profile of the config file (with --auth config)")
    p.add_argument("--monitoring-endpoint", help="Monitoring API endpoint (default: the region's); https, or http on 127.0.0.1")
    p.add_argument("--prices-url", default=PRICES_URL, help="price catalogue URL; https, or http on 127.0.0.1")
    p.set_defaults(handler=run)


def checked_endpoint(url: str, option: str) -> str:
    """``url`` if it is https, or http on 127.0.0.1 (loopback tests); otherwise a VerifyError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname == "127.0.0.1":
        return url
    raise VerifyError(f"{option}: not an allowed URL; allowed: https://..., or http://127.0.0.1... (tests)")


# ---- alarm metrics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmCheck:
    alarm: str
    namespace: str
    metrics: str
    status: str
    detail: str


def classify(condition: Any, streams: Sequence[Mapping[str, str]]) -> tuple[str, str]:
    """The status of one query condition over the metric's streams (each a dimensions mapping) and what
    to print beside it (dimension names only, never values)."""
    from components.mql_eval import stream_matches

    if not streams:
        return "no-metric", "ListMetrics returned no stream of this metric in the compartment"
    known = set().union(*(s.keys() for s in streams))
    wanted = [f.dimension for f in condition.filters] + list(condition.group_by or ())
    if not wanted:
        # A query that names no dimension watches every stream (the Generative AI endpoint alarms: no page
        # names their dimensions). Print the names OCI reports, so the first live run records them.
        return "ok", (f"watches every stream ({len(streams)}); OCI reports dimensions "
                      f"{', '.join(sorted(known)) or '(none)'}")
    missing = sorted({d for d in wanted if d not in known})
    if missing:
        return "wrong-dimension", (f"query names {', '.join(missing)}; OCI reports dimensions "
                                   f"{', '.join(sorted(known)) or '(none)'}")
    if any(stream_matches(s, condition, known) for s in streams):
        return "ok", ""
    return "no-data-yet", "no stream has the filtered values yet"


def _worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=_SEVERITY.index, default="ok")


def check_alarms(planned: Sequence[Any], deployed: Sequence[Any],
                 list_metrics: Callable[[str, str, str], list[dict[str, str]]]) -> list[AlarmCheck]:
    """Planned alarm rows (``blueprint.alarms.AlarmRow``) against the deployed alarms (ListAlarms
    summaries); ``list_metrics(compartment, namespace, name)`` → the streams' dimensions."""
    from components.mql import MqlError, parse

    by_name = {a.display_name: a for a in deployed}
    cache: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    out = []
    for row in planned:
        alarm = by_name.get(row.display_name)
        if alarm is None:
            out.append(AlarmCheck(row.display_name, row.namespace, _metrics(parse(row.query)), "not-deployed",
                                  "ListAlarms does not return it in the compartment"))
            continue
        try:
            query = parse(alarm.query or "")
        except MqlError as exc:
            out.append(AlarmCheck(row.display_name, alarm.namespace, "-", "unparseable", f"deployed query: {exc}"))
            continue
        results = []
        for cond in query.conditions:
            key = (alarm.metric_compartment_id or alarm.compartment_id, alarm.namespace, cond.metric)
            if key not in cache:
                cache[key] = list_metrics(*key)
            results.append(classify(cond, cache[key]))
        status = _worst(s for s, _ in results)
        detail = "; ".join(d for s, d in results if s == status and d)
        out.append(AlarmCheck(row.display_name, alarm.namespace, _metrics(query), status, detail))
    return out


def _metrics(query: Any) -> str:
    return ", ".join(dict.fromkeys(c.metric for c in query.conditions))


def _monitoring(args: argparse.Namespace) -> Any:
    """A Monitoring client from the chosen credentials, no retries (a failure is reported, not hidden)."""
    import oci

    kwargs: dict[str, Any] = {"retry_strategy": oci.retry.NoneRetryStrategy(), "timeout": (10, _TIMEOUT_S)}
    if args.monitoring_endpoint:
        kwargs["service_endpoint"] = args.monitoring_endpoint
    if args.auth == "instance_principal":
        try:
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        except Exception as exc:  # the SDK raises several kinds here (metadata service, federation)
            raise VerifyError(f"instance principal: could not obtain a security token ({type(exc).__name__})") from exc
        return oci.monitoring.MonitoringClient({"region": signer.region}, signer=signer, **kwargs)
    from core.inputs import escape

    path = Path(args.config_file).expanduser()
    where = f"OCI config file '{escape(str(path))}', profile '{escape(args.profile)}'"
    try:
        config = oci.config.from_file(str(path), args.profile)
        return oci.monitoring.MonitoringClient(config, **kwargs)
    except oci.exceptions.ConfigFileNotFound as exc:
        raise VerifyError(f"OCI config file '{escape(str(path))}': not found or unreadable") from exc
    except oci.exceptions.ProfileNotFound as exc:
        raise VerifyError(f"{where}: no such profile") from exc
    except oci.exceptions.InvalidConfig as exc:
        keys = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
        names = ", ".join(sorted(escape(str(k)) for k in keys)) or "its keys"
        raise VerifyError(f"{where}: invalid or missing {names}") from exc
    except (oci.exceptions.InvalidKeyFilePath, oci.exceptions.InvalidPrivateKey) as exc:
        raise VerifyError(f"{where}: the key file it names is missing or not a usable private key") from exc


def _call(operation: str, fn: Callable[[], Any]) -> Any:
    """Run one Monitoring call, turning its failures into one line naming the operation."""
    import oci
    import requests

    try:
        return fn()
    except oci.exceptions.ServiceError as exc:
        raise VerifyError(f"Monitoring {operation} failed: HTTP {exc.status} {escape_code(exc.code)}") from exc
    except (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout, requests.RequestException, OSError) as exc:
        raise VerifyError(f"Monitoring {operation}: could not reach the endpoint ({type(exc).__name__})") from exc
    except (oci.exceptions.ClientError, ValueError) as exc:  # e.g. the signer could not read the key
        raise VerifyError(f"Monitoring {operation}: the request could not be signed or read ({type(exc).__name__})") from exc


def escape_code(code: Any) -> str:
    from core.inputs import escape

    return escape(str(code or ""), 60)


def live_alarms(client: Any, compartment_id: str) -> list[Any]:
    """Every active alarm of the compartment (ListAlarms, all pages; a deleted alarm keeps its display name
    for a while, so ``lifecycleState=ACTIVE``: the values ListAlarms accepts are ACTIVE, DELETING and DELETED,
    oci-python-sdk 2.189.0 monitoring_client.py)."""
    import oci

    return list(_call("ListAlarms", lambda: oci.pagination.list_call_get_all_results(
        client.list_alarms, compartment_id, lifecycle_state="ACTIVE").data))


def live_streams(client: Any) -> Callable[[str, str, str], list[dict[str, str]]]:
    """``(compartment, namespace, metric)`` → the dimensions of each stream ListMetrics returns (all pages)."""
    import oci
    from oci.monitoring.models import ListMetricsDetails

    def streams(compartment_id: str, namespace: str, name: str) -> list[dict[str, str]]:
        details = ListMetricsDetails(namespace=namespace, name=name)
        found = _call("ListMetrics", lambda: oci.pagination.list_call_get_all_results(
            client.list_metrics, compartment_id, details).data)
        return [dict(m.dimensions or {}) for m in found]

    return streams


# ---- prices ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceCheck:
    what: str
    part: str
    ours: float | None
    catalogue: float | None
    status: str
    detail: str


def catalogue_price(item: Mapping[str, Any]) -> float | None:
    """The item's USD pay-as-you-go price (``currencyCodeLocalizations`` or ``prices`` blocks), or None."""
    blocks = [*(item.get("currencyCodeLocalizations") or []), *(item.get("prices") or [])]
    for block in blocks:
        if isinstance(block, dict) and block.get("currencyCode") == CURRENCY:
            for price in block.get("prices") or []:
                value = price.get("value") if isinstance(price, dict) else None
                if price.get("model") == PRICE_MODEL and isinstance(value, int | float) and not isinstance(value, bool):
                    return float(value)
    return None


def fetch_part(url: str, part: str) -> list[dict[str, Any]]:
    """The catalogue's items for one part number (GET, JSON), or a VerifyError naming the part."""
    query = urllib.parse.urlencode({"partNumber": part, "currencyCode": CURRENCY})
    where = f"price catalogue GET products (part number {part})"
    try:
        with urllib.request.urlopen(f"{url}{'&' if '?' in url else '?'}{query}", timeout=_TIMEOUT_S) as resp:
            body = json.loads(resp.read(4_000_000))
    except urllib.error.HTTPError as exc:
        raise VerifyError(f"{where} failed: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise VerifyError(f"{where}: could not reach the catalogue ({type(exc).__name__})") from exc
    except ValueError as exc:
        raise VerifyError(f"{where}: the response is not JSON") from exc
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise VerifyError(f"{where}: the response has no 'items' list of objects")
    return items


@dataclass(frozen=True)
class PriceFact:
    """One price the project carries: where it lives, its part number, the product it bills as, our price."""
    what: str
    part: str
    product: str
    ours: float
    dedicated: bool
    shape: str = ""
    """The unit shape (dedicated facts only)."""


def price_facts() -> list[PriceFact]:
    """Every unit shape (core/genai_units.py, USD per unit-hour) and default on-demand model
    (stacks/settings/model.py, USD per 10,000 characters) with its part number."""
    from core.genai_units import UNIT_SHAPES
    from stacks.settings.model import DEFAULT_MODEL_PARTS, on_demand_default_prices

    facts = [PriceFact(f"{name} ({s.product})", s.part, s.product, s.unit_hour_usd, True, name)
             for name, s in UNIT_SHAPES.items()]
    for name, price in on_demand_default_prices().items():
        part, product = DEFAULT_MODEL_PARTS[name]
        facts.append(PriceFact(f"{name} (on-demand {product})", part, product, price, False))
    return facts


def check_prices(fetch: Callable[[str], list[dict[str, Any]]],
                 negotiated: Mapping[str, float] | None = None) -> list[PriceCheck]:
    """Every price fact against the catalogue: the part number names the product (a dedicated unit's
    "... - Dedicated" line, an on-demand model's other line) and its USD pay-as-you-go price is ours.
    A shape in ``negotiated`` (the stack's model.unitPrices) is still checked at its list price, and gets a
    ``negotiated`` row after it: the stack's price is the contract's, not the public list's."""
    out = []
    for fact in price_facts():
        out.append(_check_price(fact, fetch))
        if fact.shape and fact.shape in (negotiated or {}):
            out.append(PriceCheck(f"model.unitPrices.{fact.shape}", fact.part, None, out[-1].catalogue, "negotiated",
                                  "the stack's contracted unit-hour price meters this shape; it is not compared with "
                                  "the public list"))
    return out


def _check_price(fact: PriceFact, fetch: Callable[[str], list[dict[str, Any]]]) -> PriceCheck:
    from core.inputs import escape

    items = [i for i in fetch(fact.part) if i.get("partNumber") == fact.part]
    if not items:
        return PriceCheck(fact.what, fact.part, fact.ours, None, "not-in-catalogue",
                          "the public catalogue has no item with this part number: unverified")
    display = str(items[0].get("displayName") or "")
    price = catalogue_price(items[0])
    named = fact.product.casefold() in display.casefold()
    if not named or ("dedicated" in display.casefold()) != fact.dedicated:
        return PriceCheck(fact.what, fact.part, fact.ours, price, "wrong-product",
                          f"the catalogue names this part '{escape(display, 120)}'")
    if price is None:
        return PriceCheck(fact.what, fact.part, fact.ours, None, "not-in-catalogue",
                          f"no {CURRENCY} {PRICE_MODEL} price in the catalogue's item: unverified")
    if not math.isclose(price, fact.ours, rel_tol=1e-9, abs_tol=1e-12):
        home = "core/genai_units.py UNIT_SHAPES" if fact.dedicated else "stacks/settings/model.py _DEFAULT_MODELS"
        return PriceCheck(fact.what, fact.part, fact.ours, price, "mismatch", f"{home} must follow the catalogue")
    return PriceCheck(fact.what, fact.part, fact.ours, price, "ok", "")


# ---- the command -----------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def planned_alarms(stack: str, project_dir: Path, out_dir: Path) -> list[Any]:
    """The stack's planned alarms: from its written graph when fresh, else planned in memory (nothing written)."""
    from blueprint import engine
    from blueprint.alarms import alarm_rows
    from blueprint.graph import Graph
    from blueprint.planning import fresh_graph

    path = fresh_graph(stack, project_dir, out_dir)
    return alarm_rows(Graph.read(path) if path else engine.plan(stack, project_dir).graph)


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.graph import GraphFormatError
    from blueprint.lookups import UnlistedLookupError
    from blueprint.stackconfig import StackConfigError, settings_for
    from core.inputs import escape
    from core.problems import SettingsError

    err = console(stderr=True)
    do_alarms, do_prices = args.only in (None, "alarms"), args.only in (None, "prices")
    try:
        prices_url = checked_endpoint(args.prices_url, "--prices-url")
        if args.monitoring_endpoint:
            checked_endpoint(args.monitoring_endpoint, "--monitoring-endpoint")
        if do_alarms and not args.compartment_id:
            raise VerifyError("--compartment-id: required to check alarms; allowed: the deployed stack's "
                              "compartment OCID (pulumi stack output compartmentId), or --only prices")
        if do_alarms and not _COMPARTMENT.match(args.compartment_id):
            raise VerifyError("--compartment-id: not a compartment OCID; allowed: ocid1.compartment.<realm>..<id>")
    except VerifyError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    out = console()
    statuses: list[str] = []
    try:
        settings = settings_for(project_dir, args.stack)  # a bad stack stops here, before any call
        if do_alarms:
            client = _monitoring(args)
            deployed = live_alarms(client, args.compartment_id)
            checks = check_alarms(planned_alarms(args.stack, project_dir, out_dir), deployed, live_streams(client))
            out.print(_table(("alarm", "namespace", "metric", "status", "detail"),
                             [(c.alarm, c.namespace, c.metrics, c.status, c.detail) for c in checks]), markup=False)
            statuses += [c.status for c in checks]
        if do_prices:
            prices = check_prices(lambda part: fetch_part(prices_url, part), settings.model.unit_prices)
            out.print(_table(("priced as", "part", "ours USD", "catalogue USD", "status", "detail"),
                             [(p.what, p.part, _usd(p.ours), _usd(p.catalogue), p.status, p.detail) for p in prices]),
                      markup=False)
            statuses += [p.status for p in prices]
    except (SettingsError, StackConfigError) as exc:
        return report_input_error(args.stack, exc)
    except (VerifyError, GraphFormatError) as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    except UnlistedLookupError as exc:
        err.print(f"error: stack '{escape(args.stack)}': {exc}", markup=False)
        return EXIT_ENGINE
    failing = [s for s in statuses if s in FAILING]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
    out.print(f"verify '{escape(args.stack)}': {counts or 'nothing to check'}"
              + (f"; {len(failing)} failing (see README 'After the first deploy')" if failing else ""), markup=False)
    return EXIT_FAILED if failing else EXIT_OK

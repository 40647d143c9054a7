"""The online evaluation job's metrics match what the quality SLO alarm and its runbook query."""

from __future__ import annotations

import re

from components import mql
from components.operations import ALARMS, QUALITY_NS
from evals import contract
from router.hooks.genai_router_hooks import contract as router_contract
from stacks.settings.operations import thresholds_from
from tests.conftest import ROOT


def _quality_alarms() -> list:
    return [a for a in ALARMS if a.namespace == QUALITY_NS]


def test_contract_obeys_oci_rules_and_namespace_is_the_alarms() -> None:
    contract.check()
    assert QUALITY_NS == contract.QUALITY_NS
    assert _quality_alarms(), "no alarm watches genai_quality"


def test_every_quality_alarm_queries_a_published_metric_and_dimensions() -> None:
    for alarm in _quality_alarms():
        query = mql.parse(alarm.query(thresholds_from({}), {}))
        for cond in query.conditions:
            assert cond.metric in contract.BY_NAME, f"{alarm.id}: {cond.metric} is not published"
            used = {f.dimension for f in cond.filters} | set(cond.group_by or ())
            assert used <= set(contract.BY_NAME[cond.metric].dimensions), alarm.id
            # mean over a window of (value = run mean, count = cases) datapoints is the per-case mean
            assert cond.statistic == "mean" and contract.BY_NAME[cond.metric].aggregation == "mean"


def test_runbook_queries_match_the_contract() -> None:
    text = (ROOT / "runbooks" / "quality-degradation.md").read_text(encoding="utf-8")
    found = re.findall(r"--namespace (\w+) \\\n\s+--query-text '([^']+)'", text)
    assert found, "the runbook has no Monitoring query"
    assert contract.QUALITY_NS in {ns for ns, _ in found}
    for namespace, query in found:
        # genai_quality: the job's contract; another namespace: the router's (e.g. eval_samples_withheld).
        published = ({m: contract.DIMENSIONS for m in contract.BY_NAME} if namespace == contract.QUALITY_NS
                     else router_contract.published(namespace))
        assert published, f"{namespace} is not a namespace of ours"
        # A triage query is a stream without a condition; the alarm grammar needs one, so add a no-op.
        for cond in mql.parse(query + " >= 0", for_alarm=False).conditions:
            assert cond.metric in published
            assert set(cond.group_by or ()) | {f.dimension for f in cond.filters} <= set(published[cond.metric])

"""A few hundred structure-aware mutations of the stack files in the default run (10,000: the script).

The generator is benchmarks/fuzz_settings.py's: each example mutates Pulumi.dev.yaml or
Pulumi.prod.yaml (wrong types, bad strings, missing and extra keys, numbers, YAML-level tricks,
malformed stack names). No example may raise anything but a one-line-per-problem input error
naming the file or key, printable and without the injected value.
"""

from __future__ import annotations

import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz_settings import Tally, base_documents, generate, run_one, scratch_project

pytestmark = pytest.mark.unit

BASES = base_documents()


@pytest.fixture(scope="module")
def project():
    path = scratch_project()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_stack_files_never_raise_and_every_problem_is_one_clean_line(project, seed):
    tally = Tally()
    outcome = run_one(generate(random.Random(seed), BASES), project, tally)
    assert outcome != "traceback", tally.samples
    assert tally.bad_messages == 0, (tally.message_defects, tally.samples)


def test_the_generator_reaches_both_outcomes(project):
    """Guard against a generator that only ever produces garbage (or only valid files)."""
    tally = Tally()
    rng = random.Random(7)
    outcomes = {run_one(generate(rng, BASES), project, tally) for _ in range(60)}
    assert {"accepted", "rejected"} <= outcomes


@pytest.mark.parametrize("seed,written,label", [(3, "traffic_sample", "trafficSample"), (5, "unit_prices", "unitPrices")])
def test_the_generator_writes_and_mutates_the_keys_the_stack_files_leave_out(project, seed, written, label):
    """The stack files leave evaluation.online.trafficSample (rate, retentionDays) and model.unitPrices out;
    the generator writes them so that both a valid value and the key's own errors are reached."""
    tally = Tally()
    rng = random.Random(seed)
    for _ in range(300):
        run_one(generate(rng, BASES), project, tally)
    assert tally.tracebacks == 0 and tally.bad_messages == 0, tally.samples
    counter = getattr(tally, written)
    assert counter["accepted"] and counter[f"rejections naming {label}"], counter

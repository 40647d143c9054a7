"""The CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Assembly only. Creating the PolicyPack starts the analyzer's gRPC server and never returns, so
rules live in importable modules (policies/rules/) and are evaluated offline by policies/engine.py
through the same analyzer code path.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import all_rules

PolicyPack(
    name="genai-platform",
    enforcement_level=EnforcementLevel.ADVISORY,  # each rule carries its own level
    policies=[rule.policy() for rule in all_rules()],
)

"""Shared, neutral terms and input handling used by settings, components, policies and the CLI alike.

Settings (``stacks``), components, policies, the offline engine and reports all import these
definitions; this package imports none of them (``tests/test_imports.py`` checks it), so every
import points down the flow described in ``docs/architecture.md``:

- ``core.tiers``: the classification tiers and the matrix loader (``policies/classification.yaml``);
- ``core.problems``: the settings ``Problem`` type and ``SettingsError``;
- ``core.schema_errors``: how a JSON-schema error is worded (what was wrong, what is allowed);
- ``core.markers``: the graph's ``[secret]`` and ``[unknown]`` markers;
- ``core.severity``: rule severities and enforcement levels;
- ``core.topics``: the operations plane's notification topics;
- ``core.cis_events``: the CIS OCI Foundations event catalogue;
- ``core.inputs``, ``core.yamlsafe``, ``core.names``, ``core.schema``: reading untrusted files,
  the bounded YAML reader, Pulumi's name rules, JSON Schema with the specification's semantics.
"""

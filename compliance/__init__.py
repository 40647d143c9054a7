"""Auditor evidence: framework catalogs, the computed control mapping, compliance reports, OSCAL,
and the operating model's maturity scorecard and readiness checklist."""

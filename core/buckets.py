"""Object Storage bucket names and the evaluation-sample bucket's shared terms.

One home for what the data plane (which creates the buckets), the governance role table (which
keeps the human roles out of the sample bucket), the orchestration grants and the ``STK`` rule
that checks the sample bucket all name. Standard library only.
"""

from __future__ import annotations

SAMPLE_BUCKET_ROLE = "eval-samples"
"""The evaluation-sample bucket's role: sampled copies of answered requests, where the tier's
``trafficSample.store`` (policies/classification.yaml) is ``sample-bucket``."""
NONCURRENT_SAMPLE_DAYS = 1
"""Days after which a deleted sample's noncurrent version is deleted too (versioning stays on: CIS OCI
5.1.3). A sample lives at most its retention days plus this."""
SAMPLE_READER = "genai-online-eval"
"""Service account (and app name) of the online evaluation job: the only workload that may read samples."""


def bucket_name(environment: str, role: str) -> str:
    """A data-plane bucket's name: fixed at declaration, so IAM conditions can name it."""
    return f"genai-{environment}-{role}"


def sample_bucket_name(environment: str) -> str:
    return bucket_name(environment, SAMPLE_BUCKET_ROLE)

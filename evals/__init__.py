"""Offline and online evaluation of the platform's prompts against golden sets.

- `golden`: the golden sets (`evals/golden/<use-case>.jsonl`, schema-checked) and readiness counts.
- `corpus`: the shipped document corpus (`evals/corpus/*.md`) and lexical retrieval over it.
- `metrics`: relevance, groundedness, coverage, safety, p95 latency, cost per request.
- `stats`: the paired significance test behind `blueprint eval --compare`.
- `client`: an OpenAI-compatible HTTP client (chat completions, embeddings).
- `runner`: runs a golden set through an endpoint and gates the aggregate on thresholds.
- `report`: Markdown and JSON reports.

No LLM judges: every judgement is a reproducible computation over text, embeddings and numbers.
"""

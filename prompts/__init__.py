"""Prompts as code: one file per prompt version, `prompts/<use-case>/<version>.md`.

`registry` loads and validates them; `prompts.lock.json` pins each version's content hash.
"""

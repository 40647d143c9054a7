"""Router suite runs only in .venv-router (`make test-router`): the main .venv has no LiteLLM.

When litellm is not importable, skip collecting this directory entirely so the main run never
imports it.
"""

from __future__ import annotations

import importlib.util
import os

# Importing litellm otherwise fetches its model price map from the internet (with retries).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("litellm") is None:
    collect_ignore_glob = ["*.py", "*/*.py"]

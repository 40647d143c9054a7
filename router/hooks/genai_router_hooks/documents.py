"""The document blocks of a prompt: how retrieved documents travel inside a message, defined once.

The prompts' ``{context}`` renders each retrieved document as ``<document id="...">`` … ``</document>``
(``evals.corpus.render_context``); the router's evaluation samples (``samples``) and the online job
read them back with the same grammar. Stdlib only, no imports from this package: the repository's
main venv imports it as ``router.hooks.genai_router_hooks.documents``.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r'<document id="([a-z][a-z0-9-]*)">\n(.*?)\n</document>', re.DOTALL)


def render(docs: list[tuple[str, str]]) -> str:
    """(id, text) pairs as document blocks, one after the other."""
    return "\n".join(f'<document id="{doc_id}">\n{text.strip()}\n</document>' for doc_id, text in docs)


def parse(text: str) -> dict[str, str]:
    """The documents in ``text`` (id → text), the inverse of ``render``."""
    return dict(BLOCK.findall(text))


def strip(text: str) -> str:
    """The text without its document blocks (the question a user asked)."""
    return BLOCK.sub("", text).strip()

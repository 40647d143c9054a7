"""Text normalisation shared by retrieval and the metrics (deterministic, stdlib only)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9][a-z0-9_.\-]*[a-z0-9]|[a-z0-9]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\[])")
CITATION = re.compile(r"\[([a-z][a-z0-9-]*)\]")
"""A citation in an answer: the document id in square brackets, as the prompts instruct."""

_STOPWORDS = (
    "a an and are as at be because been before but by can do does for from has have how if in into is it its "
    "itself of on once only or so such than that the their them then there these they this to too under until "
    "was what when where which while who whom why will with would you your our we us i me my per each every "
    "any all no not should must may one tell say says said which whose about after over"
)
STOPWORDS = frozenset(_STOPWORDS.split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens; keeps ids such as error_ratio, eu-frankfurt-1 and 0.85 whole."""
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A crude, reproducible suffix strip (plural 's'), enough to match 'alarms' and 'alarm'."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """Sentences of a text (lines first, then sentence ends), without Markdown headings."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return out


def strip_citations(text: str) -> str:
    return CITATION.sub("", text)

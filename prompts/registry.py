"""Load, validate and pin the versioned prompts in `prompts/<use-case>/<MAJOR.MINOR.PATCH>.md`.

A prompt file is YAML front matter (schema: `prompts/prompt.schema.json`) and two Markdown
sections, `## System` (the system prompt) and `## Template` (the user message, with the
placeholders `{context}` and `{question}`). `prompts/prompts.lock.json` records the sha256 of
every version's content (front matter + body): a version is immutable once locked, so a change
needs a new version file (`blueprint`'s tests fail otherwise), a rollback is pinning an older
version in the stack config, and the router, the agent and the evaluator all read the same file.

Stdlib + PyYAML + jsonschema only, so both the main venv and the router venv import it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

PROMPTS_DIR = Path(__file__).resolve().parent
SCHEMA_PATH = PROMPTS_DIR / "prompt.schema.json"
LOCK_PATH = PROMPTS_DIR / "prompts.lock.json"
PLACEHOLDERS = ("{context}", "{question}")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^## (System|Template)[ \t]*$", re.MULTILINE)
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


class PromptError(ValueError):
    """A prompt file is malformed; the message names the file and the field, never its text."""


@dataclass(frozen=True)
class Prompt:
    id: str
    version: str
    owner: str
    model_family: str
    golden_set: str
    change_note: str
    system: str
    template: str
    path: Path
    sha256: str
    """Hash of the whole file (front matter + body), the value the lock pins."""

    @property
    def ref(self) -> str:
        """`<id>@<version>`, the label metrics, logs and reports carry."""
        return f"{self.id}@{self.version}"

    def render(self, *, context: str, question: str) -> str:
        """The user message: the template with retrieved context and the question filled in."""
        return self.template.replace("{context}", context).replace("{question}", question)

    def messages(self, *, context: str, question: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system},
                {"role": "user", "content": self.render(context=context, question=question)}]


def version_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise PromptError("version: not MAJOR.MINOR.PATCH; allowed: e.g. 1.2.0")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


@lru_cache(maxsize=1)
def _schema() -> dict:
    return dict(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def load_file(path: Path) -> Prompt:
    """Parse and validate one prompt file (errors name the file and the field only)."""
    return _parse(path, path.read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def _parse(path: Path, raw: str) -> Prompt:
    # Keyed by the file's path and its whole content: a plan reads the pinned prompts several times,
    # and an edited file is parsed afresh. A malformed file raises every time (exceptions are not cached).
    where = f"{path.parent.name}/{path.name}"
    match = _FRONT.match(raw)
    if match is None:
        raise PromptError(f"{where}: no YAML front matter between '---' lines")
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        raise PromptError(f"{where}: front matter is not valid YAML") from None
    if not isinstance(front, dict):
        raise PromptError(f"{where}: front matter is not a mapping")
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(front), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = ".".join(str(p) for p in first.path) or "(front matter)"
        raise PromptError(f"{where}: {field}: {first.validator} check failed (see prompts/prompt.schema.json)")
    if front["id"] != path.parent.name:
        raise PromptError(f"{where}: id: must equal the directory name")
    if f"{front['version']}.md" != path.name:
        raise PromptError(f"{where}: version: must equal the file name")
    parts = _SECTION.split(match.group(2))
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"System", "Template"} or len(parts) != 5:
        raise PromptError(f"{where}: body: needs exactly one '## System' and one '## Template' section")
    if not sections["System"]:
        raise PromptError(f"{where}: System: empty")
    missing = [p for p in PLACEHOLDERS if p not in sections["Template"]]
    if "{question}" in missing:
        raise PromptError(f"{where}: Template: missing the {{question}} placeholder")
    return Prompt(id=front["id"], version=front["version"], owner=front["owner"], model_family=front["model_family"],
                  golden_set=front["golden_set"], change_note=front["change_note"], system=sections["System"],
                  template=sections["Template"], path=path, sha256=hashlib.sha256(raw.encode()).hexdigest())


def load_all(root: Path = PROMPTS_DIR) -> dict[str, dict[str, Prompt]]:
    """use case → version → prompt, for every `<root>/<use-case>/<version>.md`."""
    out: dict[str, dict[str, Prompt]] = {}
    for path in sorted(root.glob("*/*.md")):
        prompt = load_file(path)
        out.setdefault(prompt.id, {})[prompt.version] = prompt
    return out


def use_cases(root: Path = PROMPTS_DIR) -> tuple[str, ...]:
    return tuple(sorted(load_all(root)))


def latest(use_case: str, root: Path = PROMPTS_DIR) -> Prompt:
    versions = load_all(root).get(use_case)
    if not versions:
        raise PromptError(f"prompts: no use case named {use_case!r}")
    return versions[max(versions, key=version_key)]


def get(use_case: str, version: str, root: Path = PROMPTS_DIR) -> Prompt:
    """The pinned version of a use case's prompt; raises naming the use case and version."""
    prompt = load_all(root).get(use_case, {}).get(version)
    if prompt is None:
        raise PromptError(f"prompts: {use_case}@{version} does not exist under prompts/")
    return prompt


def read_lock(path: Path = LOCK_PATH) -> dict[str, str]:
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def lock_problems(root: Path = PROMPTS_DIR, lock_path: Path = LOCK_PATH) -> list[str]:
    """Every version whose content differs from the lock, or that the lock does not know.

    A locked version is immutable: editing it must become a new version file. A version missing
    from the lock is added with `python -m prompts.registry --lock` (a reviewed diff).
    """
    lock = read_lock(lock_path)
    problems = []
    present = set()
    for versions in load_all(root).values():
        for prompt in versions.values():
            present.add(prompt.ref)
            pinned = lock.get(prompt.ref)
            if pinned is None:
                problems.append(f"{prompt.ref}: not in prompts.lock.json; add it with python -m prompts.registry --lock")
            elif pinned != prompt.sha256:
                problems.append(f"{prompt.ref}: content changed without a version bump; "
                                "add a new version file instead of editing a released one")
    problems += [f"{ref}: locked but its file is gone (released versions stay for rollback)"
                 for ref in sorted(set(lock) - present)]
    return problems


def write_lock(root: Path = PROMPTS_DIR, lock_path: Path = LOCK_PATH) -> dict[str, str]:
    """Add versions the lock does not know yet; never rewrite a locked hash."""
    lock = read_lock(lock_path)
    for versions in load_all(root).values():
        for prompt in versions.values():
            lock.setdefault(prompt.ref, prompt.sha256)
    lock = dict(sorted(lock.items()))
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    return lock


if __name__ == "__main__":  # python -m prompts.registry [--lock]
    import sys

    if sys.argv[1:] == ["--lock"]:
        write_lock()
    problems = lock_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    raise SystemExit(1 if problems else 0)

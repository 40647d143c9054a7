"""The safe YAML reader: every hostile or careless document is one line naming file, line and key."""

from __future__ import annotations

import pytest

from core.inputs import InputError
from core.yamlsafe import MAX_DEPTH, MAX_NODES, load_yaml, parse_yaml

pytestmark = pytest.mark.unit


def error_of(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_yaml(text, "Pulumi.t.yaml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("Pulumi.t.yaml")
    return message


def test_plain_documents_read_as_safe_load_reads_them():
    doc = "a: [1, 2.5, yes, null, 'x']\nb: {c: d}\nanchored: &x [1, 2]\nreused: *x\n"
    assert parse_yaml(doc, "f") == {"a": [1, 2.5, True, None, "x"], "b": {"c": "d"},
                                    "anchored": [1, 2], "reused": [1, 2]}
    assert parse_yaml("", "f") is None


def test_duplicate_keys_are_refused_not_last_wins():
    message = error_of("config:\n  genai-platform:classification: restricted\n  genai-platform:classification: public\n")
    assert message == ("Pulumi.t.yaml:3: config.genai-platform:classification: duplicate key; "
                       "each key may appear once (no silent override)")
    assert "public" not in message and "restricted" not in message


def test_recursive_aliases_are_refused():
    assert "refers to its own anchor" in error_of("a: &a [*a]\n")
    assert "refers to its own anchor" in error_of("a: &a {b: {c: *a}}\n")


def test_alias_bombs_fail_fast():
    rows = ["a: &a [" + ",".join(["lol"] * 10) + "]"]
    rows += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    # A billion laughs: refused from the composed size, without ever expanding it.
    assert f"expands to more than {MAX_NODES} values" in error_of("\n".join(rows) + "\n")


def test_deep_nesting_is_an_error_not_a_recursion_error():
    assert f"nested deeper than {MAX_DEPTH} levels" in error_of("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert f"nested deeper than {MAX_DEPTH} levels" in error_of("a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n")
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    assert f"nested deeper than {MAX_DEPTH} levels" in error_of(block)


def test_aliases_cannot_smuggle_depth_past_the_limit():
    inner = "[" * 20 + "]" * 20
    assert "once aliases are expanded" in error_of(f"a: &a {inner}\nb: " + "[" * 15 + "*a" + "]" * 15 + "\n")


@pytest.mark.parametrize("key,kind", [("no", "true/false"), ("yes", "true/false"), ("1", "a number"),
                                      ("~", "null"), ("[a, b]", "a list or mapping")])
def test_non_string_keys_are_refused(key, kind):
    assert f"is not a string but {kind}" in error_of(f"{key}: 1\n")


def test_timestamps_stay_text():
    assert parse_yaml("d: 2027-03-31\nt: 2001-12-14t21:59:43.10-05:00\nbad: 2027-02-30\n", "f") == {
        "d": "2027-03-31", "t": "2001-12-14t21:59:43.10-05:00", "bad": "2027-02-30"}


@pytest.mark.parametrize("doc", ["s: !!set {a, b}\n", "b: !!binary aGVsbG8=\n", "o: !!omap [a: 1]\n",
                                 "p: !!python/object/apply:os.system [ls]\n", "l: !local x\n"])
def test_sets_and_other_tags_are_refused(doc):
    assert "unsupported YAML tag" in error_of(doc)


def test_merge_keys_are_refused():
    assert "merge keys are not supported" in error_of("a: &a {x: 1}\nb: {<<: *a, y: 2}\n")


@pytest.mark.parametrize("doc", ["price: .nan\n", "price: .inf\n", "price: -.Inf\n"])
def test_non_finite_numbers_are_refused(doc):
    assert error_of(doc) == "Pulumi.t.yaml:1: price: not a finite number (NaN and infinity are not allowed)"


@pytest.mark.parametrize("digits", [17, 30, 5000])
def test_integers_too_large_for_a_float_are_refused(digits):
    assert "integer too large" in error_of("count: " + "9" * digits + "\n")
    assert parse_yaml(f"count: {2**53}\n", "f") == {"count": 2**53}


def test_more_than_one_document_is_refused():
    assert "more than one YAML document" in error_of("a: 1\n---\na: 2\n")


def test_raw_control_characters_are_refused():
    assert "control character" in error_of("owner: a\x1b[31m@example.com\n")


def test_key_names_are_escaped_in_messages():
    message = error_of('"\\e[2J\\e[31mowner\\u202e": 1\n"\\e[2J\\e[31mowner\\u202e": 2\n')
    assert "\x1b" not in message and "\u202e" not in message
    assert "\\x1b[2J\\x1b[31mowner\\u202e: duplicate key" in message


def test_syntax_errors_name_the_line():
    assert error_of("a: 1\nb: [\n").startswith("Pulumi.t.yaml:3: not valid YAML")


def test_load_yaml_reads_files_through_the_safe_reader(tmp_path):
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(InputError, match=r"^Pulumi\.x\.yaml:2: a: duplicate key"):
        load_yaml(path)

"""Literals in generated Python mean the values they were written from."""

import pytest

from prpgen.generate.source import isorted, py_literal, py_str


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', "'say \"hi\"'"),
        ('it\'s "x"', "'it\\'s \"x\"'"),
        ("it's 'x' \"y\"", '"it\'s \'x\' \\"y\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("nul\x00", '"nul\\x00"'),
        ('"""triple"""', '\'"""triple"""\''),
        ("{{ jinja }} {% tag %}", '"{{ jinja }} {% tag %}"'),
        ("ünïcødé ✓", '"ünïcødé ✓"'),
    ],
)
def test_string_literals_round_trip(text: str, literal: str) -> None:
    assert py_str(text) == literal
    assert eval(literal) == text  # noqa: S307 - the point is that the literal means the text


def test_literals_of_json_values() -> None:
    assert py_literal({"a": [1, 2.5, None, True]}) == '{"a": [1, 2.5, None, True]}'
    with pytest.raises(TypeError):
        py_literal(object())


def test_imported_names_are_in_isorts_order() -> None:
    assert isorted(["b", "A", "CONST"]) == ["CONST", "A", "b"]

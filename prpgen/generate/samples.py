"""Test data derived from a field's constraints: valid sample values and boundary cases.

Every value is in its canonical JSON form (the form the generated API returns), so generated
tests can compare a response with the payload that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from prpgen.spec.feature import INTEGER_RANGE, FieldSpec, value_problem

MISSING = object()
"""Marks a case that leaves the field out of the payload."""

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_. "


class NoSample(ValueError):
    """No value could be found that satisfies the field's constraints."""


@dataclass(frozen=True)
class Case:
    """One create request: the payload with `field` set to `value` (or left out) answers `status`."""

    field: str
    value: Any
    status: int
    label: str

    @property
    def id(self) -> str:
        return f"{self.field}-{self.label}"


def sample(name: str, field: FieldSpec, index: int) -> Any:
    """The `index`-th distinct valid value for a field (distinct values keep unique fields apart)."""
    seen: list[Any] = []
    for candidate in _candidates(name, field):
        if candidate not in seen and value_problem(field, candidate) is None:
            seen.append(candidate)
            if len(seen) > index:
                return _canonical(field, candidate)
    raise NoSample(
        f"cannot derive {index + 1} distinct valid value(s) for '{name}' from its constraints "
        "(the generated tests need them); add an `example` that satisfies them"
    )


def _candidates(name: str, field: FieldSpec) -> Iterator[Any]:
    kind = field.type
    label = name.replace("_", " ").capitalize()
    if kind in {"str", "text"}:
        if isinstance(field.example, str):
            yield field.example
        for n in range(1, 6):
            yield from (f"{label} {n}", f"{name.replace('_', '-')}-{n}", f"{name}{n}", f"{name}_{n}")
        if field.pattern is not None:
            yield from (_from_pattern(field.pattern, variant) for variant in range(6))
        low = max(field.min_length or 1, 1)
        high = min(field.length_limit or low + 8, low + 8)
        for length in range(low, high + 1):
            for char in _ALPHABET:
                yield char * length
    elif kind == "email":
        yield from (f"{name.replace('_', '.')}{n}@example.com" for n in range(1, 6))
    elif kind == "url":
        yield from (f"https://example.com/{name.replace('_', '-')}/{n}" for n in range(1, 6))
    elif kind == "enum":
        yield from field.values or []
    elif kind == "bool":
        yield from (True, False)
    elif kind in {"int", "bigint", "float", "decimal"}:
        if field.example is not None and not isinstance(field.example, bool):
            yield field.example
        yield from _numbers(field)
    elif kind == "date":
        yield from (f"2024-01-{day:02d}" for day in range(1, 10))
    elif kind == "datetime":
        yield from (f"2024-01-{day:02d}T12:30:00Z" for day in range(1, 10))
    elif kind == "time":
        yield from (f"12:{minute:02d}:00" for minute in range(10))
    elif kind == "uuid":
        yield from (f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10))
    elif kind == "json":
        yield from ({"key": f"value-{n}"} for n in range(1, 10))


def _numbers(field: FieldSpec) -> Iterator[Any]:
    starts: list[int | float] = [1, 10, 0]
    if field.ge is not None:
        starts.insert(0, field.ge)
    if field.le is not None:
        starts.append(field.le)
    for start in starts:
        for step in range(5):
            for value in (start + step, start - step):
                if field.type in {"int", "bigint"}:
                    yield int(value)
                elif field.type == "float":
                    yield float(value) + (0.5 if field.le is None or value + 0.5 <= field.le else 0)
                else:
                    yield decimal_str(Decimal(str(value)), field.digits[1])


def decimal_str(number: Decimal, places: int) -> str:
    """A decimal in its column's form: `12.50`."""
    # format(), not str(): str() writes small values with an exponent (0E-7).
    return format(number.quantize(Decimal(1).scaleb(-places)), "f")


def _canonical(field: FieldSpec, value: Any) -> Any:
    if field.type == "decimal":
        return decimal_str(Decimal(str(value)), field.digits[1])
    if field.type == "float":
        return float(value)
    return value


def _string_of_length(field: FieldSpec, length: int) -> str | None:
    """A value of exactly `length` characters that satisfies the pattern (if any), or None."""
    for char in _ALPHABET.strip():
        candidate = char * length
        if field.pattern is None or re.search(field.pattern, candidate):
            return candidate
    return None


def cases(name: str, field: FieldSpec) -> list[Case]:
    """Boundary and type cases for one field: the value at each bound passes, one past it is a 422."""
    found: list[Case] = []

    def add(value: Any, status: int, label: str) -> None:
        found.append(Case(name, value, status, label))

    kind = field.type
    if field.required and field.default is None:
        add(MISSING, 422, "missing")
    else:
        add(MISSING, 201, "omitted")
    if field.required:
        add(None, 422, "null")
    else:
        add(None, 201, "null")
    if kind in {"str", "text"}:
        _length_cases(field, add)
        add(12345, 422, "not-a-string")
        # PostgreSQL cannot store NUL in text: the API must refuse it rather than fail.
        add("a\x00b", 422, "nul-character")
    elif kind in {"int", "bigint", "float", "decimal"}:
        _number_cases(field, add)
        add("abc", 422, "not-a-number")
        # JSON's own types, as the document says: Pydantic's lax mode would take "7" for 7.
        if kind != "decimal":
            add("7", 422, "numeral-in-a-string")
            add(True, 422, "boolean")
        if kind in {"int", "bigint"} and float(whole := sample(name, field, 0)) == whole:
            # JSON Schema's integer is a number without a fraction, however written: 5.0 is 5.
            add(float(whole), 201, "whole-number-as-float")
    elif kind == "enum":
        for value in field.values or []:
            add(value, 201, f"value-{_slug(value)}")
        if "not-a-valid-value" not in (field.values or []):
            add("not-a-valid-value", 422, "unknown-value")
    else:
        invalid = {
            "bool": "maybe",
            "date": "2024-02-30",
            "datetime": "2024-01-01T12:00:00",
            "time": "25:00:00",
            "uuid": "not-a-uuid",
            "email": "not-an-email",
            "url": "not a url",
            "json": "not-an-object",
        }[kind]
        add(invalid, 422, "invalid")
        if kind == "bool":
            add("true", 422, "string")
            add(1, 422, "number")
        if kind in {"date", "datetime", "time"}:
            # Lax mode reads a number as seconds since 1970 (or since midnight).
            add(0, 422, "number")
        if kind == "datetime":
            # Valid ISO 8601, but before year 1 once in UTC: TIMESTAMPTZ cannot hold it.
            add("0001-01-01T00:00:00+05:00", 422, "before-year-one")
    return found


def _length_cases(field: FieldSpec, add: Any) -> None:
    if field.min_length:
        at = _string_of_length(field, field.min_length)
        if at is not None:
            add(at, 201, "min-length")
        below = _string_of_length(field, field.min_length - 1) if field.min_length > 1 else ""
        add(below if below is not None else "", 422, "below-min-length")
    limit = field.length_limit
    if limit is not None:
        at = _string_of_length(field, limit)
        if at is not None:
            add(at, 201, "max-length")
            add(at + at[0], 422, "above-max-length")
    if field.pattern is not None:
        for candidate in ("!", "#$%", " ", "A B", "a", "1", "é"):
            if not re.search(field.pattern, candidate) and value_problem(_unpatterned(field), candidate) is None:
                add(candidate, 422, "pattern-mismatch")
                break


def _unpatterned(field: FieldSpec) -> FieldSpec:
    return field.model_copy(update={"pattern": None})


def _number_cases(field: FieldSpec, add: Any) -> None:
    integer = field.type in {"int", "bigint"}
    step = 1
    low, high = field.ge, field.le
    if integer and low is None:
        low = INTEGER_RANGE[field.type][0]
    if integer and high is None:
        high = INTEGER_RANGE[field.type][1]

    def form(number: int | float) -> Any:
        if field.type == "decimal":
            return decimal_str(Decimal(str(number)), field.digits[1])
        return number

    if low is not None:
        if value_problem(field, form(low)) is None:
            add(form(low), 201, "ge")
        add(form(low - step), 422, "below-ge")
    if high is not None:
        if value_problem(field, form(high)) is None:
            add(form(high), 201, "le")
        add(form(high + step), 422, "above-le")
    if field.type == "decimal":
        digits, places = field.digits
        whole = digits - places
        widest = ("9" * whole or "0") + ("." + "9" * places if places else "")
        if value_problem(field, widest) is None:
            add(widest, 201, "max-digits")
        add("1" + "0" * whole + ("." + "0" * places if places else ""), 422, "above-max-digits")
        add("0." + "0" * places + "1", 422, "above-decimal-places")


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "value"


def _from_pattern(pattern: str, variant: int) -> str:
    """A string matching `pattern`, built by walking its parse tree (`variant` varies the choices).

    Covers literals, classes, ranges, repeats, groups and alternation: the building blocks of the
    patterns specs use (slugs, codes, colours). Anything else yields a candidate that the caller's
    check simply rejects.
    """
    from re import _parser  # type: ignore[attr-defined]

    counter = iter(range(10_000))
    out: list[str] = []

    def choose(options: list[str]) -> str:
        return options[(variant + next(counter)) % len(options)] if options else ""

    def walk(items: Any) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "ANY":
                out.append(choose(list("abc")))
            elif name == "IN":
                out.append(choose(_class_chars(arg)))
            elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
                low, _high, sub = arg
                for _ in range(max(low, 1)):
                    walk(sub)
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name == "BRANCH":
                walk(arg[1][variant % len(arg[1])])
            elif name == "ATOMIC_GROUP":
                walk(arg)

    try:
        walk(_parser.parse(pattern))
    except Exception:  # an exotic construct: no candidate from this route
        return ""
    return "".join(out)


def _class_chars(items: Any) -> list[str]:
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return []
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(code) for code in range(arg[0], min(arg[1], arg[0] + 25) + 1))
        elif name == "CATEGORY":
            category = str(arg)
            if "DIGIT" in category and "NOT" not in category:
                chars.extend("0123456789")
            elif "WORD" in category and "NOT" not in category:
                chars.extend("abcxyz019_")
            elif "SPACE" in category and "NOT" not in category:
                chars.append(" ")
    return chars


def reference_cases(column: str, field: FieldSpec) -> list[Case]:
    """Cases for a reference's payload key: ids that cannot exist are a 422, never a 500."""
    found: list[Case] = []

    def add(value: Any, status: int, label: str) -> None:
        found.append(Case(column, value, status, label))

    absent = 2**31 - 1
    if field.type == "ref_many":
        add(MISSING, 201, "omitted")
        add([], 201, "empty")
        add(None, 422, "null")
        add([0], 422, "zero")
        add([absent], 422, "no-such-row")
        add(["abc"], 422, "not-an-id")
        return found
    if field.required:
        add(MISSING, 422, "missing")
        add(None, 422, "null")
    else:
        add(MISSING, 201, "omitted")
        add(None, 201, "null")
    add(0, 422, "zero")
    add(2**31, 422, "out-of-range")
    add(absent, 422, "no-such-row")
    add("abc", 422, "not-an-id")
    return found

"""The text of a bounded decimal as a regular expression, for the OpenAPI document.

A decimal travels as a JSON string in the form its NUMERIC(digits, places) column keeps it: an
optional minus, the whole part without leading zeros, and exactly `places` decimals (`"12.50"`).
JSON Schema cannot bound a string numerically, so the pattern carries the bounds: a client, or a
fuzzer such as Schemathesis, knows from the document alone which texts the server takes.

The construction: with the point removed, the texts of the allowed values are the decimal
numerals of the integers from `ge * 10**places` to `le * 10**places` (padded to `places + 1`
digits). A range of integers is a union of runs of equal-length numerals, each a sequence of
digit classes (`1[0-4]\\d`); the point goes back in before the last `places` classes.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal


def decimal_pattern(digits: int, places: int, ge: float | None = None, le: float | None = None) -> str:
    """An anchored pattern matching exactly the texts of the decimals within the bounds."""
    low, high = _scaled_bounds(digits, places, ge, le)
    if low > high:
        raise ValueError(f"no decimal with {places} places lies between {ge} and {le}")
    alternatives = []
    if high >= 0:
        alternatives += [_with_point(run, places) for run in _integers(max(low, 0), high, places)]
    if low < 0:
        # Negative values mirror positive ones; "-0.00" is not a form any column answers.
        alternatives += ["-" + _with_point(run, places) for run in _integers(max(-high, 1), -low, places)]
    return "^(?:" + "|".join(alternatives) + ")$"


def decimal_example(digits: int, places: int, ge: float | None = None, le: float | None = None) -> str:
    """A value within the bounds, written as the pattern wants it: `12.50`, or the middle."""
    low, high = _scaled_bounds(digits, places, ge, le)
    preferred = 1250 * 10**places // 100
    value = preferred if low <= preferred <= high else (low + high) // 2
    return format(Decimal(value).scaleb(-places), "f")


def _scaled_bounds(digits: int, places: int, ge: float | None, le: float | None) -> tuple[int, int]:
    """The bounds as integers of the column's smallest unit (cents), rounded inwards and
    clipped to what `digits` can hold."""
    scale, widest = 10**places, 10**digits - 1
    low = -widest if ge is None else max(-widest, math.ceil(Decimal(str(ge)) * scale))
    high = widest if le is None else min(widest, math.floor(Decimal(str(le)) * scale))
    return low, high


def _with_point(run: list[str], places: int) -> str:
    if places == 0:
        return _compact(run)
    return _compact(run[:-places]) + "\\." + _compact(run[-places:])


def _compact(classes: list[str]) -> str:
    """Digit classes as a pattern, repeats counted: `[1-9]\\d{3}`."""
    counted = [(cls, len(list(group))) for cls, group in itertools.groupby(classes)]
    return "".join(cls if count == 1 else f"{cls}{{{count}}}" for cls, count in counted)


def _integers(low: int, high: int, places: int) -> list[list[str]]:
    """The numerals of low..high (0 <= low <= high), padded with zeros to `places + 1` digits
    (a whole part of one digit, 0 included), as runs of digit classes."""
    runs: list[list[str]] = []
    short = places + 1
    if low < 10**short:
        runs += _same_length(str(low).zfill(short), str(min(high, 10**short - 1)).zfill(short))
    for length in range(max(len(str(low)), short + 1), len(str(high)) + 1):
        first, last = max(low, 10 ** (length - 1)), min(high, 10**length - 1)
        if first <= last:
            runs += _same_length(str(first), str(last))
    return runs


def _same_length(low: str, high: str) -> list[list[str]]:
    """Runs of digit classes matching the numerals from `low` to `high`, both of one length."""
    if not low:
        return [[]]
    rest = len(low) - 1
    zeros, nines = "0" * rest, "9" * rest
    if low[1:] == zeros and high[1:] == nines:
        return [[_digit_class(low[0], high[0]), *["\\d"] * rest]]
    if low[0] == high[0]:
        return [[low[0], *run] for run in _same_length(low[1:], high[1:])]
    runs = []
    if low[1:] != zeros:
        runs += [[low[0], *run] for run in _same_length(low[1:], nines)]
    first = low[0] if low[1:] == zeros else str(int(low[0]) + 1)
    last = high[0] if high[1:] == nines else str(int(high[0]) - 1)
    if first <= last:
        runs.append([_digit_class(first, last), *["\\d"] * rest])
    if high[1:] != nines:
        runs += [[high[0], *run] for run in _same_length(zeros, high[1:])]
    return runs


def _digit_class(first: str, last: str) -> str:
    if first == last:
        return first
    return "\\d" if (first, last) == ("0", "9") else f"[{first}-{last}]"

"""The pattern of a bounded decimal's text matches exactly the values within its bounds."""

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from prpgen.decimal_text import decimal_example, decimal_pattern


def text(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


@st.composite
def columns(draw: st.DrawFn) -> tuple[int, int, Decimal | None, Decimal | None]:
    digits = draw(st.integers(1, 12))
    places = draw(st.integers(0, min(digits, 4)))
    widest = Decimal(10**digits - 1).scaleb(-places)
    bound = st.none() | st.decimals(-widest, widest, places=places)
    low, high = draw(bound), draw(bound)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return digits, places, low, high


@given(columns(), st.data())
def test_the_pattern_matches_exactly_the_values_within_bounds(
    column: tuple[int, int, Decimal | None, Decimal | None], data: st.DataObject
) -> None:
    digits, places, low, high = column
    pattern = re.compile(decimal_pattern(digits, places, low, high))
    widest = Decimal(10**digits - 1).scaleb(-places)
    value = data.draw(st.decimals(-widest * 2, widest * 2, places=places))
    inside = abs(value) <= widest and (low is None or value >= low) and (high is None or value <= high)
    written = text(value, places)
    if written == "-" + text(Decimal(0), places):
        return  # negative zero: no column answers it
    assert bool(pattern.fullmatch(written)) == inside, (written, pattern.pattern)
    assert pattern.fullmatch(decimal_example(digits, places, low, high))


def test_other_forms_of_a_value_do_not_match() -> None:
    pattern = re.compile(decimal_pattern(10, 2, 0))
    assert pattern.fullmatch("12.50")
    for other in ("12.5", "12", "012.50", "1.25E+1", "+12.50", "-1.00", " 12.50", "", "12.500"):
        assert not pattern.fullmatch(other), other


def test_the_shop_examples_bounds() -> None:
    rate = re.compile(decimal_pattern(5, 4, 0, 1))
    assert [bool(rate.fullmatch(t)) for t in ("0.0000", "0.2000", "1.0000", "1.0001", "2.0000")] == [
        True,
        True,
        True,
        False,
        False,
    ]

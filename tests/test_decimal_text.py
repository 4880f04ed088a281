"""The pattern of a bounded decimal's text matches exactly the values within its bounds."""

import re
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from prpgen.spec.decimal_text import decimal_example, decimal_pattern


def text(value: Decimal, places: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


@st.composite
def columns(draw: st.DrawFn) -> tuple[int, int, Decimal | None, Decimal | None]:
    digits = draw(st.integers(1, 12))
    places = draw(st.integers(0, min(digits, 8)))
    widest = Decimal(10**digits - 1).scaleb(-places)
    # Bounds with more places than the column: the pattern rounds them inwards.
    bound = st.none() | st.decimals(-widest, widest, places=places + 1)
    low, high = draw(bound), draw(bound)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return digits, places, low, high


@given(columns(), st.data())
def test_the_pattern_matches_exactly_the_values_within_bounds(
    column: tuple[int, int, Decimal | None, Decimal | None], data: st.DataObject
) -> None:
    digits, places, low, high = column
    try:
        pattern = re.compile(decimal_pattern(digits, places, low, high))
    except ValueError:
        # No value at the column's places lies within the bounds: the spec refuses these.
        quantum = Decimal(1).scaleb(-places)
        assert low is not None and high is not None
        assert low.quantize(quantum, rounding="ROUND_CEILING") > high.quantize(quantum, rounding="ROUND_FLOOR")
        assume(False)
    widest = Decimal(10**digits - 1).scaleb(-places)
    value = data.draw(st.decimals(-widest * 2, widest * 2, places=places))
    inside = abs(value) <= widest and (low is None or value >= low) and (high is None or value <= high)
    written = text(value, places)
    if written == "-" + text(Decimal(0), places):
        return  # negative zero: no column answers it
    assert bool(pattern.fullmatch(written)) == inside, (written, pattern.pattern)
    example = decimal_example(digits, places, low, high)
    assert pattern.fullmatch(example), example


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


def test_a_spec_whose_bounds_leave_no_value_is_refused() -> None:
    from prpgen.errors import SpecError
    from prpgen.spec.feature import parse_spec

    spec = {
        "feature": "f",
        "entities": [
            {"name": "Thing", "fields": {"rate": {"type": "decimal", "decimal_places": 0, "ge": 0.2, "le": 0.7}}}
        ],
    }
    try:
        parse_spec(spec, "f.yaml")
    except SpecError as error:
        assert "no value with 0 decimal places" in str(error)
    else:
        raise AssertionError("accepted")

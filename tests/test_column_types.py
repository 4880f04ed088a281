"""Which type change keeps every value a column holds: the spec diff asks consent for the others."""

import pytest

from prpgen.generate.column_types import KEY, SqlType

NUMERIC_10_2 = SqlType("Numeric", precision=10, scale=2)


@pytest.mark.parametrize(
    ("old", "new", "holds"),
    [
        (SqlType("String", length=80), SqlType("String", length=200), True),
        (SqlType("String", length=200), SqlType("String", length=80), False),
        (SqlType("String", length=80), SqlType("Text"), True),
        (SqlType("Text"), SqlType("String", length=80), False),
        (KEY, SqlType("BigInteger"), True),
        (SqlType("BigInteger"), KEY, False),
        (NUMERIC_10_2, SqlType("Numeric", precision=12, scale=3), True),
        # Two more digits after the point, none more before it: 12345678.99 no longer fits.
        (NUMERIC_10_2, SqlType("Numeric", precision=10, scale=4), False),
        (NUMERIC_10_2, SqlType("Numeric", precision=10, scale=1), False),
        (KEY, SqlType("Float"), False),
        (SqlType("Date"), SqlType("Date"), True),
    ],
)
def test_a_type_holds_the_values_of_the_ones_it_widens(old: SqlType, new: SqlType, holds: bool) -> None:
    assert new.holds(old) is holds


def test_a_type_is_written_as_alembic_writes_it() -> None:
    assert SqlType("String", length=80).source == "sa.String(length=80)"
    assert NUMERIC_10_2.source == "sa.Numeric(precision=10, scale=2)"
    assert SqlType("DateTime", timezone=True).source == "sa.DateTime(timezone=True)"
    assert SqlType("JSONB").source == "postgresql.JSONB(astext_type=sa.Text())"
    assert KEY.source == "sa.Integer()"

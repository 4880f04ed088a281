"""Keyset pagination: a page is the rows after the last row of the page before.

A list is ordered by one column, then the id, so each row has one place in the order. A page's
`next` cursor names the last row's place (the order, the column's value, the id), and the next
page is the rows after it. That is a range of an index: a page far into a large table costs
what the first one does, and rows added or removed between two requests never make a page
repeat or skip a row, as OFFSET does.

Written here rather than taken from sqlakeyset: it leaves out rows whose order column is NULL,
and optional fields may be sorted by.
"""

import base64
import binascii
import datetime as dt
import json
from functools import cache
from typing import Any

from pydantic import AwareDatetime, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import BigInteger, Column, ColumnElement, Integer, and_, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import InvalidCursor


def next_cursor(row: Any, sort: str) -> str:
    """The cursor of the page that follows `row` in the order `sort` names."""
    value = getattr(row, sort.removeprefix("-"))
    place = json.dumps([sort, to_jsonable_python(value), row.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(place.encode()).decode().rstrip("=")


def after(
    cursor: str,
    sort: str,
    column: InstrumentedAttribute[Any],
    row_id: InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """The rows that follow the cursor's, ordered by `column` then `row_id`, both ascending
    or (a `sort` starting with `-`) both descending."""
    value, last = _read(cursor, sort, column, row_id)
    descending = sort.startswith("-")
    if column is row_id:
        return row_id < last if descending else row_id > last
    # PostgreSQL puts NULL after every value ascending, and so before every value descending.
    if value is None:
        in_nulls = and_(
            column.is_(None), row_id < last if descending else row_id > last
        )
        return or_(in_nulls, column.is_not(None)) if descending else in_nulls
    place = tuple_(column, row_id)
    later = place < (value, last) if descending else place > (value, last)
    if descending or not _nullable(column):
        return later
    return or_(later, column.is_(None))


def _read(
    cursor: str,
    sort: str,
    column: InstrumentedAttribute[Any],
    row_id: InstrumentedAttribute[int],
) -> tuple[Any, int]:
    """The cursor's value and id, typed as the columns are; InvalidCursor if it is not one
    this list gave out in this order."""
    try:
        place = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        given, value, last = json.loads(place)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursor(cursor) from exc
    if given != sort or type(last) is not int or not _fits(row_id, last):
        raise InvalidCursor(cursor)
    if value is None:
        return None, last
    try:
        typed = _adapter(column.type.python_type).validate_python(value)
    except ValidationError as exc:
        raise InvalidCursor(cursor) from exc
    if isinstance(typed, int) and not _fits(column, typed):
        raise InvalidCursor(cursor)
    return typed, last


@cache
def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    # A moment compares as one only with its offset; the cursors written here carry it.
    return TypeAdapter(AwareDatetime if kind is dt.datetime else kind)


def _fits(column: InstrumentedAttribute[Any], number: int) -> bool:
    """Whether the column's integer type holds `number` (else PostgreSQL cannot compare)."""
    kind = column.type
    bits = (
        64 if isinstance(kind, BigInteger) else 32 if isinstance(kind, Integer) else 0
    )
    return bits == 0 or -(2 ** (bits - 1)) <= number < 2 ** (bits - 1)


def _nullable(column: InstrumentedAttribute[Any]) -> bool:
    expression = column.expression
    return not isinstance(expression, Column) or bool(expression.nullable)

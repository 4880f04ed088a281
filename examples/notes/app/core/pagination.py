"""Keyset pagination: a page is the rows after the last row of the page before.

A list is ordered by one column, then the id, so each row has one place in the order. A page's
`next` cursor names the last row's place (the order, the column's value, the id), and the next
page is the rows after it. That is a range of an index: a page far into a large table costs
what the first one does, and rows added or removed between two requests never make a page
repeat or skip another row, as OFFSET does. (A row whose own sort value changes while a client
pages, under `-updated_at` say, moves in the order: it is met again or not at all.)

Cursors are signed with a key derived from SECRET_KEY, for the table they page, so the values
in one are values this app read from that table's rows: an altered cursor, or one given by the
list of another table, is refused before any of it reaches SQL. A new
SECRET_KEY makes the cursors given out before it a 422; clients start again from the first page.

Written here rather than taken from sqlakeyset, which leaves out rows whose order column is
NULL: optional fields may be sorted by.
"""

import base64
import binascii
import hashlib
import hmac
import json
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import Column, ColumnElement, and_, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.core.config import get_settings
from app.core.errors import InvalidCursor

# Bytes of HMAC-SHA256 kept: 128 bits, as long as the cursor has to be.
SIGNATURE_BYTES = 16


def next_cursor(row: Any, sort: str) -> str:
    """The cursor of the page that follows `row` in the order `sort` names."""
    value = getattr(row, sort.removeprefix("-"))
    place = [sort, to_jsonable_python(value), row.id]
    data = json.dumps(place, separators=(",", ":"), ensure_ascii=False).encode()
    return _text(_signature(row.__tablename__, data) + data)


def after(
    cursor: str,
    sort: str,
    column: InstrumentedAttribute[Any],
    row_id: InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """The rows that follow the cursor's, ordered by `column` then `row_id`, both ascending
    or (a `sort` starting with `-`) both descending."""
    value, last = _read(cursor, sort, column)
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
    cursor: str, sort: str, column: InstrumentedAttribute[Any]
) -> tuple[Any, int]:
    """The cursor's value, typed as the column is, and its id; InvalidCursor unless this app
    signed it for this table and order."""
    try:
        signed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor(cursor) from exc
    signature, data = signed[:SIGNATURE_BYTES], signed[SIGNATURE_BYTES:]
    if not hmac.compare_digest(
        signature, _signature(column.class_.__tablename__, data)
    ):
        raise InvalidCursor(cursor)
    given, value, last = json.loads(data)
    if given != sort:
        raise InvalidCursor(cursor)
    if value is None:
        return None, last
    try:
        return _adapter(column.type.python_type).validate_python(value), last
    except ValidationError as exc:  # made before the column's type changed
        raise InvalidCursor(cursor) from exc


def _signature(table: str, data: bytes) -> bytes:
    signed = table.encode() + b"\0" + data
    return hmac.new(_key(), signed, hashlib.sha256).digest()[:SIGNATURE_BYTES]


@cache
def _key() -> bytes:
    # Derived, so that a cursor's signature is never a signature of anything else.
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, b"list cursors", hashlib.sha256).digest()


def _text(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@cache
def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def _nullable(column: InstrumentedAttribute[Any]) -> bool:
    expression = column.expression
    return not isinstance(expression, Column) or bool(expression.nullable)

"""The baselines' list cursor, for the default order (newest first, `sort=-id`).

The baselines page as the generated app does (keyset, `next`, the count only with `total=true`),
so every app runs the same statements for a list; they share this codec for the cursors they give
out and read: `base64url(json([sort, value, id]))`, here value = id. The generated app's cursor is
that JSON behind an HMAC-SHA256 signature (`app/core/pagination.py`), which the baselines leave
out: one hash of about 60 bytes per list request, a few microseconds against the request's
milliseconds.
"""

import base64
import binascii
import json

ORDER = "-id"
# Past every id: the first page's bound, for a statement that always compares.
FIRST = 2**31 - 1


def encode(row_id: int) -> str:
    place = json.dumps([ORDER, row_id, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(place.encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    """The id the page starts below; ValueError for a cursor of another order or shape."""
    if cursor is None:
        return FIRST
    try:
        order, _, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, TypeError) as exc:
        raise ValueError(cursor) from exc
    if order != ORDER or type(row_id) is not int or not 0 < row_id <= FIRST:
        raise ValueError(cursor)
    return row_id

import datetime as dt
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    HttpUrl,
    TypeAdapter,
    WithJsonSchema,
)

URL_MAX_LENGTH = 2083

_http_url = TypeAdapter(HttpUrl)


def _normalized_url(value: str) -> str:
    normalized = str(_http_url.validate_python(value))
    # Normalizing can lengthen a URL (punycode, escapes) past the column's size.
    if len(normalized) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters once normalized")
    return normalized


# Validated and normalized by Pydantic, stored and returned as plain strings.
HttpUrlStr = Annotated[
    str,
    Field(min_length=1, max_length=URL_MAX_LENGTH),
    AfterValidator(_normalized_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": URL_MAX_LENGTH}),
]


def _representable(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 0001-01-01T00:00+05:00 is a valid ISO datetime but falls before year 1 in UTC.
        raise ValueError("is outside the range of timestamps") from None


# A timezone-aware datetime that a TIMESTAMPTZ column can hold, normalized to UTC.
Timestamp = Annotated[AwareDatetime, AfterValidator(_representable)]
# Bounded like their PostgreSQL columns: an oversized number is a 422, not a 500.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]

# A time of day without a zone, as a TIME column holds it. JSON Schema's "time" format
# requires an offset, so the OpenAPI document describes it with a pattern instead.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
            "examples": ["09:30:00"],
        }
    ),
]

# The id of a row a payload refers to (`category_id`, `tag_ids`): a PostgreSQL integer id.
ReferenceId = Annotated[int, Field(ge=1, le=2**31 - 1)]

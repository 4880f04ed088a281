from typing import Annotated

from pydantic import AfterValidator, Field, HttpUrl, TypeAdapter, WithJsonSchema

URL_MAX_LENGTH = 2083

_http_url = TypeAdapter(HttpUrl)


def _normalized_url(value: str) -> str:
    return str(_http_url.validate_python(value))


# Validated and normalized by Pydantic, stored and returned as plain strings.
HttpUrlStr = Annotated[
    str,
    Field(min_length=1, max_length=URL_MAX_LENGTH),
    AfterValidator(_normalized_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": URL_MAX_LENGTH}),
]
# Bounded like their PostgreSQL columns: an oversized number is a 422, not a 500.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]

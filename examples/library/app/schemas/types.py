import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    EmailStr,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    HttpUrl,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

URL_MAX_LENGTH = 2083

_http_url = TypeAdapter(HttpUrl)


# An http(s) URI as RFC 3986 writes it (ASCII, no spaces, quotes or backslashes, one `@`
# at most): URL parsers disagree on anything looser (`https://a.example\@b.example` has two
# hosts, depending on whom you ask). The host is a name or IPv4 address; Pydantic checks it.
_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://"
    r"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*@)?"  # user:password@
    r"[A-Za-z0-9\-._~]+"  # host
    r"(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4}))?"  # :port
    rf"(?:/{_CHAR}*)*(?:\?(?:{_CHAR}|[/?])*)?(?:#(?:{_CHAR}|[/?])*)?$"
)


def _http_url_as_sent(value: str) -> str:
    if not re.fullmatch(URL_PATTERN, value):
        raise ValueError(
            "must be an http or https URL of ASCII characters, without spaces"
        )
    _http_url.validate_python(value)
    return value


# Checked by Pydantic, stored and answered as sent: its normal form (`%27` for each `'`, a
# trailing slash) could outgrow the column, and a client reads back what it wrote.
HttpUrlStr = Annotated[
    str,
    Field(min_length=1, max_length=URL_MAX_LENGTH),
    AfterValidator(_http_url_as_sent),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uri",
            "pattern": URL_PATTERN,
            "maxLength": URL_MAX_LENGTH,
        }
    ),
]


# email-validator (behind EmailStr) refuses addresses at special-use domains (`.test`,
# `.local`), which `format: email` allows: the documented pattern says so too.
# Spelled in both cases: ECMA-262 patterns, which the document's are, have no (?i).
_SPECIAL_USE = "|".join(
    "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)
    for name in SPECIAL_USE_DOMAIN_NAMES
)
# The top-level domain is not all digits (`a@b.0` is refused too).
EMAIL_PATTERN = rf"^(?!.*[@.](?:{_SPECIAL_USE})$)[^@\s]+@[^@\s]+\.(?![0-9]+$)[^@\s.]+$"

# Stored lowercased, so that uniqueness and equality filters ignore case, as people do.
Email = Annotated[
    EmailStr,
    AfterValidator(str.lower),
    WithJsonSchema({"type": "string", "format": "email", "pattern": EMAIL_PATTERN}),
]


def _representable(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 0001-01-01T00:00+05:00 is a valid ISO datetime but falls before year 1 in UTC.
        raise ValueError("is outside the range of timestamps") from None


_NUMERAL = re.compile(r"\s*[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*")


def _not_a_number(value: object) -> object:
    # Pydantic's lax mode reads a number, or a string of digits (a query's `?on=0`), as
    # seconds since 1970 (or since midnight); the OpenAPI document says an ISO 8601 string.
    if isinstance(value, int | float) or (
        isinstance(value, str) and _NUMERAL.fullmatch(value)
    ):
        raise ValueError("must be a string in ISO 8601 format")
    return value


# A timezone-aware datetime that a TIMESTAMPTZ column can hold, normalized to UTC.
Timestamp = Annotated[
    AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_representable)
]
# A calendar day, written `2024-05-17`.
CalendarDate = Annotated[dt.date, BeforeValidator(_not_a_number)]


def _a_json_number(value: object) -> object:
    # JSON Schema's integer is any number without a fraction (5.0 too), but never "5" or
    # true, which Pydantic's lax mode would also read as 5 and 1.
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON number, not a string or a boolean")
    if isinstance(value, float) and value.is_integer():
        # Exactly the number the float holds (Pydantic refuses -2.0**63 as too large).
        return int(value)
    return value


# An integer in a JSON body, as the document says: 5 or 5.0. It goes after an integer's
# bounds in `Annotated`, so that Pydantic still documents them (minimum, maximum).
JsonNumber = BeforeValidator(_a_json_number)
# Bounded like their PostgreSQL columns: an oversized number is a 422, not a 500.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1), JsonNumber]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1), JsonNumber]
# The same in a list's query string, which is text: "5" is read as 5.
Int32Filter = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64Filter = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _plain(value: Decimal) -> str:
    return format(value, "f")


# Decimals answered in their column's form: `0.0000000`, where str() writes `0E-7`.
_PLAIN = core_schema.plain_serializer_function_ser_schema(_plain, when_used="json")
PlainDecimal = Annotated[
    Decimal, PlainSerializer(_plain, return_type=str, when_used="json")
]


@dataclass(frozen=True)
class DecimalText:
    """A decimal as a JSON string in the form its NUMERIC column keeps it (`"12.50"`).

    `pattern` is the whole rule (prpgen writes it from the column's digits and the field's
    bounds): a text it matches is stored and answered unchanged; any other text or a JSON
    number is a 422. One form, so that a POST answers what a GET reads, and a client (or a
    fuzzer) knows from the OpenAPI document alone what the server takes.
    """

    pattern: str
    example: str

    def _text(self, value: object) -> object:
        # A Decimal comes from Python code, such as a service or a test; JSON never gives one.
        if isinstance(value, Decimal):
            value = format(value, "f")  # str() would write 1E-7
        # ASCII: `\d` means 0-9 in the document's (ECMA-262) regular expressions.
        matched = isinstance(value, str) and re.fullmatch(self.pattern, value, re.ASCII)
        if not matched:
            raise ValueError(
                f'must be a string such as "{self.example}", within the bounds'
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            self._text, handler(source), serialization=_PLAIN
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": self.pattern, "examples": [self.example]}


def _without_offset(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(
            "must not carry a UTC offset: a time of day is stored without one"
        )
    return value


TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _time_of_day(value: object) -> object:
    # Only the documented form: Pydantic would also take a comma, a seventh decimal (cut
    # off) or an offset (which the column would drop).
    if isinstance(value, str) and not re.fullmatch(TIME_PATTERN, value, re.ASCII):
        raise ValueError(
            "must be a time of day such as 09:30 or 09:30:00.5, without an offset"
        )
    return _not_a_number(value)


# A time of day without a zone, as a TIME column holds it. JSON Schema's "time" format
# requires an offset, so the OpenAPI document describes it with a pattern instead.
LocalTime = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    AfterValidator(_without_offset),
    WithJsonSchema(
        {"type": "string", "pattern": TIME_PATTERN, "examples": ["09:30:00"]}
    ),
]

# The id of a row a payload refers to (`category_id`, `tag_ids`): a PostgreSQL integer id.
ReferenceId = Annotated[int, Field(ge=1, le=2**31 - 1), JsonNumber]
# The same id in a list's query string, which is text: "5" is read as 5.
ReferenceIdFilter = Annotated[int, Field(ge=1, le=2**31 - 1)]

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class NoNulModel(BaseModel):
    """Refuses NUL characters anywhere in the data: PostgreSQL cannot store or compare them."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class InputModel(NoNulModel):
    """Base of every request body: unknown fields (`id`, `user_id`, ...) are refused."""

    model_config = ConfigDict(extra="forbid")


def _null_only_where_allowed(schema: dict[str, Any], model: type[Any]) -> None:
    for name, field in schema.get("properties", {}).items():
        # Left out, a field keeps its value: there is no default to document.
        field.pop("default", None)
        if name in model.not_null:
            choices = [c for c in field.pop("anyOf", []) if c != {"type": "null"}]
            field.update(choices[0] if len(choices) == 1 else {"anyOf": choices})


class UpdateModel(InputModel):
    """Base of PATCH bodies: a field left out keeps its value. The fields named in `not_null`
    (NOT NULL columns) refuse null, and the OpenAPI document offers null for no other."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=_null_only_where_allowed
    )
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name in cls.not_null:
            raise ValueError("may not be null")
        return value


class QueryModel(NoNulModel):
    """Base of a list's query parameters (other parameters, such as `skip`, pass by)."""


class ErrorResponse(BaseModel):
    detail: str


def error(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for an error answered with `{"detail": ...}`."""
    return {"description": description, "model": ErrorResponse}


# FastAPI's type for a route's extra `responses`.
Responses = dict[int | str, dict[str, Any]]

# Every route that takes a body: one the server cannot read, or larger than MAX_BODY_BYTES.
MALFORMED: Responses = {
    400: error("The body could not be parsed"),
    413: error("The body is larger than the server accepts"),
}
UNAUTHORIZED: Responses = {401: error("Missing, invalid or expired access token")}
WRONG_CREDENTIALS: Responses = {401: error("Wrong email or password")}
FORBIDDEN: Responses = {
    **UNAUTHORIZED,
    403: error("Signed in, but only admins may do this"),
}
NOT_FOUND: Responses = {404: error("No such row, or it belongs to another user")}
CONFLICT: Responses = {
    409: error(
        "A unique value is already taken, or a row it refers to was just deleted"
    )
}
EMAIL_TAKEN: Responses = {409: error("An account with this email already exists")}
REFERENCED: Responses = {409: error("Other rows still refer to this one")}
TOO_MANY_REQUESTS: Responses = {429: error("Too many attempts from this client")}

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


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


class QueryModel(NoNulModel):
    """Base of a list's query parameters (other parameters, such as `skip`, pass by)."""


class ErrorResponse(BaseModel):
    detail: str


def error(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for an error answered with `{"detail": ...}`."""
    return {"description": description, "model": ErrorResponse}


# FastAPI's type for a route's extra `responses`.
Responses = dict[int | str, dict[str, Any]]

MALFORMED: Responses = {400: error("The body could not be parsed")}
UNAUTHORIZED: Responses = {401: error("Missing, invalid or expired access token")}
FORBIDDEN: Responses = {
    **UNAUTHORIZED,
    403: error("Signed in, but only admins may do this"),
}
NOT_FOUND: Responses = {404: error("No such row, or it belongs to another user")}
CONFLICT: Responses = {409: error("A unique value is already taken")}
REFERENCED: Responses = {409: error("Other rows still refer to this one")}
TOO_MANY_REQUESTS: Responses = {429: error("Too many attempts from this client")}

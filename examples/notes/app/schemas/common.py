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


class InputModel(BaseModel):
    """Base of every request body: unknown fields (`id`, `user_id`, ...) are refused,
    and so are NUL characters, which PostgreSQL cannot store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class ErrorResponse(BaseModel):
    detail: str


def error(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for an error answered with `{"detail": ...}`."""
    return {"description": description, "model": ErrorResponse}


# FastAPI's type for a route's extra `responses`.
Responses = dict[int | str, dict[str, Any]]

MALFORMED: Responses = {400: error("The body could not be parsed")}
UNAUTHORIZED: Responses = {401: error("Missing, invalid or expired access token")}
NOT_FOUND: Responses = {404: error("No such row, or it belongs to another user")}
CONFLICT: Responses = {409: error("A unique value is already taken")}
TOO_MANY_REQUESTS: Responses = {429: error("Too many attempts from this client")}

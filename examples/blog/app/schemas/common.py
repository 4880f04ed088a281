from typing import Any

from pydantic import BaseModel


class ErrorResponse(BaseModel):
    detail: str


def error(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for an error answered with `{"detail": ...}`."""
    return {"description": description, "model": ErrorResponse}


# FastAPI's type for a route's extra `responses`.
Responses = dict[int | str, dict[str, Any]]

UNAUTHORIZED: Responses = {401: error("Missing, invalid or expired access token")}
NOT_FOUND: Responses = {404: error("No such row, or it belongs to another user")}
CONFLICT: Responses = {409: error("A unique value is already taken")}

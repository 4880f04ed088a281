"""The OpenAPI document, exact enough for the clients teams generate from it."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# No column holds a wider integer than bigint.
INT64 = (-(2**63), 2**63 - 1)


def operation_id(route: APIRoute) -> str:
    """The route's function name (`list_products`, `create_order`): short and stable, where
    FastAPI's default adds the path and method (`list_products_api_v1_products_get`)."""
    return route.name


def exact_integers(node: Any) -> Any:
    """Write integers' bounds as integers again.

    FastAPI's OpenAPI model keeps every bound as a float (`2147483647.0`), and the limits of
    bigint do not survive the float (`9.223372036854776e+18` is above the largest bigint).
    """
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in BOUNDS:
                if isinstance(node.get(key), float):
                    node[key] = min(max(int(node[key]), INT64[0]), INT64[1])
        for value in node.values():
            exact_integers(value)
    elif isinstance(node, list):
        for value in node:
            exact_integers(value)
    return node


class API(FastAPI):
    """FastAPI, with short operation ids and exact integer bounds in its OpenAPI document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(generate_unique_id_function=operation_id, **kwargs)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = exact_integers(super().openapi())
        return self.openapi_schema

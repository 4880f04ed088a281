"""The OpenAPI document, exact enough for the clients teams generate from it."""

import re
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


def enum_name(value: object) -> str:
    """A member name for an enum value: `-created_at` is CREATED_AT_DESC (a sort order),
    `in-progress` IN_PROGRESS, `9 lives` V_9_LIVES."""
    text = str(value)
    descending = text.startswith("-") and len(text) > 1
    words = re.sub(
        r"[^0-9A-Za-z]+", "_", text.removeprefix("-") if descending else text
    )
    name = words.strip("_").upper() or "EMPTY"
    name = f"V_{name}" if name[0].isdigit() else name
    return f"{name}_DESC" if descending else name


def enum_names(node: Any) -> Any:
    """Give every enum `x-enum-varnames` (read by openapi-python-client and openapi-generator),
    which otherwise name values that are not identifiers `VALUE_3`. Clashing names are numbered."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            names: list[str] = []
            for value in node["enum"]:
                name, number = enum_name(value), 1
                while name in names:  # `a`, `A` and `a_2` would all be A or A_2
                    number += 1
                    name = f"{enum_name(value)}_{number}"
                names.append(name)
            node["x-enum-varnames"] = names
        for value in node.values():
            enum_names(value)
    elif isinstance(node, list):
        for value in node:
            enum_names(value)
    return node


# PostgreSQL's text types cannot hold NUL, so the input models refuse it (a 422).
NO_NUL = "^[^\\u0000]*$"


def _without_nul(pattern: str | None) -> str:
    if pattern is None:
        return NO_NUL
    if pattern.startswith("^") and "|" not in pattern:
        # Anchored: the look-ahead goes after the anchor (fuzzers generate from it quickly).
        return f"^(?![\\s\\S]*\\u0000){pattern[1:]}"
    return f"^(?![\\s\\S]*\\u0000)[\\s\\S]*?(?:{pattern})"


def no_nul(node: Any) -> Any:
    """Give every string a pattern that refuses NUL: a pattern of its own keeps JSON Schema's
    meaning (found anywhere in the string) behind a look-ahead for NUL."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "enum" not in node and "const" not in node:
            node["pattern"] = _without_nul(node.get("pattern"))
        for value in node.values():
            no_nul(value)
    elif isinstance(node, list):
        for value in node:
            no_nul(value)
    return node


class API(FastAPI):
    """FastAPI, with short operation ids, exact integer bounds, named enum values and strings
    without NUL in its OpenAPI document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(generate_unique_id_function=operation_id, **kwargs)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = no_nul(enum_names(exact_integers(super().openapi())))
        return self.openapi_schema

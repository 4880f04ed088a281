"""The OpenAPI document, exact enough for the clients teams generate from it."""

import re
from collections.abc import Iterator
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


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in the document, at any depth."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def exact_integers(node: dict[str, Any]) -> None:
    """Write an integer's bounds as integers again.

    FastAPI's OpenAPI model keeps every bound as a float (`2147483647.0`), and the limits of
    bigint do not survive the float (`9.223372036854776e+18` is above the largest bigint).
    """
    if node.get("type") == "integer":
        for key in BOUNDS:
            if isinstance(node.get(key), float):
                node[key] = min(max(int(node[key]), INT64[0]), INT64[1])


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


def enum_names(node: dict[str, Any]) -> dict[str, Any]:
    """Give an enum `x-enum-varnames` (read by openapi-python-client and openapi-generator),
    which otherwise name values that are not identifiers `VALUE_3`. Clashing names are numbered."""
    if isinstance(node.get("enum"), list):
        names: list[str] = []
        for value in node["enum"]:
            name, number = enum_name(value), 1
            while name in names:  # `a`, `A` and `a_2` would all be A or A_2
                number += 1
                name = f"{enum_name(value)}_{number}"
            names.append(name)
        node["x-enum-varnames"] = names
    return node


# PostgreSQL's text types cannot hold NUL, so the input models refuse it (a 422).
NO_NUL = "^[^\\u0000]*$"


def no_nul(node: dict[str, Any]) -> None:
    """Give a string a pattern that refuses NUL: a pattern of its own keeps JSON Schema's
    meaning (found anywhere in the string) behind a look-ahead for NUL."""
    if node.get("type") != "string" or "enum" in node or "const" in node:
        return
    pattern = node.get("pattern")
    if pattern is None:
        node["pattern"] = NO_NUL
    elif pattern.startswith("^") and "|" not in pattern:
        # Anchored: the look-ahead goes after the anchor (fuzzers generate from it quickly).
        node["pattern"] = f"^(?![\\s\\S]*\\u0000){pattern[1:]}"
    else:
        node["pattern"] = f"^(?![\\s\\S]*\\u0000)[\\s\\S]*?(?:{pattern})"


class API(FastAPI):
    """FastAPI, with short operation ids, exact integer bounds, named enum values and strings
    without NUL in its OpenAPI document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(generate_unique_id_function=operation_id, **kwargs)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document = super().openapi()
            # Listed first: the fixes add keys to the objects they visit.
            for node in list(nodes(document)):
                exact_integers(node)
                enum_names(node)
                no_nul(node)
            self.openapi_schema = document
        return self.openapi_schema

"""The OpenAPI document, read as the client generators teams use read it."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient

from app.core.openapi import BOUNDS, INT64, enum_names, nodes


@pytest.fixture
async def document(client: AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path in document["paths"].values():
        yield from path.values()


def offers_null(field: dict[str, Any]) -> bool:
    return {"type": "null"} in field.get("anyOf", [])


async def test_operation_ids_are_short_unique_names(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for operation in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert operation_id.isidentifier()
        assert "api_v1" not in operation_id


async def test_integer_bounds_are_exact_integers(document: dict[str, Any]) -> None:
    bounded = [node for node in nodes(document) if node.get("type") == "integer"]
    for node in bounded:
        for key in BOUNDS:
            if key in node:
                assert type(node[key]) is int, node
                assert INT64[0] <= node[key] <= INT64[1], node


async def test_patch_bodies_offer_null_only_for_nullable_columns(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    updates = [name for name in schemas if name.endswith("Update")]
    for name in updates:
        stored = schemas[name.removesuffix("Update") + "Response"]["properties"]
        for field, schema in schemas[name]["properties"].items():
            assert "default" not in schema, f"{name}.{field}"
            assert offers_null(schema) == offers_null(stored[field]), f"{name}.{field}"


async def test_every_body_may_be_too_large(document: dict[str, Any]) -> None:
    with_body = [op for op in operations(document) if "requestBody" in op]
    assert with_body
    for operation in with_body:
        assert {"400", "413", "422"} <= set(operation["responses"]), operation[
            "operationId"
        ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {"email": "new@example.com", "password": "hunter2"}, id="too-short"
        ),
        pytest.param({"password": "a-secret-left-alone"}, id="beside-a-missing-email"),
    ],
)
async def test_a_rejected_password_is_never_sent_back(
    client: AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert body["password"] not in response.text


async def test_enum_values_have_client_names(document: dict[str, Any]) -> None:
    """Client generators name enum members after their values, and give up on values that are
    not identifiers (`-created_at` becomes `VALUE_3`); `x-enum-varnames` names every one."""
    sort = enum_names({"enum": ["-created_at", "created_at", "9 lives"]})
    assert sort["x-enum-varnames"] == ["CREATED_AT_DESC", "CREATED_AT", "V_9_LIVES"]
    # Every enum of the document (a project without entities has none).
    for node in (node for node in nodes(document) if "enum" in node):
        names = node.get("x-enum-varnames")
        assert names is not None, node
        assert len(names) == len(node["enum"]) == len(set(names))
        assert all(name.isidentifier() and name.isupper() for name in names), names


async def test_emails_document_the_refused_domains(document: dict[str, Any]) -> None:
    """An address at a special-use domain (`.test`, `.local`) is valid by `format: email`, but
    the server refuses it (email-validator): the pattern says so, so that clients check alike."""
    emails = [node for node in nodes(document) if node.get("format") == "email"]
    assert emails
    for node in emails:
        assert "pattern" in node, node
        pattern = re.compile(node["pattern"])
        assert pattern.fullmatch("reader@example.com")
        assert not pattern.fullmatch("reader@example.test")
        assert not pattern.fullmatch("reader@printer.local")


async def test_strings_say_they_hold_no_nul(document: dict[str, Any]) -> None:
    """PostgreSQL cannot store NUL, so the API refuses it in every string (a 422): the
    document's patterns say so, so that clients and fuzzers do not send one."""
    strings = [
        node
        for node in nodes(document)
        if node.get("type") == "string" and "enum" not in node and "const" not in node
    ]
    assert strings
    for node in strings:
        assert "pattern" in node, node
        assert re.fullmatch(node["pattern"], "a\x00b") is None, node

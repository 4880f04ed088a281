import asyncio
import re
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import Product, User
from tests.api.test_tax_rates import URL as TAX_RATES_URL
from tests.api.test_tax_rates import create as create_tax_rate
from tests.conftest import ADMIN_HEADERS, Made, until_blocked

pytestmark = pytest.mark.priority_critical

URL = "/api/v1/products"
MISSING = object()
# Who may do what: public, user (any signed-in user), owner (the row's owner, or an admin), admin.
ACCESS = {
    "list": "owner",
    "read": "owner",
    "create": "owner",
    "update": "owner",
    "delete": "owner",
}
# Two valid payloads; unique fields differ between them.
VALID: list[dict[str, Any]] = [
    {
        "name": "Name 1",
        "sku": "SKU-1001",
        "price": "0.00",
        "stock": 0,
        "weight_kg": 0.5,
        "is_active": True,
        "attributes": {"key": "value-1"},
        "external_id": "00000000-0000-4000-8000-000000000001",
        "product_url": "https://example.com/product-url/1",
    },
    {
        "name": "name-1",
        "sku": "A",
        "price": "1.00",
        "stock": 1,
        "weight_kg": 1.5,
        "is_active": False,
        "attributes": {"key": "value-2"},
        "external_id": "00000000-0000-4000-8000-000000000002",
        "product_url": "https://example.com/product-url/2",
    },
]


async def payload(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    """VALID[index] with the rows it refers to, created for the same user (once each)."""
    made = {} if made is None else made
    tax_rate = await create_tax_rate(client, ADMIN_HEADERS, index, made)
    return {
        **VALID[index],
        "tax_rate_id": tax_rate["id"],
    }


async def create(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    key = (URL, index, headers.get("Authorization", ""))
    if made is not None and key in made:
        return made[key]
    body = await payload(client, headers, index, made)
    response = await client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    if made is not None:
        made[key] = created
    return created


def assert_matches(body: dict[str, Any], payload: dict[str, Any]) -> None:
    assert {key: body[key] for key in payload} == payload


async def every_page(
    client: AsyncClient, headers: dict[str, str], params: dict[str, Any]
) -> list[int]:
    """The ids the list gives, one row a page, following each page's `next` to the end."""
    params = {**params, "limit": 1}
    ids: list[int] = []
    for _ in range(50):
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        if body["next"] is None:
            return ids
        params["cursor"] = body["next"]
    raise AssertionError(f"still a next page after {ids}")


async def test_create_returns_the_new_product(
    client: AsyncClient, auth_headers: dict[str, str], user: User
) -> None:
    sent = await payload(client, auth_headers)
    response = await client.post(URL, json=sent, headers=auth_headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert_matches(body, sent)
    assert isinstance(body["id"], int)
    assert body["user_id"] == user.id
    assert body["created_at"]
    assert body["updated_at"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("name", MISSING, 422, id="name-missing"),
        pytest.param("name", None, 422, id="name-null"),
        pytest.param("name", "a", 201, id="name-min-length"),
        pytest.param("name", "", 422, id="name-below-min-length"),
        pytest.param("name", "a" * 120, 201, id="name-max-length"),
        pytest.param("name", "a" * 121, 422, id="name-above-max-length"),
        pytest.param("name", 12345, 422, id="name-not-a-string"),
        pytest.param("name", "a\x00b", 422, id="name-nul-character"),
        pytest.param("sku", MISSING, 422, id="sku-missing"),
        pytest.param("sku", None, 422, id="sku-null"),
        pytest.param("sku", "0" * 32, 201, id="sku-max-length"),
        pytest.param("sku", "0" * 33, 422, id="sku-above-max-length"),
        pytest.param("sku", "!", 422, id="sku-pattern-mismatch"),
        pytest.param("sku", 12345, 422, id="sku-not-a-string"),
        pytest.param("sku", "a\x00b", 422, id="sku-nul-character"),
        pytest.param("price", MISSING, 422, id="price-missing"),
        pytest.param("price", None, 422, id="price-null"),
        pytest.param("price", "0.00", 201, id="price-ge"),
        pytest.param("price", "-1.00", 422, id="price-below-ge"),
        pytest.param("price", "99999999.99", 201, id="price-max-digits"),
        pytest.param("price", "100000000.00", 422, id="price-above-max-digits"),
        pytest.param("price", "0.001", 422, id="price-above-decimal-places"),
        pytest.param("price", "abc", 422, id="price-not-a-number"),
        pytest.param("stock", MISSING, 201, id="stock-omitted"),
        pytest.param("stock", None, 422, id="stock-null"),
        pytest.param("stock", 0, 201, id="stock-ge"),
        pytest.param("stock", -1, 422, id="stock-below-ge"),
        pytest.param("stock", 2147483647, 201, id="stock-le"),
        pytest.param("stock", 2147483648, 422, id="stock-above-le"),
        pytest.param("stock", "abc", 422, id="stock-not-a-number"),
        pytest.param("stock", "7", 422, id="stock-numeral-in-a-string"),
        pytest.param("stock", True, 422, id="stock-boolean"),
        pytest.param("stock", 0.0, 201, id="stock-whole-number-as-float"),
        pytest.param("weight_kg", MISSING, 201, id="weight_kg-omitted"),
        pytest.param("weight_kg", None, 201, id="weight_kg-null"),
        pytest.param("weight_kg", 0, 201, id="weight_kg-ge"),
        pytest.param("weight_kg", -1, 422, id="weight_kg-below-ge"),
        pytest.param("weight_kg", 1000, 201, id="weight_kg-le"),
        pytest.param("weight_kg", 1001, 422, id="weight_kg-above-le"),
        pytest.param("weight_kg", "abc", 422, id="weight_kg-not-a-number"),
        pytest.param("weight_kg", "7", 422, id="weight_kg-numeral-in-a-string"),
        pytest.param("weight_kg", True, 422, id="weight_kg-boolean"),
        pytest.param("is_active", MISSING, 201, id="is_active-omitted"),
        pytest.param("is_active", None, 422, id="is_active-null"),
        pytest.param("is_active", "maybe", 422, id="is_active-invalid"),
        pytest.param("is_active", "true", 422, id="is_active-string"),
        pytest.param("is_active", 1, 422, id="is_active-number"),
        pytest.param("attributes", MISSING, 201, id="attributes-omitted"),
        pytest.param("attributes", None, 201, id="attributes-null"),
        pytest.param("attributes", "not-an-object", 422, id="attributes-invalid"),
        pytest.param("external_id", MISSING, 201, id="external_id-omitted"),
        pytest.param("external_id", None, 201, id="external_id-null"),
        pytest.param("external_id", "not-a-uuid", 422, id="external_id-invalid"),
        pytest.param("product_url", MISSING, 201, id="product_url-omitted"),
        pytest.param("product_url", None, 201, id="product_url-null"),
        pytest.param("product_url", "not a url", 422, id="product_url-invalid"),
        pytest.param("tax_rate_id", MISSING, 201, id="tax_rate_id-omitted"),
        pytest.param("tax_rate_id", None, 201, id="tax_rate_id-null"),
        pytest.param("tax_rate_id", 0, 422, id="tax_rate_id-zero"),
        pytest.param("tax_rate_id", 2147483648, 422, id="tax_rate_id-out-of-range"),
        pytest.param("tax_rate_id", 2147483647, 422, id="tax_rate_id-no-such-row"),
        pytest.param("tax_rate_id", "abc", 422, id="tax_rate_id-not-an-id"),
    ],
)
async def test_create_validates_each_field(
    client: AsyncClient,
    auth_headers: dict[str, str],
    field: str,
    value: Any,
    expected: int,
) -> None:
    body = await payload(client, auth_headers)
    body.pop(field, None)
    if value is not MISSING:
        body[field] = value
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == expected, response.text
    if expected == 422:
        assert field in response.json()["detail"][0]["loc"]


@pytest.mark.parametrize("field", ["id", "user_id", "created_at", "updated_at"])
async def test_create_rejects_generated_columns(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    body = {**await payload(client, auth_headers), field: 1}
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 422


@pytest.mark.parametrize("field", ["sku", "external_id"])
async def test_create_rejects_a_duplicate(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    await create(client, auth_headers)
    body = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 409
    assert response.json() == {"detail": f"A product with this {field} already exists"}


@pytest.mark.parametrize("field", ["sku", "external_id"])
async def test_unique_values_are_unique_per_owner(
    client: AsyncClient,
    auth_headers: dict[str, str],
    other_headers: dict[str, str],
    field: str,
) -> None:
    """Another owner may use the same value: a 409 would tell them about this owner's rows."""
    await create(client, auth_headers)
    body = {**await payload(client, other_headers, 1), field: VALID[0][field]}
    response = await client.post(URL, json=body, headers=other_headers)
    assert response.status_code == 201, response.text


async def test_list_is_paginated_newest_first(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    before = (
        await client.get(URL, params={"total": True}, headers=auth_headers)
    ).json()["total"]
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    response = await client.get(URL, params={"limit": 1}, headers=auth_headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [second["id"]]
    # Counting reads every row that matches: only when asked for.
    assert body["total"] is None
    response = await client.get(
        URL,
        params={"limit": 1, "cursor": body["next"], "total": True},
        headers=auth_headers,
    )
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == before + 2


async def test_pages_neither_repeat_nor_skip_rows_that_come_and_go(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    made: Made = {}
    first = await create(client, auth_headers, 0, made)
    second = await create(client, auth_headers, 1, made)
    page = (
        await client.get(URL, params={"sort": "id", "limit": 1}, headers=auth_headers)
    ).json()
    assert [item["id"] for item in page["items"]] == [first["id"]]
    # The row read goes and a new one comes before the next page: OFFSET would skip `second`.
    assert (
        await client.delete(f"{URL}/{first['id']}", headers=auth_headers)
    ).status_code == 204
    body = await payload(client, auth_headers, 0, made)
    third = (await client.post(URL, json=body, headers=auth_headers)).json()
    rest = await every_page(
        client, auth_headers, {"sort": "id", "cursor": page["next"]}
    )
    assert rest == [second["id"], third["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"cursor": "x" * 8193},
        {"total": "maybe"},
    ],
)
async def test_list_rejects_bad_pagination(
    client: AsyncClient, auth_headers: dict[str, str], params: dict[str, Any]
) -> None:
    response = await client.get(URL, params=params, headers=auth_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "cursor", ["not a cursor", "WyJpZCIsMSwxXQ", "bnVsbA", "x" * 8192]
)
async def test_a_cursor_the_list_did_not_give_is_422(
    client: AsyncClient, auth_headers: dict[str, str], cursor: str
) -> None:
    """Not base64; a place written by hand (`["id",1,1]`); `null`; as long as a cursor may be."""
    response = await client.get(URL, params={"cursor": cursor}, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_a_cursor_holds_only_as_given_and_for_its_order(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    cursor = (await client.get(URL, params={"limit": 1}, headers=auth_headers)).json()[
        "next"
    ]
    assert (
        await client.get(URL, params={"cursor": cursor}, headers=auth_headers)
    ).status_code == 200
    altered = ("B" if cursor.startswith("A") else "A") + cursor[1:]
    for params in ({"cursor": altered}, {"cursor": cursor, "sort": "id"}):
        response = await client.get(URL, params=params, headers=auth_headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_get_returns_one_product(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize("field", ["price"])
async def test_a_decimal_travels_in_its_columns_form(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    """A decimal is a string in the form its column keeps (`12.50`), both ways, as the OpenAPI
    document's pattern says: other forms of a value (`012.50`, a JSON number) are refused."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    schema = schemas["ProductCreate"]["properties"][field]
    documented = next(
        node for node in [schema, *schema.get("anyOf", [])] if "pattern" in node
    )
    assert documented["type"] == "string"
    body = await payload(client, auth_headers)
    stored = body[field] if body[field] is not None else documented["examples"][0]
    assert re.fullmatch(documented["pattern"], stored)
    for other in ("0" + stored, float(stored)):
        response = await client.post(
            URL, json={**body, field: other}, headers=auth_headers
        )
        assert response.status_code == 422, (other, response.text)
        assert response.json()["detail"][0]["loc"] == ["body", field]
    created = await client.post(URL, json={**body, field: stored}, headers=auth_headers)
    assert created.status_code == 201, created.text
    assert created.json()[field] == stored


async def test_replace_sets_every_field(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    replacement = await payload(client, auth_headers, 1)
    response = await client.put(
        f"{URL}/{created['id']}", json=replacement, headers=auth_headers
    )
    assert response.status_code == 200
    assert_matches(response.json(), replacement)
    assert response.json()["created_at"] == created["created_at"]


async def test_replace_validates_the_body(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.put(f"{URL}/{created['id']}", json={}, headers=auth_headers)
    assert response.status_code == 422


async def test_update_changes_only_the_fields_sent(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    field = "name"
    change = {field: (await payload(client, auth_headers, 1))[field]}
    response = await client.patch(
        f"{URL}/{created['id']}", json=change, headers=auth_headers
    )
    assert response.status_code == 200
    changed = {
        key: value
        for key, value in response.json().items()
        if key not in ("updated_at", "updated_by_id")
    }
    assert changed == {
        key: value
        for key, value in {**created, **change}.items()
        if key not in ("updated_at", "updated_by_id")
    }


@pytest.mark.parametrize("field", ["name", "sku", "price", "stock", "is_active"])
async def test_update_rejects_null_for_a_required_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "field", ["weight_kg", "attributes", "external_id", "product_url", "tax_rate_id"]
)
async def test_update_clears_an_optional_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 200
    assert response.json()[field] is None


@pytest.mark.parametrize("field", ["sku", "external_id"])
async def test_update_rejects_a_duplicate(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    response = await client.patch(
        f"{URL}/{second['id']}", json={field: first[field]}, headers=auth_headers
    )
    assert response.status_code == 409


async def test_delete_removes_the_product(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_missing_product_is_404(
    client: AsyncClient, auth_headers: dict[str, str], method: str
) -> None:
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, auth_headers)
    response = await client.request(
        method, f"{URL}/{2**31 - 1}", json=body, headers=auth_headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Product not found"}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_another_users_product_is_404(
    client: AsyncClient,
    auth_headers: dict[str, str],
    other_headers: dict[str, str],
    method: str,
) -> None:
    created = await create(client, other_headers)
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, auth_headers, 1)
    response = await client.request(
        method, f"{URL}/{created['id']}", json=body, headers=auth_headers
    )
    assert response.status_code == 404
    still_there = await client.get(f"{URL}/{created['id']}", headers=other_headers)
    assert still_there.json() == created


async def test_list_shows_only_the_users_own_rows(
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    mine = await create(client, auth_headers, 0)
    await create(client, other_headers, 1)
    body = (await client.get(URL, params={"total": True}, headers=auth_headers)).json()
    assert [item["id"] for item in body["items"]] == [mine["id"]]
    assert body["total"] == 1


@pytest.mark.parametrize("row_id", ["0", "-1", str(2**31), "abc"])
async def test_an_impossible_id_is_422(
    client: AsyncClient, auth_headers: dict[str, str], row_id: str
) -> None:
    response = await client.get(f"{URL}/{row_id}", headers=auth_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("operation", "role", "expected"),
    [
        pytest.param("list", "anonymous", 401, id="list-anonymous"),
        pytest.param("list", "user", 200, id="list-user"),
        pytest.param("list", "owner", 200, id="list-owner"),
        pytest.param("list", "admin", 200, id="list-admin"),
        pytest.param("read", "anonymous", 401, id="read-anonymous"),
        pytest.param("read", "user", 404, id="read-user"),
        pytest.param("read", "owner", 200, id="read-owner"),
        pytest.param("read", "admin", 200, id="read-admin"),
        pytest.param("create", "anonymous", 401, id="create-anonymous"),
        pytest.param("create", "user", 201, id="create-user"),
        pytest.param("create", "owner", 201, id="create-owner"),
        pytest.param("create", "admin", 201, id="create-admin"),
        pytest.param("update", "anonymous", 401, id="update-anonymous"),
        pytest.param("update", "user", 404, id="update-user"),
        pytest.param("update", "owner", 200, id="update-owner"),
        pytest.param("update", "admin", 200, id="update-admin"),
        pytest.param("delete", "anonymous", 401, id="delete-anonymous"),
        pytest.param("delete", "user", 404, id="delete-user"),
        pytest.param("delete", "owner", 204, id="delete-owner"),
        pytest.param("delete", "admin", 204, id="delete-admin"),
    ],
)
async def test_access_rules(
    client: AsyncClient,
    auth_headers: dict[str, str],
    other_headers: dict[str, str],
    operation: str,
    role: str,
    expected: int,
) -> None:
    """Each operation for each role, on a row of the owner's."""
    roles = {
        "anonymous": {},
        "user": other_headers,
        "owner": auth_headers,
        "admin": ADMIN_HEADERS,
    }
    headers = roles[role]
    row = await create(client, auth_headers)
    item = f"{URL}/{row['id']}"
    if operation == "list":
        response = await client.get(URL, headers=headers)
    elif operation == "read":
        response = await client.get(item, headers=headers)
    elif operation == "create":
        body = await payload(client, headers or auth_headers, 1)
        response = await client.post(URL, json=body, headers=headers)
    elif operation == "update":
        field = "name"
        change = {field: (await payload(client, headers or auth_headers, 1))[field]}
        response = await client.patch(item, json=change, headers=headers)
    else:
        response = await client.delete(item, headers=headers)
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("DELETE", "", {"GET", "POST"}, id="collection"),
        pytest.param("POST", "/1", {"GET", "PUT", "PATCH", "DELETE"}, id="item"),
    ],
)
async def test_a_method_the_path_lacks_is_405_naming_the_others(
    client: AsyncClient, method: str, path: str, allowed: set[str]
) -> None:
    response = await client.request(method, URL + path)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed


async def test_openapi_documents_every_route(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    collection = paths[URL]
    item = paths[URL + "/{product_id}"]
    routes = [(collection, "post", "create", "201"), (collection, "get", "list", "200")]
    routes += [(item, "get", "read", "200"), (item, "put", "update", "200")]
    routes += [(item, "patch", "update", "200"), (item, "delete", "delete", "204")]
    for path, method, operation, success in routes:
        documented = set(path[method]["responses"])
        assert {success, "422"} <= documented
        token = ACCESS[operation] != "public"
        admins_only = ACCESS[operation] == "admin"
        # Routes that need a token say so, and public ones do not ask for one.
        assert ("security" in path[method]) is token
        assert ("401" in documented) is token
        assert ("403" in documented) is admins_only


@pytest.mark.parametrize("field", ["name", "sku", "is_active", "external_id"])
async def test_list_filters_by_equality(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    response = await client.get(URL, params={field: first[field]}, headers=auth_headers)
    assert response.status_code == 200, response.text
    expected = [row["id"] for row in (second, first) if row[field] == first[field]]
    assert [item["id"] for item in response.json()["items"]] == expected
    assert await every_page(client, auth_headers, {field: first[field]}) == expected


@pytest.mark.parametrize(
    "key",
    [
        "id",
        "created_at",
        "updated_at",
        "name",
        "sku",
        "price",
        "stock",
        "weight_kg",
        "is_active",
        "external_id",
        "product_url",
    ],
)
async def test_list_sorts_both_ways(
    client: AsyncClient, auth_headers: dict[str, str], key: str
) -> None:
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    ascending = await client.get(URL, params={"sort": key}, headers=auth_headers)
    descending = await client.get(URL, params={"sort": f"-{key}"}, headers=auth_headers)
    assert ascending.status_code == descending.status_code == 200
    ids = [item["id"] for item in ascending.json()["items"]]
    assert sorted(ids) == sorted([first["id"], second["id"]])
    # Ties are broken by id in the same direction, so the two orders mirror each other.
    assert [item["id"] for item in descending.json()["items"]] == ids[::-1]
    # Page by page, each order gives the same rows in the same order.
    assert await every_page(client, auth_headers, {"sort": key}) == ids
    assert await every_page(client, auth_headers, {"sort": f"-{key}"}) == ids[::-1]
    if key == "id":
        assert ids == [first["id"], second["id"]]


@pytest.mark.parametrize(
    "sort", ["password", "-hashed_password", "id; DROP TABLE users", "--id", ""]
)
async def test_list_rejects_an_unknown_sort(
    client: AsyncClient, auth_headers: dict[str, str], sort: str
) -> None:
    response = await client.get(URL, params={"sort": sort}, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "sort"]


@pytest.mark.parametrize("field", ["name"])
async def test_list_searches_case_insensitively(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    first = await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    text = str(first[field])[:50]
    term = text.swapcase() if text.isascii() else text
    response = await client.get(URL, params={"q": term}, headers=auth_headers)
    assert response.status_code == 200
    found = [item["id"] for item in response.json()["items"]]
    assert first["id"] in found
    assert await every_page(client, auth_headers, {"q": term}) == found


@pytest.mark.parametrize("term", ["%", "_", "\\", "no such text at all"])
async def test_list_search_wildcards_match_literally(
    client: AsyncClient, auth_headers: dict[str, str], term: str
) -> None:
    await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    response = await client.get(
        URL, params={"q": term, "total": True}, headers=auth_headers
    )
    assert response.status_code == 200
    searched = ["name"]
    expected = sum(
        any(term.lower() in str(row[key]).lower() for key in searched) for row in VALID
    )
    assert response.json()["total"] == expected


async def test_products_are_listed_under_their_tax_rate(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    first = await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    path = f"{TAX_RATES_URL}/{first['tax_rate_id']}/products"
    response = await client.get(path, params={"total": True}, headers=auth_headers)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == 1
    filtered = await client.get(
        URL, params={"tax_rate_id": first["tax_rate_id"]}, headers=auth_headers
    )
    assert filtered.json()["items"] == response.json()["items"]
    missing = await client.get(
        f"{TAX_RATES_URL}/{2**31 - 1}/products", headers=auth_headers
    )
    assert missing.status_code == 404


async def test_deleting_the_tax_rate_set_null(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(
        f"{TAX_RATES_URL}/{created['tax_rate_id']}", headers=ADMIN_HEADERS
    )
    after = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert after.json()["tax_rate_id"] is None


async def test_concurrent_creates_of_one_unique_value_are_201_and_409(
    committed_client: AsyncClient, committed_headers: dict[str, str]
) -> None:
    body = await payload(committed_client, committed_headers)
    responses = await asyncio.gather(
        *(
            committed_client.post(URL, json=body, headers=committed_headers)
            for _ in range(2)
        )
    )
    assert sorted(response.status_code for response in responses) == [201, 409]


async def test_an_update_racing_a_delete_is_200_or_404(
    committed_client: AsyncClient, committed_headers: dict[str, str]
) -> None:
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    field = "name"
    change = {field: (await payload(committed_client, committed_headers, 1))[field]}
    updated, deleted = await asyncio.gather(
        committed_client.patch(url, json=change, headers=committed_headers),
        committed_client.delete(url, headers=committed_headers),
    )
    assert updated.status_code in (200, 404), updated.text
    assert deleted.status_code == 204, deleted.text
    assert (
        await committed_client.get(url, headers=committed_headers)
    ).status_code == 404


async def test_an_update_stores_a_value_equal_to_the_one_it_loaded(
    committed_client: AsyncClient,
    engine: AsyncEngine,
    committed_headers: dict[str, str],
) -> None:
    """The PATCH sets a field back while another writer changes it: what the PATCH sent is
    stored, even though it equals the value the row had when the PATCH began."""
    field = "name"
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    change = (
        update(Product)
        .where(Product.id == created["id"])
        .values({field: VALID[1][field]})
    )
    async with engine.connect() as writer:
        await writer.execute(change)
        patch = asyncio.create_task(
            committed_client.patch(
                url, json={field: created[field]}, headers=committed_headers
            )
        )
        await until_blocked(writer, patch)
        await writer.commit()
    assert (await patch).status_code == 200
    stored = await committed_client.get(url, headers=committed_headers)
    assert stored.json()[field] == created[field]

import asyncio
import re
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import OrderItem, User
from tests.api.test_orders import URL as ORDERS_URL
from tests.api.test_orders import create as create_order
from tests.api.test_products import URL as PRODUCTS_URL
from tests.api.test_products import create as create_product
from tests.conftest import ADMIN_HEADERS, Made, until_blocked

pytestmark = pytest.mark.priority_critical

URL = "/api/v1/order-items"
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
    {"quantity": 1, "unit_price": "0.00"},
    {"quantity": 2, "unit_price": "1.00"},
]


async def payload(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    """VALID[index] with the rows it refers to, created for the same user (once each)."""
    made = {} if made is None else made
    order = await create_order(client, headers, index, made)
    product = await create_product(client, headers, index, made)
    return {
        **VALID[index],
        "order_id": order["id"],
        "product_id": product["id"],
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


async def test_create_returns_the_new_order_item(
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
        pytest.param("order_id", MISSING, 422, id="order_id-missing"),
        pytest.param("order_id", None, 422, id="order_id-null"),
        pytest.param("order_id", 0, 422, id="order_id-zero"),
        pytest.param("order_id", 2147483648, 422, id="order_id-out-of-range"),
        pytest.param("order_id", 2147483647, 422, id="order_id-no-such-row"),
        pytest.param("order_id", "abc", 422, id="order_id-not-an-id"),
        pytest.param("product_id", MISSING, 422, id="product_id-missing"),
        pytest.param("product_id", None, 422, id="product_id-null"),
        pytest.param("product_id", 0, 422, id="product_id-zero"),
        pytest.param("product_id", 2147483648, 422, id="product_id-out-of-range"),
        pytest.param("product_id", 2147483647, 422, id="product_id-no-such-row"),
        pytest.param("product_id", "abc", 422, id="product_id-not-an-id"),
        pytest.param("quantity", MISSING, 422, id="quantity-missing"),
        pytest.param("quantity", None, 422, id="quantity-null"),
        pytest.param("quantity", 1, 201, id="quantity-ge"),
        pytest.param("quantity", 0, 422, id="quantity-below-ge"),
        pytest.param("quantity", 10000, 201, id="quantity-le"),
        pytest.param("quantity", 10001, 422, id="quantity-above-le"),
        pytest.param("quantity", "abc", 422, id="quantity-not-a-number"),
        pytest.param("quantity", "7", 422, id="quantity-numeral-in-a-string"),
        pytest.param("quantity", True, 422, id="quantity-boolean"),
        pytest.param("quantity", 1.0, 201, id="quantity-whole-number-as-float"),
        pytest.param("unit_price", MISSING, 422, id="unit_price-missing"),
        pytest.param("unit_price", None, 422, id="unit_price-null"),
        pytest.param("unit_price", "0.00", 201, id="unit_price-ge"),
        pytest.param("unit_price", "-1.00", 422, id="unit_price-below-ge"),
        pytest.param("unit_price", "99999999.99", 201, id="unit_price-max-digits"),
        pytest.param(
            "unit_price", "100000000.00", 422, id="unit_price-above-max-digits"
        ),
        pytest.param("unit_price", "0.001", 422, id="unit_price-above-decimal-places"),
        pytest.param("unit_price", "abc", 422, id="unit_price-not-a-number"),
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


async def test_get_returns_one_order_item(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize("field", ["unit_price"])
async def test_a_decimal_travels_in_its_columns_form(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    """A decimal is a string in the form its column keeps (`12.50`), both ways, as the OpenAPI
    document's pattern says: other forms of a value (`012.50`, a JSON number) are refused."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    schema = schemas["OrderItemCreate"]["properties"][field]
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
    field = "order_id"
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


@pytest.mark.parametrize("field", ["order_id", "product_id", "quantity", "unit_price"])
async def test_update_rejects_null_for_a_required_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 422


async def test_delete_removes_the_order_item(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_missing_order_item_is_404(
    client: AsyncClient, auth_headers: dict[str, str], method: str
) -> None:
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, auth_headers)
    response = await client.request(
        method, f"{URL}/{2**31 - 1}", json=body, headers=auth_headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Order item not found"}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_another_users_order_item_is_404(
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
        field = "order_id"
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
    item = paths[URL + "/{order_item_id}"]
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


@pytest.mark.parametrize(
    "key", ["id", "created_at", "updated_at", "quantity", "unit_price"]
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


async def test_order_id_must_be_rows_the_user_may_read(
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create_order(client, other_headers, 1)
    body = {**await payload(client, auth_headers), "order_id": theirs["id"]}
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "reference_not_found",
            "loc": ["body", "order_id"],
            "msg": "Order not found",
            "input": theirs["id"],
        }
    ]


async def test_an_admin_may_point_order_id_at_any_row(
    client: AsyncClient, admin_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create_order(client, other_headers, 1)
    body = {**await payload(client, admin_headers), "order_id": theirs["id"]}
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    assert response.json()["order_id"] == theirs["id"]


async def test_order_items_are_listed_under_their_order(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    first = await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    path = f"{ORDERS_URL}/{first['order_id']}/order-items"
    response = await client.get(path, params={"total": True}, headers=auth_headers)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == 1
    filtered = await client.get(
        URL, params={"order_id": first["order_id"]}, headers=auth_headers
    )
    assert filtered.json()["items"] == response.json()["items"]
    missing = await client.get(
        f"{ORDERS_URL}/{2**31 - 1}/order-items", headers=auth_headers
    )
    assert missing.status_code == 404


async def test_order_items_under_another_users_order_are_404(
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create(client, other_headers, 0)
    path = f"{ORDERS_URL}/{theirs['order_id']}/order-items"
    response = await client.get(path, headers=auth_headers)
    assert response.status_code == 404


async def test_deleting_the_order_cascade(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(
        f"{ORDERS_URL}/{created['order_id']}", headers=ADMIN_HEADERS
    )
    after = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert after.status_code == 404


async def test_product_id_must_be_rows_the_user_may_read(
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create_product(client, other_headers, 1)
    body = {**await payload(client, auth_headers), "product_id": theirs["id"]}
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "reference_not_found",
            "loc": ["body", "product_id"],
            "msg": "Product not found",
            "input": theirs["id"],
        }
    ]


async def test_an_admin_may_point_product_id_at_any_row(
    client: AsyncClient, admin_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create_product(client, other_headers, 1)
    body = {**await payload(client, admin_headers), "product_id": theirs["id"]}
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    assert response.json()["product_id"] == theirs["id"]


async def test_order_items_are_listed_under_their_product(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    first = await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    path = f"{PRODUCTS_URL}/{first['product_id']}/order-items"
    response = await client.get(path, params={"total": True}, headers=auth_headers)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == 1
    filtered = await client.get(
        URL, params={"product_id": first["product_id"]}, headers=auth_headers
    )
    assert filtered.json()["items"] == response.json()["items"]
    missing = await client.get(
        f"{PRODUCTS_URL}/{2**31 - 1}/order-items", headers=auth_headers
    )
    assert missing.status_code == 404


async def test_order_items_under_another_users_product_are_404(
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    theirs = await create(client, other_headers, 0)
    path = f"{PRODUCTS_URL}/{theirs['product_id']}/order-items"
    response = await client.get(path, headers=auth_headers)
    assert response.status_code == 404


async def test_deleting_the_product_restrict(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(
        f"{PRODUCTS_URL}/{created['product_id']}", headers=ADMIN_HEADERS
    )
    after = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Other rows still refer to this product; change or delete them first"
    }
    assert after.json() == created


async def test_an_update_racing_a_delete_is_200_or_404(
    committed_client: AsyncClient, committed_headers: dict[str, str]
) -> None:
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    field = "order_id"
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
    field = "quantity"
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    change = (
        update(OrderItem)
        .where(OrderItem.id == created["id"])
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

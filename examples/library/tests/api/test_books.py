import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import Book, Shelf, User
from tests.api.test_shelves import URL as SHELVES_URL
from tests.api.test_shelves import create as create_shelf
from tests.conftest import ADMIN_HEADERS, Made, until_blocked

pytestmark = pytest.mark.priority_medium

URL = "/api/v1/books"
MISSING = object()
# Who may do what: public, user (any signed-in user), owner (the row's owner, or an admin), admin.
ACCESS = {
    "list": "public",
    "read": "public",
    "create": "admin",
    "update": "admin",
    "delete": "admin",
}
# Two valid payloads; unique fields differ between them.
VALID: list[dict[str, Any]] = [
    {"title": "Title 1", "isbn": "978-0-13-468599-1", "published_on": "2024-01-01"},
    {"title": "title-1", "isbn": "0123456789", "published_on": "2024-01-02"},
]


async def payload(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    """VALID[index] with the rows it refers to, created for the same user (once each)."""
    made = {} if made is None else made
    shelf = await create_shelf(client, ADMIN_HEADERS, index, made)
    return {
        **VALID[index],
        "shelf_id": shelf["id"],
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


async def test_create_returns_the_new_book(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    sent = await payload(client, admin_headers)
    response = await client.post(URL, json=sent, headers=admin_headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert_matches(body, sent)
    assert isinstance(body["id"], int)
    assert body["created_at"]
    assert body["updated_at"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("title", MISSING, 422, id="title-missing"),
        pytest.param("title", None, 422, id="title-null"),
        pytest.param("title", "a", 201, id="title-min-length"),
        pytest.param("title", "", 422, id="title-below-min-length"),
        pytest.param("title", "a" * 200, 201, id="title-max-length"),
        pytest.param("title", "a" * 201, 422, id="title-above-max-length"),
        pytest.param("title", 12345, 422, id="title-not-a-string"),
        pytest.param("title", "a\x00b", 422, id="title-nul-character"),
        pytest.param("isbn", MISSING, 422, id="isbn-missing"),
        pytest.param("isbn", None, 422, id="isbn-null"),
        pytest.param("isbn", "0" * 17, 201, id="isbn-max-length"),
        pytest.param("isbn", "0" * 18, 422, id="isbn-above-max-length"),
        pytest.param("isbn", "!", 422, id="isbn-pattern-mismatch"),
        pytest.param("isbn", 12345, 422, id="isbn-not-a-string"),
        pytest.param("isbn", "a\x00b", 422, id="isbn-nul-character"),
        pytest.param("published_on", MISSING, 201, id="published_on-omitted"),
        pytest.param("published_on", None, 201, id="published_on-null"),
        pytest.param("published_on", "2024-02-30", 422, id="published_on-invalid"),
        pytest.param("published_on", 0, 422, id="published_on-number"),
        pytest.param("shelf_id", MISSING, 201, id="shelf_id-omitted"),
        pytest.param("shelf_id", None, 201, id="shelf_id-null"),
        pytest.param("shelf_id", 0, 422, id="shelf_id-zero"),
        pytest.param("shelf_id", 2147483648, 422, id="shelf_id-out-of-range"),
        pytest.param("shelf_id", 2147483647, 422, id="shelf_id-no-such-row"),
        pytest.param("shelf_id", "abc", 422, id="shelf_id-not-an-id"),
    ],
)
async def test_create_validates_each_field(
    client: AsyncClient,
    admin_headers: dict[str, str],
    field: str,
    value: Any,
    expected: int,
) -> None:
    body = await payload(client, admin_headers)
    body.pop(field, None)
    if value is not MISSING:
        body[field] = value
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == expected, response.text
    if expected == 422:
        assert field in response.json()["detail"][0]["loc"]


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "created_by_id",
        "updated_by_id",
        "deleted_at",
        "deleted_by_id",
        "created_at",
        "updated_at",
    ],
)
async def test_create_rejects_generated_columns(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    body = {**await payload(client, admin_headers), field: 1}
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 422


@pytest.mark.parametrize("field", ["isbn"])
async def test_create_rejects_a_duplicate(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    await create(client, admin_headers)
    body = {**await payload(client, admin_headers, 1), field: VALID[0][field]}
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 409
    assert response.json() == {"detail": f"A book with this {field} already exists"}


async def test_list_is_paginated_newest_first(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    before = (
        await client.get(URL, params={"total": True}, headers=admin_headers)
    ).json()["total"]
    first = await create(client, admin_headers, 0)
    second = await create(client, admin_headers, 1)
    response = await client.get(URL, params={"limit": 1}, headers=admin_headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [second["id"]]
    # Counting reads every row that matches: only when asked for.
    assert body["total"] is None
    response = await client.get(
        URL,
        params={"limit": 1, "cursor": body["next"], "total": True},
        headers=admin_headers,
    )
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == before + 2


async def test_pages_neither_repeat_nor_skip_rows_that_come_and_go(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    made: Made = {}
    first = await create(client, admin_headers, 0, made)
    second = await create(client, admin_headers, 1, made)
    page = (
        await client.get(URL, params={"sort": "id", "limit": 1}, headers=admin_headers)
    ).json()
    assert [item["id"] for item in page["items"]] == [first["id"]]
    # The row read goes and a new one comes before the next page: OFFSET would skip `second`.
    assert (
        await client.delete(f"{URL}/{first['id']}", headers=admin_headers)
    ).status_code == 204
    body = await payload(client, admin_headers, 0, made)
    third = (await client.post(URL, json=body, headers=admin_headers)).json()
    rest = await every_page(
        client, admin_headers, {"sort": "id", "cursor": page["next"]}
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
    client: AsyncClient, admin_headers: dict[str, str], params: dict[str, Any]
) -> None:
    response = await client.get(URL, params=params, headers=admin_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "cursor", ["not a cursor", "WyJpZCIsMSwxXQ", "bnVsbA", "x" * 8192]
)
async def test_a_cursor_the_list_did_not_give_is_422(
    client: AsyncClient, admin_headers: dict[str, str], cursor: str
) -> None:
    """Not base64; a place written by hand (`["id",1,1]`); `null`; as long as a cursor may be."""
    response = await client.get(URL, params={"cursor": cursor}, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_a_cursor_holds_only_as_given_and_for_its_order(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    await create(client, admin_headers, 0)
    await create(client, admin_headers, 1)
    cursor = (await client.get(URL, params={"limit": 1}, headers=admin_headers)).json()[
        "next"
    ]
    assert (
        await client.get(URL, params={"cursor": cursor}, headers=admin_headers)
    ).status_code == 200
    altered = ("B" if cursor.startswith("A") else "A") + cursor[1:]
    for params in ({"cursor": altered}, {"cursor": cursor, "sort": "id"}):
        response = await client.get(URL, params=params, headers=admin_headers)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_get_returns_one_book(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    response = await client.get(f"{URL}/{created['id']}", headers=admin_headers)
    assert response.status_code == 200
    assert response.json() == created


async def test_replace_sets_every_field(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    replacement = await payload(client, admin_headers, 1)
    response = await client.put(
        f"{URL}/{created['id']}", json=replacement, headers=admin_headers
    )
    assert response.status_code == 200
    assert_matches(response.json(), replacement)
    assert response.json()["created_at"] == created["created_at"]


async def test_replace_validates_the_body(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    response = await client.put(
        f"{URL}/{created['id']}", json={}, headers=admin_headers
    )
    assert response.status_code == 422


async def test_update_changes_only_the_fields_sent(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    field = "title"
    change = {field: (await payload(client, admin_headers, 1))[field]}
    response = await client.patch(
        f"{URL}/{created['id']}", json=change, headers=admin_headers
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


@pytest.mark.parametrize("field", ["title", "isbn"])
async def test_update_rejects_null_for_a_required_field(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    created = await create(client, admin_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=admin_headers
    )
    assert response.status_code == 422


@pytest.mark.parametrize("field", ["published_on", "shelf_id"])
async def test_update_clears_an_optional_field(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    created = await create(client, admin_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=admin_headers
    )
    assert response.status_code == 200
    assert response.json()[field] is None


@pytest.mark.parametrize("field", ["isbn"])
async def test_update_rejects_a_duplicate(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    first = await create(client, admin_headers, 0)
    second = await create(client, admin_headers, 1)
    response = await client.patch(
        f"{URL}/{second['id']}", json={field: first[field]}, headers=admin_headers
    )
    assert response.status_code == 409


async def test_delete_removes_the_book(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    response = await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await client.get(f"{URL}/{created['id']}", headers=admin_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_missing_book_is_404(
    client: AsyncClient, admin_headers: dict[str, str], method: str
) -> None:
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, admin_headers)
    response = await client.request(
        method, f"{URL}/{2**31 - 1}", json=body, headers=admin_headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Book not found"}


@pytest.mark.parametrize("row_id", ["0", "-1", str(2**31), "abc"])
async def test_an_impossible_id_is_422(
    client: AsyncClient, admin_headers: dict[str, str], row_id: str
) -> None:
    response = await client.get(f"{URL}/{row_id}", headers=admin_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("operation", "role", "expected"),
    [
        pytest.param("list", "anonymous", 200, id="list-anonymous"),
        pytest.param("list", "user", 200, id="list-user"),
        pytest.param("list", "admin", 200, id="list-admin"),
        pytest.param("read", "anonymous", 200, id="read-anonymous"),
        pytest.param("read", "user", 200, id="read-user"),
        pytest.param("read", "admin", 200, id="read-admin"),
        pytest.param("create", "anonymous", 401, id="create-anonymous"),
        pytest.param("create", "user", 403, id="create-user"),
        pytest.param("create", "admin", 201, id="create-admin"),
        pytest.param("update", "anonymous", 401, id="update-anonymous"),
        pytest.param("update", "user", 403, id="update-user"),
        pytest.param("update", "admin", 200, id="update-admin"),
        pytest.param("delete", "anonymous", 401, id="delete-anonymous"),
        pytest.param("delete", "user", 403, id="delete-user"),
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
    """Each operation for each role, on a row created by an admin."""
    roles = {
        "anonymous": {},
        "user": other_headers,
        "owner": auth_headers,
        "admin": ADMIN_HEADERS,
    }
    headers = roles[role]
    row = await create(client, ADMIN_HEADERS)
    item = f"{URL}/{row['id']}"
    if operation == "list":
        response = await client.get(URL, headers=headers)
    elif operation == "read":
        response = await client.get(item, headers=headers)
    elif operation == "create":
        body = await payload(client, headers or auth_headers, 1)
        response = await client.post(URL, json=body, headers=headers)
    elif operation == "update":
        field = "title"
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
    item = paths[URL + "/{book_id}"]
    routes = [(collection, "post", "create", "201"), (collection, "get", "list", "200")]
    routes += [(item, "get", "read", "200"), (item, "put", "update", "200")]
    routes += [(item, "patch", "update", "200"), (item, "delete", "delete", "204")]
    for path, method, operation, success in routes:
        documented = set(path[method]["responses"])
        assert {success, "422"} <= documented
        # The list reads a token when one is sent: `include_deleted` is for admins.
        token = ACCESS[operation] != "public" or operation == "list"
        admins_only = ACCESS[operation] == "admin" or operation == "list"
        # Routes that need a token say so, and public ones do not ask for one.
        assert ("security" in path[method]) is token
        assert ("401" in documented) is token
        assert ("403" in documented) is admins_only


@pytest.mark.parametrize("field", ["isbn"])
async def test_list_filters_by_equality(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    first = await create(client, admin_headers, 0)
    second = await create(client, admin_headers, 1)
    response = await client.get(
        URL, params={field: first[field]}, headers=admin_headers
    )
    assert response.status_code == 200, response.text
    expected = [row["id"] for row in (second, first) if row[field] == first[field]]
    assert [item["id"] for item in response.json()["items"]] == expected
    assert await every_page(client, admin_headers, {field: first[field]}) == expected


@pytest.mark.parametrize(
    "key", ["id", "created_at", "updated_at", "title", "isbn", "published_on"]
)
async def test_list_sorts_both_ways(
    client: AsyncClient, admin_headers: dict[str, str], key: str
) -> None:
    first = await create(client, admin_headers, 0)
    second = await create(client, admin_headers, 1)
    ascending = await client.get(URL, params={"sort": key}, headers=admin_headers)
    descending = await client.get(
        URL, params={"sort": f"-{key}"}, headers=admin_headers
    )
    assert ascending.status_code == descending.status_code == 200
    ids = [item["id"] for item in ascending.json()["items"]]
    assert sorted(ids) == sorted([first["id"], second["id"]])
    # Ties are broken by id in the same direction, so the two orders mirror each other.
    assert [item["id"] for item in descending.json()["items"]] == ids[::-1]
    # Page by page, each order gives the same rows in the same order.
    assert await every_page(client, admin_headers, {"sort": key}) == ids
    assert await every_page(client, admin_headers, {"sort": f"-{key}"}) == ids[::-1]
    if key == "id":
        assert ids == [first["id"], second["id"]]


@pytest.mark.parametrize(
    "sort", ["password", "-hashed_password", "id; DROP TABLE users", "--id", ""]
)
async def test_list_rejects_an_unknown_sort(
    client: AsyncClient, admin_headers: dict[str, str], sort: str
) -> None:
    response = await client.get(URL, params={"sort": sort}, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "sort"]


@pytest.mark.parametrize("field", ["title"])
async def test_list_searches_case_insensitively(
    client: AsyncClient, admin_headers: dict[str, str], field: str
) -> None:
    first = await create(client, admin_headers, 0)
    await create(client, admin_headers, 1)
    text = str(first[field])[:50]
    term = text.swapcase() if text.isascii() else text
    response = await client.get(URL, params={"q": term}, headers=admin_headers)
    assert response.status_code == 200
    found = [item["id"] for item in response.json()["items"]]
    assert first["id"] in found
    assert await every_page(client, admin_headers, {"q": term}) == found


@pytest.mark.parametrize("term", ["%", "_", "\\", "no such text at all"])
async def test_list_search_wildcards_match_literally(
    client: AsyncClient, admin_headers: dict[str, str], term: str
) -> None:
    await create(client, admin_headers, 0)
    await create(client, admin_headers, 1)
    response = await client.get(
        URL, params={"q": term, "total": True}, headers=admin_headers
    )
    assert response.status_code == 200
    searched = ["title"]
    expected = sum(
        any(term.lower() in str(row[key]).lower() for key in searched) for row in VALID
    )
    assert response.json()["total"] == expected


async def test_books_are_listed_under_their_shelf(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    first = await create(client, admin_headers, 0)
    await create(client, admin_headers, 1)
    path = f"{SHELVES_URL}/{first['shelf_id']}/books"
    response = await client.get(path, params={"total": True}, headers=admin_headers)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == 1
    filtered = await client.get(
        URL, params={"shelf_id": first["shelf_id"]}, headers=admin_headers
    )
    assert filtered.json()["items"] == response.json()["items"]
    missing = await client.get(
        f"{SHELVES_URL}/{2**31 - 1}/books", headers=admin_headers
    )
    assert missing.status_code == 404


async def test_shelf_id_cannot_point_at_a_deleted_shelf(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    body = await payload(client, admin_headers)
    await client.delete(f"{SHELVES_URL}/{body['shelf_id']}", headers=ADMIN_HEADERS)
    response = await client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "shelf_id"]


async def test_deleting_the_shelf_set_null(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    response = await client.delete(
        f"{SHELVES_URL}/{created['shelf_id']}", headers=ADMIN_HEADERS
    )
    after = await client.get(f"{URL}/{created['id']}", headers=admin_headers)
    # The shelf is only marked deleted; books fare as under a real delete.
    assert response.status_code == 204
    assert after.json()["shelf_id"] is None


async def test_delete_hides_the_row_but_keeps_it(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    ).status_code == 204
    assert (
        await client.get(f"{URL}/{created['id']}", headers=admin_headers)
    ).status_code == 404
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    ).status_code == 404
    listed = await client.get(URL, headers=admin_headers)
    assert created["id"] not in [item["id"] for item in listed.json()["items"]]
    everything = await client.get(
        URL, params={"include_deleted": True}, headers=ADMIN_HEADERS
    )
    kept = [item for item in everything.json()["items"] if item["id"] == created["id"]]
    assert len(kept) == 1
    assert kept[0]["deleted_at"] is not None


@pytest.mark.parametrize("role", ["anonymous", "user"])
async def test_only_admins_list_deleted_rows(
    client: AsyncClient, auth_headers: dict[str, str], role: str
) -> None:
    headers = {} if role == "anonymous" else auth_headers
    response = await client.get(URL, params={"include_deleted": True}, headers=headers)
    expected = {"anonymous": 403, "user": 403}[role]
    assert response.status_code == expected


async def test_an_admin_restores_a_deleted_row(
    client: AsyncClient, admin_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    restore = f"{URL}/{created['id']}/restore"
    assert (await client.post(restore, headers=ADMIN_HEADERS)).status_code == 404
    await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    assert (await client.post(restore, headers=other_headers)).status_code == 403
    assert (await client.post(restore)).status_code == 401
    response = await client.post(restore, headers=ADMIN_HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["deleted_at"] is None
    assert (
        await client.get(f"{URL}/{created['id']}", headers=admin_headers)
    ).status_code == 200
    assert (
        await client.post(f"{URL}/{2**31 - 1}/restore", headers=ADMIN_HEADERS)
    ).status_code == 404


async def test_unique_values_hold_among_live_rows_only(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(client, admin_headers)
    await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    unique = ["isbn"]
    again = {
        **await payload(client, admin_headers, 1),
        **{field: VALID[0][field] for field in unique},
    }
    response = await client.post(URL, json=again, headers=admin_headers)
    assert response.status_code == 201, response.text
    # The deleted row's values are taken now: bringing it back would break uniqueness.
    restored = await client.post(
        f"{URL}/{created['id']}/restore", headers=ADMIN_HEADERS
    )
    assert restored.status_code == 409


async def test_audit_columns_record_who_wrote_the_row(
    client: AsyncClient, admin_headers: dict[str, str], admin: User
) -> None:
    created = await create(client, admin_headers)
    writer = admin.id
    assert (created["created_by_id"], created["updated_by_id"]) == (writer, writer)
    field = "title"
    change = {field: (await payload(client, admin_headers, 1))[field]}
    response = await client.patch(
        f"{URL}/{created['id']}", json=change, headers=ADMIN_HEADERS
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created_by_id"], response.json()["updated_by_id"]) == (
        writer,
        admin.id,
    )


async def test_audit_columns_record_who_deleted_and_restored_the_row(
    client: AsyncClient, admin_headers: dict[str, str], admin: User
) -> None:
    created = await create(client, admin_headers)
    assert created["deleted_by_id"] is None
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=admin_headers)
    ).status_code == 204
    everything = await client.get(
        URL, params={"include_deleted": True}, headers=ADMIN_HEADERS
    )
    deleted = [
        item for item in everything.json()["items"] if item["id"] == created["id"]
    ]
    assert deleted[0]["deleted_by_id"] == admin.id
    response = await client.post(
        f"{URL}/{created['id']}/restore", headers=ADMIN_HEADERS
    )
    assert response.status_code == 200, response.text
    assert (response.json()["deleted_by_id"], response.json()["updated_by_id"]) == (
        None,
        admin.id,
    )


async def test_concurrent_creates_of_one_unique_value_are_201_and_409(
    committed_client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    body = await payload(committed_client, admin_headers)
    responses = await asyncio.gather(
        *(
            committed_client.post(URL, json=body, headers=admin_headers)
            for _ in range(2)
        )
    )
    assert sorted(response.status_code for response in responses) == [201, 409]


async def test_an_update_racing_a_delete_is_200_or_404(
    committed_client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await create(committed_client, admin_headers)
    url = f"{URL}/{created['id']}"
    field = "title"
    change = {field: (await payload(committed_client, admin_headers, 1))[field]}
    updated, deleted = await asyncio.gather(
        committed_client.patch(url, json=change, headers=admin_headers),
        committed_client.delete(url, headers=admin_headers),
    )
    assert updated.status_code in (200, 404), updated.text
    assert deleted.status_code == 204, deleted.text
    assert (await committed_client.get(url, headers=admin_headers)).status_code == 404


async def test_an_update_stores_a_value_equal_to_the_one_it_loaded(
    committed_client: AsyncClient, engine: AsyncEngine, admin_headers: dict[str, str]
) -> None:
    """The PATCH sets a field back while another writer changes it: what the PATCH sent is
    stored, even though it equals the value the row had when the PATCH began."""
    field = "title"
    created = await create(committed_client, admin_headers)
    url = f"{URL}/{created['id']}"
    change = (
        update(Book).where(Book.id == created["id"]).values({field: VALID[1][field]})
    )
    async with engine.connect() as writer:
        await writer.execute(change)
        patch = asyncio.create_task(
            committed_client.patch(
                url, json={field: created[field]}, headers=admin_headers
            )
        )
        await until_blocked(writer, patch)
        await writer.commit()
    assert (await patch).status_code == 200
    stored = await committed_client.get(url, headers=admin_headers)
    assert stored.json()[field] == created[field]


async def test_a_shelf_being_deleted_cannot_be_referred_to(
    committed_client: AsyncClient, engine: AsyncEngine, admin_headers: dict[str, str]
) -> None:
    """The shelf is soft-deleted while the create checks it: the check waits for the delete,
    then refuses (a foreign key would not stop it: a soft delete is an UPDATE)."""
    body = await payload(committed_client, admin_headers)
    delete = (
        update(Shelf).where(Shelf.id == body["shelf_id"]).values(deleted_at=func.now())
    )
    async with engine.connect() as writer:
        await writer.execute(delete)
        created = asyncio.create_task(
            committed_client.post(URL, json=body, headers=admin_headers)
        )
        await until_blocked(writer, created)
        await writer.commit()
    response = await created
    assert response.status_code == 422, response.text

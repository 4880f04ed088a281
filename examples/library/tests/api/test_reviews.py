import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import Book, Review, User
from tests.api.test_books import URL as BOOKS_URL
from tests.api.test_books import create as create_book
from tests.conftest import ADMIN_HEADERS, Made, until_blocked

pytestmark = pytest.mark.priority_medium

URL = "/api/v1/reviews"
MISSING = object()
# Who may do what: public, user (any signed-in user), owner (the row's owner, or an admin), admin.
ACCESS = {
    "list": "public",
    "read": "public",
    "create": "user",
    "update": "owner",
    "delete": "owner",
}
# Two valid payloads; unique fields differ between them.
VALID: list[dict[str, Any]] = [
    {"rating": 1, "body": "Body 1"},
    {"rating": 2, "body": "body-1"},
]


async def payload(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    """VALID[index] with the rows it refers to, created for the same user (once each)."""
    made = {} if made is None else made
    book = await create_book(client, ADMIN_HEADERS, index, made)
    return {
        **VALID[index],
        "book_id": book["id"],
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


async def test_create_returns_the_new_review(
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
        pytest.param("book_id", MISSING, 422, id="book_id-missing"),
        pytest.param("book_id", None, 422, id="book_id-null"),
        pytest.param("book_id", 0, 422, id="book_id-zero"),
        pytest.param("book_id", 2147483648, 422, id="book_id-out-of-range"),
        pytest.param("book_id", 2147483647, 422, id="book_id-no-such-row"),
        pytest.param("book_id", "abc", 422, id="book_id-not-an-id"),
        pytest.param("rating", MISSING, 422, id="rating-missing"),
        pytest.param("rating", None, 422, id="rating-null"),
        pytest.param("rating", 1, 201, id="rating-ge"),
        pytest.param("rating", 0, 422, id="rating-below-ge"),
        pytest.param("rating", 5, 201, id="rating-le"),
        pytest.param("rating", 6, 422, id="rating-above-le"),
        pytest.param("rating", "abc", 422, id="rating-not-a-number"),
        pytest.param("rating", "7", 422, id="rating-numeral-in-a-string"),
        pytest.param("rating", True, 422, id="rating-boolean"),
        pytest.param("rating", 1.0, 201, id="rating-whole-number-as-float"),
        pytest.param("body", MISSING, 422, id="body-missing"),
        pytest.param("body", None, 422, id="body-null"),
        pytest.param("body", "a" * 2000, 201, id="body-max-length"),
        pytest.param("body", "a" * 2001, 422, id="body-above-max-length"),
        pytest.param("body", 12345, 422, id="body-not-a-string"),
        pytest.param("body", "a\x00b", 422, id="body-nul-character"),
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


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "user_id",
        "created_by_id",
        "updated_by_id",
        "deleted_at",
        "deleted_by_id",
        "created_at",
        "updated_at",
    ],
)
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


async def test_get_returns_one_review(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == created


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
    field = "book_id"
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


@pytest.mark.parametrize("field", ["book_id", "rating", "body"])
async def test_update_rejects_null_for_a_required_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 422


async def test_delete_removes_the_review(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_missing_review_is_404(
    client: AsyncClient, auth_headers: dict[str, str], method: str
) -> None:
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, auth_headers)
    response = await client.request(
        method, f"{URL}/{2**31 - 1}", json=body, headers=auth_headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Review not found"}


@pytest.mark.parametrize("row_id", ["0", "-1", str(2**31), "abc"])
async def test_an_impossible_id_is_422(
    client: AsyncClient, auth_headers: dict[str, str], row_id: str
) -> None:
    response = await client.get(f"{URL}/{row_id}", headers=auth_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("operation", "role", "expected"),
    [
        pytest.param("list", "anonymous", 200, id="list-anonymous"),
        pytest.param("list", "user", 200, id="list-user"),
        pytest.param("list", "owner", 200, id="list-owner"),
        pytest.param("list", "admin", 200, id="list-admin"),
        pytest.param("read", "anonymous", 200, id="read-anonymous"),
        pytest.param("read", "user", 200, id="read-user"),
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
        field = "book_id"
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
    item = paths[URL + "/{review_id}"]
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


@pytest.mark.parametrize("key", ["id", "created_at", "updated_at", "rating"])
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


@pytest.mark.parametrize("field", ["body"])
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
    searched = ["body"]
    expected = sum(
        any(term.lower() in str(row[key]).lower() for key in searched) for row in VALID
    )
    assert response.json()["total"] == expected


async def test_reviews_are_listed_under_their_book(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    first = await create(client, auth_headers, 0)
    await create(client, auth_headers, 1)
    path = f"{BOOKS_URL}/{first['book_id']}/reviews"
    response = await client.get(path, params={"total": True}, headers=auth_headers)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [first["id"]]
    assert response.json()["total"] == 1
    filtered = await client.get(
        URL, params={"book_id": first["book_id"]}, headers=auth_headers
    )
    assert filtered.json()["items"] == response.json()["items"]
    missing = await client.get(f"{BOOKS_URL}/{2**31 - 1}/reviews", headers=auth_headers)
    assert missing.status_code == 404


async def test_book_id_cannot_point_at_a_deleted_book(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    body = await payload(client, auth_headers)
    await client.delete(f"{BOOKS_URL}/{body['book_id']}", headers=ADMIN_HEADERS)
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "book_id"]


async def test_deleting_the_book_hides_the_review_until_it_is_restored(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    target = f"{BOOKS_URL}/{created['book_id']}"
    response = await client.delete(target, headers=ADMIN_HEADERS)
    assert response.status_code == 204
    # The book is only marked deleted: the reviews of it are hidden with it, as a
    # real delete would remove them, and come back when it is restored.
    assert (
        await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 404
    listed = await client.get(URL, headers=auth_headers)
    assert created["id"] not in [item["id"] for item in listed.json()["items"]]
    change = {"book_id": (await payload(client, auth_headers, 1))["book_id"]}
    assert (
        await client.patch(f"{URL}/{created['id']}", json=change, headers=auth_headers)
    ).status_code == 404
    assert (
        await client.post(f"{target}/restore", headers=ADMIN_HEADERS)
    ).status_code == 200
    after = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert after.json() == created


async def test_a_review_hidden_with_its_book_is_not_restored_alone(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 204
    target = f"{BOOKS_URL}/{created['book_id']}"
    assert (await client.delete(target, headers=ADMIN_HEADERS)).status_code == 204
    # Restored, it would stay hidden with its book: there is no such row to restore.
    response = await client.post(
        f"{URL}/{created['id']}/restore", headers=ADMIN_HEADERS
    )
    assert response.status_code == 404


async def test_delete_hides_the_row_but_keeps_it(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 204
    assert (
        await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 404
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 404
    listed = await client.get(URL, headers=auth_headers)
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
    client: AsyncClient, auth_headers: dict[str, str], other_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    restore = f"{URL}/{created['id']}/restore"
    assert (await client.post(restore, headers=ADMIN_HEADERS)).status_code == 404
    await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    assert (await client.post(restore, headers=other_headers)).status_code == 403
    assert (await client.post(restore)).status_code == 401
    response = await client.post(restore, headers=ADMIN_HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["deleted_at"] is None
    assert (
        await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 200
    assert (
        await client.post(f"{URL}/{2**31 - 1}/restore", headers=ADMIN_HEADERS)
    ).status_code == 404


async def test_audit_columns_record_who_wrote_the_row(
    client: AsyncClient, auth_headers: dict[str, str], user: User, admin: User
) -> None:
    created = await create(client, auth_headers)
    writer = user.id
    assert (created["created_by_id"], created["updated_by_id"]) == (writer, writer)
    field = "book_id"
    change = {field: (await payload(client, auth_headers, 1))[field]}
    response = await client.patch(
        f"{URL}/{created['id']}", json=change, headers=ADMIN_HEADERS
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created_by_id"], response.json()["updated_by_id"]) == (
        writer,
        admin.id,
    )


async def test_audit_columns_record_who_deleted_and_restored_the_row(
    client: AsyncClient, auth_headers: dict[str, str], user: User, admin: User
) -> None:
    created = await create(client, auth_headers)
    assert created["deleted_by_id"] is None
    assert (
        await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    ).status_code == 204
    everything = await client.get(
        URL, params={"include_deleted": True}, headers=ADMIN_HEADERS
    )
    deleted = [
        item for item in everything.json()["items"] if item["id"] == created["id"]
    ]
    assert deleted[0]["deleted_by_id"] == user.id
    response = await client.post(
        f"{URL}/{created['id']}/restore", headers=ADMIN_HEADERS
    )
    assert response.status_code == 200, response.text
    assert (response.json()["deleted_by_id"], response.json()["updated_by_id"]) == (
        None,
        admin.id,
    )


async def test_an_update_racing_a_delete_is_200_or_404(
    committed_client: AsyncClient, committed_headers: dict[str, str]
) -> None:
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    field = "book_id"
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
    field = "rating"
    created = await create(committed_client, committed_headers)
    url = f"{URL}/{created['id']}"
    change = (
        update(Review)
        .where(Review.id == created["id"])
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


async def test_a_book_being_deleted_cannot_be_referred_to(
    committed_client: AsyncClient,
    engine: AsyncEngine,
    committed_headers: dict[str, str],
) -> None:
    """The book is soft-deleted while the create checks it: the check waits for the delete,
    then refuses (a foreign key would not stop it: a soft delete is an UPDATE)."""
    body = await payload(committed_client, committed_headers)
    delete = (
        update(Book).where(Book.id == body["book_id"]).values(deleted_at=func.now())
    )
    async with engine.connect() as writer:
        await writer.execute(delete)
        created = asyncio.create_task(
            committed_client.post(URL, json=body, headers=committed_headers)
        )
        await until_blocked(writer, created)
        await writer.commit()
    response = await created
    assert response.status_code == 422, response.text

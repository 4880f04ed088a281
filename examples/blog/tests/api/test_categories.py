import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.models import Category, User
from tests.conftest import ADMIN_HEADERS, Made, until_blocked

pytestmark = pytest.mark.priority_high

URL = "/api/v1/categories"
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
    {"name": "Name 1"},
    {"name": "name-1"},
]


async def payload(
    client: AsyncClient, headers: dict[str, str], index: int = 0
) -> dict[str, Any]:
    return dict(VALID[index])


async def create(
    client: AsyncClient,
    headers: dict[str, str],
    index: int = 0,
    made: Made | None = None,
) -> dict[str, Any]:
    key = (URL, index, headers.get("Authorization", ""))
    if made is not None and key in made:
        return made[key]
    body = await payload(client, headers, index)
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


async def test_create_returns_the_new_category(
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
        pytest.param("name", "a" * 80, 201, id="name-max-length"),
        pytest.param("name", "a" * 81, 422, id="name-above-max-length"),
        pytest.param("name", 12345, 422, id="name-not-a-string"),
        pytest.param("name", "a\x00b", 422, id="name-nul-character"),
        pytest.param("parent_id", MISSING, 201, id="parent_id-omitted"),
        pytest.param("parent_id", None, 201, id="parent_id-null"),
        pytest.param("parent_id", 0, 422, id="parent_id-zero"),
        pytest.param("parent_id", 2147483648, 422, id="parent_id-out-of-range"),
        pytest.param("parent_id", 2147483647, 422, id="parent_id-no-such-row"),
        pytest.param("parent_id", "abc", 422, id="parent_id-not-an-id"),
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


@pytest.mark.parametrize("field", ["name"])
async def test_create_rejects_a_duplicate(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    await create(client, auth_headers)
    body = {**await payload(client, auth_headers, 1), field: VALID[0][field]}
    response = await client.post(URL, json=body, headers=auth_headers)
    assert response.status_code == 409
    assert response.json() == {"detail": f"A category with this {field} already exists"}


@pytest.mark.parametrize("field", ["name"])
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
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    page = (
        await client.get(URL, params={"sort": "id", "limit": 1}, headers=auth_headers)
    ).json()
    assert [item["id"] for item in page["items"]] == [first["id"]]
    # The row read goes and a new one comes before the next page: OFFSET would skip `second`.
    assert (
        await client.delete(f"{URL}/{first['id']}", headers=auth_headers)
    ).status_code == 204
    body = await payload(client, auth_headers, 0)
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


async def test_get_returns_one_category(
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


@pytest.mark.parametrize("field", ["name"])
async def test_update_rejects_null_for_a_required_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 422


@pytest.mark.parametrize("field", ["parent_id"])
async def test_update_clears_an_optional_field(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    created = await create(client, auth_headers)
    response = await client.patch(
        f"{URL}/{created['id']}", json={field: None}, headers=auth_headers
    )
    assert response.status_code == 200
    assert response.json()[field] is None


@pytest.mark.parametrize("field", ["name"])
async def test_update_rejects_a_duplicate(
    client: AsyncClient, auth_headers: dict[str, str], field: str
) -> None:
    first = await create(client, auth_headers, 0)
    second = await create(client, auth_headers, 1)
    response = await client.patch(
        f"{URL}/{second['id']}", json={field: first[field]}, headers=auth_headers
    )
    assert response.status_code == 409


async def test_delete_removes_the_category(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await create(client, auth_headers)
    response = await client.delete(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await client.get(f"{URL}/{created['id']}", headers=auth_headers)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_a_missing_category_is_404(
    client: AsyncClient, auth_headers: dict[str, str], method: str
) -> None:
    body = None
    if method in ("PUT", "PATCH"):
        body = await payload(client, auth_headers)
    response = await client.request(
        method, f"{URL}/{2**31 - 1}", json=body, headers=auth_headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Category not found"}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_another_users_category_is_404(
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
    item = paths[URL + "/{category_id}"]
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


@pytest.mark.parametrize("field", ["name"])
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


@pytest.mark.parametrize("key", ["id", "created_at", "updated_at", "name"])
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


async def test_parent_id_links_two_categories(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    parent = await create(client, auth_headers, 0)
    child = {**await payload(client, auth_headers, 1), "parent_id": parent["id"]}
    response = await client.post(URL, json=child, headers=auth_headers)
    assert response.status_code == 201, response.text
    child_id = response.json()["id"]
    listed = await client.get(
        URL, params={"parent_id": parent["id"]}, headers=auth_headers
    )
    assert [item["id"] for item in listed.json()["items"]] == [child_id]
    nested = await client.get(f"{URL}/{parent['id']}/children", headers=auth_headers)
    assert [item["id"] for item in nested.json()["items"]] == [child_id]
    # ON DELETE SET NULL
    deleted = await client.delete(f"{URL}/{parent['id']}", headers=auth_headers)
    assert deleted.status_code == 204
    after = await client.get(f"{URL}/{child_id}", headers=auth_headers)
    assert after.json()["parent_id"] is None


async def test_parent_id_cannot_form_a_cycle(
    client: AsyncClient, auth_headers: dict[str, str]
) -> None:
    parent = await create(client, auth_headers, 0)
    child = {**await payload(client, auth_headers, 1), "parent_id": parent["id"]}
    child_id = (await client.post(URL, json=child, headers=auth_headers)).json()["id"]
    for ancestor in (parent["id"], child_id):
        response = await client.patch(
            f"{URL}/{parent['id']}", json={"parent_id": ancestor}, headers=auth_headers
        )
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert (error["type"], error["loc"]) == (
            "reference_cycle",
            ["body", "parent_id"],
        )
    moved = await client.patch(
        f"{URL}/{child_id}", json={"parent_id": None}, headers=auth_headers
    )
    assert moved.status_code == 200


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
        update(Category)
        .where(Category.id == created["id"])
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

"""The shared pieces every entity builds on, tested on their own: a project with no entity
yet still proves them, and an entity's tests need not repeat them."""

import base64
import json
import re
from typing import Any

import pytest
from fastapi import HTTPException
from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.requests import Request

from app.api.deps import (
    MAX_CURSOR_LENGTH,
    get_admin_user,
    get_optional_user,
    owner_scope,
)
from app.core.errors import InvalidCursor, ReferenceNotFound, as_conflict
from app.core.pagination import after, next_cursor
from app.main import reference_handler
from app.models import User
from app.models.base import NAMING_CONVENTION
from app.schemas.common import InputModel
from app.schemas.types import URL_MAX_LENGTH, HttpUrlStr, Int64, LocalTime, Timestamp
from tests.conftest import bearer


class Sample(InputModel):
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)


@pytest.mark.parametrize(
    "data",
    [{"tags": ["ok", "a\x00b"]}, {"extra": {"k\x00": 1}}, {"extra": {"k": ["\x00"]}}],
)
def test_nul_characters_are_refused_at_any_depth(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Sample.model_validate(data)


def test_composite_unique_constraints_get_names_of_their_own() -> None:
    # Unique per owner: (user_id, sku) and (user_id, external_id) start with the same column.
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    columns = [Column(name, Integer) for name in ("user_id", "sku", "external_id")]
    uniques = [
        UniqueConstraint("user_id", "sku"),
        UniqueConstraint("user_id", "external_id"),
    ]
    table = Table("products", metadata, *columns, *uniques)
    names = sorted(
        str(c.name) for c in table.constraints if isinstance(c, UniqueConstraint)
    )
    assert names == ["uq_products_user_id_external_id", "uq_products_user_id_sku"]


def test_timestamps_are_normalized_to_utc_and_bounded() -> None:
    adapter = TypeAdapter(Timestamp)
    assert adapter.validate_python("2024-01-01T12:00:00+02:00").isoformat() == (
        "2024-01-01T10:00:00+00:00"
    )
    with pytest.raises(ValidationError, match="outside the range"):
        adapter.validate_python("0001-01-01T00:00:00+05:00")


def assert_taken_as_documented(adapter: TypeAdapter[Any], text: str) -> None:
    """The server takes the text exactly when the OpenAPI document's pattern matches it."""
    documented = re.search(adapter.json_schema()["pattern"], text, re.ASCII) is not None
    try:
        adapter.validate_python(text)
    except ValidationError:
        assert not documented, f"{text} matches the pattern but is refused"
    else:
        assert documented, f"{text} is taken but does not match the pattern"


def test_urls_are_checked_and_kept_as_sent() -> None:
    adapter = TypeAdapter(HttpUrlStr)
    assert adapter.validate_python("https://Example.com") == "https://Example.com"
    # As long as the column holds, though normalizing would write each ' as %27.
    longest = "https://example.com/?" + "'" * (URL_MAX_LENGTH - 21)
    assert adapter.validate_python(longest) == longest
    with pytest.raises(ValidationError):
        adapter.validate_python(longest + "'")


@pytest.mark.parametrize(
    "text",
    [
        "https://Example.com",
        "http://a.example/x?y=1&z=%20#top",
        "https://example.com\\@evil.com",  # parsers disagree on its host
        "https://exa mple.com",
        " https://example.com",
        "https://example.com/é",
        'https://example.com/"<>',
        "ftp://example.com",
        "https:example.com",
    ],
)
def test_a_url_is_taken_as_documented(text: str) -> None:
    assert_taken_as_documented(TypeAdapter(HttpUrlStr), text)


@pytest.mark.parametrize(
    ("text", "number"),
    [("5", 5), ("5.0", 5), ("1e3", 1000), ("-9.223372036854775808e18", -(2**63))],
)
def test_an_integer_is_any_json_number_without_a_fraction(
    text: str, number: int
) -> None:
    assert TypeAdapter(Int64).validate_json(text) == number


@pytest.mark.parametrize("text", ['"5"', "true", "5.5", "9.3e18", "1e400"])
def test_an_integer_is_no_string_boolean_fraction_or_overflow(text: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Int64).validate_json(text)


@pytest.mark.parametrize(
    "text",
    [
        "09:30",
        "23:59:59",
        "00:00:00.000001",
        "24:00",
        "41:33",
        "09:60",
        "9:30",
        "09:30Z",
        "09:30:00.1234567",
        "09:30:00,5",
    ],
)
def test_a_time_of_day_is_taken_as_documented(text: str) -> None:
    assert_taken_as_documented(TypeAdapter(LocalTime), text)


async def test_admins_are_told_apart(db: AsyncSession, user: User, admin: User) -> None:
    assert owner_scope(user) == user.id
    assert owner_scope(admin) is None
    assert await get_admin_user(admin) is admin
    with pytest.raises(HTTPException) as refused:
        await get_admin_user(user)
    assert refused.value.status_code == 403
    assert await get_optional_user(db, None) is None
    token = bearer(user)["Authorization"].removeprefix("Bearer ")
    assert await get_optional_user(db, token) == user


async def _violation(db: AsyncSession, statement: str) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught:
        async with db.begin_nested():
            await db.execute(text(statement))
    return caught.value


async def test_integrity_errors_become_conflicts(db: AsyncSession, user: User) -> None:
    duplicate = await _violation(
        db, f"INSERT INTO users (email, hashed_password) VALUES ('{user.email}', 'x')"
    )
    conflict = as_conflict(duplicate, "user", {"uq_users_email": "email"})
    assert conflict is not None
    assert conflict.detail == "A user with this email already exists"
    # Created inside the test's transaction, so it is rolled back with it.
    await db.execute(
        text("CREATE TABLE notes_probe (user_id int REFERENCES users (id))")
    )
    dangling = await _violation(db, "INSERT INTO notes_probe VALUES (2147483647)")
    raced = as_conflict(dangling, "note", {})
    assert raced is not None
    assert raced.detail == "A row this note refers to was just deleted"
    referenced = as_conflict(dangling, "user", {}, deleting=True)
    assert referenced is not None
    assert referenced.detail.startswith("Other rows still refer to this user")
    unrelated = await _violation(db, "INSERT INTO users (email) VALUES ('no-password')")
    assert as_conflict(unrelated, "user", {}) is None


async def test_a_missing_reference_reads_like_a_validation_error() -> None:
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    response = await reference_handler(
        request, ReferenceNotFound("tag_ids", "Tag", [7])
    )
    assert response.status_code == 422
    assert json.loads(bytes(response.body)) == {
        "detail": [
            {
                "type": "reference_not_found",
                "loc": ["body", "tag_ids"],
                "msg": "Tag not found",
                "input": [7],
            }
        ]
    }


class ProbeBase(DeclarativeBase):
    pass


class Ranked(ProbeBase):
    """A table with a column that may be NULL to page by, made in a test's transaction."""

    __tablename__ = "ranked_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    rank: Mapped[int | None]


@pytest.mark.parametrize("sort", ["rank", "-rank", "id", "-id"])
async def test_pages_hold_every_row_once_nulls_included(
    db: AsyncSession, sort: str
) -> None:
    await db.run_sync(
        lambda session: ProbeBase.metadata.create_all(session.connection())
    )
    ranks = [2, None, 1, None, 2, 1, None]
    db.add_all([Ranked(id=i, rank=rank) for i, rank in enumerate(ranks, start=1)])
    await db.flush()
    column = Ranked.rank if sort.endswith("rank") else Ranked.id
    if sort.startswith("-"):
        order = (column.desc(), Ranked.id.desc())
    else:
        order = (column.asc(), Ranked.id.asc())
    everything = list(await db.scalars(select(Ranked.id).order_by(*order)))
    query = select(Ranked).order_by(*order).limit(2)
    page = list(await db.scalars(query))
    paged = [row.id for row in page]
    for _ in ranks:  # no more pages than rows, even if `after` went wrong
        cursor = next_cursor(page[-1], sort)
        page = list(
            await db.scalars(query.where(after(cursor, sort, column, Ranked.id)))
        )
        if not page:
            break
        paged += [row.id for row in page]
    assert sorted(everything) == list(range(1, len(ranks) + 1))
    assert paged == everything


class Listed(ProbeBase):
    """Another table with the same columns, whose list gives cursors of the same shape."""

    __tablename__ = "listed_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    rank: Mapped[int | None]


class Lengthy(ProbeBase):
    """The longest sort value a list may have: 1,000 characters of text (longer text is no
    sort key), under the longest name PostgreSQL allows a column."""

    __tablename__ = "lengthy_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    a_column_name_of_sixty_three_characters_as_postgresql_allows_it: Mapped[str] = (
        mapped_column(String(1000))
    )


@pytest.mark.parametrize(
    "character", ["\x01", "\U0001f600"], ids=["escaped", "four-byte"]
)
def test_the_longest_cursor_the_app_gives_is_one_it_takes(character: str) -> None:
    """A control character is 6 bytes once JSON-escaped, an emoji 4 in UTF-8."""
    sort = "-a_column_name_of_sixty_three_characters_as_postgresql_allows_it"
    column = Lengthy.a_column_name_of_sixty_three_characters_as_postgresql_allows_it
    row = Lengthy(
        id=2**31 - 1,
        a_column_name_of_sixty_three_characters_as_postgresql_allows_it=character
        * 1000,
    )
    cursor = next_cursor(row, sort)
    assert len(cursor) <= MAX_CURSOR_LENGTH
    literal = after(cursor, sort, column, Lengthy.id).compile(
        compile_kwargs={"literal_binds": True}
    )
    assert str(literal).endswith(f"< ('{character * 1000}', {2**31 - 1})")


def test_a_cursor_is_refused_unless_signed_here_for_its_table_and_order() -> None:
    """One written by hand, one with its signature altered, one this app gave for the opposite
    order, and one it gave for another table's list."""
    given = next_cursor(Ranked(id=7, rank=3), "-rank")
    following = after(given, "-rank", Ranked.rank, Ranked.id)
    literal = following.compile(compile_kwargs={"literal_binds": True})
    assert str(literal) == "(ranked_probe.rank, ranked_probe.id) < (3, 7)"
    by_hand = base64.urlsafe_b64encode(json.dumps(["-rank", 3, 7]).encode()).decode()
    altered = ("B" if given.startswith("A") else "A") + given[1:]
    elsewhere = next_cursor(Listed(id=7, rank=3), "-rank")
    for cursor, sort in (
        (by_hand, "-rank"),
        (altered, "-rank"),
        (given, "rank"),
        (elsewhere, "-rank"),
    ):
        with pytest.raises(InvalidCursor):
            after(cursor, sort, Ranked.rank, Ranked.id)

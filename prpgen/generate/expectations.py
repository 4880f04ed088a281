"""What the generated tests expect, computed by prpgen: the status each role gets for each
operation, and the SQL statements each request costs. Entity templates get them as `expected`;
everything else about a test is written in its template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prpgen.generate.context import EntityContext

_SUCCESS = {"list": 200, "read": 200, "create": 201, "update": 200, "delete": 204}


@dataclass(frozen=True)
class Expectations:
    entity: EntityContext

    @property
    def roles(self) -> tuple[str, ...]:
        """Who the access table tries each operation as."""
        return ("anonymous", "user", "owner", "admin") if self.entity.owned else ("anonymous", "user", "admin")

    def status(self, operation: str, role: str) -> int:
        """What `role` gets doing `operation` on the owner's row."""
        success = _SUCCESS[operation]
        level = self.entity.level(operation)
        if level == "public" or role == "admin":
            return success
        if role == "anonymous":
            return 401
        if level == "admin":
            return 403
        if level == "owner" and role == "user" and operation in {"read", "update", "delete"}:
            return 404
        return success

    def lookups(self, operation: str) -> int:
        """Statements a route spends on the caller: the user's lookup, unless it is public."""
        return 0 if self.entity.user_dependency(operation) is None else 1

    @property
    def statements(self) -> dict[str, int]:
        """SQL statements per request, after the signed-in user's lookup.

        Reading a row loads each `ref_many` with one more SELECT (selectinload); a write checks
        the referenced rows in one query, and each `ref_many` list costs a SELECT of its rows and
        an INSERT of its links. Counted for the tests' payloads, which leave self-references out.
        """
        entity = self.entity
        many = len(entity.many_fields)
        check = 1 if any(f.reference and not f.reference.self_reference for f in entity.ref_fields) else 0
        create = check + many + 1 + many
        # A full replace with different links: the scalar references checked, UPDATE ...
        # RETURNING and the links it loads, the new targets read, DELETE and INSERT of links.
        replace = check + 1 + 4 * many
        return {
            # The page; its count only when asked for (`total=true`), one more.
            "list": 1 + many,
            "get": 1 + many,
            "create": create,
            "replace": replace,
            # A soft delete also checks (RESTRICT) or clears (SET NULL) each kind of referrer.
            "delete": 1 + len(entity.released_on_delete),
        }

"""Every name derived from a user's entity or field name: Python, SQL and URL forms.

Templates never derive names themselves; they read the results of these pure, cached functions.
"""

from __future__ import annotations

import keyword
import re
import sys
import threading
import types
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inflect

# PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" column): a column with one of
# these names has to be double-quoted inside the SQL text we write ourselves (CHECK constraints).
PG_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast check
    collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
    references returning right select session_user similar some symmetric system_user table
    tablesample then to trailing true union unique user using variadic verbose when where window with
    """.split()  # noqa: SIM905 - a word list reads better as text
)

PG_MAX_IDENTIFIER = 63

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def words(name: str) -> list[str]:
    """Split `OrderItem`, `order_item`, `order-item`, `orderItem` or `ORDER ITEM` into lowercase words."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(name.strip()):
        parts.extend(_WORD_BOUNDARY.sub(" ", chunk).split())
    return [part.lower() for part in parts]


@cache
def snake(name: str) -> str:
    return "_".join(words(name))


@cache
def pascal(name: str) -> str:
    return "".join(word.capitalize() for word in words(name))


@cache
def kebab(name: str) -> str:
    return "-".join(words(name))


def is_identifier(name: str) -> bool:
    """ASCII-only identifiers: non-ASCII names are legal Python but not portable SQL or URLs."""
    return _IDENTIFIER.fullmatch(name) is not None


def is_python_keyword(name: str) -> bool:
    # Soft keywords (`type`, `match`, `case`) are fine as attribute and parameter names.
    return keyword.iskeyword(name)


_IMPORTING = threading.Lock()


@cache
def _engine() -> inflect.engine:
    """inflect's engine, imported on first use and without typeguard.

    inflect 7 decorates its functions with typeguard's `@typechecked`, which rewrites each one
    while the module imports: about 1.1 s, most of a `prpgen` run (jaraco/inflect#212); importing
    typeguard itself costs another 50 ms (it imports asyncio and unittest.mock). prpgen passes
    inflect plain strings only, so inflect imports against a stand-in whose decorator does nothing.
    """
    stand_in = types.ModuleType("typeguard")
    stand_in.typechecked = _unchecked  # type: ignore[attr-defined]
    # One thread at a time: another's `import typeguard` must never find the stand-in left.
    with _IMPORTING:
        real = sys.modules.get("typeguard")
        sys.modules["typeguard"] = stand_in
        try:
            import inflect
        finally:
            if real is None:
                del sys.modules["typeguard"]
            else:
                sys.modules["typeguard"] = real
    return inflect.engine()


def _unchecked(target: Any = None, **_: Any) -> Any:
    """Stands in for `typeguard.typechecked` as `@typechecked` and as `@typechecked(...)`."""
    return target if target is not None else (lambda function: function)


# Singular words inflect mistakes for plurals (`bus` → "bu"): never treated as already plural.
_SINGULAR_ENDINGS = ("us", "ss", "is", "as")


@cache
def plural(name: str) -> str:
    """Plural of a snake_case name, inflecting its last word only (`order_item` → `order_items`).

    A word that is already plural (`users`, `data`, `people`, `news`) is kept as it is.
    """
    *head, last = name.split("_")
    engine = _engine()
    singular = engine.singular_noun(last)
    if singular and not last.endswith(_SINGULAR_ENDINGS) and engine.plural_noun(singular) == last:
        return name
    return "_".join([*head, engine.plural_noun(last).lower()])


@cache
def singular(name: str) -> str:
    """Singular of a snake_case name's last word (`tags` → `tag`); a singular word stays as it is."""
    *head, last = name.split("_")
    if last.endswith(_SINGULAR_ENDINGS):
        return name
    found = _engine().singular_noun(last)
    return "_".join([*head, found.lower()]) if found else name


def reference_column(name: str, kind: str) -> str:
    """Where a reference lives in rows and payloads: `category` → `category_id`, `tags` → `tag_ids`."""
    return f"{name}_id" if kind == "ref" else f"{singular(name)}_ids"


@cache
def table(name: str, plural_override: str | None = None) -> str:
    """Table name of an entity: the snake_case plural, or the user's own plural."""
    return snake(plural_override) if plural_override else plural(snake(name))


def sql_identifier(name: str) -> str:
    """The name as it must appear in raw SQL text: quoted only where PostgreSQL requires it."""
    return f'"{name}"' if name in PG_RESERVED else name

"""Specs from a pairwise matrix of entity options and reference shapes (issue 17, item 7).

Every option of an entity and every kind of reference is a factor; allpairspy picks rows so that
every pair of values of any two factors meets in at least one row. Each row becomes one feature
spec whose subject entity carries the row's options and refers to the row's target in the row's
way. allpairspy is the usual pairwise generator for Python (in-parameter-order algorithm, with a
filter for combinations that a spec may not express); a hand-written covering array would have to
be checked by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from allpairspy import AllPairs  # type: ignore[import-untyped]

from prpgen import naming

# The factors in a fixed order (rows are stable from run to run: the rotation depends on it).
FACTORS: dict[str, tuple[Any, ...]] = {
    "owned": (True, False),
    "list": ("public", "user", "owner", "admin"),
    "read": ("public", "user", "owner", "admin"),
    "create": ("user", "owner", "admin"),
    "update": ("user", "owner", "admin"),
    "delete": ("user", "owner", "admin"),
    "soft_delete": (False, True),
    "audit": (False, True),
    "timestamps": (True, False),
    # How the subject refers to its target: required or optional, and what a deleted target does.
    "reference": (
        "none",
        "required-cascade",
        "required-restrict",
        "optional-cascade",
        "optional-restrict",
        "optional-set_null",
    ),
    "ref_many": (False, True),
    # A reference of the subject to a row of its own table, and what deleting that row does.
    "self_reference": ("none", "set_null", "cascade"),
    # The target: an owned entity, or a shared one that only admins create (a catalogue).
    "target": ("owned", "admin-only"),
    "target_soft_delete": (False, True),
    # single: subject -> target; chain: subject -> target -> root;
    # diamond: subject -> target -> root and subject -> side -> root.
    "shape": ("single", "chain", "diamond"),
    "names": ("regular", "uncountable", "irregular"),
}

NAMES = list(FACTORS)

# Entity names by role (subject, target, root, side) for each style of name.
ROLES = {
    "regular": ("Task", "Project", "Company", "Team"),
    "uncountable": ("Sheep", "Series", "Equipment", "Fish"),
    "irregular": ("Child", "Person", "Goose", "Criterion"),
}

# One short word per row, in front of its entity names, so that every row fits in one project.
PREFIXES = (
    "Ash",
    "Bay",
    "Cob",
    "Dew",
    "Elm",
    "Fig",
    "Gum",
    "Hop",
    "Ivy",
    "Jam",
    "Kit",
    "Lux",
    "Mud",
    "Nut",
    "Oak",
    "Pea",
    "Rye",
    "Sky",
    "Tea",
    "Urn",
    "Van",
    "Wax",
    "Yew",
    "Arc",
    "Bud",
    "Cam",
    "Dot",
    "Eel",
    "Fin",
    "Gem",
    "Hue",
    "Ink",
    "Jay",
    "Kin",
    "Lea",
    "Moss",
    "Nib",
    "Orb",
    "Pod",
    "Quay",
    "Reed",
    "Sap",
    "Tin",
)


def _allowed(values: Sequence[Any]) -> bool:
    """Whether a partial row (the first factors' values, as allpairspy builds them) is something a
    spec may say."""
    return _may_say(dict(zip(NAMES, values, strict=False)))


def _may_say(row: dict[str, Any]) -> bool:
    """Whether some spec holds these values of some factors (the others unset)."""
    if "owned" not in row:
        # Every constraint on the access levels and the target goes through `owned`.
        return any(_may_say({**row, "owned": owned}) for owned in FACTORS["owned"])
    levels = {row.get(operation) for operation in OPERATIONS}
    if row["owned"]:
        if row.get("create") == "admin":
            return False  # an owned entity created by admins only is a shared one
    elif "owner" in levels or row.get("target") == "owned":
        return False  # 'owner' needs an owned entity; a shared row may not point at one user's rows
    # The subject always refers to its target somehow, so that every target factor means something.
    return not (row.get("reference") == "none" and row.get("ref_many") is False)


OPERATIONS = ("list", "read", "create", "update", "delete")
Pair = tuple[tuple[str, Any], tuple[str, Any]]


def pairs(row: dict[str, Any]) -> set[Pair]:
    """The pairs of factor values a row holds."""
    return set(itertools.combinations(sorted(row.items(), key=lambda item: NAMES.index(item[0])), 2))


def valid_pairs() -> set[Pair]:
    """Every pair of factor values that a spec can hold."""
    return {
        ((a, x), (b, y))
        for a, b in itertools.combinations(NAMES, 2)
        for x, y in itertools.product(FACTORS[a], FACTORS[b])
        if _may_say({a: x, b: y})
    }


def _top_up(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the pairs allpairspy left out (its filter makes it drop some). Greedy: each new row
    is the best of those grown from one missing pair, taking factor by factor the allowed value
    that covers most missing pairs."""
    missing = valid_pairs() - set().union(*(pairs(row) for row in found))
    added = []
    while missing:
        grown = [_grow(pair, missing) for pair in sorted(missing, key=repr)]
        row = max(grown, key=lambda candidate: len(pairs(candidate) & missing))
        missing -= pairs(row)
        added.append(row)
    return added


def _grow(pair: Pair, missing: set[Pair]) -> dict[str, Any]:
    (a, x), (b, y) = pair
    row: dict[str, Any] = {a: x, b: y}
    for name in NAMES:
        if name not in row:
            options = [value for value in FACTORS[name] if _may_say({**row, name: value})]
            row[name] = max(options, key=lambda value: len(pairs({**row, name: value}) & missing))
    return {name: row[name] for name in NAMES}


@dataclass(frozen=True)
class Row:
    index: int
    values: dict[str, Any]

    @property
    def prefix(self) -> str:
        return PREFIXES[self.index]

    @property
    def id(self) -> str:
        return f"{self.index:02d}-{self.prefix.lower()}"

    def test_modules(self) -> list[str]:
        """The generated test modules of the entities whose options the row sets: its subject
        and its target (the root and the side are plain entities, as in every example)."""
        subject, target = (self.prefix + name for name in ROLES[self.values["names"]][:2])
        modules = []
        for name in (subject, target):
            module, table = naming.snake(name), naming.table(name)
            modules += [
                f"tests/api/test_{table}.py",
                f"tests/services/test_{module}_service.py",
                f"tests/performance/test_{table}_performance.py",
            ]
        return modules

    def entities(self) -> list[dict[str, Any]]:
        """The row's entities, each referred to after it is defined."""
        v = self.values
        subject, target, root, side = (self.prefix + name for name in ROLES[v["names"]])
        # A shared entity may only refer to shared ones: the root is owned as the target is, the
        # side as the subject is.
        shared_target = v["target"] == "admin-only"
        entities: list[dict[str, Any]] = []
        if v["shape"] != "single":
            # The root's unique code: a diamond's test helpers must create it once, not twice.
            code = {"type": "str", "max_length": 20, "unique": True}
            entities.append({"name": root, "owned": not shared_target, "fields": {"code": code}})
        upward = {"type": "ref", "to": root, "on_delete": "cascade"}
        target_fields: dict[str, Any] = {"label": {"type": "str", "max_length": 40}}
        if v["shape"] != "single":
            target_fields["root"] = upward
        entities.append(
            {
                "name": target,
                "owned": not shared_target,
                "soft_delete": v["target_soft_delete"],
                "fields": target_fields,
            }
        )
        if v["shape"] == "diamond":
            side_fields = {"title": {"type": "str", "max_length": 40}, "root": upward}
            entities.append({"name": side, "owned": v["owned"], "fields": side_fields})

        fields: dict[str, Any] = {
            "name": {"type": "str", "max_length": 80, "unique": True},
            "score": {"type": "int", "ge": 0, "required": False},
            "amount": {"type": "decimal", "max_digits": 10, "decimal_places": 2, "required": False},
        }
        if v["reference"] != "none":
            required, on_delete = v["reference"].split("-")
            fields["target"] = {"type": "ref", "to": target, "required": required == "required", "on_delete": on_delete}
        if v["ref_many"]:
            fields["targets"] = {"type": "ref_many", "to": target}
        if v["shape"] == "diamond":
            fields["side"] = {"type": "ref", "to": side, "required": False, "on_delete": "set_null"}
        if v["self_reference"] != "none":
            fields["parent"] = {"type": "ref", "to": subject, "required": False, "on_delete": v["self_reference"]}
        entities.append(
            {
                "name": subject,
                "description": "Matrix row " + ", ".join(f"{name}={value}" for name, value in v.items()) + ".",
                "owned": v["owned"],
                "access": {operation: v[operation] for operation in OPERATIONS},
                "soft_delete": v["soft_delete"],
                "audit": v["audit"],
                "timestamps": v["timestamps"],
                "fields": fields,
            }
        )
        return entities


def spec(rows: Sequence[Row], feature: str = "matrix") -> dict[str, Any]:
    """One feature spec holding the entities of these rows (as YAML would give it)."""
    return {
        "feature": feature,
        "description": f"Rows {', '.join(row.id for row in rows)} of the pairwise matrix of entity options.",
        "entities": [entity for row in rows for entity in row.entities()],
    }


def rows() -> list[Row]:
    """The matrix: every pair of factor values that a spec may hold, in at least one row."""
    found = [dict(zip(NAMES, values, strict=True)) for values in AllPairs(list(FACTORS.values()), filter_func=_allowed)]
    return [Row(index, values) for index, values in enumerate(found + _top_up(found))]

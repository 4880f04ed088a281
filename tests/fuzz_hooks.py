"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz_hooks), loaded in Schemathesis's process.

A fuzzer cannot know which ids exist: a body referring to `customer_id: 1` is schema-valid, and
the API answers it 422 ("Customer not found") unless there is such a customer of the caller's.
So that the positive-data check tests what it means to, one row of each entity is kept alive (the
seeds), and every generated body that holds a well-formed id gets a seed's id instead. Ids that
are themselves the fault being tested (0, out of range, not a number, too many) pass untouched.

Nor can it know which list cursors the app gave out (they are signed): any string up to the
limit is schema-valid, and every one it makes up is a 422. A cursor within the limit is taken out
of the request, which then asks for the first page; one past the limit, the fault being tested,
stays.

The fuzzer deletes rows too, seeds among them, and checks that a deleted row stays gone. So a seed
is never protected or brought back: after every successful DELETE, any seed that is gone is
created anew (with a new id, and other unique values where the old row still holds them).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import schemathesis

ID_MAX = 2**31 - 1


@dataclass(frozen=True)
class Seed:
    """How to create one entity's seed: as whom, where, with which bodies to try in turn (a
    unique value may still be held by a soft-deleted earlier seed), and which keys refer to
    which entity's seed (`refs`: one id, `many`: a list of one id). A seed has no parent (a
    reference to its own entity), so it never has ancestors: any other row may take it as
    its parent without a cycle."""

    entity: str
    snake: str
    create: str
    read: str
    token: str
    bodies: list[dict[str, Any]]
    refs: dict[str, str] = field(default_factory=dict)
    many: dict[str, str] = field(default_factory=dict)

    def parents(self) -> list[str]:
        return [key for key, target in self.refs.items() if target == self.entity]


class Seeds:
    """The live seed of each entity, kept alive by `heal`; `plan` lists them in the order their
    references need."""

    def __init__(self, base: str, plan: list[Seed], ids: dict[str, int] | None = None) -> None:
        self.base = base
        self.plan = plan
        self.ids: dict[str, int] = dict(ids or {})

    def _call(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback URL
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def _alive(self, seed: Seed) -> bool:
        row = self.ids.get(seed.entity)
        return row is not None and self._call("GET", seed.read.format(id=row), seed.token)[0] == 200

    def heal(self) -> None:
        """Create each seed that is gone (deleted, soft-deleted, or taken by a cascade)."""
        for seed in self.plan:
            if self._alive(seed):
                continue
            answers = []
            for body in seed.bodies:
                filled = {
                    **body,
                    **{key: self.ids[target] for key, target in seed.refs.items() if target != seed.entity},
                    **{key: [self.ids[target]] for key, target in seed.many.items()},
                }
                status, created = self._call("POST", seed.create, seed.token, filled)
                if status == 201:
                    self.ids[seed.entity] = created["id"]
                    break
                answers.append((status, created))
            else:
                raise AssertionError(f"cannot create a {seed.entity} to refer to: {answers}")

    def payload_ids(self, operation: str, row: object) -> dict[str, Any]:
        """The keys of the operation's body that refer to rows, with the ids of live seeds to
        put in them; `row` is the id in the operation's path, if any."""
        for seed in self.plan:
            if operation in {f"create_{seed.snake}", f"update_{seed.snake}", f"replace_{seed.snake}"}:
                ids: dict[str, Any] = {key: self.ids[target] for key, target in seed.refs.items()}
                ids.update({key: [self.ids[target]] for key, target in seed.many.items()})
                if str(row) == str(self.ids[seed.entity]):
                    # The seed itself keeps no parent: then it could not be its own ancestor.
                    ids.update(dict.fromkeys(seed.parents()))
                return ids
        return {}


_seeds: list[Seeds] = []


def _current() -> Seeds:
    """The seeds the test created, from the environment (read once, then kept up to date)."""
    if not _seeds:
        plan = [Seed(**seed) for seed in json.loads(os.environ["PRPGEN_FUZZ_PLAN"])]
        _seeds.append(Seeds(os.environ["PRPGEN_FUZZ_BASE"], plan, json.loads(os.environ["PRPGEN_FUZZ_IDS"])))
    return _seeds[0]


def _an_id(value: object) -> bool:
    # 5.0 is an id too: JSON Schema's integer is any number without a fraction.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


# The generated app's MAX_CURSOR_LENGTH.
CURSOR_MAX = 8192


# before_call, not map_case or map_body: it sees every request of every phase, stateful included.
@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:  # noqa: ARG001 - its signature
    query = case.query
    if isinstance(query, dict) and isinstance(query.get("cursor"), str) and len(query["cursor"]) <= CURSOR_MAX:
        del query["cursor"]
    body = case.body
    if not isinstance(body, dict):
        return
    operation = case.operation.definition.raw.get("operationId", "")
    row = next(iter(case.path_parameters.values()), None)
    for key, seeded in _current().payload_ids(operation, row).items():
        value = body.get(key)
        if isinstance(seeded, list):
            if isinstance(value, list) and 1 <= len(value) <= 100 and all(map(_an_id, value)):
                body[key] = seeded
        elif _an_id(value):
            body[key] = seeded


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:  # noqa: ARG001 - its signature
    if case.method.upper() == "DELETE" and 200 <= response.status_code < 300:
        _current().heal()

"""Schemathesis against a served project, with every check (issue 17, item 8).

A fuzzer cannot know which ids exist: a body referring to `customer_id: 1` is schema-valid, and the
API answers it 422 ("Customer not found") unless there is such a customer of the caller's. So that
the positive-data check tests what it means to, each example is first seeded with one row of each
entity (in the order their references need), and a Schemathesis hook puts those rows' ids into
every generated body that holds a well-formed id. Ids that are themselves the fault being tested
(0, out of range, not a number, too many) pass through untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prpgen import naming
from prpgen.samples import sample
from prpgen.spec import EntitySpec, Spec

Request = Callable[..., tuple[int, bytes]]

# The hook module Schemathesis loads (SCHEMATHESIS_HOOKS): it reads the seeded ids from the env.
HOOK = """\
import json
import os

import schemathesis

IDS = json.loads(os.environ["PRPGEN_FUZZ_IDS"])
ID_MAX = 2**31 - 1


def _an_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


# map_case, not map_body: the coverage phase applies case hooks only.
@schemathesis.hook
def map_case(context, case):
    body = case.body
    if isinstance(body, dict):
        for key, seeded in IDS.items():
            value = body.get(key)
            if isinstance(seeded, list):
                if isinstance(value, list) and 1 <= len(value) <= 100 and all(map(_an_id, value)):
                    body[key] = seeded
            elif _an_id(value):
                body[key] = seeded
    return case
"""


def ordered(spec: Spec) -> list[EntitySpec]:
    """Entities with every entity they refer to (but themselves) before them."""
    done: list[EntitySpec] = []
    by_name = {entity.name: entity for entity in spec.entities}

    def visit(entity: EntitySpec) -> None:
        if entity in done:
            return
        for field in entity.fields.values():
            if field.to and field.to != entity.name and field.to in by_name:
                visit(by_name[field.to])
        done.append(entity)

    for entity in spec.entities:
        visit(entity)
    return done


def admin_token(base: str, project: Path, database_url: str, request: Request) -> str:
    """Register an admin as the README says: register, then `python -m app.commands promote`."""
    email, password = "admin@example.com", "an-admin-password"
    account = json.dumps({"email": email, "password": password}).encode()
    assert request(base, "POST", "/api/v1/auth/register", account, {"Content-Type": "application/json"})[0] == 201
    # Deployed as the README says: the production settings, a key of its own.
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(48)}
    env.pop("ENVIRONMENT", None)
    subprocess.run(
        [sys.executable, "-m", "app.commands", "promote", email], cwd=project, env=env, check=True, capture_output=True
    )
    form = urllib.parse.urlencode({"username": email, "password": password}).encode()
    status, token = request(
        base, "POST", "/api/v1/auth/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200, token
    access_token: str = json.loads(token)["access_token"]
    return access_token


def seed(base: str, spec: Spec, reader: str, admin: str, request: Request) -> dict[str, Any]:
    """One row of each entity, as the reader (as an admin where only admins create); returns the
    payload keys that refer to rows and the ids to put in them."""
    document = json.loads(request(base, "GET", "/openapi.json")[1])
    create_paths = {
        operation["operationId"]: path
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == "post"
    }
    ids: dict[str, int] = {}
    keys: dict[str, Any] = {}
    for entity in ordered(spec):
        body: dict[str, Any] = {}
        for name, field in entity.fields.items():
            key = naming.reference_column(name, field.type) if field.to else name
            if field.to == entity.name:
                keys[key] = None  # a row's parent: none, rather than a cycle
            elif field.type == "ref":
                body[key] = keys[key] = ids[field.to or ""]
            elif field.type == "ref_many":
                body[key] = keys[key] = [ids[field.to or ""]]
            else:
                body[key] = sample(name, field, 0)
        token = admin if entity.level("create") == "admin" else reader
        path = create_paths[f"create_{naming.snake(entity.name)}"]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        status, created = request(base, "POST", path, json.dumps(body).encode(), headers)
        assert status == 201, (path, body, created)
        ids[entity.name] = json.loads(created)["id"]
    return keys


def write_hook(directory: Path) -> str:
    """The hook module in `directory` (to put on PYTHONPATH); returns its name."""
    (directory / "prpgen_fuzz_hooks.py").write_text(HOOK)
    return "prpgen_fuzz_hooks"

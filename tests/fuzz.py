"""Schemathesis against a served project, with every check (issue 17, item 8): the seeds it
refers to (see tests/fuzz_hooks.py for why) and the admin some of them need."""

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
from prpgen.generate.samples import NoSample, sample
from prpgen.spec.feature import EntitySpec, FieldSpec, Spec
from tests.fuzz_hooks import Seed, Seeds

Request = Callable[..., tuple[int, bytes]]

# Bodies a seed tries in turn: a soft-deleted seed still holds its unique values.
VARIANTS = 30


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


def promote(project: Path, database_url: str, email: str) -> None:
    """`python -m app.commands promote EMAIL`, deployed as the README says: the production
    settings, a key of its own."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(48)}
    env.pop("ENVIRONMENT", None)
    subprocess.run(
        [sys.executable, "-m", "app.commands", "promote", email], cwd=project, env=env, check=True, capture_output=True
    )


def admin_token(base: str, project: Path, database_url: str, request: Request) -> str:
    """Register an admin as the README says: register, then `python -m app.commands promote`."""
    email, password = "admin@example.com", "an-admin-password"
    account = json.dumps({"email": email, "password": password}).encode()
    assert request(base, "POST", "/api/v1/auth/register", account, {"Content-Type": "application/json"})[0] == 201
    promote(project, database_url, email)
    form = urllib.parse.urlencode({"username": email, "password": password}).encode()
    status, token = request(
        base, "POST", "/api/v1/auth/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200, token
    access_token: str = json.loads(token)["access_token"]
    return access_token


def _variant(name: str, field: FieldSpec, index: int) -> Any:
    try:
        return sample(name, field, index)
    except NoSample:
        # Too few values to vary (a boolean): then not unique either, so the first will do.
        return sample(name, field, 0)


def seed(base: str, spec: Spec, reader: str, admin: str, request: Request) -> Seeds:
    """One live row of each entity, as the reader (as an admin where only admins create)."""
    document = json.loads(request(base, "GET", "/openapi.json")[1])
    seeds = Seeds(base, plan(spec, document, reader, admin))
    seeds.heal()
    return seeds


def plan(spec: Spec, document: dict[str, Any], reader: str, admin: str) -> list[Seed]:
    """How to create a row of each entity, in the order their references need: where, as whom,
    with which bodies (the `VARIANTS` differ in every value that can) and which references."""
    paths = {
        operation["operationId"]: path
        for path, item in document["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    seeds_plan: list[Seed] = []
    for entity in ordered(spec):
        snake = naming.snake(entity.name)
        refs: dict[str, str] = {}
        many: dict[str, str] = {}
        values: dict[str, FieldSpec] = {}
        for name, field in entity.fields.items():
            key = naming.reference_column(name, field.type) if field.to else name
            if field.type == "ref":
                refs[key] = field.to or ""
            elif field.type == "ref_many":
                many[key] = field.to or ""
            else:
                values[name] = field
        bodies = [{name: _variant(name, field, k) for name, field in values.items()} for k in range(VARIANTS)]
        seeds_plan.append(
            Seed(
                entity=entity.name,
                snake=snake,
                create=paths[f"create_{snake}"],
                read=paths[f"get_{snake}"].replace(f"{{{snake}_id}}", "{id}"),
                token=admin if entity.level("create") == "admin" else reader,
                bodies=bodies,
                refs=refs,
                many=many,
            )
        )
    return seeds_plan


def hook_env(seeds: Seeds) -> dict[str, str]:
    """What tests/fuzz_hooks.py reads: the plan and the live seeds (it keeps them alive)."""
    return {
        "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks",
        "PRPGEN_FUZZ_BASE": seeds.base,
        "PRPGEN_FUZZ_PLAN": json.dumps([vars(seed) for seed in seeds.plan]),
        "PRPGEN_FUZZ_IDS": json.dumps(seeds.ids),
    }

"""A real generated client against a served project (issue 17, item 8).

openapi-python-client (`--fail-on-warning`) writes a typed client from the project's OpenAPI
document; `drive` calls every operation in it through that client, successes and errors, as a
team consuming the API would. The client is strict about the contract: it answers an
undocumented status with `UnexpectedStatus` (`raise_on_unexpected_status`), parses each body into
the documented model, and keeps keys the document does not name in `additional_properties`,
which must stay empty.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from prpgen import naming
from prpgen.spec.feature import Spec
from tests.fuzz import plan
from tests.fuzz_hooks import Seed

MISSING_ID = 2**31 - 1
PASSWORD = "a-long-password"


def generate(document: Path, directory: Path, package: str) -> ModuleType:
    """The client package for the document, written into `directory` (which the caller puts on
    `sys.path`) and imported."""
    written = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(directory / package),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        check=False,
        capture_output=True,
        text=True,
        # It runs `ruff` on what it writes, found on PATH: the one installed beside it.
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert written.returncode == 0, written.stdout + written.stderr
    return importlib.import_module(package)


def documented(value: Any, where: str = "body") -> None:
    """Every key of a parsed body is one the document names (a model of a `json` field, which
    declares no attribute, holds any keys)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            documented(item, f"{where}[{index}]")
    elif attrs.has(type(value)):
        declared = [a.name for a in attrs.fields(type(value)) if a.name != "additional_properties"]
        extra = getattr(value, "additional_properties", {})
        assert not (declared and extra), f"{where}: undocumented keys {sorted(extra)}"
        for name in declared:
            documented(getattr(value, name), f"{where}.{name}")


@dataclass
class Driver:
    package: ModuleType
    base: str
    operations: dict[str, ModuleType] = field(default_factory=dict)
    called: dict[str, set[int]] = field(default_factory=dict)
    clients: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        api = importlib.import_module(f"{self.package.__name__}.api")
        for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
            module = importlib.import_module(info.name)
            if hasattr(module, "sync_detailed"):
                self.operations[info.name.rsplit(".", 1)[1]] = module

    def client(self, token: str | None = None) -> Any:
        if token is None:
            client = self.package.Client(base_url=self.base, raise_on_unexpected_status=True)
        else:
            client = self.package.AuthenticatedClient(base_url=self.base, token=token, raise_on_unexpected_status=True)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.get_httpx_client().close()

    def body(self, operation: str, payload: dict[str, Any]) -> Any:
        """The operation's body model, built from a JSON payload."""
        model = typing.get_type_hints(self.operations[operation]._get_kwargs)["body"]
        return model.from_dict(payload)

    def call(self, operation: str, client: Any, expected: int, **kwargs: Any) -> Any:
        response = self.operations[operation].sync_detailed(client=client, **kwargs)
        assert response.status_code == expected, (operation, kwargs, response.status_code, response.content)
        self.called.setdefault(operation, set()).add(expected)
        if expected != 204:
            assert response.parsed is not None, (operation, response.content)
            documented(response.parsed, operation)
        return response.parsed


def drive(driver: Driver, spec: Spec, document: dict[str, Any], promote: Callable[[str], None]) -> dict[str, set[int]]:
    """Every operation of the document through the client; returns the statuses each answered."""
    anonymous = driver.client()
    reader_account = {"email": "client@example.com", "password": PASSWORD}
    admin_account = {"email": "client-admin@example.com", "password": PASSWORD}

    # Accounts: register, a taken email, wrong and right passwords, who am I.
    driver.call("register", anonymous, 201, body=driver.body("register", reader_account))
    driver.call("register", anonymous, 409, body=driver.body("register", reader_account))
    driver.call("register", anonymous, 201, body=driver.body("register", admin_account))
    promote(admin_account["email"])
    wrong = {"username": reader_account["email"], "password": "not-the-password"}
    driver.call("login", anonymous, 401, body=driver.body("login", wrong))

    def sign_in(account: dict[str, str]) -> str:
        form = {"username": account["email"], "password": account["password"]}
        token: str = driver.call("login", anonymous, 200, body=driver.body("login", form)).access_token
        return token

    reader, admin = sign_in(reader_account), sign_in(admin_account)
    clients = {reader: driver.client(reader), admin: driver.client(admin)}
    driver.call("read_me", anonymous, 401)
    assert driver.call("read_me", clients[reader], 200).email == reader_account["email"]
    driver.call("live", anonymous, 200)
    driver.call("ready", anonymous, 200)

    seeds = plan(spec, document, reader, admin)
    ids: dict[str, int] = {}
    entities = {entity.name: entity for entity in spec.entities}

    def filled(seed: Seed, index: int) -> dict[str, Any]:
        body = dict(seed.bodies[index])
        body.update({key: ids[f"{naming.snake(to)}_id"] for key, to in seed.refs.items() if to != seed.entity})
        body.update({key: [ids[f"{naming.snake(to)}_id"]] for key, to in seed.many.items()})
        return body

    def as_(entity_name: str, operation: str) -> Any:
        return clients[admin] if entities[entity_name].level(operation) == "admin" else clients[reader]

    # Each entity in the order its references need: refused, created, read, changed.
    for seed in seeds:
        snake = naming.snake(seed.entity)
        key = f"{snake}_id"
        create = f"create_{snake}"
        driver.call(create, anonymous, 401, body=driver.body(create, filled(seed, 0)))
        if entities[seed.entity].level("create") == "admin":
            driver.call(create, clients[reader], 403, body=driver.body(create, filled(seed, 0)))
        for ref in (k for k, to in seed.refs.items() if to != seed.entity):
            dangling = {**filled(seed, 0), ref: MISSING_ID}
            driver.call(create, as_(seed.entity, "create"), 422, body=driver.body(create, dangling))
        sent = driver.body(create, filled(seed, 0))
        created = driver.call(create, as_(seed.entity, "create"), 201, body=sent)
        ids[key] = created.id
        # What the client wrote is what it reads back, in the answer and in a later read.
        answer, wrote = created.to_dict(), sent.to_dict()
        assert {k: answer[k] for k in wrote} == wrote, (seed.entity, answer, wrote)
        read = driver.call(f"get_{snake}", as_(seed.entity, "read"), 200, **{key: ids[key]})
        assert read.to_dict() == answer, (seed.entity, read.to_dict(), answer)
        for parent in seed.parents():
            # A child of the row, so that the list of its children has one.
            child = {**filled(seed, 3), parent: ids[key]}
            assert driver.call(create, as_(seed.entity, "create"), 201, body=driver.body(create, child)).id
        if any(f.unique for f in entities[seed.entity].fields.values()):
            driver.call(create, as_(seed.entity, "create"), 409, body=driver.body(create, filled(seed, 0)))
        driver.call(f"get_{snake}", as_(seed.entity, "read"), 404, **{key: MISSING_ID})
        patch = f"update_{snake}"
        sent = driver.body(patch, filled(seed, 1))
        patched = driver.call(patch, as_(seed.entity, "update"), 200, body=sent, **{key: ids[key]})
        answer, wrote = patched.to_dict(), sent.to_dict()
        assert {k: answer[k] for k in wrote} == wrote, (seed.entity, answer, wrote)
        put = f"replace_{snake}"
        sent = driver.body(put, filled(seed, 2))
        replaced = driver.call(put, as_(seed.entity, "update"), 200, body=sent, **{key: ids[key]})
        answer, wrote = replaced.to_dict(), sent.to_dict()
        assert {k: answer[k] for k in wrote} == wrote, (seed.entity, answer, wrote)

    # Every list, the nested ones too: a page, and a page size the API refuses.
    for name, module in driver.operations.items():
        if name in driver.called or not name.startswith("list_"):
            continue
        params = typing.get_type_hints(module.sync_detailed)
        path = {p: ids[p] for p in params if p in ids and p != "client"}
        page = driver.call(name, clients[admin], 200, **path)
        assert page.items, (name, "an empty page: the created rows are not listed")
        if "limit" in params:
            driver.call(name, clients[admin], 422, limit=0, **path)
            driver.call(name, clients[admin], 422, cursor="not one", **path)
            # One row a page, with the count: a `next` exactly when there is more than one row.
            first = driver.call(name, clients[admin], 200, limit=1, total=True, **path)
            assert first.total >= 1 and (first.next_ is None) == (first.total == 1), (name, first)
            if first.next_ is not None:
                # The cursor as the typed client got it, sent back as the client sends it.
                second = driver.call(name, clients[admin], 200, limit=1, cursor=first.next_, **path)
                assert second.items, (name, "the page after the first is empty")
                assert second.items[0].to_dict()["id"] != first.items[0].to_dict()["id"], (name, second)

    # Deleted (and restored, then deleted again, where rows are soft-deleted), leaves first.
    for seed in reversed(seeds):
        snake = naming.snake(seed.entity)
        key = f"{snake}_id"
        driver.call(f"delete_{snake}", as_(seed.entity, "delete"), 204, **{key: ids[key]})
        driver.call(f"get_{snake}", as_(seed.entity, "read"), 404, **{key: ids[key]})
        driver.call(f"delete_{snake}", as_(seed.entity, "delete"), 404, **{key: ids[key]})
        if f"restore_{snake}" in driver.operations:
            driver.call(f"restore_{snake}", clients[admin], 200, **{key: ids[key]})
            driver.call(f"delete_{snake}", as_(seed.entity, "delete"), 204, **{key: ids[key]})
    return driver.called

from pathlib import Path

import pytest

from prpgen.context import build_feature
from prpgen.errors import ProjectError
from prpgen.project import next_migration, project_context, read_project, register_model, register_router
from prpgen.spec import parse_spec

ROUTER = """from fastapi import APIRouter

from app.api.endpoints.auth import router as auth_router
from app.api.endpoints.users import router as users_router

api_router = APIRouter()
api_router.include_router(auth_router)
api_router.include_router(users_router)
# a comment the user added
"""


def entity(name: str):  # type: ignore[no-untyped-def]
    spec = parse_spec({"feature": "f", "description": "d", "entity": {"name": name, "fields": {"a": "str"}}}, "x")
    return build_feature(spec, "x").entities[0]


def test_routers_are_registered_in_import_order_without_touching_the_rest() -> None:
    source = register_router(ROUTER, entity("Post"))
    source = register_router(source, entity("OrderItem"))
    assert source.splitlines()[2:6] == [
        "from app.api.endpoints.auth import router as auth_router",
        "from app.api.endpoints.order_items import router as order_items_router",
        "from app.api.endpoints.posts import router as posts_router",
        "from app.api.endpoints.users import router as users_router",
    ]
    assert source.endswith(
        "api_router.include_router(posts_router)\napi_router.include_router(order_items_router)\n"
        "# a comment the user added\n"
    )
    assert register_router(source, entity("Post")) == source


def test_models_are_re_exported_in_order() -> None:
    source = "from app.models.base import Base as Base\nfrom app.models.user import User as User\n"
    source = register_model(source, entity("Tag"))
    assert source.splitlines() == [
        "from app.models.base import Base as Base",
        "from app.models.tag import Tag as Tag",
        "from app.models.user import User as User",
    ]


def test_a_router_file_without_registrations_is_an_error() -> None:
    with pytest.raises(ProjectError, match=r"no `from app\.api\.endpoints\.\.\.\.` import"):
        register_router("api_router = APIRouter()\n", entity("Post"))
    with pytest.raises(ProjectError, match="include_router"):
        register_router("from app.api.endpoints.auth import router as auth_router\n", entity("Post"))


def migration(revision: str, down: str | None) -> str:
    down_source = f'"{down}"' if down else "None"
    return f'revision: str = "{revision}"\ndown_revision: str | None = {down_source}\n'


def test_the_next_migration_chains_onto_the_single_head() -> None:
    assert next_migration({}).number == 1
    assert next_migration({}).down_revision is None
    versions = {"0001_users.py": migration("a1", None), "0002_posts.py": migration("b2", "a1")}
    slot = next_migration(versions)
    assert (slot.number, slot.down_revision) == (3, "b2")


def test_several_heads_or_unreadable_migrations_are_errors() -> None:
    branches = {"0001_a.py": migration("a", None), "0002_b.py": migration("b", "a"), "0003_c.py": migration("c", "a")}
    with pytest.raises(ProjectError, match="several heads"):
        next_migration(branches)
    with pytest.raises(ProjectError, match="cannot read its revision"):
        next_migration({"0001_x.py": "print()"})


def test_a_directory_that_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is not a prpgen project"):
        read_project(tmp_path)


def test_project_names() -> None:
    project = project_context("my-shop")
    assert (project.slug, project.title, project.db_name) == ("my-shop", "My Shop", "my_shop")
    with pytest.raises(ProjectError, match="must start with a letter"):
        project_context("42")

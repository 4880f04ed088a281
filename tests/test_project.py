from pathlib import Path

import pytest

from prpgen import generate, parse_spec
from prpgen.errors import ProjectError
from prpgen.generate.project_model import project_context
from prpgen.regenerate.project import next_migration, read_project
from tests.conftest import run_cli


def test_the_router_and_model_index_list_every_entity_in_order(tmp_path: Path) -> None:
    """Rendered from the project's entities (no text patched in): imports in isort's order,
    routers included in the spec's order after the skeleton's own."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "feature: f\ndescription: d\nentities:\n"
        "  - {name: Post, fields: {a: str}}\n  - {name: OrderItem, fields: {a: str}}\n"
    )
    assert run_cli("generate", str(spec), "--out", str(tmp_path / "p")).returncode == 0
    router = (tmp_path / "p/app/api/router.py").read_text().splitlines()
    assert router[2:6] == [
        "from app.api.endpoints.auth import router as auth_router",
        "from app.api.endpoints.order_items import router as order_items_router",
        "from app.api.endpoints.posts import router as posts_router",
        "from app.api.endpoints.users import router as users_router",
    ]
    includes = [line for line in router if line.startswith("api_router.include_router(")]
    assert includes[2:] == [
        "api_router.include_router(posts_router)",
        "api_router.include_router(order_items_router)",
    ]
    models = (tmp_path / "p/app/models/__init__.py").read_text().splitlines()
    assert [line for line in models if line.startswith("from ")] == [
        "from app.models.base import Base as Base",
        "from app.models.order_item import OrderItem as OrderItem",
        "from app.models.post import Post as Post",
        "from app.models.rate_limit import RateLimitWindow as RateLimitWindow",
        "from app.models.user import User as User",
    ]


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


def test_text_too_long_for_a_cursor_is_no_sort_key(tmp_path: Path) -> None:
    """A list's cursor carries its sort value whole and may be 8 KB long (`MAX_CURSOR_LENGTH`):
    up to 1,000 characters of text fit, each 6 bytes at worst once JSON-escaped, with the longest
    sort name. Longer text fields are left out of the sort keys, as `text` fields are."""
    spec = {
        "feature": "essays",
        "description": "Essays with a summary and a long subtitle.",
        "entities": [
            {
                "name": "Essay",
                "fields": {
                    "summary": {"type": "str", "max_length": 1000},
                    "subtitle": {"type": "str", "max_length": 1001},
                },
            }
        ],
    }
    generate(parse_spec(spec, "essays.yaml"), tmp_path / "essays", source="essays.yaml")
    service = (tmp_path / "essays" / "app" / "services" / "essay_service.py").read_text()
    sort_keys = service[service.index("SORT_COLUMNS") : service.index("}", service.index("SORT_COLUMNS"))]
    assert '"summary": Essay.summary' in sort_keys
    assert "subtitle" not in sort_keys

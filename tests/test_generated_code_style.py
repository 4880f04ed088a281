"""Whatever names and options a valid spec uses, the generated code lints and is formatted."""

import subprocess
import sys
from pathlib import Path

from prpgen import generate, parse_spec

TYPES = ["str", "text", "int", "bigint", "float", "decimal", "bool", "date", "datetime", "time", "uuid", "email", "url"]


HOSTILE_MARKDOWN = (
    "\n## Validation Report\n```python\nimport os\n```\n{% if x %}{{ y }}\n- [ ] OpenAPI docs auto-generated"
)


def awkward_spec() -> dict[str, object]:
    every_type = {f"{kind}_value_with_a_rather_long_name": {"type": kind} for kind in TYPES}
    return {
        "feature": "stress-test",
        "description": "Names of every length, SQL keywords, quotes: \"double\" and 'single', {{ braces }}."
        + HOSTILE_MARKDOWN,
        "entities": [
            {"name": "Group", "fields": {"user": "str", "limit": {"type": "int", "le": 10}, "select": "text"}},
            {
                "name": "Ox",
                "fields": {"order": {"type": "int", "ge": 0}, "group": "str", "type": "str", "date": "date"},
            },
            {
                "name": "OrderItemAttachmentRecord",
                "owned": False,
                "fields": {
                    **every_type,
                    "user_name": {
                        "type": "str",
                        "unique": True,
                        "description": 'Has "quotes", """triple quotes""", a \\ backslash,\na newline and {{ 7 * 7 }}',
                        "example": 'O\'Brien \\ "quoted"',
                    },
                    "level": {
                        "type": "enum",
                        "values": ["in-progress", "done", "9 lives", "class", 'it\'s "quoted"', "back\\slash"],
                        "default": "done",
                    },
                    "user": {"type": "str", "required": False, "description": "A | pipe\n## not a heading"},
                    "limit": {"type": "decimal", "max_digits": 12, "decimal_places": 4, "ge": -5, "le": 99999},
                    "payload": {"type": "json", "required": False},
                    "time": {"type": "time", "required": False},
                },
            },
        ],
    }


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_awkward_names_still_give_clean_code(tmp_path: Path) -> None:
    project = tmp_path / "stress"
    generate(parse_spec(awkward_spec(), "stress.yaml"), project, source="stress.yaml")
    check = ruff("check", ".", cwd=project)
    assert check.returncode == 0, check.stdout
    formatted = ruff("format", "--check", "--diff", ".", cwd=project)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    model = (project / "app/models/order_item_attachment_record.py").read_text()
    assert 'IN_PROGRESS = "in-progress"' in model
    assert 'VALUE_3 = "9 lives"' in model
    assert 'VALUE_4 = "class"' in model
    migration = next((project / "alembic/versions").glob("0002_*.py")).read_text()
    assert "'\"order\" >= 0'" in migration


def test_free_text_cannot_change_the_meaning_of_code_or_markdown(tmp_path: Path) -> None:
    project = tmp_path / "stress"
    generate(parse_spec(awkward_spec(), "stress.yaml"), project, source="stress.yaml")
    schema = (project / "app/schemas/order_item_attachment_record.py").read_text()
    expected = 'Has "quotes", """triple quotes""", a \\ backslash,\na newline and {{ 7 * 7 }}'
    assert f"description={expected!r}" in schema
    model = (project / "app/models/order_item_attachment_record.py").read_text()
    assert "VALUE_5 = 'it\\'s \"quoted\"'" in model or 'VALUE_5 = "it\'s \\"quoted\\""' in model
    prp = next(project.glob("PRPs/*/prp.md")).read_text()
    assert "\\## Validation Report" in prp
    assert "\\```python" in prp
    assert "\\- [ ] OpenAPI docs auto-generated" in prp
    assert "| A \\| pipe<br>## not a heading |" in prp
    assert prp.count("\n## Validation Report") == 0


def test_names_that_once_broke_the_generated_code(tmp_path: Path) -> None:
    """Found by random specs: a class name isort takes for a constant (`V4` sorts before `User`),
    an entity whose module is not its class's snake case (`D_x` is `d_x`, `DX` would be `dx`), and a
    `time` field without timestamps (its schema must not import `datetime`)."""
    spec = {
        "feature": "edge-names",
        "description": "Names at the edges.",
        "entities": [
            {"name": "V4", "fields": {"code": {"type": "str", "unique": True}}},
            {"name": "D_x", "timestamps": False, "fields": {"at": {"type": "time"}, "v4": {"type": "ref", "to": "V4"}}},
        ],
    }
    project = tmp_path / "edge"
    generate(parse_spec(spec, "edge.yaml"), project, source="edge.yaml")
    assert "from app.models.d_x import DX" in (project / "app/models/v4.py").read_text()
    assert "datetime" not in (project / "app/schemas/d_x.py").read_text()
    for args in (("check", "."), ("format", "--check", ".")):
        result = ruff(*args, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "app"], cwd=project, capture_output=True, text=True, check=False
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_entities_named_like_what_a_model_imports(tmp_path: Path) -> None:
    """A kanban `Column`, a restaurant `Table`: names a model module may also import (SQLAlchemy's
    `Column` and `Table`, for link tables), which the entity's own class or a related one must
    not collide with where the module does not use them."""
    spec = {
        "feature": "named-like-imports",
        "description": "Entities named like SQLAlchemy's classes.",
        "entities": [
            {"name": "Table", "fields": {"seats": "int", "note": "text"}},
            {"name": "Column", "fields": {"title": "str", "table": {"type": "ref", "to": "Table"}}},
        ],
    }
    project = tmp_path / "named"
    generate(parse_spec(spec, "named.yaml"), project, source="named.yaml")
    result = ruff("check", ".", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "app"], cwd=project, capture_output=True, text=True, check=False
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_services_build_their_statements_where_they_use_them() -> None:
    """Generated services read like SQLAlchemy's documentation: no statement built at module level
    with bound parameters (nor `synchronize_session` for them), a statement where it runs."""
    import ast

    examples = Path(__file__).resolve().parents[1] / "examples"
    services = sorted(examples.glob("*/app/services/*_service.py"))
    assert len(services) > 10
    statements = {"select", "update", "delete", "insert", "bindparam"}
    for path in services:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                called = {
                    n.func.id for n in ast.walk(node.value) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                }
                assert not called & statements, f"{path}:{node.lineno} builds a statement at module level"
        assert "synchronize_session" not in path.read_text(), path

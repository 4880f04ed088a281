"""Vendored templates: export, per-file fallback, extra files per entity, drift and errors; through the CLI."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, create_database, run_cli, tree

SPEC = EXAMPLES / "notes.toml"


def export(directory: Path, *names: str) -> None:
    result = run_cli("templates", "export", str(directory), *names)
    assert result.returncode == 0, result.stderr


def test_an_override_takes_effect_and_the_rest_falls_back(tmp_path: Path) -> None:
    custom = tmp_path / "ours"
    export(custom, "entity/model.py.j2")
    assert sorted(p.relative_to(custom).as_posix() for p in custom.rglob("*")) == [
        "entity",
        "entity/model.py.j2",
        "prpgen-templates.json",
    ]
    model = custom / "entity/model.py.j2"
    model.write_text('"""Owned by the data team."""\n\n' + model.read_text())
    extra = custom / "entity/extra/app/events/{module}.py"
    extra.parent.mkdir(parents=True)
    extra.with_suffix(".py.j2").write_text(
        '"""Events of {{ entity.class_name }}."""\n\nCREATED = "{{ entity.table }}.created"\n'
    )

    plain, ours = tmp_path / "plain", tmp_path / "custom"
    assert run_cli("generate", str(SPEC), "--out", str(plain), "--name", "notes").returncode == 0
    result = run_cli("generate", str(SPEC), "--out", str(ours), "--name", "notes", "--templates", str(custom))
    assert result.returncode == 0, result.stderr
    assert (ours / "app/models/note.py").read_text().startswith('"""Owned by the data team."""\n\nimport')
    assert (ours / "app/events/note.py").read_text() == '"""Events of Note."""\n\nCREATED = "notes.created"\n'
    differing = {
        p for p, text in tree(ours).items() if not p.startswith((".prpgen/", "PRPs/")) and tree(plain).get(p) != text
    }
    assert differing == {"app/models/note.py", "app/events/note.py", "pyproject.toml"}
    # Remembered, relative to the project: a plain regeneration keeps using them.
    assert (ours / "pyproject.toml").read_text().endswith('\n[tool.prpgen]\ntemplates = "../ours"\n')
    assert run_cli("regenerate", "--project", str(ours)).returncode == 0
    assert (ours / "app/models/note.py").read_text().startswith('"""Owned by the data team."""')
    assert run_cli("regenerate", "--project", str(ours), "--check").returncode == 0


def test_the_project_setting_is_used_on_regeneration(tmp_path: Path) -> None:
    project = tmp_path / "notes"
    assert run_cli("generate", str(SPEC), "--out", str(project)).returncode == 0
    custom = project / "prpgen-templates"
    export(custom, "entity/schema.py.j2")
    schema = custom / "entity/schema.py.j2"
    schema.write_text("# House style.\n" + schema.read_text())
    with (project / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.prpgen]\ntemplates = "prpgen-templates"\n')
    result = run_cli("regenerate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert (project / "app/schemas/note.py").read_text().startswith("# House style.\n")
    # The setting, written as the README says, is what prpgen now writes itself: no drift.
    check = run_cli("regenerate", "--project", str(project), "--check")
    assert check.returncode == 0, check.stdout


def test_a_template_error_names_the_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    custom = tmp_path / "broken"
    export(custom, "entity/router.py.j2")
    router = custom / "entity/router.py.j2"
    lines = router.read_text().split("\n")
    lines[2] = "{{ entity.no_such_thing }}"
    router.write_text("\n".join(lines))
    out = tmp_path / "out"
    result = run_cli("generate", str(SPEC), "--out", str(out), "--templates", str(custom))
    assert result.returncode == 1
    assert (
        f"{router}:3: 'prpgen.generate.context.EntityContext object' has no attribute 'no_such_thing'" in result.stderr
    )
    assert not out.exists()

    lines[2] = "{% if %}"
    router.write_text("\n".join(lines))
    project = tmp_path / "notes"
    assert run_cli("generate", str(SPEC), "--out", str(project)).returncode == 0
    before = tree(project)
    result = run_cli("regenerate", "--project", str(project), "--templates", str(custom))
    assert result.returncode == 1
    assert f"{router}:3: template syntax error: Expected an expression" in result.stderr
    assert tree(project) == before


def test_export_refuses_to_overwrite_and_names_unknown_templates(tmp_path: Path) -> None:
    custom = tmp_path / "ours"
    export(custom)
    assert (custom / "project/app/main.py.j2").is_file()
    again = run_cli("templates", "export", str(custom), "entity/model.py.j2")
    assert again.returncode == 2
    assert "already has entity/model.py.j2" in again.stderr
    unknown = run_cli("templates", "export", str(tmp_path / "x"), "entity/modle.py.j2")
    assert unknown.returncode == 2
    assert "did you mean 'entity/model.py.j2'?" in unknown.stderr
    listed = run_cli("templates", "list").stdout.split()
    assert "entity/model.py.j2" in listed and "prp.md.j2" in listed


def test_diff_tells_whose_change_each_difference_is(tmp_path: Path) -> None:
    custom = tmp_path / "ours"
    export(custom, "entity/model.py.j2", "entity/schema.py.j2", "prp.md.j2")
    (custom / "entity/model.py.j2").write_text((custom / "entity/model.py.j2").read_text() + "# ours\n")
    # As if prpgen's prp.md.j2 had changed since the export: the recorded hash is of another text.
    record = json.loads((custom / "prpgen-templates.json").read_text())
    record["files"]["prp.md.j2"] = "0" * 64
    (custom / "prpgen-templates.json").write_text(json.dumps(record))
    (custom / "prp.md.j2").write_text("an older prp template\n")
    (custom / "entity/audit.py.j2").write_text("# ours only\n")
    result = run_cli("templates", "diff", str(custom))
    assert result.returncode == 0, result.stderr
    assert "+# ours" in result.stdout
    assert "  entity/model.py.j2: edited by you" in result.stdout
    assert "  entity/schema.py.j2: same as built in (delete it to follow prpgen)" in result.stdout
    assert "  prp.md.j2: edited by you and changed in prpgen since: merge by hand" in result.stdout
    assert "  entity/audit.py.j2: yours only (not a built-in template)" in result.stdout


@pytest.mark.postgres
def test_templates_test_runs_every_gate_with_the_vendored_set(tmp_path: Path, postgres_url: str) -> None:
    """The contract kit: a harmless override passes every gate; one that breaks typing fails, named."""
    custom = tmp_path / "ours"
    export(custom, "entity/service.py.j2")
    service = custom / "entity/service.py.j2"
    first_import = "from collections.abc import AsyncIterator"
    service.write_text(service.read_text().replace(first_import, f'"""Owned by the data team."""\n\n{first_import}'))
    url = create_database(postgres_url, "vendored")
    passed = run_cli("templates", "test", str(custom), str(SPEC), "--database-url", url)
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr
    assert "the templates in" in passed.stdout and "pass every gate on 1 spec(s)" in passed.stdout

    service.write_text(service.read_text() + "\n\ndef broken() -> int:\n    return 'not an int'\n")
    failed = run_cli("templates", "test", str(custom), str(SPEC), "--database-url", url)
    assert failed.returncode == 1
    assert "✗ mypy" in failed.stdout or "mypy" in failed.stdout
    assert "fail the gates on notes.toml" in failed.stderr


def test_the_documented_context_is_what_templates_receive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prpgen import generate, parse_spec
    from prpgen.generate.context_reference import VARIABLES, classes, describe
    from prpgen.generate.render import Renderer

    received: dict[str, set[str]] = {}
    original = Renderer.render

    def recording(self: Renderer, template: str, output: str, context: dict[str, object]) -> str:
        kind = next(key for key in VARIABLES if key.split(" ")[0].split("/")[0] in template.split("/")[0])
        received.setdefault(kind, set()).update(context)
        return original(self, template, output, context)

    monkeypatch.setattr(Renderer, "render", recording)
    spec = {
        "feature": "blog",
        "description": "Posts.",
        "entities": [{"name": "Post", "fields": {"title": {"type": "str"}}}, {"name": "Tag", "fields": {}}],
    }
    spec["entities"][1]["fields"] = {"label": {"type": "str"}, "post": {"type": "ref", "to": "Post"}}
    generate(parse_spec(spec, "blog.yaml"), tmp_path / "p", source="blog.yaml")
    spec["entities"][0]["fields"]["summary"] = {"type": "text", "required": False}
    generate(parse_spec(spec, "blog.yaml"), tmp_path / "p", source="blog.yaml")
    assert received == {kind: set(variables) for kind, variables in VARIABLES.items()}

    reference = describe()
    for cls in classes():
        assert f"## {cls.__name__}" in reference
    assert "| `class_name` | `str` | `'BlogPost'` |" in reference
    assert "| `module` | `str` | `'blog_post'` |" in reference
    assert "| `table` | `str` | `'blog_posts'` |" in reference
    assert run_cli("templates", "context").stdout.strip() == reference.strip()


def test_a_router_template_that_does_not_list_the_entities_is_refused(tmp_path: Path) -> None:
    """A copy from before the skeleton's router looped over `entities` (prpgen then added the
    lines itself) would drop every entity's routes on regeneration: an error, nothing written."""
    custom = tmp_path / "ours"
    export(custom, "project/app/api/router.py.j2")
    router = custom / "project/app/api/router.py.j2"
    router.write_text(
        "\n".join(line for line in router.read_text().splitlines() if "{%" not in line and "entity" not in line) + "\n"
    )
    result = run_cli("generate", str(SPEC), "--out", str(tmp_path / "p"), "--templates", str(custom))
    assert result.returncode != 0
    assert "project/app/api/router.py.j2 renders app/api/router.py without Note" in result.stderr
    assert "loop over `entities`" in result.stderr
    assert not (tmp_path / "p").exists()


TEAM_MODEL = (
    "from sqlalchemy.orm import Mapped, mapped_column\n\nfrom app.models.base import Base\n\n\n"
    'class {name}(Base):\n    __tablename__ = "{table}"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n'
)


@pytest.mark.parametrize("module", ["note", "team_note"])
def test_a_model_of_the_teams_skeleton_is_the_projects_too(tmp_path: Path, module: str) -> None:
    """A model the team's own skeleton adds is in the project before any feature: an entity of
    the same name is refused, whichever module the team put it in."""
    custom = tmp_path / "ours"
    (custom / "project/app/models").mkdir(parents=True)
    (custom / f"project/app/models/{module}.py.j2").write_text(TEAM_MODEL.format(name="Note", table="team_notes"))
    result = run_cli("generate", str(SPEC), "--out", str(tmp_path / "p"), "--templates", str(custom))
    assert result.returncode != 0
    assert "already has Note" in result.stderr, result.stderr
    assert not (tmp_path / "p").exists()


def test_a_reference_to_a_model_of_the_teams_skeleton_is_refused(tmp_path: Path) -> None:
    """prpgen cannot give a team's own model the relationship back, nor its tests a row of it:
    the reference is refused with why, where prpgen once patched the team's model."""
    custom = tmp_path / "ours"
    (custom / "project/app/models").mkdir(parents=True)
    (custom / "project/app/models/organization.py.j2").write_text(
        TEAM_MODEL.format(name="Organization", table="organizations")
    )
    spec = tmp_path / "projects.yaml"
    spec.write_text(
        "feature: projects\ndescription: Projects of an organization.\nentities:\n  - name: Project\n"
        "    fields:\n      title: str\n      organization: {type: ref, to: Organization}\n"
    )
    result = run_cli("generate", str(spec), "--out", str(tmp_path / "p"), "--templates", str(custom))
    assert result.returncode == 2, result.stderr
    assert "entities[0] (Project).fields.organization: refers to 'Organization', a model of the project's " in (
        result.stderr
    )
    assert not (tmp_path / "p").exists()


def test_a_template_that_renders_invalid_python_is_named(tmp_path: Path) -> None:
    """A slip in a team's template is reported with the template and the line, before anything
    is written, instead of surfacing when the project is imported."""
    custom = tmp_path / "ours"
    (custom / "entity").mkdir(parents=True)
    (custom / "entity/service.py.j2").write_text("class {{ entity.class_name }}Service:\n    def f(:\n        pass\n")
    result = run_cli("generate", str(SPEC), "--out", str(tmp_path / "p"), "--templates", str(custom))
    assert result.returncode == 1
    assert "entity/service.py.j2 renders app/services/note_service.py, which is not valid Python: line 2:" in (
        result.stderr
    )
    assert not (tmp_path / "p").exists()


def test_a_template_that_renders_python_newer_than_the_projects_is_named(tmp_path: Path) -> None:
    """`type X = int` parses on Python 3.12 (and ruff formats it), but the project runs on 3.11."""
    custom = tmp_path / "ours"
    (custom / "entity").mkdir(parents=True)
    (custom / "entity/service.py.j2").write_text(
        "type Rows = list[int]\n\n\nclass {{ entity.class_name }}Service: ...\n"
    )
    result = run_cli("generate", str(SPEC), "--out", str(tmp_path / "p"), "--templates", str(custom))
    assert result.returncode == 1
    assert "entity/service.py.j2 renders app/services/note_service.py, which is not valid Python: line 1:" in (
        result.stderr
    )
    assert "Python 3.11" in result.stderr
    assert not (tmp_path / "p").exists()


# Declarations and statements: what a template writes, never a value of its context.
CODE = re.compile(
    r"Mapped\[|mapped_column\(|= Field\(|__table_args__|pytest\.(param|mark)|Literal\[|current_user[:.]|user_id[:=]"
    r"|responses=|owned_by\(|deleted_at\.is_"
)
# The table shape carries the Alembic operations the migration template prints (`tables.py`).
NOT_WALKED = {"spec", "shape"}


def _strings(value: object, seen: set[int]) -> list[str]:
    """The text reachable from a context object: its fields and properties, the items of its
    tuples, lists and dicts, and what its methods return for each operation, each object once."""
    if isinstance(value, str):
        return [value]
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, tuple | list):
        return [text for item in value for text in _strings(item, seen)]
    if isinstance(value, dict):
        return [text for pair in value.items() for item in pair for text in _strings(item, seen)]
    if not dataclasses.is_dataclass(value):
        return []
    texts: list[str] = []
    names = [f.name for f in dataclasses.fields(value)]  # type: ignore[arg-type]
    for name, member in vars(type(value)).items():
        if isinstance(member, property):
            names.append(name)
        elif inspect.isfunction(member) and not name.startswith("_"):
            parameters = list(inspect.signature(member).parameters)[1:]
            operations = ["create", "list", "read", "update", "delete"]
            arguments = {"operation": operations, "route": [*operations, "nested", "restore"]}
            if len(parameters) == 1 and parameters[0] in arguments:
                for argument in arguments[parameters[0]]:
                    texts += _strings(getattr(value, name)(argument), seen)
    return texts + [text for name in names if name not in NOT_WALKED for text in _strings(getattr(value, name), seen)]


@pytest.mark.parametrize("example", sorted(p.name for p in [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("*.toml")]))
def test_the_context_carries_data_and_the_templates_write_the_code(example: str) -> None:
    """Item 3 of the redesign: a model's columns, a schema's fields, a route's parameters and a
    test's cases are written in the templates; the context gives names, types and flags."""
    from prpgen.generate.context import build_feature
    from prpgen.spec.feature import load_spec

    feature = build_feature(load_spec(EXAMPLES / example), example)
    for entity in feature.entities:
        texts = _strings(entity, set())
        assert len(texts) > 50
        code = [text for text in texts if CODE.search(text)]
        assert not code, f"{example} {entity.class_name}: the context carries code: {code[:3]}"

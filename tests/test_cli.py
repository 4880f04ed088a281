"""The CLI as users run it: a real `prpgen` process, real files, exit codes and messages."""

import json
import os
import stat
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import EXAMPLE_SPECS, EXAMPLES, Run, tree

Cli = Callable[..., Run]
SPEC = EXAMPLES / "blog.yaml"


def test_version_and_help(cli: Cli) -> None:
    assert cli("--version").stdout.startswith("prpgen ")
    assert cli("-V").stdout == cli("--version").stdout
    help_text = cli("--help").stdout
    assert cli("-h").stdout == help_text
    for command in ("init", "new-entity", "generate", "schema"):
        assert command in help_text
    assert "--install-completion" in help_text
    for command in ("init", "new-entity", "generate", "regenerate", "remove-entity", "verify", "schema"):
        short = cli(command, "-h")
        assert short.returncode == 0, short.stderr
        assert "Usage: prpgen " + command in " ".join(short.stdout.split())


def test_schema_prints_the_specs_json_schema(cli: Cli) -> None:
    result = cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Spec"
    assert "entities" in schema["properties"]
    # Every example is valid for an editor too: short forms (`starts_at: time`, `entity:`) included.
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLE_SPECS:
        text = path.read_text()
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
        assert [error.message for error in validator.iter_errors(data)] == [], path.name
    # An editor can show what every option means.
    objects = [schema, *schema["$defs"].values()]
    undescribed = [
        name for o in objects for name, option in o.get("properties", {}).items() if "description" not in option
    ]
    assert undescribed == []
    # And it still refuses what the spec refuses.
    assert list(validator.iter_errors({"feature": "x", "description": "y"}))
    assert list(
        validator.iter_errors({"feature": "x", "description": "y", "entity": {"name": "A", "fields": {"a": "strr"}}})
    )


def test_init_creates_a_project_and_refuses_a_non_empty_directory(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    result = cli("init", str(project))
    assert result.returncode == 0, result.stderr
    assert "initialized" in result.stdout
    assert (project / "app/main.py").is_file()
    assert (project / "alembic/versions/0001_create_users_table.py").is_file()
    assert 'name = "shop"' in (project / "pyproject.toml").read_text()
    before = tree(project)
    again = cli("init", str(project))
    assert again.returncode == 2
    assert "already exists and is not empty" in again.stderr
    assert tree(project) == before


@pytest.mark.parametrize("spelled", [".", "absolute"])
def test_init_writes_into_the_directory_it_is_run_in(cli: Cli, tmp_path: Path, spelled: str) -> None:
    """`prpgen init .` (or the same directory spelled out) fills it in place: it is neither
    replaced (a shell in it would be left in a deleted directory) nor given another mode; a
    `.git` already there is left alone."""
    project = tmp_path / "shop"
    project.mkdir(mode=0o755)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    inode = project.stat().st_ino
    target = "." if spelled == "." else str(project)
    result = cli("init", target, cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "app/main.py").is_file()
    assert 'name = "shop"' in (project / "pyproject.toml").read_text()
    assert project.stat().st_ino == inode
    assert stat.S_IMODE(project.stat().st_mode) == 0o755
    assert (project / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_a_new_project_directory_gets_the_umasks_mode(cli: Cli, tmp_path: Path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    project = tmp_path / "shop"
    assert cli("init", str(project)).returncode == 0
    assert stat.S_IMODE(project.stat().st_mode) == 0o777 & ~mask


def test_generate_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    result = cli("generate", str(SPEC), "--out", str(tmp_path / "blog"), "--dry-run")
    assert result.returncode == 0
    assert "create    app/models/post.py" in result.stdout
    assert "PRPs/blog-posts/prp.md" in result.stdout
    assert not (tmp_path / "blog").exists()


def test_new_entity_from_a_spec_and_inline(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    cli("init", str(project))
    result = cli("new-entity", "--spec", str(SPEC), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "7 files created" not in result.stdout
    # A later entity refers to one generated earlier: its model gains the other side.
    fields = ["--field", "label:str:unique", "--field", "post:ref:to=Post:on_delete=cascade"]
    inline = cli("new-entity", "Reaction", *fields, "--priority", "low", "--project", str(project))
    assert inline.returncode == 0, inline.stderr
    router = (project / "app/api/router.py").read_text()
    assert "from app.api.endpoints.posts import router as posts_router" in router
    assert "api_router.include_router(reactions_router)" in router
    models = (project / "app/models/__init__.py").read_text()
    assert "from app.models.reaction import Reaction as Reaction" in models
    post_model = (project / "app/models/post.py").read_text()
    assert 'reactions: Mapped[list["Reaction"]] = relationship(' in post_model
    assert "    from app.models.reaction import Reaction\n" in post_model
    versions = sorted(p.name for p in (project / "alembic/versions").glob("*.py"))
    assert versions == ["0001_create_users_table.py", "0002_blog_posts.py", "0003_reactions.py"]
    third = (project / "alembic/versions/0003_reactions.py").read_text()
    second = (project / "alembic/versions/0002_blog_posts.py").read_text()
    assert second.split('revision: str = "')[1][:12] in third
    assert '["posts.id"]' in third
    assert "pytestmark = pytest.mark.priority_low" in (project / "tests/api/test_reactions.py").read_text()
    assert (project / "PRPs/reactions/prp.md").is_file()


def test_a_reference_to_an_unknown_entity_names_both_sides(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    cli("generate", str(SPEC), "--out", str(project))
    before = tree(project)
    result = cli("new-entity", "Like", "--field", "post:ref:to=Pots", "--project", str(project))
    assert result.returncode == 2
    assert "refers to 'Pots', which is neither in the spec (Like) nor in the project" in result.stderr
    assert "(did you mean 'Post'?)" in result.stderr
    assert tree(project) == before


def test_an_entity_of_another_feature_is_refused(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "blog"
    cli("generate", str(SPEC), "--out", str(project))
    before = tree(project)
    result = cli("new-entity", "Post", "--field", "title:str", "--project", str(project))
    assert result.returncode == 2
    assert "the project already has Post from another feature" in result.stderr
    assert tree(project) == before


def test_new_entity_dry_run(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    cli("init", str(project))
    before = tree(project)
    result = cli("new-entity", "Tag", "--field", "label:str", "--project", str(project), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "update    app/api/router.py" in result.stdout
    assert "create    app/models/tag.py" in result.stdout
    assert tree(project) == before


def test_a_bad_spec_is_exit_2_with_located_errors_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("feature: x\ndescription: y\nentity:\n  name: Post\n  fields:\n    price: decimel\n")
    result = cli("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"{spec}: 1 problem in the spec" in result.stderr
    assert "entity (Post).fields.price.type: unknown type 'decimel' (did you mean 'decimal'?)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new-entity"], "give either --spec FILE or an entity NAME"),
        (["new-entity", "Tag"], "describe Tag's fields with --field"),
        (["new-entity", "--spec", "x.yaml", "--field", "a:str"], "cannot be combined with --spec"),
        (["new-entity", "Tag", "--field", "label"], "expected name:type"),
        (["new-entity", "--spec", "x.yaml", "--priority", "high"], "--priority and --feature go with --field"),
        (["new-entity", "--spec", "x.yaml", "--feature", "tags"], "--priority and --feature go with --field"),
    ],
)
def test_misused_options_are_explained(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_new_entity_outside_a_project(cli: Cli, tmp_path: Path) -> None:
    result = cli("new-entity", "Tag", "--field", "label:str", cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a prpgen project" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ('code: {type: str, max_length: 10, pattern: "^[a-z]+$", default: "ABC"}', "pattern '^[a-z]+$'"),
        ('"[x]": {type: str}', "field '[x]' must be"),
        ('colour: {type: enum, values: ["[red]a", "[red]a"]}', "enum value '[red]a' is listed twice"),
    ],
    ids=["pattern", "field-name", "enum-value"],
)
def test_the_users_words_are_printed_as_written(cli: Cli, tmp_path: Path, fields: str, shown: str) -> None:
    """Errors quote the spec; Rich must not read its brackets as markup (`[a-z]` vanished)."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(f"feature: shop\ndescription: A shop.\nentity:\n  name: Product\n  fields:\n    {fields}\n")
    result = cli("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert shown in result.stderr


@pytest.mark.parametrize("content", [None, "notes.txt"], ids=["empty", "unrelated-files"])
def test_templates_diff_on_a_directory_without_templates_says_so(cli: Cli, tmp_path: Path, content: str | None) -> None:
    directory = tmp_path / "mine"
    directory.mkdir()
    if content:
        (directory / content).write_text("hello\n")
    result = cli("templates", "diff", str(directory))
    assert result.returncode == 2
    assert "holds none of prpgen's templates" in result.stderr
    assert "prpgen templates export" in result.stderr


def test_a_reference_error_carries_its_spec_line(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "likes.yaml"
    spec.write_text(
        "feature: likes\ndescription: Likes.\nentities:\n  - name: Like\n    fields:\n"
        "      note: str\n      post: {type: ref, to: Pots}\n"
    )
    result = cli("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "line 7: entities[0] (Like).fields.post: refers to 'Pots'" in result.stderr


def test_problems_of_every_kind_are_reported_at_once(cli: Cli, tmp_path: Path) -> None:
    """A field's type, an access rule and a field's name, all wrong: one run names all three."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        "feature: shop\ndescription: A shop.\nentities:\n"
        "  - name: Product\n    owned: false\n    access: {update: owner}\n    fields:\n"
        "      price: decimel\n      created_at: str\n"
    )
    result = cli("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown type 'decimel'" in result.stderr
    assert "'owner' needs an owned entity" in result.stderr
    assert "field 'created_at' clashes with a column" in result.stderr


def test_a_template_that_renders_invalid_python_is_refused_before_anything_is_written(cli: Cli, tmp_path: Path) -> None:
    templates = tmp_path / "mine"
    (templates / "entity").mkdir(parents=True)
    (templates / "entity" / "model.py.j2").write_text(
        "from app.models.base import Base\n\n\nclass {{ entity.class_name }}(Base:\n    pass\n"
    )
    out = tmp_path / "out"
    result = cli("generate", str(SPEC), "--out", str(out), "--templates", str(templates))
    assert result.returncode == 1
    assert "entity/model.py.j2" in result.stderr
    assert "line 4" in result.stderr
    assert "app/models/category.py" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("first name:str", "field 'first name' must be"),
        ("pages:int:ge=abc", "--field 'pages:int:ge=abc': ge must be a number, not 'abc'"),
    ],
    ids=["name-with-a-space", "bound-not-a-number"],
)
def test_an_inline_field_is_checked_like_a_spec_field(cli: Cli, tmp_path: Path, field: str, message: str) -> None:
    project = tmp_path / "shop"
    cli("init", str(project))
    before = tree(project)
    result = cli("new-entity", "Book", "--field", field, "--project", str(project))
    assert result.returncode == 2
    assert message in result.stderr
    assert "pydantic" not in result.stderr and "errors.pydantic.dev" not in result.stderr
    assert tree(project) == before


def test_an_inline_pattern_may_hold_a_colon(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    cli("init", str(project))
    result = cli("new-entity", "Slot", "--field", r"at:str:pattern=^\d\d\:\d\d$", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert 'pattern="^\\\\d\\\\d:\\\\d\\\\d$"' in (project / "app" / "schemas" / "slot.py").read_text()


def test_help_shows_text_in_brackets(cli: Cli) -> None:
    assert "[tool.prpgen] templates" in " ".join(cli("generate", "--help").stdout.split())


def test_a_prp_changes_only_when_its_feature_does(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "blog"
    cli("generate", str(SPEC), "--out", str(project))
    prp = project / "PRPs" / "blog-posts" / "prp.md"
    before = prp.read_text()
    result = cli("new-entity", "Like", "--field", "note:str", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert (project / "app" / "models" / "like.py").is_file()
    assert prp.read_text() == before
    # The new feature's PRP shows its own files beside the project's skeleton.
    likes = (project / "PRPs" / "likes" / "prp.md").read_text()
    assert "like.py" in likes
    assert "post.py" not in likes


def test_commands_find_the_project_from_any_subdirectory(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "blog"
    cli("generate", str(SPEC), "--out", str(project))
    inside = project / "app" / "models"
    assert cli("regenerate", "--check", cwd=inside).returncode == 0
    result = cli("new-entity", "Like", "--field", "note:str", cwd=inside)
    assert result.returncode == 0, result.stderr
    assert (project / "app" / "models" / "like.py").is_file()
    assert not (inside / "app").exists()
    assert cli("regenerate", "--check", cwd=project / "tests").returncode == 0


def test_a_dry_run_lists_what_changes_and_counts_the_rest(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "blog.yaml"
    spec.write_text(SPEC.read_text())
    project = tmp_path / "blog"
    cli("generate", str(spec), "--out", str(project))
    spec.write_text(SPEC.read_text().replace("description: ", "description: Now ", 1))
    result = cli("generate", str(spec), "--out", str(project), "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  update    PRPs/blog-posts/prp.md" in lines
    assert not [line for line in lines if line.startswith("  unchanged ")]
    assert any(line.startswith("  unchanged: ") and line.endswith(" files (--verbose lists them)") for line in lines)
    verbose = cli("generate", str(spec), "--out", str(project), "--dry-run", "--verbose").stdout
    assert "  unchanged app/models/post.py" in verbose.splitlines()
    # Counts read as English.
    written = cli("generate", str(spec), "--out", str(project))
    assert written.stdout == f"generated {project}: 1 file updated\n"


def test_quiet_prints_nothing_but_problems(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "blog"
    result = cli("generate", str(SPEC), "--out", str(project), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (project / "app" / "main.py").is_file()


@pytest.mark.parametrize(("no_color", "colored"), [(None, True), ("1", False)], ids=["colors", "NO_COLOR"])
def test_plan_actions_are_colored_unless_no_color(tmp_path: Path, no_color: str | None, colored: bool) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env |= {"FORCE_COLOR": "1", "COLUMNS": "200"} | ({"NO_COLOR": no_color} if no_color else {})
    result = subprocess.run(
        [sys.executable, "-m", "prpgen", "generate", str(SPEC), "--out", str(tmp_path / "b"), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # NO_COLOR turns colors off (dim and bold may stay: https://no-color.org).
    assert ("\x1b[32mcreate" in result.stdout) is colored
    assert "app/models/post.py" in result.stdout


def test_status_shows_features_entities_fields_and_drift(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "blog"
    cli("generate", str(SPEC), "--out", str(project))
    result = cli("status", cwd=project / "app")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "project blog: 1 feature, 4 entities"
    assert f"feature blog-posts (priority high, spec {os.path.relpath(SPEC, project)})" in lines
    post = next(line for line in lines if line.strip().startswith("Post "))
    assert "title: str" in post and "category: ref → Category" in post and "tags: ref_many → Tag" in post
    assert lines[-1] == "in sync with its specs"
    (project / "app" / "models" / "tag.py").write_text("# mine\n")
    drifted = cli("status", "--project", str(project))
    assert drifted.returncode == 0, drifted.stderr
    assert "1 file differs from what the specs generate (prpgen regenerate --diff shows how):" in drifted.stdout
    assert "  app/models/tag.py" in drifted.stdout.splitlines()


def test_every_command_has_examples_in_its_help(cli: Cli) -> None:
    commands = [
        ["init"], ["new-entity"], ["generate"], ["regenerate"], ["remove-entity"], ["status"], ["verify"],
        ["schema"], ["templates", "list"], ["templates", "context"], ["templates", "export"],
        ["templates", "diff"], ["templates", "test"],
    ]  # fmt: skip
    for command in commands:
        shown = " ".join(cli(*command, "--help").stdout.split())
        assert "Examples:" in shown, command
        assert f"prpgen {' '.join(command)}" in shown.split("Examples:", 1)[1], command


def test_readme_command_reference_matches_the_help() -> None:
    from tests.cli_reference import README, reference, section

    assert section(README.read_text(encoding="utf-8")) == reference(), "run `make readme`"


def test_a_reference_problem_is_reported_with_the_field_problems(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "likes.yaml"
    spec.write_text(
        "feature: likes\ndescription: Likes.\nentities:\n  - name: Like\n    fields:\n"
        "      note: strr\n      post: {type: ref, to: Pots}\n"
    )
    result = cli("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown type 'strr'" in result.stderr
    assert "line 7: entities[0] (Like).fields.post: refers to 'Pots'" in result.stderr
    # In a project, entities of its other features are known: a reference to one is no problem.
    project = tmp_path / "blog"
    cli("generate", str(SPEC), "--out", str(project))
    spec.write_text(spec.read_text().replace("Pots", "Post"))
    result = cli("new-entity", "--spec", str(spec), "--project", str(project))
    assert result.returncode == 2
    assert "unknown type 'strr'" in result.stderr
    assert "refers to" not in result.stderr

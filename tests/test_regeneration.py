"""Regenerating a project never loses work: no-op reruns, updates, three-way merges, conflicts and
their flags, dry runs, all-or-nothing writes, `--check`, `remove-entity`; all through the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, run_cli, tree

Cli = Callable[..., Run]

SPEC = """\
feature: reading-list
description: Books a reader wants to read.
entities:
  - name: Book
    fields:
      title: {type: str, max_length: 200}
      author: {type: str, max_length: 120, required: false}
      pages: {type: int, ge: 1, required: false}
  - name: Quote
    fields:
      text: {type: text}
      book: {type: ref, to: Book}
"""


def write_spec(directory: Path, text: str = SPEC, name: str = "reading.yaml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "reading"
    result = run_cli("generate", str(write_spec(tmp_path)), "--out", str(root))
    assert result.returncode == 0, result.stderr
    return root


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_rerunning_the_same_spec_is_a_no_op(project: Path, tmp_path: Path) -> None:
    before, stamps = tree(project), mtimes(project)
    spec = str(tmp_path / "reading.yaml")
    for args in (("generate", spec, "--out", str(project)), ("new-entity", "--spec", spec, "--project", str(project))):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert ": no file changed" in result.stdout
    assert run_cli("regenerate", "--project", str(project)).returncode == 0
    assert tree(project) == before
    assert mtimes(project) == stamps  # nothing was even rewritten


def test_a_changed_spec_updates_untouched_files_and_merges_edited_ones(project: Path, tmp_path: Path) -> None:
    schemas = project / "app/schemas/book.py"
    schemas.write_text(schemas.read_text() + "\n\ndef shelf_label(title: str) -> str:\n    return title.upper()\n")
    spec = write_spec(tmp_path, SPEC.replace("max_length: 120", "max_length: 150"))
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 0, result.stderr
    assert "merged    app/schemas/book.py  (your edits kept)" in result.stdout
    assert "def shelf_label" in schemas.read_text()
    assert "max_length=150" in schemas.read_text()
    assert "String(150)" in (project / "app/models/book.py").read_text()
    assert (project / "alembic/versions/0003_reading_list__update.py").is_file()
    # The merged file is the new record's base: running again changes nothing and keeps the edit.
    again = run_cli("generate", str(spec), "--out", str(project))
    assert ": no file changed" in again.stdout
    assert "def shelf_label" in schemas.read_text()


def conflicting(project: Path, tmp_path: Path) -> tuple[Path, str, Path]:
    """An edit on the very line the new spec changes."""
    model = project / "app/models/book.py"
    mine = model.read_text().replace("String(120)", "String(130)")
    model.write_text(mine)
    return model, mine, write_spec(tmp_path, SPEC.replace("max_length: 120", "max_length: 150"))


def test_a_conflict_stops_before_anything_is_written(project: Path, tmp_path: Path) -> None:
    _, _, spec = conflicting(project, tmp_path)
    before = tree(project)
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 2
    assert "app/models/book.py: 1 merge conflict with your edits" in result.stderr
    assert "--skip-conflicts" in result.stderr and "--force" in result.stderr
    assert tree(project) == before


def test_diff_shows_the_conflict(project: Path, tmp_path: Path) -> None:
    _, _, spec = conflicting(project, tmp_path)
    before = tree(project)
    result = run_cli("generate", str(spec), "--out", str(project), "--diff")
    assert result.returncode == 2, result.stderr  # the write would stop at the conflict
    assert tree(project) == before  # a preview, like `ruff format --diff`
    assert "diff: a preview; nothing written" in result.stdout
    assert "--- app/models/book.py (on disk)\n+++ app/models/book.py (to be written)" in result.stdout
    assert "+<<<<<<< app/models/book.py (yours)" in result.stdout
    with_plan = run_cli("generate", str(spec), "--out", str(project), "--diff", "--dry-run")
    assert "conflict  app/models/book.py  (1 merge conflict with your edits)" in with_plan.stdout


def test_diff_previews_a_clean_change_without_writing(project: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SPEC.replace("max_length: 200", "max_length: 250"))
    before = tree(project)
    result = run_cli("generate", str(spec), "--out", str(project), "--diff")
    assert result.returncode == 0, result.stderr
    assert "+    title: Mapped[str] = mapped_column(String(250))" in result.stdout
    assert tree(project) == before


def test_skip_conflicts_keeps_yours_and_writes_the_rest(project: Path, tmp_path: Path) -> None:
    model, mine, spec = conflicting(project, tmp_path)
    result = run_cli("generate", str(spec), "--out", str(project), "--skip-conflicts")
    assert result.returncode == 0, result.stderr
    assert "kept      app/models/book.py  (kept yours: 1 merge conflict with your edits)" in result.stdout
    assert model.read_text() == mine
    assert "max_length=150" in (project / "app/schemas/book.py").read_text()


def test_a_skipped_conflict_stays_pending_until_merged_or_forced(project: Path, tmp_path: Path) -> None:
    """--skip-conflicts keeps yours for now: later runs (and --check) still show prpgen's skipped
    change as a conflict, and --force still brings it."""
    model, mine, spec = conflicting(project, tmp_path)
    assert run_cli("generate", str(spec), "--out", str(project), "--skip-conflicts").returncode == 0
    again = run_cli("generate", str(spec), "--out", str(project))
    assert again.returncode == 2
    assert "app/models/book.py: 1 merge conflict with your edits" in again.stderr
    check = run_cli("generate", str(spec), "--out", str(project), "--check")
    assert check.returncode == 1
    assert "app/models/book.py" in check.stdout
    assert model.read_text() == mine
    forced = run_cli("generate", str(spec), "--out", str(project), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "String(150)" in model.read_text()
    assert run_cli("generate", str(spec), "--out", str(project), "--check").returncode == 0


def test_force_overwrites_yours(project: Path, tmp_path: Path) -> None:
    model, _, spec = conflicting(project, tmp_path)
    result = run_cli("generate", str(spec), "--out", str(project), "--force")
    assert result.returncode == 0, result.stderr
    assert "String(150)" in model.read_text() and "String(130)" not in model.read_text()


def test_dry_run_prints_the_plan_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    (project / "app/models/quote.py").write_text("# mine\n")
    spec = write_spec(tmp_path, SPEC + "      page: {type: int, required: false}\n")
    before = tree(project)
    result = run_cli("generate", str(spec), "--out", str(project), "--dry-run")
    assert result.returncode == 2, result.stderr  # the plan has a conflict
    lines = result.stdout.splitlines()
    assert "  unchanged app/models/book.py" not in lines  # counted, not listed
    assert any(line.startswith("  unchanged: ") for line in lines)
    assert "  update    app/schemas/quote.py" in lines
    assert "  create    alembic/versions/0003_reading_list__update.py" in lines
    assert "  conflict  app/models/quote.py  (1 merge conflict with your edits)" in lines
    assert lines[-1].startswith("dry run: nothing written")
    assert tree(project) == before


def test_a_write_failing_half_way_leaves_the_project_as_it_was(project: Path, tmp_path: Path) -> None:
    """The third file renamed into place fails (a full disk, say), or a Ctrl-C arrives there."""
    spec = write_spec(tmp_path, SPEC.replace("max_length: 200", "max_length: 250"))
    before = tree(project)
    expected = {"OSError('No space left on device')": 1, "KeyboardInterrupt()": 130}
    for failure, exit_code in expected.items():
        script = f"""
import pathlib, sys
original = pathlib.Path.replace
calls = []
def replace(self, target):
    calls.append(target)
    if len(calls) == 3:
        raise {failure}
    return original(self, target)
pathlib.Path.replace = replace
from prpgen.cli import app
sys.argv = ["prpgen", "generate", {str(spec)!r}, "--out", {str(project)!r}]
app()
"""
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        assert result.returncode == exit_code, result.stderr
        if exit_code == 1:
            assert "No space left on device); nothing was changed" in result.stderr
        assert tree(project) == before
        assert not [p for p in project.rglob("*.prpgen") if p.is_file()]  # no temporary file left
    # And with nothing failing, the same run goes through.
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    assert tree(project) != before


def test_check_exits_1_with_a_diff_on_drift_and_0_in_sync(project: Path, tmp_path: Path) -> None:
    spec = tmp_path / "reading.yaml"
    in_sync = run_cli("generate", str(spec), "--out", str(project), "--check")
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    assert "in sync" in in_sync.stdout

    router = project / "app/api/endpoints/books.py"
    router.write_text(router.read_text().replace("status.HTTP_201_CREATED", "status.HTTP_200_OK"))
    before = tree(project)
    drifted = run_cli("generate", str(spec), "--out", str(project), "--check")
    assert drifted.returncode == 1
    assert "-    PATH, status_code=status.HTTP_200_OK," in drifted.stdout
    assert "+    PATH, status_code=status.HTTP_201_CREATED," in drifted.stdout
    assert "--- app/api/endpoints/books.py (on disk)\n+++ app/api/endpoints/books.py (generated)" in drifted.stdout
    assert "differs from what its spec generates in 1 file:\n  app/api/endpoints/books.py" in drifted.stdout
    assert tree(project) == before

    changed = write_spec(tmp_path, SPEC.replace("max_length: 200", "max_length: 250"), "changed.yaml")
    result = run_cli("new-entity", "--spec", str(changed), "--project", str(project), "--check")
    assert result.returncode == 1
    assert "alembic/versions/0003_reading_list__update.py" in result.stdout


def test_output_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    trees = []
    for seed in ("0", "977"):
        out = tmp_path / seed / "reading"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "prpgen", "generate", str(spec), "--out", str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        trees.append(tree(out))
    assert trees[0] == trees[1]


def test_remove_entity_undoes_it(project: Path) -> None:
    refused = run_cli("remove-entity", "Book", "--project", str(project))
    assert refused.returncode == 2
    assert "Book is referred to by Quote.book; remove that reference first" in refused.stderr

    result = run_cli("remove-entity", "Quote", "--project", str(project), "--allow-destructive")
    assert result.returncode == 0, result.stderr
    assert not (project / "app/models/quote.py").exists()
    assert not (project / "tests/api/test_quotes.py").exists()
    assert "quote" not in (project / "app/api/router.py").read_text()
    assert "Quote" not in (project / "app/models/__init__.py").read_text()
    assert "quotes" not in (project / "app/models/book.py").read_text()  # the inverse relationship
    drop = (project / "alembic/versions/0003_reading_list__update.py").read_text()
    assert 'op.drop_table("quotes")' in drop.split("def downgrade")[0]
    assert "op.create_table(" in drop.split("def downgrade")[1]


def test_remove_entity_refuses_where_you_edited(project: Path) -> None:
    tests = project / "tests/api/test_quotes.py"
    tests.write_text(tests.read_text() + "\n# my extra case\n")
    before = tree(project)
    result = run_cli("remove-entity", "Quote", "--project", str(project), "--allow-destructive")
    assert result.returncode == 2
    assert "tests/api/test_quotes.py: you edited it; prpgen no longer generates it" in result.stderr
    assert tree(project) == before
    kept = run_cli("remove-entity", "Quote", "--project", str(project), "--skip-conflicts", "--allow-destructive")
    assert kept.returncode == 0, kept.stderr
    assert tests.is_file() and not (project / "app/models/quote.py").exists()


def test_unknown_entity_and_unrecorded_project(project: Path) -> None:
    result = run_cli("remove-entity", "Bok", "--project", str(project))
    assert result.returncode == 2
    assert "no entity Bok (did you mean 'Book'?)" in result.stderr
    (project / ".prpgen/manifest.json").unlink()
    result = run_cli("new-entity", "Tag", "--field", "label:str", "--project", str(project))
    assert result.returncode == 2
    assert "has no .prpgen/manifest.json" in result.stderr


def test_a_new_required_field_without_a_default_is_refused(project: Path, tmp_path: Path) -> None:
    """Rows already in `books` could not get a value: the error says so and what to do instead."""
    spec = write_spec(tmp_path, SPEC.replace("      pages:", "      isbn: {type: str, max_length: 13}\n      pages:"))
    before = tree(project)
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 2
    assert f"{spec}: 1 problem in the spec" in result.stderr
    assert "entities[0] (Book).fields.isbn: books already exists and its rows would have no isbn; give the field a" in (
        result.stderr.replace("\n", " ")
    )
    assert tree(project) == before


def test_removing_a_features_last_entity_removes_the_feature(project: Path) -> None:
    for name in ("Quote", "Book"):
        result = run_cli("remove-entity", name, "--project", str(project), "--allow-destructive")
        assert result.returncode == 0, result.stderr
    assert not (project / "PRPs").exists()
    assert not list((project / "app/models").glob("book*.py"))
    versions = sorted(p.name for p in (project / "alembic/versions").glob("*.py"))
    assert versions == [
        "0001_create_users_table.py",
        "0002_reading_list.py",
        "0003_reading_list__update.py",
        "0004_reading_list__remove.py",
    ]
    removal = (project / "alembic/versions/0004_reading_list__remove.py").read_text()
    assert 'op.drop_table("books")' in removal.split("def downgrade")[0]
    assert '"features": []' in (project / ".prpgen/manifest.json").read_text()


def test_owning_an_existing_shared_table_is_refused(tmp_path: Path) -> None:
    shared = SPEC.replace("  - name: Book\n", "  - name: Book\n    owned: false\n")
    project = tmp_path / "reading"
    assert run_cli("generate", str(write_spec(tmp_path, shared)), "--out", str(project)).returncode == 0
    result = run_cli("generate", str(write_spec(tmp_path)), "--out", str(project))
    assert result.returncode == 2
    assert "entities[0] (Book): books already exists and its rows would have no user_id; keep the old" in (
        result.stderr.replace("\n", " ")
    )


def test_a_router_registered_by_hand_survives_adding_entities(project: Path) -> None:
    """The most common edit of a generated file: a router of one's own, imported and included."""
    (project / "app/api/endpoints/reports.py").write_text("from fastapi import APIRouter\n\nrouter = APIRouter()\n")
    registry = project / "app/api/router.py"
    text = registry.read_text().replace(
        "from app.api.endpoints.books",
        "from app.api.endpoints.reports import router as reports_router\nfrom app.api.endpoints.books",
    )
    registry.write_text(text + "api_router.include_router(reports_router)\n")
    result = run_cli("new-entity", "Shelf", "--field", "label:str", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert "merged    app/api/router.py  (your edits kept)" in result.stdout
    merged = registry.read_text()
    assert merged.endswith("api_router.include_router(reports_router)\n")
    assert "api_router.include_router(shelves_router)" in merged


def test_unique_per_owner_and_global_migrate_into_each_other(tmp_path: Path) -> None:
    """`unique: global` on an owned entity is one constraint over the column; `unique: true`
    one over (user_id, column). Changing one into the other swaps them, both ways."""
    global_spec = SPEC.replace("      pages:", "      isbn: {type: str, max_length: 13, unique: global}\n      pages:")
    root = tmp_path / "reading"
    assert run_cli("generate", str(write_spec(tmp_path, global_spec)), "--out", str(root)).returncode == 0
    first = (root / "alembic/versions/0002_reading_list.py").read_text()
    assert 'sa.UniqueConstraint("isbn", name=op.f("uq_books_isbn"))' in first
    per_owner = write_spec(tmp_path, global_spec.replace("unique: global", "unique: true"))
    assert run_cli("generate", str(per_owner), "--out", str(root)).returncode == 0
    change = (root / "alembic/versions/0003_reading_list__update.py").read_text()
    # Compared without layout: the formatter decides where calls break.
    upgrade, downgrade = (re.sub(r"\s+", "", part).replace(",)", ")") for part in change.split("def downgrade"))
    drop = 'op.drop_constraint(op.f("uq_books_isbn"),"books",type_="unique")'
    add = 'op.create_unique_constraint(op.f("uq_books_user_id_isbn"),"books",["user_id","isbn"])'
    assert drop in upgrade
    assert add in upgrade
    assert upgrade.index(drop) < upgrade.index(add)
    assert 'op.drop_constraint(op.f("uq_books_user_id_isbn"),"books",type_="unique")' in downgrade
    assert 'op.create_unique_constraint(op.f("uq_books_isbn"),"books",["isbn"])' in downgrade


def test_dropping_or_narrowing_needs_consent(project: Path, tmp_path: Path) -> None:
    """A spec that loses a field or an entity, or narrows a column, would write a migration that
    destroys data: refused with what would go (exit 2, nothing written) until --allow-destructive."""
    narrower = SPEC.replace("max_length: 200", "max_length: 100")
    shrunk = narrower.replace("      author: {type: str, max_length: 120, required: false}\n", "")
    spec = write_spec(tmp_path, shrunk[: shrunk.index("  - name: Quote")])
    before = tree(project)
    for flags in ((), ("--dry-run",)):
        result = run_cli("generate", str(spec), "--out", str(project), *flags)
        assert result.returncode == 2, result.stdout + result.stderr
        warning = " ".join(result.stderr.split())
        assert "the new migration destroys data (3):" in warning
        assert "- column books.author" in warning
        assert "- column books.title narrowed from sa.String(length=200) to sa.String(length=100)" in warning
        assert "- table quotes (every row)" in warning
        assert "--allow-destructive" in warning
        assert tree(project) == before
    allowed = run_cli("generate", str(spec), "--out", str(project), "--allow-destructive")
    assert allowed.returncode == 0, allowed.stderr
    change = (project / "alembic/versions/0003_reading_list__update.py").read_text()
    assert 'op.drop_column("books", "author")' in change
    assert 'op.drop_table("quotes")' in change
    # Recorded: the next run has nothing to destroy, and asks nothing.
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0


def test_widening_a_column_needs_no_consent(project: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SPEC.replace("max_length: 200", "max_length: 250"))
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 0, result.stderr
    assert "destroys" not in result.stderr


def test_the_record_does_not_depend_on_where_the_command_runs(tmp_path: Path) -> None:
    """`catalog.yaml` from one directory and `../catalog.yaml` from another are the same spec."""
    write_spec(tmp_path, SPEC, "catalog.yaml")
    assert run_cli("generate", "catalog.yaml", "--out", "shop", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    check = run_cli("generate", "../catalog.yaml", "--out", ".", "--check", cwd=project)
    assert check.returncode == 0, check.stdout
    again = run_cli("new-entity", "--spec", str(tmp_path / "catalog.yaml"), "--project", str(project), "--check")
    assert again.returncode == 0, again.stdout


def test_a_project_migrated_before_trigram_indexes_gets_a_migration_for_them(tmp_path: Path) -> None:
    """prpgen now shapes a searchable field's table with a trigram index. A project whose
    migrations were written before (its manifest records no table shapes) gets a migration that
    creates the extension and the index, though its spec is unchanged; then nothing more."""
    spec = write_spec(
        tmp_path,
        SPEC.replace("title: {type: str, max_length: 200}", "title: {type: str, max_length: 200, searchable: true}"),
    )
    project = tmp_path / "reading"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    manifest = project / ".prpgen/manifest.json"
    assert '"shapes": 2' in manifest.read_text()
    # As an older prpgen left it: no shapes recorded, and no trigram index in its migration.
    manifest.write_text(manifest.read_text().replace('  "shapes": 2,\n', ""))
    first = project / "alembic/versions/0002_reading_list.py"
    text = first.read_text()
    text = re.sub(r'    op.execute\("CREATE EXTENSION IF NOT EXISTS pg_trgm"\)\n', "", text)
    text = re.sub(r"    op.create_index\(\n        op.f\(\"ix_books_title_trgm\"\),.*?\n    \)\n", "", text, flags=re.S)
    text = re.sub(r'    op.drop_index\(op.f\("ix_books_title_trgm"\), table_name="books"\)\n', "", text)
    assert "trgm" not in text
    first.write_text(text)

    result = run_cli("regenerate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    catch_up = (project / "alembic/versions/0003_reading_list__update.py").read_text()
    upgrade, downgrade = catch_up.split("def downgrade")
    assert 'op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")' in upgrade
    assert 'op.f("ix_books_title_trgm")' in upgrade and "gin_trgm_ops" in upgrade
    assert 'op.drop_index(op.f("ix_books_title_trgm"), table_name="books")' in downgrade
    assert '"shapes": 2' in manifest.read_text()
    assert first.read_text() == text  # the migrations written before stay as they are
    again = run_cli("regenerate", "--project", str(project))
    assert again.returncode == 0 and ": no file changed" in again.stdout, again.stdout

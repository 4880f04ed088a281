"""The `prpgen` command: a thin Typer layer over the pipeline. Only this module prints or exits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from prpgen import __version__

if TYPE_CHECKING:
    from prpgen.pipeline import Outcome

app = typer.Typer(
    help="Generate async FastAPI + SQLAlchemy backends and their PRPs from feature specs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

DryRun = Annotated[bool, typer.Option("--dry-run", help="Print what would be written and write nothing.")]


def _run(action: Callable[[], T]) -> T:
    """Call the library; turn its errors into a message on stderr and the error's exit code."""
    from prpgen.errors import PrpgenError

    try:
        return action()
    except PrpgenError as exc:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {exc.message}", markup=True, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def _report(outcome: Outcome, verb: str, dry_run: bool) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    if dry_run:
        for change in outcome.changes:
            console.print(f"  {change.action:<9} {change.path}", markup=False)
        console.print(f"dry run: nothing written to {outcome.root}", markup=False)
        return
    created, updated = outcome.count("create"), outcome.count("update")
    console.print(f"{verb} {outcome.root}: {created} files created, {updated} updated", markup=False)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where the new project goes (created if missing; must be empty).")],
    name: Annotated[str | None, typer.Option(help="Project name; defaults to the directory's name.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a new backend project: users, JWT auth, Alembic and a test suite."""
    from prpgen.pipeline import init_project

    outcome = _run(lambda: init_project(directory, name=name, dry_run=dry_run))
    _report(outcome, "initialized", dry_run)
    if not dry_run:
        typer.echo(f"next: cd {directory} && prpgen new-entity --spec SPEC.yaml")


@app.command("new-entity")
def new_entity(
    name: Annotated[
        str | None, typer.Argument(help="Entity name, when described with --field instead of --spec.")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="A spec file (YAML, TOML or JSON) with one or more entities.")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(help="name:type[:option...], e.g. price:decimal:ge=0 or status:enum:values=a|b. Repeatable."),
    ] = None,
    priority: Annotated[str, typer.Option(help="low, medium, high or critical (with --field).")] = "medium",
    feature: Annotated[
        str | None, typer.Option(help="Feature name (with --field); defaults to the plural entity name.")
    ] = None,
    project: Annotated[Path, typer.Option(help="The project to add to.")] = Path(),
    dry_run: DryRun = False,
) -> None:
    """Add entities (model, schemas, service, router, migration, tests, PRP) to a project."""
    from prpgen.pipeline import add_entities
    from prpgen.spec import inline_spec, load_spec

    if (spec is None) == (name is None):
        _fail("give either --spec FILE or an entity NAME with --field options")
    if spec is not None and field:
        _fail("--field describes an inline entity; it cannot be combined with --spec")
    if name is not None and not field:
        _fail(f"describe {name}'s fields with --field name:type (repeatable)")
    source = str(spec) if spec is not None else "command line"
    loaded = _run(
        lambda: (
            load_spec(spec)
            if spec is not None
            else inline_spec(name or "", field or [], priority=priority, feature=feature)
        )
    )
    outcome = _run(lambda: add_entities(loaded, project, source=source, dry_run=dry_run))
    _report(outcome, "updated", dry_run)


@app.command()
def generate(
    spec: Annotated[Path, typer.Argument(help="The spec file (YAML, TOML or JSON).")],
    out: Annotated[Path, typer.Option(help="Directory of the new project (must be empty or missing).")],
    name: Annotated[str | None, typer.Option(help="Project name; defaults to the directory's name.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a project and add every entity of SPEC in one step (what CI uses)."""
    from prpgen.pipeline import generate as run_generate
    from prpgen.spec import load_spec

    loaded = _run(lambda: load_spec(spec))
    outcome = _run(lambda: run_generate(loaded, out, source=str(spec), name=name, dry_run=dry_run))
    _report(outcome, "generated", dry_run)


@app.command()
def verify(
    project: Annotated[Path, typer.Argument(help="The generated project to check.")] = Path(),
    json_report: Annotated[Path | None, typer.Option("--json", help="Also write the results as JSON.")] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="Run only these gates (repeatable or comma-separated).")
    ] = None,
    skip: Annotated[list[str] | None, typer.Option(help="Skip these gates (repeatable or comma-separated).")] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Use this (scratch!) database instead of a throwaway PostgreSQL; it is migrated down and up."
        ),
    ] = None,
    python: Annotated[str | None, typer.Option(help="Interpreter with the project's dependencies.")] = None,
) -> None:
    """Run the PRP's quality gates for real and tick the PRP's checklists with the results."""
    from prpgen.verify_cli import run_verify

    raise typer.Exit(run_verify(project, json_report, _split(only), _split(skip), database_url, python))


def _split(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


@app.command()
def schema() -> None:
    """Print the spec's JSON Schema (for editor completion and validation)."""
    from prpgen.spec import Spec

    typer.echo(json.dumps(Spec.model_json_schema(), indent=2))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prpgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """prpgen turns a feature spec into an async FastAPI backend and its PRP."""


def _fail(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)

"""The `prpgen` command: a thin Typer layer over the pipeline. Only this module prints or exits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from prpgen import __version__
from prpgen.errors import PrpgenError, UsageError

if TYPE_CHECKING:
    from prpgen.regenerate.pipeline import Outcome


class _Commands(TyperGroup):
    """The one place an error becomes output: prpgen's errors (`errors.py`, from the library or
    from a command's own checks) print their message on stderr and exit with their code."""

    # `ctx` is the Context of typer's own copy of click, which typer does not export.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PrpgenError as exc:
            _error(exc.message)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Commands,
    help="Generate async FastAPI + SQLAlchemy backends and their PRPs from feature specs.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Print the plan (create/update/merge/conflict per file); write nothing. Exit 2 on a conflict.",
    ),
]
Check = Annotated[
    bool,
    typer.Option(
        "--check", help="Exit 1 with a diff if the files on disk differ from what would be generated; write nothing."
    ),
]
ShowDiff = Annotated[
    bool, typer.Option("--diff", help="Show a unified diff of every file that would change; write nothing.")
]
Force = Annotated[bool, typer.Option("--force", help="On a conflict with your edits, write prpgen's version.")]
SkipConflicts = Annotated[
    bool, typer.Option("--skip-conflicts", help="On a conflict with your edits, keep your version and go on.")
]
AllowDestructive = Annotated[
    bool,
    typer.Option(
        "--allow-destructive",
        help="Write a migration that drops tables or columns, or narrows a column (their data is lost).",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but warnings and errors.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="List every file, unchanged ones included, in plans and summaries.")
]
Templates = Annotated[
    Path | None,
    typer.Option(
        help="Your own templates; any template missing there comes from prpgen's. "
        "Default: `\\[tool.prpgen] templates` in the project's pyproject.toml."
    ),
]


def _examples(*commands: str) -> str:
    """A command's help epilog: one example per line (Rich joins lines of one paragraph)."""
    return "Examples:\n\n" + "\n\n".join(commands)


def _stderr(label: str, message: str) -> None:
    """`label` (Rich markup) and `message` on stderr. The message carries the user's words (a
    pattern such as `^[a-z]+$`, a field named `[x]`): it is printed as it is, never as markup."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False).print(f"{label} {escape(message)}", soft_wrap=True)


# The style of each action in plans and summaries. Rich leaves colors out where stdout is not a
# terminal or NO_COLOR is set (https://no-color.org), and puts them in for FORCE_COLOR.
ACTION_STYLES = {
    "create": "green",
    "update": "cyan",
    "merge": "cyan",
    "merged": "cyan",
    "delete": "red",
    "conflict": "bold red",
    "kept": "yellow",
    "unchanged": "dim",
    "record": "dim",
}


def _out(text: str) -> None:
    """Report text on stdout, each plan line's action in its color; the rest printed as written."""
    import re

    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    for line in text.splitlines():
        match = re.match(r"(\s+)(\w+)(.*)", line)
        style = ACTION_STYLES.get(match.group(2)) if match else None
        if match and style:
            console.print(f"{match.group(1)}[{style}]{match.group(2)}[/]{escape(match.group(3))}")
        else:
            console.print(escape(line))


def _warn(message: str) -> None:
    _stderr("[bold yellow]warning:[/]", message)


def _error(message: str) -> None:
    _stderr("[bold red]error:[/]", message)


def _carry_out(
    plan: Callable[[], Outcome],
    verb: str,
    *,
    dry_run: bool,
    check: bool = False,
    diff: bool = False,
    force: bool = False,
    skip: bool = False,
    allow_destructive: bool = False,
    quiet: bool = False,
    verbose: bool = False,
) -> Outcome:
    """Plan, then check, preview or write it, and report what happened. A plan whose migrations
    destroy data is refused (exit 2, nothing written) unless `allow_destructive`."""
    from prpgen.regenerate import report
    from prpgen.regenerate.pipeline import write

    if force and skip:
        _fail("--force and --skip-conflicts exclude each other")
    outcome = plan()
    if check:
        drift = outcome.drift
        typer.echo(report.drift(outcome), nl=False)
        raise typer.Exit(1 if drift else 0)
    if diff:
        typer.echo(report.diffs(outcome.changes), nl=False)
    if outcome.destroys:
        _warn(report.destroys(outcome, allowed=allow_destructive))
    if dry_run and not quiet:
        _out(report.plan(outcome, verbose=verbose))
    elif diff:
        typer.echo("diff: a preview; nothing written (run again without --diff to write)")
    if outcome.destroys and not allow_destructive:
        raise typer.Exit(2)
    if dry_run or diff:
        # A preview writes nothing; a conflict the write would stop at fails it all the same.
        if outcome.count("conflict") and not (force or skip):
            raise typer.Exit(2)
        return outcome
    written = write(outcome, "force" if force else "skip" if skip else "stop")
    if not quiet:
        _out(report.summary(written, verb, verbose=verbose))
    return written


@app.command(epilog=_examples("prpgen init shop", "prpgen init . --name shop   (into the current, empty directory)"))
def init(
    directory: Annotated[Path, typer.Argument(help="Where the new project goes (created if missing; must be empty).")],
    name: Annotated[str | None, typer.Option(help="Project name; defaults to the directory's name.")] = None,
    templates: Templates = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Create a new backend project: users, JWT auth, Alembic and a test suite."""
    from prpgen.regenerate.pipeline import plan_init

    _carry_out(
        lambda: plan_init(directory, name=name, templates=templates),
        "initialized",
        dry_run=dry_run,
        quiet=quiet,
        verbose=verbose,
    )
    if not dry_run and not quiet:
        typer.echo(f"next: cd {directory} && prpgen new-entity --spec SPEC.yaml")


@app.command(
    "new-entity",
    epilog=_examples(
        "prpgen new-entity --spec ../catalog.yaml",
        "prpgen new-entity Product --field name:str --field price:decimal:ge=0 --priority high",
        "prpgen new-entity --spec ../catalog.yaml --dry-run   (the plan; nothing written)",
    ),
)
def new_entity(
    name: Annotated[
        str | None, typer.Argument(help="Entity name, when described with --field instead of --spec.")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="A spec file (YAML, TOML or JSON) with one or more entities.")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            help="name:type\\[:option...], e.g. price:decimal:ge=0 or status:enum:values=a|b; "
            "a colon inside an option is written \\: (pattern=^\\d\\d\\:\\d\\d$). Repeatable."
        ),
    ] = None,
    priority: Annotated[str | None, typer.Option(help="low, medium, high or critical (with --field).")] = None,
    feature: Annotated[
        str | None, typer.Option(help="Feature name (with --field); defaults to the plural entity name.")
    ] = None,
    project: Annotated[
        Path, typer.Option(help="The project to add to; default: the one the current directory is in.")
    ] = Path(),
    templates: Templates = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    check: Check = False,
    diff: ShowDiff = False,
    force: Force = False,
    skip_conflicts: SkipConflicts = False,
    allow_destructive: AllowDestructive = False,
) -> None:
    """Add entities (model, schemas, service, router, migration, tests, PRP) to a project, or
    regenerate them from their changed spec."""
    from prpgen.regenerate.manifest import entity_names
    from prpgen.regenerate.pipeline import plan_new_entities
    from prpgen.regenerate.project import find_root
    from prpgen.spec.feature import inline_spec, load_spec

    if (spec is None) == (name is None):
        _fail("give either --spec FILE or an entity NAME with --field options")
    if spec is not None and field:
        _fail("--field describes an inline entity; it cannot be combined with --spec")
    if spec is not None and (priority is not None or feature is not None):
        _fail("--priority and --feature go with --field; a spec file sets `priority:` and `feature:` itself")
    if name is not None and not field:
        _fail(f"describe {name}'s fields with --field name:type (repeatable)")
    source = str(spec) if spec is not None else "command line"
    root = find_root(project)
    loaded = (
        load_spec(spec, project_entities=entity_names(root))
        if spec is not None
        else inline_spec(name or "", field or [], priority=priority or "medium", feature=feature)
    )
    _carry_out(
        lambda: plan_new_entities(loaded, root, source=source, templates=templates),
        "updated",
        dry_run=dry_run,
        check=check,
        diff=diff,
        force=force,
        skip=skip_conflicts,
        allow_destructive=allow_destructive,
        quiet=quiet,
        verbose=verbose,
    )


@app.command(
    epilog=_examples(
        "prpgen generate examples/blog.yaml --out build/blog",
        "prpgen generate specs/blog.yaml --out services/blog --check   (in CI: exit 1 on drift)",
    )
)
def generate(
    spec: Annotated[Path, typer.Argument(help="The spec file (YAML, TOML or JSON).")],
    out: Annotated[Path, typer.Option(help="The project: a new (empty or missing) directory, or one prpgen made.")],
    name: Annotated[str | None, typer.Option(help="Project name; defaults to the directory's name.")] = None,
    templates: Templates = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    check: Check = False,
    diff: ShowDiff = False,
    force: Force = False,
    skip_conflicts: SkipConflicts = False,
    allow_destructive: AllowDestructive = False,
) -> None:
    """Create a project with every entity of SPEC in one step, or bring one up to date with SPEC
    (what CI uses; with --check, to fail on drift)."""
    from prpgen.regenerate.manifest import entity_names
    from prpgen.regenerate.pipeline import plan_generate
    from prpgen.spec.feature import load_spec

    loaded = load_spec(spec, project_entities=entity_names(out))
    _carry_out(
        lambda: plan_generate(loaded, out, source=str(spec), name=name, templates=templates),
        "generated",
        dry_run=dry_run,
        check=check,
        diff=diff,
        force=force,
        skip=skip_conflicts,
        allow_destructive=allow_destructive,
        quiet=quiet,
        verbose=verbose,
    )


@app.command(
    epilog=_examples(
        "prpgen regenerate   (after upgrading prpgen)",
        "prpgen regenerate --diff   (preview; nothing written)",
        "prpgen regenerate --check   (exit 1 if the files differ from the specs)",
    )
)
def regenerate(
    project: Annotated[
        Path, typer.Option(help="The project to regenerate; default: the one the current directory is in.")
    ] = Path(),
    templates: Templates = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    check: Check = False,
    diff: ShowDiff = False,
    force: Force = False,
    skip_conflicts: SkipConflicts = False,
    allow_destructive: AllowDestructive = False,
) -> None:
    """Render every feature recorded in the project again: after upgrading prpgen or editing templates."""
    from prpgen.regenerate.pipeline import plan_regenerate
    from prpgen.regenerate.project import find_root

    _carry_out(
        lambda: plan_regenerate(find_root(project), templates=templates),
        "regenerated",
        dry_run=dry_run,
        check=check,
        diff=diff,
        force=force,
        skip=skip_conflicts,
        allow_destructive=allow_destructive,
        quiet=quiet,
        verbose=verbose,
    )


@app.command(
    "remove-entity",
    epilog=_examples(
        "prpgen remove-entity Tag --dry-run", "prpgen remove-entity Tag --allow-destructive   (its table is dropped)"
    ),
)
def remove_entity(
    name: Annotated[str, typer.Argument(help="The entity to remove, e.g. Post.")],
    project: Annotated[
        Path, typer.Option(help="The project to remove it from; default: the one the current directory is in.")
    ] = Path(),
    templates: Templates = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    diff: ShowDiff = False,
    force: Force = False,
    skip_conflicts: SkipConflicts = False,
    allow_destructive: AllowDestructive = False,
) -> None:
    """Undo an entity: its files and registrations go, and a new migration drops its table.
    Files you edited are a conflict: nothing happens unless you pass --force or --skip-conflicts."""
    from prpgen.regenerate.pipeline import plan_remove_entity
    from prpgen.regenerate.project import find_root

    _carry_out(
        lambda: plan_remove_entity(name, find_root(project), templates=templates),
        "updated",
        dry_run=dry_run,
        diff=diff,
        force=force,
        skip=skip_conflicts,
        allow_destructive=allow_destructive,
        quiet=quiet,
        verbose=verbose,
    )


@app.command(epilog=_examples("prpgen status", "prpgen status --project services/blog"))
def status(
    project: Annotated[Path, typer.Option(help="The project; default: the one the current directory is in.")] = Path(),
) -> None:
    """Show the project's features, their entities and fields, and whether its files are in
    sync with the specs (what `regenerate --check` checks)."""
    from prpgen.regenerate import report
    from prpgen.regenerate.manifest import read_manifest
    from prpgen.regenerate.pipeline import plan_regenerate
    from prpgen.regenerate.project import find_root

    root = find_root(project)
    outcome = plan_regenerate(root)
    manifest = read_manifest(root)
    if manifest is not None:
        _out(report.status(manifest, outcome))


@app.command(epilog=_examples("prpgen verify", "prpgen verify build/blog --only ruff,mypy --json report.json"))
def verify(
    project: Annotated[
        Path, typer.Argument(help="The generated project to check; default: the one the current directory is in.")
    ] = Path(),
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
    from prpgen.regenerate.project import find_root
    from prpgen.verify.terminal import run_verify

    raise typer.Exit(run_verify(find_root(project), json_report, _split(only), _split(skip), database_url, python))


templates_app = typer.Typer(
    help="Use your own templates: export them, see their drift, test them.", no_args_is_help=True
)
app.add_typer(templates_app, name="templates")


@templates_app.command("list", epilog=_examples("prpgen templates list"))
def templates_list() -> None:
    """Name every built-in template (what `templates export` takes)."""
    from prpgen.vendoring.team_templates import builtin_names

    typer.echo("\n".join(builtin_names()))


@templates_app.command("context", epilog=_examples("prpgen templates context > TEMPLATES.md"))
def templates_context() -> None:
    """Print what every template receives: its variables and every attribute behind them (Markdown)."""
    from prpgen.generate.context_reference import describe

    typer.echo(describe())


@templates_app.command("export", epilog=_examples("prpgen templates export templates/ entity/model.py.j2"))
def templates_export(
    directory: Annotated[Path, typer.Argument(help="Where the copies go.")],
    names: Annotated[
        list[str] | None, typer.Argument(help="Only these templates (e.g. entity/model.py.j2); default: all.")
    ] = None,
) -> None:
    """Copy built-in templates out for editing. Export only those you change: the rest keep
    coming from prpgen, upgrades included."""
    from prpgen.vendoring.team_templates import export

    exported = export(directory, names or [])
    typer.echo(f"exported {len(exported)} templates to {directory}")
    typer.echo(f'use them with --templates {directory}, or `[tool.prpgen] templates = "{directory}"` in pyproject.toml')


@templates_app.command("diff", epilog=_examples("prpgen templates diff templates/"))
def templates_diff(
    directory: Annotated[Path, typer.Argument(help="Your template directory.")],
) -> None:
    """Show how your templates differ from the built-in ones of this prpgen, and which side changed."""
    from prpgen.vendoring.team_templates import drift

    found = drift(directory)
    for item in found:
        typer.echo(item.diff, nl=False)
    labels = {
        "same": "same as built in (delete it to follow prpgen)",
        "yours": "edited by you",
        "upstream": "changed in prpgen since you exported it: re-export or merge",
        "both": "edited by you and changed in prpgen since: merge by hand",
        "added": "yours only (not a built-in template)",
    }
    for item in found:
        typer.echo(f"  {item.name}: {labels[item.status]}")


@templates_app.command(
    "test",
    epilog=_examples(
        "prpgen templates test templates/", "prpgen templates test templates/ specs/catalog.yaml --keep build/"
    ),
)
def templates_test(
    directory: Annotated[Path, typer.Argument(help="Your template directory.")],
    specs: Annotated[
        list[Path] | None, typer.Argument(help="Specs to render (default: prpgen's examples blog and library).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="A scratch PostgreSQL database; default: a throwaway cluster.")
    ] = None,
    python: Annotated[str | None, typer.Option(help="Interpreter with the generated projects' dependencies.")] = None,
    keep: Annotated[Path | None, typer.Option(help="Generate into this directory and keep the projects.")] = None,
) -> None:
    """The contract test of a template set: generate projects with it and run every quality gate
    (ruff, format, mypy, bandit, migrations, the generated tests on PostgreSQL)."""
    import tempfile

    from prpgen.vendoring.team_templates import example_specs
    from prpgen.verify.terminal import run_verify

    chosen = specs or example_specs()
    failed = []
    with tempfile.TemporaryDirectory(prefix="prpgen-templates-") as scratch:
        base = keep or Path(scratch)
        for spec in chosen:
            project = base / spec.stem
            _generate_with(spec, project, directory)
            typer.echo(f"generated {project} from {spec} with {directory}")
            if run_verify(project, None, [], [], database_url, python) != 0:
                failed.append(spec.name)
    if failed:
        _error(f"the templates in {directory} fail the gates on {', '.join(failed)}")
        raise typer.Exit(1)
    typer.echo(f"the templates in {directory} pass every gate on {len(chosen)} spec(s)")


def _generate_with(spec: Path, project: Path, templates: Path) -> None:
    from prpgen.regenerate.pipeline import plan_generate, write
    from prpgen.spec.feature import load_spec

    write(plan_generate(load_spec(spec), project, source=str(spec), templates=templates))


def _split(values: list[str] | None) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


@app.command(epilog=_examples("prpgen schema > prpgen.schema.json"))
def schema() -> None:
    """Print the spec's JSON Schema (for editor completion and validation)."""
    from prpgen.spec.feature import spec_json_schema

    typer.echo(json.dumps(spec_json_schema(), indent=2))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prpgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """prpgen turns a feature spec into an async FastAPI backend and its PRP."""


def _fail(message: str) -> None:
    raise UsageError(message)

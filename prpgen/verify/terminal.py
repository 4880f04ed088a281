"""How `prpgen verify` looks in a terminal: a line per gate as it finishes, then a table."""

from __future__ import annotations

import shlex
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from prpgen.errors import ProjectError
from prpgen.verify.gates import OUTPUT_HEAD, Gate, GateResult, Verifier, database, project_python, select_gates
from prpgen.verify.prp_checklists import update_prps

_MARKS = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "skipped": "[yellow]-[/]", "missing": "[yellow]?[/]"}


def run_verify(
    project: Path,
    json_report: Path | None,
    only: list[str],
    skip: list[str],
    database_url: str | None,
    python: str | None,
) -> int:
    """Run the gates and print as they go; returns the exit code (0 only if every gate passed).
    A project that is not one, or an unknown gate, is a `ProjectError` (the CLI reports it)."""
    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    if not (project / "app" / "main.py").is_file():
        raise ProjectError(f"{project} is not a generated project (no app/main.py)")
    gates = select_gates(only, skip)
    interpreter = python or project_python(project)
    console.print(f"verifying {project} with {interpreter}")
    needs_db = any(gate.needs_db for gate in gates)
    with database(project, database_url if needs_db else "unused") as (url, problem):
        if needs_db and url is None:
            errors.print(f"[yellow]PostgreSQL unavailable:[/] {problem}; the gates that need it are skipped")
        verifier = Verifier(project, interpreter, url if needs_db else None, problem)
        status = console.status("")

        def started(gate: Gate) -> None:
            status.update(f"running {gate.title} …")
            status.start()

        def finished(result: GateResult) -> None:
            status.stop()
            _print_result(console, result, project)

        report = verifier.run(gates, started, finished)
    _print_table(console, report.results)
    written = update_prps(project, report.results)
    for path in written:
        console.print(f"updated {path}")
    if json_report is not None:
        json_report.write_text(report.to_json() + "\n", encoding="utf-8")
    passed = sum(result.passed for result in report.results)
    console.print(f"{passed} of {len(report.results)} gates passed")
    return 0 if report.passed else 1


def _print_result(console: Console, result: GateResult, project: Path) -> None:
    # A figure may quote a tool's output: never markup.
    figure = f"  {escape(result.figure)}" if result.figure else ""
    line = f"{_MARKS[result.status]} {result.title:<42} {result.seconds:6.1f} s{figure}"
    console.print(line, markup=True, soft_wrap=True)
    if result.status == "failed":
        if result.command:
            console.print(f"    re-run: cd {shlex.quote(str(project))} && {result.command}", markup=False)
        for line in result.output.splitlines()[:OUTPUT_HEAD]:
            console.print(f"    {line}", markup=False)


def _print_table(console: Console, results: list[GateResult]) -> None:
    table = Table("gate", "result", "figure", "time")
    for result in results:
        status = f"{_MARKS[result.status]} {result.status}"
        table.add_row(result.id, status, escape(result.figure), f"{result.seconds:.1f} s")
    console.print(table)

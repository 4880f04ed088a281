"""The README's command reference, made from the CLI itself: `test_readme_matches_help` keeps
them equal, and `python -m tests.cli_reference` (`make readme`) rewrites the README's section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from prpgen.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- commands:start -->", "<!-- commands:end -->"


# Typer carries its own copy of click: its commands are read by what they have, not their class.
def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def _help(text: str | None) -> str:
    """The first paragraph, on one line."""
    return " ".join((text or "").split("\n\n")[0].split()).replace("\\[", "[")


def reference() -> str:
    """Every command, its arguments, and each option with its help."""
    lines: list[str] = []
    for name, command in _commands(typer.main.get_command(app), "prpgen"):
        params = command.params
        arguments = [(p.name or "").upper() for p in params if p.param_type_name == "argument"]
        lines += [f"#### `{' '.join([name, *arguments])}`", "", _help(command.help), ""]
        options = [p for p in params if p.param_type_name == "option" and p.name != "help"]
        lines += [f"- `{' / '.join(p.opts)}`: {_help(p.help)}" for p in options]
        lines += [""] if options else []
    return "\n".join(lines).rstrip() + "\n"


def section(readme: str) -> str:
    return readme.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def main() -> None:
    readme = README.read_text(encoding="utf-8")
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{reference()}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()

"""prpgen's error tree.

    PrpgenError            anything prpgen reports to a user instead of a traceback
    ├── UsageError         the command's arguments contradict each other: exit 2
    ├── SpecError          the spec is invalid: exit code 2, nothing written
    ├── ProjectError       the target project is missing, foreign or would be clobbered: exit 2
    └── GenerationError    rendering or writing failed: exit 1, nothing left half-written

The library raises these and never prints or exits; one handler in the CLI turns them into
output and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class PrpgenError(Exception):
    """Root of every error prpgen reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec, located by a dotted path such as `entities[0].fields.price.type`."""

    location: str
    message: str
    # Where it is as keys and indexes (`("entities", 0, "fields", "post")`), for its line.
    path: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class SpecError(PrpgenError):
    """A spec failed to load or validate; lists every problem found, one per line."""

    exit_code = 2

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{source}: {len(self.problems)} {noun} in the spec\n{lines}")


class ProjectError(PrpgenError):
    """The target directory is not what the command needs (no project, or one that would be overwritten)."""

    exit_code = 2


class UsageError(PrpgenError):
    """A command's options that cannot go together, or one missing that another needs."""

    exit_code = 2


class GenerationError(PrpgenError):
    """Rendering or writing failed after the spec was accepted."""


def suggestion(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or an empty string."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

"""Generated Python formatted by ruff, the formatter the generated project itself checks with
(`ruff format --check`, `ruff check` with isort's `I` rules), pinned to one version in both
places so that they agree to the byte. Once per generation, for every file together: three ruff
processes (unused imports, import order, layout), whatever the number of files.

ruff reads the project's own `pyproject.toml` (line length, first-party modules), so the files
are formatted exactly as the project's CI would have them.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from prpgen.errors import GenerationError

CONFIG = "pyproject.toml"


def ruff_version() -> str:
    """The version installed with prpgen: the generated project pins its dev dependency to it."""
    from importlib.metadata import version

    return version("ruff")


def ruff_binary() -> str:
    """The ruff executable installed with prpgen (the `ruff` package ships it)."""
    # The package's own lookup (scripts directory of this interpreter, user and venv installs);
    # ruff ships no type information.
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError) as exc:
        raise GenerationError(f"ruff, which formats the generated code, is missing ({exc}); reinstall prpgen") from None


# Where ruff's scratch copy goes: memory when the machine has it. Each file is written there and
# read back, and on a disk a file's creation can cost half a millisecond (benchmarks/RESULTS.md).
_SCRATCH = "/dev/shm"  # noqa: S108 - a private TemporaryDirectory inside it, removed after use
# How ruff reports a file it cannot parse: `ruff check` (concise), `ruff format`.
_SYNTAX_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):\d+: invalid-syntax: (?P<message>.+)$", re.MULTILINE)
_PARSE_ERROR = re.compile(r"Failed to parse (?P<path>.+?):(?P<line>\d+):\d+: (?P<message>.+)")


def format_python(
    files: Mapping[str, str],
    config: str,
    prune: Collection[str] = (),
    origins: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each `.py` file of `files` (path → source) import-sorted and formatted as ruff does under
    `config` (the project's pyproject.toml); other files are returned as they are. Unused imports
    are dropped from the files in `prune` only: those of prpgen's templates, which import every
    name their module may use. A team's own files keep theirs (an import for its side effect).
    A file that is not valid Python is an error naming its template (`origins`: path → template)."""
    sources = {path: text for path, text in files.items() if path.endswith(".py")}
    if not sources:
        return dict(files)
    # A TMPDIR the user set is theirs to choose.
    scratch = _SCRATCH if "TMPDIR" not in os.environ and os.access(_SCRATCH, os.W_OK) else None
    try:
        return _format(files, sources, config, prune, origins or {}, scratch)
    except OSError as exc:
        raise GenerationError(f"formatting the generated code failed ({exc}); nothing was written") from None


def _format(
    files: Mapping[str, str],
    sources: Mapping[str, str],
    config: str,
    prune: Collection[str],
    origins: Mapping[str, str],
    scratch: str | None,
) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="prpgen-format-", dir=scratch) as directory:
        root = Path(directory)
        (root / CONFIG).write_text(config, encoding="utf-8")
        for path, text in sources.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        ruff = ruff_binary()
        # Templates import every name their module may use: F401 drops the unused ones. On its
        # own, before isort, which would first wrap a long import with a trailing comma that
        # then keeps what is left of it exploded.
        pruned = sorted(path for path in prune if path in sources)
        if pruned:
            _run([ruff, "check", "--select", "F401", "--fix", "--exit-zero", "--quiet", "--no-cache", *pruned], root)
        # Imports sorted (the formatter does not), then the layout, as ruff's docs advise. The
        # check also reports any file that is not Python of the project's version (`type X = int`
        # on 3.11 formats, but does not import): a template's slip, named before anything is written.
        concise = ("--output-format", "concise")
        sort = [ruff, "check", "--select", "I", "--fix", "--exit-zero", "--quiet", "--no-cache", *concise, "."]
        _check_syntax(_run(sort, root), origins)
        _run([ruff, "format", "--no-cache", "."], root, origins)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in sources}
    return {**files, **formatted}


def _check_syntax(output: str, origins: Mapping[str, str]) -> None:
    failed = _SYNTAX_ERROR.search(output)
    if failed is not None:
        raise _not_python(failed, origins)


def _not_python(failed: re.Match[str], origins: Mapping[str, str]) -> GenerationError:
    path, line = failed["path"], failed["line"]
    template = origins.get(path, "a template")
    return GenerationError(f"{template} renders {path}, which is not valid Python: line {line}: {failed['message']}")


def _run(command: list[str], cwd: Path, origins: Mapping[str, str] | None = None) -> str:
    """Run ruff; its stdout. A failure is a GenerationError (naming the template of a file ruff
    could not parse)."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise GenerationError(f"cannot run ruff, which formats the generated code ({exc}); reinstall prpgen") from None
    if result.returncode == 0:
        return result.stdout
    failed = _PARSE_ERROR.search(result.stderr)
    if failed is not None and origins is not None:
        raise _not_python(failed, origins)
    raise GenerationError(f"ruff could not format the generated code: {result.stderr.strip() or result.stdout}")

"""Jinja rendering: templates + context → file texts in memory (path → text). Touches no disk output."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prpgen.errors import GenerationError
from prpgen.pyfmt import fit_source, md_cell, md_code, md_text, py_literal, py_str

if TYPE_CHECKING:
    import jinja2

PROJECT_DIR = "project"
# Entity templates and where their output goes; `{module}` and `{table}` come from the entity.
ENTITY_FILES = {
    "entity/model.py.j2": "app/models/{module}.py",
    "entity/schema.py.j2": "app/schemas/{module}.py",
    "entity/service.py.j2": "app/services/{module}_service.py",
    "entity/router.py.j2": "app/api/endpoints/{table}.py",
    "entity/test_api.py.j2": "tests/api/test_{table}.py",
    "entity/test_service.py.j2": "tests/services/test_{module}_service.py",
    "entity/test_performance.py.j2": "tests/performance/test_{table}_performance.py",
}
MIGRATION_TEMPLATE = "migration.py.j2"
# Shared by every service with references; written with the first entity that has one.
REFERENCES_TEMPLATE = "shared/references.py.j2"
REFERENCES_FILE = "app/services/references.py"
PRP_TEMPLATE = "prp.md.j2"


def builtin_templates() -> Path:
    """The templates shipped with prpgen: inside the package in a wheel, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / PROJECT_DIR).is_dir():
            return candidate
    raise GenerationError(f"prpgen's templates are missing (looked in {here / 'templates'})")


class Renderer:
    """One Jinja environment per run: each template is compiled once, however many entities use it."""

    def __init__(self, templates: Path | None = None) -> None:
        self.templates = templates or builtin_templates()

    @cached_property
    def env(self) -> jinja2.Environment:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            bytecode_cache=_bytecode_cache(),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # noqa: S701 - the output is source code and Markdown, never HTML
        )
        env.filters["py"] = py_literal
        env.filters["py_str"] = py_str
        env.filters["md"] = md_text
        env.filters["md_cell"] = md_cell
        env.filters["md_code"] = md_code
        return env

    def render(self, template: str, output: str, context: dict[str, Any]) -> str:
        import jinja2

        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            raise GenerationError(f"template {template} failed to render: {exc}") from exc
        return fit_source(text) if output.endswith(".py") else text

    def project_files(self, context: dict[str, Any]) -> dict[str, str]:
        """Every file of a new project's skeleton, keyed by its path in the project."""
        root = self.templates / PROJECT_DIR
        files: dict[str, str] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            output = _output_path(relative)
            if relative.endswith(".j2"):
                files[output] = self.render(f"{PROJECT_DIR}/{relative}", output, context)
            else:
                files[output] = path.read_text(encoding="utf-8")
        return files

    def entity_files(self, context: dict[str, Any]) -> dict[str, str]:
        entity = context["entity"]
        files = {}
        for template, pattern in ENTITY_FILES.items():
            output = pattern.format(module=entity.module, table=entity.table)
            files[output] = self.render(template, output, context)
        return files


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (in the user's cache directory, by checksum of each
    template's source): compiling them is most of a short run's time. None if it cannot be made."""
    import os

    import jinja2

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = root / "prpgen" / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def _output_path(relative: str) -> str:
    """`dot-env.example.j2` → `.env.example`: dot files are stored undotted so they stay visible
    (and a template `.gitignore` does not act on prpgen's own repository)."""
    parts = [part.removesuffix(".j2") for part in relative.split("/")]
    parts = ["." + part[4:] if part.startswith("dot-") else part for part in parts]
    return "/".join(parts)

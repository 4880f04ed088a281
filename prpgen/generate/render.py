"""Jinja rendering: templates + context → file texts in memory (path → text), formatted later, all
at once (`formatting`). Touches no disk output."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prpgen.errors import GenerationError
from prpgen.generate.fields import MAX_REFERENCES, value_source
from prpgen.generate.source import isorted, md_cell, md_code, md_text, py_literal, py_str

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
# Every migration: a feature's first (its tables created), a change of its spec, its removal.
MIGRATION_TEMPLATE = "migration.py.j2"
# Shared by every service with references; written with the first entity that has one.
REFERENCES_TEMPLATE = "shared/references.py.j2"
REFERENCES_FILE = "app/services/references.py"
PRP_TEMPLATE = "prp.md.j2"
# In a custom template set: templates of extra files per entity.
EXTRA_DIR = "entity/extra"


def builtin_templates() -> Path:
    """The templates shipped with prpgen: inside the package in a wheel, beside it in a checkout."""
    # The package: prpgen/, whose parent is the checkout.
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / PROJECT_DIR).is_dir():
            return candidate
    raise GenerationError(f"prpgen's templates are missing (looked in {here / 'templates'})")


class Renderer:
    """One Jinja environment per run: each template is compiled once, however many entities use it.

    `custom` is a team's own template directory: any template found there wins, any other comes
    from prpgen's, file by file; files under its `entity/extra/` are extra files per entity.
    """

    def __init__(self, custom: Path | None = None) -> None:
        self.builtin = builtin_templates()
        if custom is not None and not custom.is_dir():
            raise GenerationError(f"the template directory {custom} does not exist")
        self.custom = custom
        self.roots = [custom, self.builtin] if custom is not None else [self.builtin]
        # Outputs of prpgen's templates (or a team's copy of one), which import every name their
        # module may use: `formatting` drops the unused ones from these files only.
        self.prunable: set[str] = set()
        # The template each Python file was rendered from (output path → template).
        self.origins: dict[str, str] = {}

    @cached_property
    def env(self) -> jinja2.Environment:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(root) for root in self.roots]),
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
        env.filters["isorted"] = isorted
        env.filters["value"] = value_source
        env.globals["max_references"] = MAX_REFERENCES
        return env

    def render(self, template: str, output: str, context: dict[str, Any]) -> str:
        import jinja2

        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = f"{exc.filename or template}:{exc.lineno}"
            raise GenerationError(f"{where}: template syntax error: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise GenerationError(f"{_failing_line(exc, template)}: {exc} (rendering {output})") from None
        if not output.endswith(".py"):
            return text
        # ruff parses it when it formats it: a slip is reported with this template's name.
        self.origins[output] = template
        if (self.builtin / template).is_file():
            self.prunable.add(output)
        return text

    def project_files(self, context: dict[str, Any]) -> dict[str, str]:
        """Every file of a new project's skeleton, keyed by its path in the project."""
        files: dict[str, str] = {}
        for relative in self._listing(PROJECT_DIR):
            output = _output_path(relative)
            if relative.endswith(".j2"):
                files[output] = self.render(f"{PROJECT_DIR}/{relative}", output, context)
            else:
                path = next(r / PROJECT_DIR / relative for r in self.roots if (r / PROJECT_DIR / relative).is_file())
                files[output] = path.read_text(encoding="utf-8")
        return files

    def _listing(self, directory: str) -> list[str]:
        """Files under `directory` in any template root, relative to it (a custom one may add files)."""
        found: set[str] = set()
        for root in self.roots:
            base = root / directory
            found.update(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        return sorted(found)

    def entity_files(self, context: dict[str, Any]) -> dict[str, str]:
        entity = context["entity"]
        files = {}
        names = {"module": entity.module, "table": entity.table, "class_name": entity.class_name}
        for template, pattern in self.entity_templates().items():
            try:
                output = pattern.format(**names)
            except (KeyError, IndexError, ValueError) as exc:
                raise GenerationError(
                    f"{template}: its file name may use {{module}}, {{table}} or {{class_name}} ({exc})"
                ) from None
            files[output] = self.render(template, output, context)
        return files

    def entity_templates(self) -> dict[str, str]:
        """Every per-entity template and the path pattern of its output: prpgen's, then the extra
        ones of a custom set (`entity/extra/app/events/{module}.py.j2` → `app/events/{module}.py`)."""
        templates = dict(ENTITY_FILES)
        if self.custom is not None and (self.custom / EXTRA_DIR).is_dir():
            for path in sorted(p for p in (self.custom / EXTRA_DIR).rglob("*.j2") if p.is_file()):
                relative = path.relative_to(self.custom / EXTRA_DIR).as_posix()
                templates[f"{EXTRA_DIR}/{relative}"] = relative.removesuffix(".j2")
        return templates


def _failing_line(exc: BaseException, template: str) -> str:
    """`entity/model.py.j2:12`: the innermost template line in the traceback (Jinja maps its
    compiled frames back to template files and lines)."""
    where = template
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return where


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

"""prpgen: a feature spec in, a complete async FastAPI + SQLAlchemy backend and its PRP out."""

from __future__ import annotations

__version__ = "0.1.0"

from prpgen.errors import GenerationError, PrpgenError, ProjectError, SpecError  # noqa: E402
from prpgen.pipeline import Outcome, add_entities, generate, init_project  # noqa: E402
from prpgen.spec import Spec, inline_spec, load_spec  # noqa: E402

__all__ = [
    "GenerationError",
    "Outcome",
    "PrpgenError",
    "ProjectError",
    "Spec",
    "SpecError",
    "__version__",
    "add_entities",
    "generate",
    "init_project",
    "inline_spec",
    "load_spec",
]

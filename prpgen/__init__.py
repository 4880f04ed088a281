"""prpgen: a feature spec in, a complete async FastAPI + SQLAlchemy backend and its PRP out."""

from __future__ import annotations

__version__ = "0.1.0"

from prpgen.errors import GenerationError, ProjectError, PrpgenError, SpecError
from prpgen.regenerate.pipeline import Outcome, add_entities, generate, init_project
from prpgen.spec.feature import Spec, inline_spec, load_spec, parse_spec

__all__ = [
    "GenerationError",
    "Outcome",
    "ProjectError",
    "PrpgenError",
    "Spec",
    "SpecError",
    "__version__",
    "add_entities",
    "generate",
    "init_project",
    "inline_spec",
    "load_spec",
    "parse_spec",
]

"""The models a model module names in its annotations, imported for the type checker only.

Every other import of an entity's modules is written out in its template; ruff drops the names a
module does not use (F401) and sorts the rest (`formatting`).
"""

from __future__ import annotations

from collections.abc import Sequence

from prpgen.fields import FieldContext
from prpgen.relations import Inverse


def related_models(
    class_name: str, fields: Sequence[FieldContext], inverses: Sequence[Inverse]
) -> tuple[tuple[str, str], ...]:
    """(module, class) of every other model the entity's relationships name."""
    related = {
        (f.reference.target.module, f.reference.target.class_name)
        for f in fields
        if f.reference is not None and not f.reference.self_reference
    }
    related |= {(i.source_module, i.source_class) for i in inverses if i.source_class != class_name}
    return tuple(sorted(related))

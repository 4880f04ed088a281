"""References between entities: resolving `to:` against the spec and the project, the order tables
must be created in, and the names each side of a relationship gets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from prpgen import naming
from prpgen.errors import Problem
from prpgen.spec.feature import EntitySpec, FieldSpec, Spec, unknown_target

_ON_DELETE_SQL = {"cascade": "CASCADE", "set_null": "SET NULL", "restrict": "RESTRICT"}


@dataclass(frozen=True)
class Target:
    """An entity a reference can point at: one of the spec, or one generated into the project earlier."""

    class_name: str
    module: str
    table: str
    owned: bool
    # Attribute names the target's model already has, which an inverse relationship must avoid.
    attributes: frozenset[str] = frozenset()
    # Only admins create its rows: tests create them as an admin.
    admin_creates: bool = False
    # Who may read its rows (its access rule for `read`): references may point only at those.
    read: str = "user"

    @property
    def soft_delete(self) -> bool:
        """Deleted rows stay, marked: references must not point at them."""
        return "deleted_at" in self.attributes

    @property
    def restricts_readers(self) -> bool:
        """Some signed-in users may not read some of its rows: a reference checks who refers."""
        return self.read in {"owner", "admin"}

    @property
    def label(self) -> str:
        return self.module.replace("_", " ")

    @property
    def route(self) -> str:
        return "/" + naming.kebab(self.table)

    @property
    def id_param(self) -> str:
        return f"{self.module}_id"


def spec_target(entity: EntitySpec) -> Target:
    names = {naming.snake(raw) for raw in entity.fields}
    names |= {naming.reference_column(naming.snake(raw), f.type) for raw, f in entity.fields.items()}
    if entity.soft_delete:
        names.add("deleted_at")
    return Target(
        class_name=naming.pascal(entity.name),
        module=naming.snake(entity.name),
        table=naming.table(entity.name, entity.plural),
        owned=entity.owned,
        attributes=frozenset(names),
        admin_creates=entity.level("create") == "admin",
        read=entity.level("read"),
    )


@dataclass(frozen=True)
class Association:
    """The link table of a `ref_many`: one row per (source, target) pair."""

    table: str
    source_column: str
    target_column: str


@dataclass(frozen=True)
class Reference:
    """One `ref` or `ref_many` field, resolved."""

    kind: str
    name: str
    column: str
    target: Target
    self_reference: bool
    inverse: str | None
    association: Association | None
    on_delete: str
    # Another `ref` of the same entity points at the same table: each side of the relationship
    # names its foreign key, or SQLAlchemy cannot tell the two join paths apart.
    shares_target: bool = False

    @property
    def many(self) -> bool:
        return self.kind == "ref_many"

    @property
    def nested_route(self) -> str | None:
        """`/posts/{post_id}/comments`: the rows referring to one target row."""
        if self.inverse is None:
            return None
        return f"{self.target.route}/{{{self.target.id_param}}}/{naming.kebab(self.inverse)}"


@dataclass(frozen=True)
class Inverse:
    """The one-to-many side of a `ref`, declared on its target: `Post.comments`."""

    name: str
    source_class: str
    source_module: str
    back_populates: str
    # ON DELETE RESTRICT: deleting the target while rows refer to it is a 409.
    restricts: bool = False
    # The referring column (`post_id`), its ON DELETE, and whether its rows are soft deleted:
    # a soft-deleted target maps ON DELETE onto the rows referring to it.
    column: str = ""
    on_delete: str = ""
    source_soft_delete: bool = False
    shares_target: bool = False

    @property
    def clears(self) -> bool:
        return self.on_delete == "SET NULL"


def resolve(spec: Spec, existing: Mapping[str, Target]) -> tuple[list[EntitySpec], dict[tuple[str, str], Reference]]:
    """The spec's entities in the order their tables can be created, and every reference resolved,
    keyed by (entity class name, field name). Problems are raised together as `ReferenceProblems`."""
    in_spec = {naming.pascal(e.name): spec_target(e) for e in spec.entities}
    problems: list[Problem] = []
    references: dict[tuple[str, str], Reference] = {}
    inverse_names: dict[str, set[str]] = {}
    for index, entity in enumerate(spec.entities):
        source = in_spec[naming.pascal(entity.name)]
        for raw, field in entity.fields.items():
            if field.type not in {"ref", "ref_many"}:
                continue
            where = f"entities[{index}] ({entity.name}).fields.{raw}"
            path = ("entities", index, "fields", raw)
            target = _find(field, in_spec, existing, (where, path), problems)
            if target is None:
                continue
            if target.owned and not source.owned:
                problems.append(
                    Problem(
                        where,
                        f"the shared entity {source.class_name} (owned: false) cannot refer to {target.class_name}, "
                        "whose rows belong to single users",
                        path,
                    )
                )
                continue
            references[(source.class_name, naming.snake(raw))] = _reference(
                source, naming.snake(raw), field, target, entity, inverse_names
            )
    if problems:
        raise ReferenceProblems(problems)
    return _creation_order(spec.entities, references), references


class ReferenceProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _find(
    field: FieldSpec,
    in_spec: Mapping[str, Target],
    existing: Mapping[str, Target],
    where: tuple[str, tuple[str | int, ...]],
    problems: list[Problem],
) -> Target | None:
    wanted = naming.pascal(field.to or "")
    target = in_spec.get(wanted) or existing.get(wanted)
    if target is None:
        problems.append(Problem(where[0], unknown_target(field.to or "", in_spec, existing), where[1]))
    return target


def _reference(
    source: Target,
    name: str,
    field: FieldSpec,
    target: Target,
    entity: EntitySpec,
    inverse_names: dict[str, set[str]],
) -> Reference:
    self_reference = target.class_name == source.class_name
    if field.type == "ref_many":
        other = f"{naming.singular(name)}_id" if self_reference else f"{target.module}_id"
        association = Association(f"{source.table}_{name}", f"{source.module}_id", other)
        return Reference(
            field.type,
            name,
            naming.reference_column(name, field.type),
            target,
            self_reference,
            None,
            association,
            "CASCADE",
        )
    taken = inverse_names.setdefault(target.class_name, set(target.attributes))
    siblings = [
        raw for raw, f in entity.fields.items() if f.type == "ref" and naming.pascal(f.to or "") == target.class_name
    ]
    shares_target = len(siblings) > 1
    if self_reference and name == "parent":
        inverse = "children"
    elif self_reference or shares_target:
        inverse = f"{source.table}_by_{name}"
    else:
        inverse = source.table
    if inverse in taken:
        inverse = f"{source.table}_by_{name}"
    taken.add(inverse)
    return Reference(
        field.type,
        name,
        naming.reference_column(name, field.type),
        target,
        self_reference,
        inverse,
        None,
        _ON_DELETE_SQL[field.delete_rule],
        shares_target,
    )


def _creation_order(
    entities: Sequence[EntitySpec], references: Mapping[tuple[str, str], Reference]
) -> list[EntitySpec]:
    """A topological order (referenced tables first), keeping the spec's order where it is free."""
    by_class = {naming.pascal(e.name): e for e in entities}
    needs = {
        name: {r.target.class_name for (source, _), r in references.items() if source == name and not r.self_reference}
        & set(by_class)
        for name in by_class
    }
    ordered: list[EntitySpec] = []
    done: set[str] = set()
    while len(ordered) < len(by_class):
        ready = [name for name in by_class if name not in done and needs[name] <= done]
        if not ready:
            cycle = sorted(name for name in by_class if name not in done)
            raise ReferenceProblems(
                [
                    Problem(
                        "entities",
                        f"{', '.join(cycle)} refer to each other in a cycle; no table could be created first. "
                        "Drop one of the references (a self-reference is fine)",
                    )
                ]
            )
        done.add(ready[0])
        ordered.append(by_class[ready[0]])
    return ordered

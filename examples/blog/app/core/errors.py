from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

FOREIGN_KEY_VIOLATION = "23503"


class ConflictError(Exception):
    """A write would break a constraint another row holds; the API answers 409."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def still_referred(label: str) -> ConflictError:
    """The 409 of deleting a row others refer to under ON DELETE RESTRICT."""
    return ConflictError(
        f"Other rows still refer to this {label}; change or delete them first"
    )


class InvalidReference(Exception):
    """A payload's reference (`field`) cannot be set to `value`; the API answers 422."""

    type = "reference_invalid"

    def __init__(self, field: str, message: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.value = value


class ReferenceNotFound(InvalidReference):
    """The row referred to does not exist, or the writer may not read it."""

    type = "reference_not_found"

    def __init__(self, field: str, label: str, value: object) -> None:
        super().__init__(field, f"{label} not found", value)


class ReferenceCycle(InvalidReference):
    """A self-reference (a category's parent) would lead back to the row itself."""

    type = "reference_cycle"

    def __init__(self, field: str, label: str, value: object) -> None:
        super().__init__(field, f"{label} would become its own ancestor", value)


class InvalidCursor(Exception):
    """A list's `cursor` that the list did not give out for its order; the API answers 422."""

    type = "cursor_invalid"
    message = (
        "Not a cursor this list gave out for this sort; leave it out to start again"
    )

    def __init__(self, cursor: str) -> None:
        super().__init__(self.message)
        self.cursor = cursor


def _cause(error: IntegrityError) -> object:
    return error.orig.__cause__ if error.orig is not None else None


def violated_constraint(error: IntegrityError) -> str | None:
    """Name of the constraint behind an IntegrityError, as reported by asyncpg."""
    name = getattr(_cause(error), "constraint_name", None)
    return name if isinstance(name, str) else None


def as_conflict(
    error: IntegrityError,
    label: str,
    unique_fields: Mapping[str, str],
    *,
    deleting: bool = False,
) -> ConflictError | None:
    """The 409 an IntegrityError stands for, or None when it is not the client's doing."""
    field = unique_fields.get(violated_constraint(error) or "")
    if field is not None:
        return ConflictError(f"A {label} with this {field} already exists")
    if getattr(_cause(error), "sqlstate", None) != FOREIGN_KEY_VIOLATION:
        return None
    if deleting:
        return still_referred(label)
    # The referenced row was checked, then deleted by a concurrent request.
    return ConflictError(f"A row this {label} refers to was just deleted")

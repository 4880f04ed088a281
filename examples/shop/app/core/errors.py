from sqlalchemy.exc import IntegrityError


class ConflictError(Exception):
    """A write would break a unique constraint; the API answers 409."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def violated_constraint(error: IntegrityError) -> str | None:
    """Name of the constraint behind an IntegrityError, as reported by asyncpg."""
    cause = error.orig.__cause__ if error.orig is not None else None
    name = getattr(cause, "constraint_name", None)
    return name if isinstance(name, str) else None

import logging
from contextvars import ContextVar
from types import TracebackType

ExcInfo = (
    tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
)

# The id of the request being served, for every log line written while serving it.
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


# Lines of a database error that quote values: PostgreSQL's DETAIL (`Key (email)=(...)
# already exists`) and SQLAlchemy's bound parameters.
REDACTED = ("DETAIL:", "[parameters:")


class RedactingFormatter(logging.Formatter):
    """Leaves the lines of logged tracebacks that quote a row's values out."""

    def formatException(self, ei: ExcInfo) -> str:
        lines = super().formatException(ei).splitlines()
        return "\n".join(
            line for line in lines if not line.lstrip().startswith(REDACTED)
        )


def configure_logging(level: str, *, redact: bool) -> None:
    """The app's log lines, each with its request id; `redact` leaves row values out."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    formatter = RedactingFormatter if redact else logging.Formatter
    handler.setFormatter(
        formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    logger = logging.getLogger("app")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False

import gc
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api import health
from app.api.router import api_router
from app.core.config import Settings, get_settings
from app.core.database import engine
from app.core.errors import ConflictError, InvalidCursor, InvalidReference
from app.core.logging import configure_logging
from app.core.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from app.core.openapi import API


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Everything loaded at start-up lives as long as the process: moved out of the collector's
    # reach, full collections under load stop re-scanning it (shorter latency spikes).
    gc.collect()
    gc.freeze()
    yield
    await engine.dispose()


async def conflict_handler(_: Request, exc: Exception) -> JSONResponse:
    detail = exc.detail if isinstance(exc, ConflictError) else "Conflict"
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT, content={"detail": detail}
    )


async def reference_handler(_: Request, exc: Exception) -> JSONResponse:
    # Shaped like FastAPI's own validation errors, so clients handle both alike.
    invalid = cast(InvalidReference, exc)  # registered for InvalidReference only
    error = {
        "type": invalid.type,
        "loc": ["body", invalid.field],
        "msg": invalid.message,
        "input": invalid.value,
    }
    return JSONResponse(status_code=422, content={"detail": [error]})


async def cursor_handler(_: Request, exc: Exception) -> JSONResponse:
    invalid = cast(InvalidCursor, exc)  # registered for InvalidCursor only
    error = {
        "type": invalid.type,
        "loc": ["query", "cursor"],
        "msg": invalid.message,
        "input": invalid.cursor,
    }
    return JSONResponse(status_code=422, content={"detail": [error]})


# Request fields whose value a 422 must not send back (the client's own, but responses are
# logged and cached by proxies, browsers and error trackers).
SECRET_FIELDS = frozenset({"password"})


def without_secrets(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error without its `input` where that is, or contains, a secret."""
    given = error.get("input")
    names = given.keys() if isinstance(given, dict) else ()
    if error["loc"][-1] in SECRET_FIELDS or SECRET_FIELDS.intersection(names):
        return {key: value for key, value in error.items() if key != "input"}
    if "input" in error:
        return {**error, "input": _writable(given)}
    return error


def _writable(value: Any) -> Any:
    # Python's json reads 1e400 as inf and takes NaN and Infinity, which JSON cannot write
    # back: they are answered as the strings "inf", "nan".
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _writable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_writable(item) for item in value]
    return value


async def validation_handler(_: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own handler, less the secrets.
    invalid = cast(RequestValidationError, exc)  # registered for it only
    errors = [without_secrets(error) for error in invalid.errors()]
    return JSONResponse(status_code=422, content=jsonable_encoder({"detail": errors}))


async def allow_every_method(request: Request, exc: Exception) -> Response:
    """A 405's `Allow` names every method of the path. FastAPI has one route per method, and
    Starlette names only the methods of the first route whose path matched."""
    error = cast(StarletteHTTPException, exc)  # registered for it only
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # The OpenAPI document's paths: the routes as declared, whatever FastAPI's routing.
        paths = request.app.openapi()["paths"].items()
        path = request.url.path.removeprefix(request.scope.get("root_path", ""))
        matched = [
            ops for template, ops in paths if compile_path(template)[0].match(path)
        ]
        methods = sorted(
            {method.upper() for operations in matched for method in operations}
        )
        if methods:  # else Starlette's own answer stands
            error.headers = {**(error.headers or {}), "Allow": ", ".join(methods)}
    return await http_exception_handler(request, error)


def create_app(settings: Settings) -> FastAPI:
    # Outside development, neither logs nor errors carry values of rows or statements.
    configure_logging(settings.log_level, redact=settings.environment != "development")
    app = API(
        title=settings.project_name,
        version="0.1.0",
        lifespan=lifespan,
        # None turns off /docs and /redoc with it.
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.include_router(api_router, prefix=settings.api_v1_prefix)
    app.include_router(health.router)
    app.add_exception_handler(ConflictError, conflict_handler)
    app.add_exception_handler(InvalidReference, reference_handler)
    app.add_exception_handler(InvalidCursor, cursor_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, allow_every_method)
    # Added innermost first: the security headers wrap everything, errors included.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    # Outside the error shield, so a 500 still carries the CORS headers: browsers then
    # show the 500, not a CORS error.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts_seconds=settings.hsts_seconds)
    # The client is the right-most X-Forwarded-For hop that is not a trusted proxy; with
    # no trusted proxies the header is ignored (anyone could write it).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


app = create_app(get_settings())

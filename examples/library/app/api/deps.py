import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.database import get_async_session
from app.core.rate_limit import (
    DatabaseRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    rate_limit_key,
)
from app.core.security import decode_access_token
from app.models import User

MAX_PAGE_SIZE = 100
# A cursor carries the last row's sort value whole: room for 1,000 characters of text (longer
# text is no sort key), and no more than proxies let through in a request line by default.
MAX_CURSOR_LENGTH = 8192

SessionDep = Annotated[AsyncSession, Depends(get_async_session)]
# Ids are PostgreSQL integers: outside that range no row can exist (and the driver
# would fail on the value).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Every authenticated request runs it: built once, its compiled SQL is reused. The only
# statement the app builds ahead of use; paired runs showed it pays against `db.get`
# (benchmarks/RESULTS.md, "Plain services").
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=f"{get_settings().api_v1_prefix}/auth/login"
)
# For public routes that still treat a signed-in admin differently.
optional_oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=f"{get_settings().api_v1_prefix}/auth/login", auto_error=False
)


async def get_current_user(
    db: SessionDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> User:
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    subject = decode_access_token(token)
    if subject is None or not subject.isdigit():
        raise unauthorized
    user = await db.scalar(USER_BY_ID, {"user_id": int(subject)})
    if user is None or not user.is_active:
        raise unauthorized
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_optional_user(
    db: SessionDep, token: Annotated[str | None, Depends(optional_oauth2_scheme)]
) -> User | None:
    """The signed-in user, or None without a token; a bad token is still a 401."""
    return None if token is None else await get_current_user(db, token)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def forbidden() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_403_FORBIDDEN, detail="Only admins may do this"
    )


async def get_admin_user(current_user: CurrentUser) -> User:
    if not current_user.is_superuser:
        raise forbidden()
    return current_user


AdminUser = Annotated[User, Depends(get_admin_user)]


def owner_scope(user: User) -> int | None:
    """Whose rows an owner-level operation may touch: the user's own, or any (None) for an admin."""
    return None if user.is_superuser else user.id


def not_found(label: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_404_NOT_FOUND, detail=f"{label} not found"
    )


@dataclass(frozen=True)
class Pagination:
    limit: int
    cursor: str | None
    total: bool


async def pagination(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description="The `next` of the page before; left out, the first page",
        ),
    ] = None,
    total: Annotated[
        bool,
        Query(
            description="Also count the rows that match: a count reads every one of them, "
            "so it slows a large list down"
        ),
    ] = False,
) -> Pagination:
    return Pagination(limit=limit, cursor=cursor, total=total)


PaginationDep = Annotated[Pagination, Depends(pagination)]


LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]


@lru_cache
def get_rate_limiter() -> RateLimiter:
    if get_settings().rate_limit_store == "database":
        return DatabaseRateLimiter()
    return MemoryRateLimiter()


def too_many_attempts() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        detail="Too many attempts; try again in a minute",
        headers={"Retry-After": "60"},
    )


def client_network(request: Request) -> str:
    """Who the client is for its budget: its address, or its /64 for IPv6, since one host
    usually holds a whole /64 and could spend a new address on every attempt."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return host


async def client_rate_limit(request: Request, db: SessionDep) -> None:
    """Slows down password guessing and sign-up floods: a budget per route and client address.

    The address is the proxy's client where the proxy is trusted (`TRUSTED_PROXIES`), so
    one client spending its budget leaves every other client theirs.
    """
    key = rate_limit_key(request.url.path, client_network(request))
    limit = get_settings().auth_rate_limit_per_minute
    if not await get_rate_limiter().allow(key, limit, db):
        raise too_many_attempts()


async def account_rate_limit(form: LoginForm, db: SessionDep) -> None:
    """A budget per account, whatever the address: rotating addresses buys no more guesses.

    It is larger than one address's budget, so a single address cannot lock an account out.
    """
    key = rate_limit_key("login-account", form.username.strip().lower())
    limit = get_settings().login_rate_limit_per_account_per_minute
    if not await get_rate_limiter().allow(key, limit, db):
        raise too_many_attempts()

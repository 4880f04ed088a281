from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    project_name: str = "Shop"
    api_v1_prefix: str = "/api/v1"
    database_url: str = "postgresql+asyncpg://postgres:postgres@localhost:5432/shop"
    db_pool_size: int = 10
    db_max_overflow: int = 10
    secret_key: SecretStr = SecretStr(
        "insecure-development-key-set-SECRET_KEY-before-deploying-anywhere"
    )
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 30
    bcrypt_rounds: int = 12


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Every model, imported here so that Alembic's autogenerate sees the whole schema."""

from app.models.base import Base as Base
from app.models.event import Event as Event
from app.models.rate_limit import RateLimitWindow as RateLimitWindow
from app.models.user import User as User

"""Every model, imported here so that Alembic's autogenerate sees the whole schema."""

from app.models.base import Base as Base
from app.models.category import Category as Category
from app.models.comment import Comment as Comment
from app.models.post import Post as Post
from app.models.rate_limit import RateLimitWindow as RateLimitWindow
from app.models.tag import Tag as Tag
from app.models.user import User as User

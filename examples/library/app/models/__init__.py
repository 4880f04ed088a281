"""Every model, imported here so that Alembic's autogenerate sees the whole schema."""

from app.models.base import Base as Base
from app.models.book import Book as Book
from app.models.loan import Loan as Loan
from app.models.rate_limit import RateLimitWindow as RateLimitWindow
from app.models.review import Review as Review
from app.models.shelf import Shelf as Shelf
from app.models.user import User as User

"""Every model, imported here so that Alembic's autogenerate sees the whole schema."""

from app.models.base import Base as Base
from app.models.customer import Customer as Customer
from app.models.order import Order as Order
from app.models.order_item import OrderItem as OrderItem
from app.models.product import Product as Product
from app.models.rate_limit import RateLimitWindow as RateLimitWindow
from app.models.tax_rate import TaxRate as TaxRate
from app.models.user import User as User

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.order import OrderStatus
from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import ReferenceId, ReferenceIdFilter, Timestamp


class OrderCreate(InputModel):
    customer_id: ReferenceId = Field(description="Who placed the order")
    status: OrderStatus = OrderStatus.PENDING
    placed_at: Timestamp
    note: str | None = Field(default=None, max_length=500)


class OrderUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"customer_id", "status", "placed_at"})
    customer_id: ReferenceId | None = Field(
        default=None, description="Who placed the order"
    )
    status: OrderStatus | None = None
    placed_at: Timestamp | None = None
    note: str | None = Field(default=None, max_length=500)


class OrderResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    status: OrderStatus
    placed_at: dt.datetime
    note: str | None
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderList(BaseModel):
    items: list[OrderResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


OrderSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "status",
    "-status",
    "placed_at",
    "-placed_at",
]


class OrderFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    customer_id: ReferenceIdFilter | None = None
    status: OrderStatus | None = None
    sort: OrderSort = "-id"

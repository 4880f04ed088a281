import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import (
    DecimalText,
    JsonNumber,
    PlainDecimal,
    ReferenceId,
    ReferenceIdFilter,
)

# Decimals travel as strings in their column's form, both ways: the pattern holds the
# column's digits and places and the field's bounds.
UnitPriceDecimal = Annotated[
    Decimal,
    DecimalText(
        r"^(?:\d\.\d{2}|[1-9]\d\.\d{2}|[1-9]\d{2}\.\d{2}|[1-9]\d{3}\.\d{2}|[1-9]\d{4}\.\d{2}|[1-9]\d{5}\.\d{2}|[1-9]\d{6}\.\d{2}|[1-9]\d{7}\.\d{2})$",
        example="12.50",
    ),
]


class OrderItemCreate(InputModel):
    order_id: ReferenceId
    product_id: ReferenceId
    quantity: Annotated[int, Field(ge=1, le=10000), JsonNumber]
    unit_price: UnitPriceDecimal


class OrderItemUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"order_id", "product_id", "quantity", "unit_price"})
    order_id: ReferenceId | None = None
    product_id: ReferenceId | None = None
    quantity: Annotated[int, Field(ge=1, le=10000), JsonNumber] | None = None
    unit_price: UnitPriceDecimal | None = None


class OrderItemResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    product_id: int
    quantity: int
    unit_price: PlainDecimal
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderItemList(BaseModel):
    items: list[OrderItemResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


OrderItemSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "quantity",
    "-quantity",
    "unit_price",
    "-unit_price",
]


class OrderItemFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    order_id: ReferenceIdFilter | None = None
    product_id: ReferenceIdFilter | None = None
    sort: OrderItemSort = "-id"

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import (
    DecimalText,
    HttpUrlStr,
    JsonNumber,
    PlainDecimal,
    ReferenceId,
    ReferenceIdFilter,
)

# Decimals travel as strings in their column's form, both ways: the pattern holds the
# column's digits and places and the field's bounds.
PriceDecimal = Annotated[
    Decimal,
    DecimalText(
        r"^(?:\d\.\d{2}|[1-9]\d\.\d{2}|[1-9]\d{2}\.\d{2}|[1-9]\d{3}\.\d{2}|[1-9]\d{4}\.\d{2}|[1-9]\d{5}\.\d{2}|[1-9]\d{6}\.\d{2}|[1-9]\d{7}\.\d{2})$",
        example="12.50",
    ),
]


class ProductCreate(InputModel):
    name: str = Field(min_length=1, max_length=120)
    sku: str = Field(max_length=32, pattern="^[A-Z0-9-]+$", examples=["SKU-1001"])
    price: PriceDecimal
    stock: Annotated[int, Field(ge=0, le=2**31 - 1), JsonNumber] = 0
    weight_kg: float | None = Field(
        default=None, ge=0, le=1000, allow_inf_nan=False, strict=True
    )
    is_active: bool = Field(default=True, strict=True)
    attributes: dict[str, Any] | None = Field(
        default=None, description="Free-form attributes such as colour or size"
    )
    external_id: UUID | None = None
    product_url: HttpUrlStr | None = None
    tax_rate_id: ReferenceId | None = None


class ProductUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"name", "sku", "price", "stock", "is_active"})
    name: str | None = Field(default=None, min_length=1, max_length=120)
    sku: str | None = Field(
        default=None, max_length=32, pattern="^[A-Z0-9-]+$", examples=["SKU-1001"]
    )
    price: PriceDecimal | None = None
    stock: Annotated[int, Field(ge=0, le=2**31 - 1), JsonNumber] | None = None
    weight_kg: float | None = Field(
        default=None, ge=0, le=1000, allow_inf_nan=False, strict=True
    )
    is_active: bool | None = Field(default=None, strict=True)
    attributes: dict[str, Any] | None = Field(
        default=None, description="Free-form attributes such as colour or size"
    )
    external_id: UUID | None = None
    product_url: HttpUrlStr | None = None
    tax_rate_id: ReferenceId | None = None


class ProductResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sku: str
    price: PlainDecimal
    stock: int
    weight_kg: float | None
    is_active: bool
    attributes: dict[str, Any] | None
    external_id: UUID | None
    product_url: str | None
    tax_rate_id: int | None
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductList(BaseModel):
    items: list[ProductResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


ProductSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "name",
    "-name",
    "sku",
    "-sku",
    "price",
    "-price",
    "stock",
    "-stock",
    "weight_kg",
    "-weight_kg",
    "is_active",
    "-is_active",
    "external_id",
    "-external_id",
    "product_url",
    "-product_url",
]


class ProductFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    name: str | None = Field(default=None, max_length=120)
    sku: str | None = Field(default=None, max_length=32)
    is_active: bool | None = None
    external_id: UUID | None = None
    tax_rate_id: ReferenceIdFilter | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in name",
    )
    sort: ProductSort = "-id"

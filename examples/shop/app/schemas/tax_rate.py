import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import DecimalText, JsonNumber, PlainDecimal

# Decimals travel as strings in their column's form, both ways: the pattern holds the
# column's digits and places and the field's bounds.
RateDecimal = Annotated[
    Decimal, DecimalText(r"^(?:0\.\d{4}|1\.0{4})$", example="0.5000")
]


class TaxRateCreate(InputModel):
    code: str = Field(max_length=16)
    rate: RateDecimal
    total_collected: Annotated[int, Field(ge=0, le=2**63 - 1), JsonNumber] = 0


class TaxRateUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"code", "rate", "total_collected"})
    code: str | None = Field(default=None, max_length=16)
    rate: RateDecimal | None = None
    total_collected: Annotated[int, Field(ge=0, le=2**63 - 1), JsonNumber] | None = None


class TaxRateResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    rate: PlainDecimal
    total_collected: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TaxRateList(BaseModel):
    items: list[TaxRateResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


TaxRateSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "code",
    "-code",
    "rate",
    "-rate",
    "total_collected",
    "-total_collected",
]


class TaxRateFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    code: str | None = Field(default=None, max_length=16)
    sort: TaxRateSort = "-id"

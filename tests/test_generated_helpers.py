"""The generated app's own helpers (`app/core/openapi.py`, `app/schemas/types.py`), imported from a
golden project and tested on inputs the examples' suites never meet."""

from __future__ import annotations

import importlib.util
import re
import sys
from decimal import Decimal
from types import ModuleType
from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError, create_model

from prpgen.spec.decimal_text import decimal_example, decimal_pattern
from tests.conftest import EXAMPLES


def golden_module(path: str) -> ModuleType:
    name = "golden_" + path.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "shop" / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_clashing_enum_names_are_all_distinct() -> None:
    openapi = golden_module("app/core/openapi.py")
    node = {"enum": ["a_2", "a", "A", "-a", "a-desc", "9", "v 9", ""]}
    names = openapi.enum_names(node)["x-enum-varnames"]
    assert len(set(names)) == len(names), names
    assert all(name.isidentifier() for name in names), names


def decimal_model(digits: int, places: int, ge: float | None = None, le: float | None = None) -> type[BaseModel]:
    """A model with one decimal field as the generated schemas declare it."""
    types = golden_module("app/schemas/types.py")
    text = types.DecimalText(decimal_pattern(digits, places, ge, le), example=decimal_example(digits, places, ge, le))
    model: type[BaseModel] = create_model("Model", value=(Annotated[Decimal, text], ...))
    return model


@pytest.mark.parametrize("text", ["1\u0662.50", "\u0663.\u0665\u0660", "\uff112.50"])
def test_a_decimal_in_other_digits_than_ascii_is_refused(text: str) -> None:
    model = decimal_model(10, 2, 0)
    with pytest.raises(ValidationError):
        model.model_validate({"value": text})


@pytest.mark.parametrize("places", [7, 8])
def test_small_decimals_of_many_places_keep_their_form(places: int) -> None:
    model = decimal_model(places + 1, places, -1, 1)
    example = decimal_example(places + 1, places, -1, 1)
    assert "E" not in example and re.fullmatch(decimal_pattern(places + 1, places, -1, 1), example)
    zero = "0." + "0" * places
    assert model.model_validate({"value": zero}).model_dump(mode="json") == {"value": zero}
    assert model.model_validate({"value": Decimal(zero)}).model_dump(mode="json") == {"value": zero}
    # As a response answers a row read back (`Decimal('0E-7')` from the database).
    types = golden_module("app/schemas/types.py")
    response = create_model("Response", value=(types.PlainDecimal, ...))
    assert response.model_validate({"value": Decimal(zero)}).model_dump(mode="json") == {"value": zero}

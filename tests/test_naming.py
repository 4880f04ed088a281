import pytest

from prpgen import naming


@pytest.mark.parametrize(
    ("raw", "snake", "pascal", "kebab", "table"),
    [
        ("Post", "post", "Post", "post", "posts"),
        ("OrderItem", "order_item", "OrderItem", "order-item", "order_items"),
        ("order_item", "order_item", "OrderItem", "order-item", "order_items"),
        ("order-item", "order_item", "OrderItem", "order-item", "order_items"),
        ("orderItem", "order_item", "OrderItem", "order-item", "order_items"),
        ("Person", "person", "Person", "person", "people"),
        ("Category", "category", "Category", "category", "categories"),
        ("HTTPRequest", "http_request", "HttpRequest", "http-request", "http_requests"),
        ("Address", "address", "Address", "address", "addresses"),
        ("TaxRate", "tax_rate", "TaxRate", "tax-rate", "tax_rates"),
        ("Data", "data", "Data", "data", "data"),
        ("News", "news", "News", "news", "news"),
        ("Series", "series", "Series", "series", "series"),
        ("Bus", "bus", "Bus", "bus", "buses"),
        ("Status", "status", "Status", "status", "statuses"),
        ("Analysis", "analysis", "Analysis", "analysis", "analyses"),
        ("Users", "users", "Users", "users", "users"),
        ("OrderItems", "order_items", "OrderItems", "order-items", "order_items"),
        ("Canvas", "canvas", "Canvas", "canvas", "canvases"),
        ("Mouse", "mouse", "Mouse", "mouse", "mice"),
    ],
)
def test_entity_names(raw: str, snake: str, pascal: str, kebab: str, table: str) -> None:
    assert naming.snake(raw) == snake
    assert naming.pascal(raw) == pascal
    assert naming.kebab(raw) == kebab
    assert naming.table(raw) == table


def test_a_given_plural_wins() -> None:
    assert naming.table("Datum", "data") == "data"
    assert naming.table("BusStop", "bus-stops") == "bus_stops"


@pytest.mark.parametrize(("name", "quoted"), [("order", '"order"'), ("user", '"user"'), ("title", "title")])
def test_reserved_sql_words_are_quoted(name: str, quoted: str) -> None:
    assert naming.sql_identifier(name) == quoted


@pytest.mark.parametrize(
    ("name", "valid"), [("title", True), ("t2", True), ("2t", False), ("tïtle", False), ("", False)]
)
def test_identifiers_are_ascii(name: str, valid: bool) -> None:
    assert naming.is_identifier(name) is valid


def test_soft_keywords_are_usable() -> None:
    assert naming.is_python_keyword("class")
    assert not naming.is_python_keyword("type")
    assert not naming.is_python_keyword("match")

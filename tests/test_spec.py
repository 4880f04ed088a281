from pathlib import Path

import pytest

from prpgen.errors import SpecError
from prpgen.spec.feature import Spec, inline_spec, load_spec, parse_spec

BASE = {"feature": "shop", "description": "A shop."}


def spec_with(fields: dict[str, object], **entity: object) -> dict[str, object]:
    return {**BASE, "entities": [{"name": "Product", "fields": fields, **entity}]}


def problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(data, "spec.yaml")
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith("spec.yaml: ")
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_spec_gets_its_defaults() -> None:
    spec = parse_spec(spec_with({"name": "str", "price": {"type": "decimal"}}), "spec.yaml")
    assert spec.priority == "medium"
    entity = spec.entities[0]
    assert entity.owned is True
    assert entity.fields["name"].type == "str"
    assert entity.fields["name"].length_limit == 255
    assert entity.fields["price"].digits == (10, 2)
    assert spec.feature_slug == "shop"


def test_a_single_entity_may_be_given_as_entity() -> None:
    spec = parse_spec({**BASE, "entity": {"name": "Note", "fields": {"text": "text"}}}, "x")
    assert [e.name for e in spec.entities] == ["Note"]
    assert problems({**BASE, "entity": {}, "entities": []}) == ["give either `entity` or `entities`, not both"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"price": "decimel"},
            "entities[0] (Product).fields.price.type: unknown type 'decimel' (did you mean 'decimal'?)",
        ),
        ({"name": {"type": "str", "max_len": 3}}, "unknown key 'max_len' (did you mean 'max_length'?)"),
        ({"name": {"type": "str", "min_length": 5, "max_length": 2}}, "min_length (5) is greater than max_length (2)"),
        ({"n": {"type": "int", "ge": 5, "le": 1}}, "ge (5) is greater than le (1)"),
        ({"n": {"type": "int", "ge": 1.5}}, "ge must be a whole number"),
        ({"n": {"type": "int", "le": 2**31}}, "le must be a whole number from -2147483648 to 2147483647"),
        (
            {"p": {"type": "decimal", "max_digits": 2, "decimal_places": 3}},
            "decimal_places (3) is greater than max_digits (2)",
        ),
        ({"s": {"type": "enum", "values": ["a", "b"], "default": "c"}}, "default 'c' is not one of the enum values"),
        ({"s": {"type": "enum"}}, "an enum needs a non-empty list of `values`"),
        ({"s": {"type": "enum", "values": ["a", "a"]}}, "enum value 'a' is listed twice"),
        ({"s": {"type": "str", "values": ["a"]}}, "option 'values' does not apply to type 'str' (only to enum)"),
        ({"s": {"type": "str", "pattern": "("}}, "pattern is not a valid regular expression"),
        ({"s": {"type": "str", "pattern": "(?=a)b"}}, "pattern is not supported by Pydantic's regex engine"),
        ({"s": {"type": "str", "default": False}}, "default false is not a string (quote it in YAML: 'false')"),
        ({"s": {"type": "date", "default": "2024-01-01"}}, "type 'date' takes no default"),
        ({"s": {"type": "json", "unique": True}}, "a json field cannot be unique or indexed"),
        ({"s": {"type": "int", "ge": 0, "example": -1}}, "example -1 is less than ge 0"),
        ({"class": "str"}, "field 'class' is a Python keyword"),
        ({"l": "str"}, "field 'l' reads like a digit in code (ruff E741/E742); choose a longer name"),
        ({"id": "int"}, "field 'id' clashes with a column or attribute prpgen generates"),
        ({"metadata": "json"}, "field 'metadata' clashes"),
        ({"model_config": "str"}, "field 'model_config' clashes"),
        ({"userName": "str", "user_name": "str"}, "fields 'userName' and 'user_name' both become 'user_name'"),
        ({"tïtle": "str"}, "field 'tïtle' must be ASCII letters"),
        ({"x" * 41: "str"}, "is too long"),
        ({"shop": "ref"}, "a 'ref' field needs `to:`, the entity it refers to"),
        (
            {"shop": {"type": "ref", "to": "Shop", "on_delete": "set_null"}},
            "on_delete: set_null needs `required: false`",
        ),
        (
            {"shop": {"type": "ref", "to": "Shop", "on_delete": "nullify"}},
            "Input should be 'cascade', 'set_null' or 'restrict'",
        ),
        ({"shop": {"type": "ref", "to": "Shop", "unique": True}}, "option 'unique' does not apply to a reference"),
        ({"shop": {"type": "ref", "to": "Shop", "default": 1}}, "option 'default' does not apply to a reference"),
        ({"tags": {"type": "ref_many", "to": "Tag", "on_delete": "cascade"}}, "on_delete applies to 'ref' only"),
        ({"tags": {"type": "ref_many", "to": "Tag", "required": False}}, "`required` does not apply"),
        ({"name": {"type": "str", "to": "Tag"}}, "option 'to' applies only to references"),
        ({"count": {"type": "int", "searchable": True}}, "only text fields (email, str, text, url) can be searchable"),
        ({"shop_id": {"type": "ref", "to": "Shop"}}, "name the reference 'shop', not 'shop_id'"),
        ({"shop": {"type": "ref", "to": "Shop"}, "shop_id": "int"}, "needs the name 'shop_id', which is already taken"),
        ({"owner": {"type": "ref", "to": "User"}}, "points at User, the project's accounts"),
        ({"parent": {"type": "ref", "to": "Product"}}, "the self-reference 'parent' must be `required: false`"),
    ],
)
def test_invalid_fields_are_reported_with_their_location(fields: dict[str, object], expected: str) -> None:
    found = problems(spec_with(fields))
    assert len(found) == 1
    assert expected in found[0]
    assert found[0].startswith("entities[0] (Product)")


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"feature": "x", "priority": "urgent", "entities": [{"name": "P", "fields": {"a": "strr"}}]})
    assert any(p.startswith("priority: Input should be 'low', 'medium', 'high' or 'critical'") for p in found)
    assert "description: required key is missing" in found
    assert any("unknown type 'strr' (did you mean 'str'?)" in p for p in found)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**BASE, "entities": []}, "entities: List should have at least 1 item"),
        (spec_with({}), "fields: Dictionary should have at least 1 item"),
        (spec_with({"a": "str"}, name="User"), "entity name 'User' is taken by the project skeleton"),
        (spec_with({"a": "str"}, name="class"), "name 'class' is a Python keyword"),
        (spec_with({"a": "str"}, name="O"), "name 'O' reads like a digit in code"),
        (spec_with({"a": "str"}, owned=False, access={"read": "owner"}), "access.read: 'owner' needs an owned entity"),
        (spec_with({"a": "str"}, access={"delete": "public"}), "access.delete: writes need a signed-in user"),
        (spec_with({"a": "str"}, access={"create": "admin"}), "access.create: admin would make every row the admin's"),
        (spec_with({"a": "str"}, access={"read": "everyone"}), "Input should be 'public', 'user', 'owner' or 'admin'"),
        (spec_with({"a": "str"}, access={"lists": "public"}), "unknown key 'lists' (did you mean 'list'?)"),
        (spec_with({"deleted_at": "datetime"}, soft_delete=True), "field 'deleted_at' clashes"),
        (spec_with({"created_by_id": "int"}), "field 'created_by_id' clashes"),
        ({**BASE, "feature": "9lives", "entities": [{"name": "P", "fields": {"a": "str"}}]}, "feature must start"),
        (
            {**BASE, "entities": [{"name": "Post", "fields": {"a": "str"}}, {"name": "post", "fields": {"a": "str"}}]},
            "entities 'Post' and 'post' both become 'post'",
        ),
    ],
)
def test_invalid_specs(data: dict[str, object], expected: str) -> None:
    assert any(expected in problem for problem in problems(data))


def test_a_non_mapping_is_refused() -> None:
    assert problems(["a"]) == ["the spec must be a mapping with `feature`, `description` and `entities`"]  # type: ignore[arg-type]


def test_yaml_toml_and_json_load_the_same_spec(tmp_path: Path) -> None:
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text("feature: shop\ndescription: A shop.\nentity:\n  name: Product\n  fields:\n    name: str\n")
    toml_file = tmp_path / "s.toml"
    toml_file.write_text(
        'feature = "shop"\ndescription = "A shop."\n[entity]\nname = "Product"\nfields = {name = "str"}\n'
    )
    json_file = tmp_path / "s.json"
    json_file.write_text(
        '{"feature": "shop", "description": "A shop.", "entity": {"name": "Product", "fields": {"name": "str"}}}'
    )
    loaded = [load_spec(path) for path in (yaml_file, toml_file, json_file)]
    assert loaded[0] == loaded[1] == loaded[2]
    assert isinstance(loaded[0], Spec)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s.yaml", "feature: a\nfeature: b\n", "line 2, column 1: invalid YAML: duplicate key 'feature'"),
        ("s.yaml", "feature: [a\n", "invalid YAML"),
        ("s.toml", "feature = \n", "invalid TOML"),
        ("s.json", "{", "line 1, column 2: invalid JSON"),
        ("s.ini", "x", "unknown spec format '.ini'"),
    ],
)
def test_unparsable_files_are_located(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert expected in caught.value.message
    assert caught.value.message.startswith(str(path))


def test_a_missing_or_binary_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        load_spec(tmp_path / "missing.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SpecError, match="not UTF-8"):
        load_spec(binary)


def test_inline_fields_build_the_same_model() -> None:
    spec = inline_spec(
        "OrderItem",
        ["sku:str:unique:max_length=20", "qty:int:ge=1", "state:enum:values=a|b:default=a", "note:text:optional"],
        priority="high",
    )
    assert spec.feature == "order-items"
    assert spec.priority == "high"
    fields = spec.entities[0].fields
    assert fields["sku"].unique and fields["sku"].max_length == 20
    assert fields["qty"].ge == 1
    assert fields["state"].values == ["a", "b"]
    assert fields["note"].required is False


@pytest.mark.parametrize(
    ("option", "expected"),
    [("price", "expected name:type"), ("price:decimal:uniq", "unknown option 'uniq' (did you mean 'unique'?)")],
)
def test_inline_errors_name_the_option(option: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        inline_spec("Product", [option])
    assert expected in caught.value.message
    assert f"--field {option!r}" in caught.value.message


def test_yaml_surprises_never_change_a_spec_silently(tmp_path: Path) -> None:
    path = tmp_path / "surprises.yaml"
    path.write_text(
        "feature: shop\n"
        "description: A shop.\n"
        "entity:\n"
        "  name: Product\n"
        "  fields:\n"
        "    answer: {type: enum, values: [yes, no, on, off]}\n"
        "    version: {type: str, default: 3.10}\n"
        "    code: {type: str, default: 007}\n"
        "    kind: {type: enum, values: [a, 3.10, true]}\n"
        "    flag: {type: bool, unique: yes}\n"
    )
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert [str(p) for p in caught.value.problems] == [
        "line 7: entity (Product).fields.version: default 3.10 is not a string (quote it in YAML: '3.10')",
        "line 8: entity (Product).fields.code: default 007 is not a string (quote it in YAML: '007')",
        "line 9: entity (Product).fields.kind.values[1]: expected text, got 3.10 (YAML reads it as a number); "
        "quote it: '3.10'",
        "line 9: entity (Product).fields.kind.values[2]: expected text, got true (YAML reads it as a boolean); "
        "quote it: 'true'",
        "line 10: entity (Product).fields.flag.unique: expected true, false or global (got 'yes')",
    ]
    path.write_text(path.read_text().split("    version")[0])
    assert load_spec(path).entities[0].fields["answer"].values == ["yes", "no", "on", "off"]


def test_errors_in_a_list_of_entities_carry_their_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.yml"
    path.write_text(
        "feature: shop\ndescription: A shop.\nentities:\n"
        "  - name: Tag\n    fields: {label: str}\n"
        "  - name: Product\n    fields:\n      name: str\n      price: {type: decimal, ge: true}\n"
    )
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value.problems[0]).startswith("line 9: entities[1] (Product).fields.price.ge: ")


def _feature(entities: list[dict[str, object]], existing: dict[str, object] | None = None) -> list[str]:
    from prpgen.generate.context import build_feature

    spec = parse_spec({**BASE, "entities": entities}, "spec.yaml")
    with pytest.raises(SpecError) as caught:
        build_feature(spec, "spec.yaml", existing or {})  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_references_are_resolved_and_ordered_by_dependency() -> None:
    from prpgen.generate.context import build_feature

    entities = [
        {"name": "OrderItem", "fields": {"order": {"type": "ref", "to": "Order"}, "quantity": "int"}},
        {
            "name": "Order",
            "fields": {"customer": {"type": "ref", "to": "customer"}, "tags": {"type": "ref_many", "to": "Tag"}},
        },
        {"name": "Customer", "fields": {"name": "str", "parent": {"type": "ref", "to": "Customer", "required": False}}},
        {"name": "Tag", "fields": {"label": "str"}},
    ]
    feature = build_feature(parse_spec({**BASE, "entities": entities}, "x"), "x")
    assert [e.class_name for e in feature.entities] == ["Customer", "Tag", "Order", "OrderItem"]
    customer, _, order, _ = feature.entities
    assert [i.name for i in customer.inverses] == ["orders", "children"]
    link = order.references[1].association
    assert link is not None
    assert (link.table, link.source_column, link.target_column) == ("orders_tags", "order_id", "tag_id")
    assert order.references[0].nested_route == "/customers/{customer_id}/orders"


def test_reference_problems_name_the_spec_and_the_project() -> None:
    found = _feature([{"name": "Post", "fields": {"author": {"type": "ref", "to": "Autor"}}}])
    assert found == [
        "entities[0] (Post).fields.author: refers to 'Autor', which is neither in the spec (Post) "
        "nor in the project (no entities yet)"
    ]
    cycle = _feature(
        [
            {"name": "Alpha", "fields": {"beta": {"type": "ref", "to": "Beta"}}},
            {"name": "Beta", "fields": {"alpha": {"type": "ref", "to": "Alpha"}}},
        ]
    )
    assert cycle == [
        "entities: Alpha, Beta refer to each other in a cycle; no table could be created first. "
        "Drop one of the references (a self-reference is fine)"
    ]
    shared = _feature(
        [
            {"name": "Rate", "owned": False, "fields": {"post": {"type": "ref", "to": "Post"}}},
            {"name": "Post", "fields": {"title": "str"}},
        ]
    )
    assert "the shared entity Rate (owned: false) cannot refer to Post" in shared[0]


def test_access_defaults_keep_the_ownership_rules() -> None:
    owned = parse_spec(spec_with({"a": "str"}), "x").entities[0]
    assert [owned.level(op) for op in ("list", "read", "create", "update", "delete")] == ["owner"] * 5
    shared = parse_spec(spec_with({"a": "str"}, owned=False, access={"list": "public"}), "x").entities[0]
    assert [shared.level(op) for op in ("list", "read", "create", "update", "delete")] == [
        "public",
        "user",
        "admin",
        "admin",
        "admin",
    ]


def test_two_indexes_of_one_name_are_refused() -> None:
    """A searchable `title` has the trigram index `ix_books_title_trgm`, which an indexed field
    `title_trgm` would be named too: one would silently replace the other in the migration."""
    fields = {"title": {"type": "str", "searchable": True}, "title_trgm": {"type": "str", "index": True}}
    problems = _feature([{"name": "Book", "fields": fields}])
    assert problems == [
        "entities[0] (Book): two of the table's constraints or indexes would both be named "
        "'ix_books_title_trgm'; rename a field"
    ]

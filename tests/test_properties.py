"""Property-based tests: any spec that validates generates code that parses, lints and is
formatted; any other input is a clean `SpecError`, never a traceback."""

import ast
import keyword
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st

from prpgen import generate, parse_spec
from prpgen.errors import SpecError
from prpgen.generate.context import build_feature
from prpgen.spec.feature import FIELD_TYPES, RESERVED_ENTITY_NAMES, RESERVED_FIELD_NAMES

# Deterministic: the same examples on every run, so a failure is reproducible and CI is stable.
# Shrinking is left out: it would multiply the run time, and an unshrunk example still points at
# the problem.
PROPERTY_SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)


def usable(name: str) -> bool:
    return not keyword.iskeyword(name) and name not in RESERVED_FIELD_NAMES and not name.startswith("model_")


NAMES = st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,6})?", fullmatch=True).filter(usable)
ENTITY_NAMES = NAMES.filter(lambda n: n not in RESERVED_ENTITY_NAMES and n.rstrip("s") != "user").map(str.capitalize)


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(FIELD_TYPES))
    field: dict[str, Any] = {"type": kind, "required": draw(st.booleans())}
    if draw(st.booleans()):
        field["description"] = draw(TEXT)
    if kind in {"str", "text"}:
        high = draw(st.integers(2, 300))
        field["max_length"] = high
        if draw(st.booleans()):
            field["min_length"] = draw(st.integers(0, high))
        if draw(st.booleans()):
            field["pattern"] = draw(st.sampled_from(["^[a-z]+$", "^[A-Z0-9-]+$", "^#[0-9a-f]{6}$"]))
    elif kind in {"int", "bigint"}:
        low = draw(st.integers(-1000, 1000))
        field["ge"], field["le"] = low, low + draw(st.integers(2, 1000))
    elif kind == "decimal":
        digits = draw(st.integers(3, 18))
        field["max_digits"], field["decimal_places"] = digits, draw(st.integers(0, digits - 2))
    elif kind == "enum":
        field["values"] = draw(st.lists(TEXT.filter(str.strip), min_size=2, max_size=5, unique=True))
        if draw(st.booleans()):
            field["default"] = draw(st.sampled_from(field["values"]))
    if kind not in {"json", "bool"} and draw(st.booleans()):
        field[draw(st.sampled_from(["unique", "index"]))] = True
    return field


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    entity_names = draw(st.lists(ENTITY_NAMES, min_size=1, max_size=3, unique_by=str.lower))
    entities: list[dict[str, Any]] = []
    for name in entity_names:
        entity: dict[str, Any] = {
            "name": name,
            "owned": draw(st.booleans()),
            "fields": draw(st.dictionaries(NAMES, fields(), min_size=1, max_size=4)),
        }
        for option in ("soft_delete", "audit", "timestamps"):
            if draw(st.booleans()):
                entity[option] = draw(st.booleans())
        # References to entities drawn before, so the spec has no cycle; some reach one table
        # along two paths.
        for target in draw(st.lists(st.sampled_from(entities), max_size=2)) if entities else []:
            kind = draw(st.sampled_from(["ref", "ref_many"]))
            reference = {"type": kind, "to": target["name"], "required": draw(st.booleans())}
            entity["fields"][f"{target['name'].lower()}_{kind.replace('_', '')}"] = reference
        entities.append(entity)
    return {
        "feature": draw(NAMES),
        "priority": draw(st.sampled_from(["low", "medium", "high", "critical"])),
        "description": draw(TEXT.filter(str.strip)),
        "goal": draw(st.none() | TEXT),
        "entities": entities,
    }


def check_project(project: Path) -> None:
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@PROPERTY_SETTINGS
@given(specs())
def test_every_valid_spec_generates_clean_code(data: dict[str, Any]) -> None:
    # Random constraints can still contradict each other (a pattern no string of min_length
    # matches) or names collide after pluralization: those specs are reported cleanly and skipped.
    try:
        spec = parse_spec(data, "random.yaml")
        feature_check = build_feature(spec, "random.yaml")
    except SpecError:
        reject()
    assert feature_check.entities
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        generate(spec, project, source="random.yaml")
        check_project(project)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


@st.composite
def broken_specs(draw: st.DrawFn) -> Any:
    """A valid spec with one value replaced by junk, or junk outright."""
    if draw(st.booleans()):
        return draw(JSONISH)
    data = draw(specs())
    target = draw(st.sampled_from(["feature", "priority", "description", "entities", "field", "option"]))
    junk = draw(JSONISH)
    fields_of_first = data["entities"][0]["fields"]
    if target == "field":
        fields_of_first[next(iter(fields_of_first))] = junk
    elif target == "option":
        field = fields_of_first[next(iter(fields_of_first))]
        field[draw(st.sampled_from([*field, "max_len", "values", "ge", "default"]))] = junk
    else:
        data[target] = junk
    return data


@settings(PROPERTY_SETTINGS, max_examples=300)
@given(broken_specs())
def test_any_other_input_is_a_clean_error(data: Any) -> None:
    try:
        spec = parse_spec(data, "broken.yaml")
        build_feature(spec, "broken.yaml")
    except SpecError as exc:
        assert exc.problems
        assert all(problem.message for problem in exc.problems)

"""The PRP states only what its spec says: access, ownership and purpose, for every example."""

import re
from pathlib import Path

import pytest

from prpgen import naming
from prpgen.spec.feature import OPERATIONS, load_spec
from tests.conftest import EXAMPLE_SPECS

# How the PRP names who may do something, by access level.
WHO = {"public": "anyone", "user": "any signed-in user", "owner": "their owner (or an admin)", "admin": "only admins"}


def prp(spec_path: Path) -> str:
    spec = load_spec(spec_path)
    return (spec_path.with_suffix("") / "PRPs" / spec.feature_slug / "prp.md").read_text()


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("spec_path", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_the_goal_says_who_may_do_what_as_the_spec_does(spec_path: Path) -> None:
    spec = load_spec(spec_path)
    goal = section(prp(spec_path), "Goal")
    private = all(e.owned and e.level("list") == e.level("read") == "owner" for e in spec.entities)
    assert ("visible only to the user who owns it" in goal) == private
    for entity in spec.entities:
        plural = naming.table(entity.name, entity.plural).replace("_", " ")
        sentence = re.search(rf"^- \*\*{re.escape(plural.capitalize())}\*\*[^\n]*", goal, re.MULTILINE)
        assert sentence is not None, (entity.name, goal)
        for operation in OPERATIONS:
            level = entity.level(operation)
            # An owned row's creator becomes its owner: creating is for any signed-in user.
            level = "user" if (operation, level) == ("create", "owner") else level
            said = re.search(rf"([^;:]*) may [^;]*\b{operation}\b", sentence.group(0))
            assert said is not None and WHO[level] in said.group(1), (entity.name, operation)
        assert ("shared" in sentence.group(0)) == (not entity.owned)


@pytest.mark.parametrize("spec_path", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_why_is_not_the_purpose_again(spec_path: Path) -> None:
    text = prp(spec_path)
    assert section(text, "Why").strip() != section(text, "Purpose").strip()

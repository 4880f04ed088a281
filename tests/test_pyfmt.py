"""Our layout of overlong lines must be what `ruff format` keeps: checked against ruff itself."""

import subprocess
import sys
from pathlib import Path

import pytest

from prpgen.pyfmt import fit, fit_source, import_from, py_literal, py_str


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', "'say \"hi\"'"),
        ('it\'s "x"', "'it\\'s \"x\"'"),
        ("it's 'x' \"y\"", '"it\'s \'x\' \\"y\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("nul\x00", '"nul\\x00"'),
        ('"""triple"""', '\'"""triple"""\''),
        ("{{ jinja }} {% tag %}", '"{{ jinja }} {% tag %}"'),
        ("ünïcødé ✓", '"ünïcødé ✓"'),
    ],
)
def test_string_literals_round_trip(text: str, literal: str) -> None:
    assert py_str(text) == literal
    assert eval(literal) == text  # noqa: S307 - the point is that the literal means the text


def test_literals_of_json_values() -> None:
    assert py_literal({"a": [1, 2.5, None, True]}) == '{"a": [1, 2.5, None, True]}'
    with pytest.raises(TypeError):
        py_literal(object())


def test_short_lines_are_kept() -> None:
    assert fit("x = f(a, b)", 1) == "x = f(a, b)"


def test_imports_are_sorted_and_wrapped() -> None:
    assert import_from("m", ["b", "A", "CONST"]) == "from m import CONST, A, b"
    wrapped = import_from("sqlalchemy", [f"Name{i:02d}" for i in range(12)])
    assert wrapped.startswith("from sqlalchemy import (\n    Name00,\n")


LONG = "OrderItemAttachmentHistoryRecord"
SOURCES = [
    f"async def create(self, data: {LONG}Create, *, user_id: int) -> {LONG}:\n    pass\n",
    f"def f():\n    query = update({LONG}).where({LONG}.id == x).values(**values)\n",
    f"def f():\n    query = select(func.count()).select_from({LONG}).where({LONG}.user_id == user_id)\n",
    f"def f():\n    query = select(func.count()).select_from({LONG[:7]}).where({LONG[:7]}.user_id == user_id)\n",
    f"def f():\n    page = query.order_by({LONG}.id.desc()).offset(skip).limit(limit)\n",
    f"def f():\n    return await self.db.scalar(select({LONG}).where({LONG}.id == {LONG}_id))\n",
    f"from app.schemas.x import {LONG}Create, {LONG}List, {LONG}Response\n",
    "async def f():\n"
    '    async for configured in client_for(app_with(origins=["https://app.example"]), db):\n'
    "        pass\n",
    "def f():\n    for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff_time]:\n"
    "        pass\n",
    f'SECRET_KEY_FOR_DEVELOPMENT = "{LONG.lower()}-{LONG.lower()[:20]}"\n',
    'x = call("a string with a comma, and (brackets)", other_argument=1, another_argument=2)\n',
    f"def f():\n    return X(items=[{LONG}Response.model_validate(item) for item in items], total=1)\n",
    f'change = {{"{LONG.lower()}_name_of_a_field": VALID[1]["{LONG.lower()}_name_of_a_field"]}}\n',
    f'raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="{LONG} not found")\n',
    # An item that fits in exactly 88 columns without its trailing comma, and not with it.
    '@pytest.mark.parametrize("key", ["id", "created_at", "updated_at", "jn_2qi", "v0k8gqmx_xcuhoi", '
    '"oh6itbr_3z2", "cv"])\n'
    "def f():\n    pass\n",
]


@pytest.mark.parametrize("source", SOURCES)
def test_fitted_source_is_what_ruff_format_keeps(source: str, tmp_path: Path) -> None:
    fitted = fit_source(source)
    assert all(len(line) <= 88 for line in fitted.splitlines())
    path = tmp_path / "sample.py"
    path.write_text(fitted)
    # An empty config: ruff's defaults (88 columns), as in the generated projects.
    (tmp_path / "ruff.toml").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--diff", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

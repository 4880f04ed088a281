"""Generated Python is laid out by ruff itself, once per generation."""

import subprocess
from pathlib import Path

from prpgen.generate.formatting import format_python, ruff_binary

CONFIG = '[tool.ruff]\nline-length = 88\n\n[tool.ruff.lint.isort]\nknown-first-party = ["app"]\n'
LONG = "OrderItemAttachmentHistoryRecord"
SOURCES = {
    "app/a.py": f"from app.models import {LONG}\nimport os\nfrom sqlalchemy import select\n"
    f"def f(x):\n    return select({LONG}).where({LONG}.id == x).where({LONG}.user_id == os.getpid())\n",
    "tests/b.py": 'x = call("a string with a comma, and (brackets)", other_argument=1, another_argument=2)\n',
    "README.md": "not   python\n",
}


def test_files_come_back_as_ruff_keeps_them(tmp_path: Path) -> None:
    formatted = format_python(SOURCES, CONFIG)
    assert formatted["README.md"] == SOURCES["README.md"]
    assert formatted["app/a.py"].startswith("import os\n\nfrom sqlalchemy import select\n\nfrom app.models")
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for path, text in formatted.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    ruff = ruff_binary()
    for command in ([ruff, "format", "--check", "."], [ruff, "check", "--select", "I", "."]):
        checked = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert format_python(formatted, CONFIG) == formatted


def test_files_without_python_come_back_as_they_are() -> None:
    assert format_python({"README.md": "x"}, CONFIG) == {"README.md": "x"}


def test_unused_imports_go_from_the_named_files_only() -> None:
    """prpgen's templates import every name their module may use; a team's own files keep an
    import they wrote (one for its side effect, say)."""
    source = "import os\nimport json\n\nprint(json)\n"
    formatted = format_python({"app/ours.py": source, "app/theirs.py": source}, CONFIG, prune={"app/ours.py"})
    assert formatted["app/ours.py"] == "import json\n\nprint(json)\n"
    assert formatted["app/theirs.py"] == "import json\nimport os\n\nprint(json)\n"

"""`prpgen verify` through the CLI: a generated example passes every gate; a broken copy fails
exactly the gate that matches the breakage, with a non-zero exit and the PRP showing which."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from prpgen.verify.gates import GATE_IDS, Verifier, select_gates
from tests.conftest import EXAMPLES, Run, create_database, rotating_sample

pytestmark = pytest.mark.postgres

Cli = Callable[..., Run]


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The blog example, generated once; tests copy it before breaking it."""
    from prpgen import generate, load_spec

    project = tmp_path_factory.mktemp("verify") / "blog"
    generate(load_spec(EXAMPLES / "blog.yaml"), project, source="blog.yaml")
    return project


def copy_of(project: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / project.name
    shutil.copytree(project, target)
    return target


def prp_of(project: Path) -> str:
    return (project / "PRPs/blog-posts/prp.md").read_text()


def test_a_generated_example_passes_every_gate(cli: Cli, blog: Path, tmp_path: Path) -> None:
    """No database URL: verify starts (and removes) its own throwaway PostgreSQL."""
    project = copy_of(blog, tmp_path)
    report_file = tmp_path / "report.json"
    result = cli("verify", str(project), "--json", str(report_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(GATE_IDS)} of {len(GATE_IDS)} gates passed" in result.stdout
    report = json.loads(report_file.read_text())
    assert report["passed"] is True
    assert [gate["id"] for gate in report["gates"]] == list(GATE_IDS)
    figures = {gate["id"]: gate["figure"] for gate in report["gates"]}
    assert "coverage" in figures["tests"]
    assert "p95" in figures["performance"]
    assert figures["openapi"].startswith("32 operations, 0 problems")
    assert figures["auth"].startswith("25 protected operations, 0 problems")
    prp = prp_of(project)
    assert "- [x] >90% test coverage with pytest-asyncio (proof:" in prp
    assert "- [x] Async migration rollback tested successfully — ✓ rollback" in prp
    assert "- [ ] Ready for production deployment with async workers\n" in prp
    assert "## Validation Report\n_Run by `prpgen verify` on " in prp
    assert f"{len(GATE_IDS)} of {len(GATE_IDS)} gates passed._" in prp
    again = cli("verify", str(project), "--only", "ruff")
    assert again.returncode == 0
    assert prp_of(project).count("## Validation Report") == 1


def break_a_test(project: Path) -> None:
    with (project / "tests/api/test_posts.py").open("a") as file:
        file.write("\n\nasync def test_deliberately_broken() -> None:\n    assert 1 + 1 == 3\n")


def break_lint(project: Path) -> None:
    path = project / "app/services/post_service.py"
    path.write_text("import os\n" + path.read_text())


def break_downgrade(project: Path) -> None:
    path = project / "alembic/versions/0002_blog_posts.py"
    path.write_text(path.read_text().replace('op.drop_table("posts")', 'op.drop_table("no_such_table")'))


BREAKAGES = [
    pytest.param(break_a_test, "tests", "- [ ] All API endpoints working with proper status codes", id="failing-test"),
    pytest.param(break_lint, "ruff", None, id="lint-error"),
    pytest.param(
        break_downgrade,
        "rollback",
        "- [ ] Async migration rollback tested successfully — ✗ rollback",
        id="irreversible-migration",
    ),
]


# Each case runs every gate (~95 s): one a run, each within three days (`make test-all`: all).
@pytest.mark.parametrize(("breakage", "gate", "unticked"), rotating_sample(BREAKAGES, 1))
def test_a_broken_copy_fails_exactly_the_matching_gate(
    cli: Cli,
    blog: Path,
    tmp_path: Path,
    postgres_url: str,
    breakage: Callable[[Path], None],
    gate: str,
    unticked: str | None,
) -> None:
    project = copy_of(blog, tmp_path)
    breakage(project)
    url = create_database(postgres_url, f"verify_{gate}")
    report_file = tmp_path / "report.json"
    result = cli("verify", str(project), "--database-url", url, "--json", str(report_file))
    assert result.returncode == 1
    report = json.loads(report_file.read_text())
    assert [g["id"] for g in report["gates"] if g["status"] != "passed"] == [gate]
    assert "re-run: cd " in result.stdout
    if unticked:
        assert unticked in prp_of(project)
    assert f"{len(GATE_IDS) - 1} of {len(GATE_IDS)} gates passed" in prp_of(project)


def test_without_postgres_the_other_gates_still_run(blog: Path, tmp_path: Path) -> None:
    project = copy_of(blog, tmp_path)
    empty = tmp_path / "no-postgres"
    empty.mkdir()
    result = run_verify_with_env(project, {"PRPGEN_POSTGRES_BINDIR": str(empty)}, "--skip", "mypy")
    assert result.returncode == 1
    assert "PostgreSQL unavailable" in result.stderr
    assert "install PostgreSQL" in result.stderr
    assert "✓ ruff check" in result.stdout
    assert "✓ OpenAPI lists every route" in result.stdout
    assert "- alembic upgrade head" in result.stdout


def run_verify_with_env(project: Path, env: dict[str, str], *args: str) -> Run:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "prpgen", "verify", str(project), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **env},
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def test_missing_tools_say_what_to_install(blog: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    verifier = Verifier(blog, str(bare / "bin" / "python"), None, "no PostgreSQL")
    report = verifier.run(select_gates(["ruff", "tests"], []))
    assert [(r.id, r.status) for r in report.results] == [("ruff", "missing"), ("tests", "missing")]
    assert report.results[0].figure == "install: pip install ruff"
    assert "pytest-cov" in report.results[1].figure
    assert not report.passed


def test_unknown_gates_are_refused(cli: Cli, blog: Path) -> None:
    result = cli("verify", str(blog), "--only", "rufff")
    assert result.returncode == 2
    assert "unknown gate(s) rufff" in result.stderr

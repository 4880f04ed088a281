from pathlib import Path

import pytest

from prpgen.errors import GenerationError, ProjectError
from prpgen.writer import Change, apply, plan, write_new_tree


def test_plan_sorts_new_unchanged_and_updated_files(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text("same")
    (tmp_path / "router.py").write_text("old")
    changes = plan(
        tmp_path, {"new/file.py": "x", "same.txt": "same", "router.py": "new"}, updatable=frozenset({"router.py"})
    )
    assert [(c.path, c.action) for c in changes] == [
        ("new/file.py", "create"),
        ("router.py", "update"),
        ("same.txt", "unchanged"),
    ]


def test_plan_refuses_to_overwrite_a_users_file(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text("edited by hand")
    with pytest.raises(ProjectError, match=r"will not overwrite them:\n  mine\.py"):
        plan(tmp_path, {"mine.py": "generated"})


@pytest.mark.parametrize("path", ["../escape.py", "/etc/passwd", "a/../../b"])
def test_paths_outside_the_project_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(GenerationError, match="outside the project"):
        plan(tmp_path, {path: "x"})


def test_apply_writes_everything(tmp_path: Path) -> None:
    (tmp_path / "router.py").write_text("old")
    apply(tmp_path, [Change("router.py", "update", "new"), Change("a/b/c.py", "create", "c")])
    assert (tmp_path / "router.py").read_text() == "new"
    assert (tmp_path / "a/b/c.py").read_text() == "c"
    assert not list(tmp_path.rglob("*.prpgen"))


def test_a_failure_half_way_leaves_the_project_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "router.py").write_text("old")
    (tmp_path / "models.py").write_text("old models")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*")}
    replaced: list[Path] = []
    original = Path.replace

    def failing_replace(self: Path, target: Path) -> Path:
        if len(replaced) == 2:
            raise OSError("disk full")
        replaced.append(Path(target))
        return original(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    changes = [
        Change("new/a.py", "create", "a"),
        Change("router.py", "update", "new"),
        Change("models.py", "update", "new models"),
    ]
    with pytest.raises(OSError, match="disk full"):
        apply(tmp_path, changes)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*")} == before


def test_a_new_tree_appears_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "project"
    write_new_tree(target, [Change("a.py", "create", "a"), Change("pkg/b.py", "create", "b")])
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*.py")) == ["a.py", "pkg/b.py"]
    with pytest.raises(ProjectError, match="not empty"):
        write_new_tree(target, [])

    def broken_rename(_self: Path, _target: Path) -> Path:
        raise OSError("interrupted")

    monkeypatch.setattr(Path, "rename", broken_rename)
    with pytest.raises(OSError, match="interrupted"):
        write_new_tree(tmp_path / "other", [Change("a.py", "create", "a")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]

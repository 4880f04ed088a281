from pathlib import Path

import pytest

from prpgen.errors import GenerationError, ProjectError
from prpgen.regenerate.writer import Change, apply, plan, resolve, write_new_tree


def actions(changes: list[Change]) -> dict[str, str]:
    return {c.path: c.action for c in changes}


def test_plan_compares_the_generation_the_record_and_the_disk(tmp_path: Path) -> None:
    for name, text in {"same": "a\n", "untouched": "old\n", "kept": "mine\n", "gone": "old\n"}.items():
        (tmp_path / name).write_text(text)
    generated = {"new": "n\n", "same": "a\n", "untouched": "new\n", "kept": "base\n"}
    previous = {"same": "a\n", "untouched": "old\n", "kept": "base\n", "gone": "old\n", "deleted": "d\n"}
    assert actions(plan(tmp_path, generated, {**previous, "deleted": "d\n"})) == {
        "new": "create",
        "same": "unchanged",
        "untouched": "update",
        "kept": "kept",  # edited by the user, nothing new generated: the edit stays
        "gone": "delete",  # no longer generated and untouched
    }


def test_an_edited_file_is_merged_three_ways(tmp_path: Path) -> None:
    base = "one\ntwo\nthree\nfour\nfive\n"
    (tmp_path / "f.py").write_text("one\ntwo (mine)\nthree\nfour\nfive\n")
    (change,) = plan(tmp_path, {"f.py": "one\ntwo\nthree\nfour\nfive (new)\n"}, {"f.py": base})
    assert change.action == "merge"
    assert change.text == "one\ntwo (mine)\nthree\nfour\nfive (new)\n"


def test_a_conflict_is_never_written_unless_resolved(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("mine\n")
    (tmp_path / "mine.py").write_text("written by hand\n")
    changes = plan(tmp_path, {"f.py": "new\n", "mine.py": "generated\n"}, {"f.py": "base\n"})
    assert actions(changes) == {"f.py": "conflict", "mine.py": "conflict"}
    assert "<<<<<<< f.py (yours)" in (changes[0].text or "")
    with pytest.raises(ProjectError, match=r"2 file\(s\) conflict.*\n  f\.py: 1 merge conflict"):
        resolve(changes, "stop")
    with pytest.raises(GenerationError, match="unresolved"):
        apply(tmp_path, changes)
    assert actions(resolve(changes, "skip")) == {"f.py": "kept", "mine.py": "kept"}
    forced = resolve(changes, "force")
    apply(tmp_path, forced)
    assert (tmp_path / "f.py").read_text() == "new\n"
    assert (tmp_path / "mine.py").read_text() == "generated\n"


def test_a_file_the_user_deleted_stays_deleted_unless_it_changes(tmp_path: Path) -> None:
    assert actions(plan(tmp_path, {"f.py": "same\n"}, {"f.py": "same\n"})) == {"f.py": "kept"}
    assert actions(plan(tmp_path, {"f.py": "new\n"}, {"f.py": "old\n"})) == {"f.py": "conflict"}


@pytest.mark.parametrize("path", ["../escape.py", "/etc/passwd", "a/../../b"])
def test_paths_outside_the_project_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(GenerationError, match="outside the project"):
        plan(tmp_path, {path: "x"}, {})


def test_apply_writes_and_deletes(tmp_path: Path) -> None:
    (tmp_path / "router.py").write_text("old")
    (tmp_path / "gone" / "deep").mkdir(parents=True)
    (tmp_path / "gone" / "deep" / "x.py").write_text("x")
    apply(
        tmp_path,
        [
            Change("router.py", "update", "new"),
            Change("a/b/c.py", "create", "c"),
            Change("gone/deep/x.py", "delete", None),
        ],
    )
    assert (tmp_path / "router.py").read_text() == "new"
    assert (tmp_path / "a/b/c.py").read_text() == "c"
    assert not (tmp_path / "gone").exists()
    assert not list(tmp_path.rglob("*.prpgen"))


def test_a_failure_half_way_leaves_the_project_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "router.py").write_text("old")
    (tmp_path / "models.py").write_text("old models")
    (tmp_path / "obsolete.py").write_text("obsolete")
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
        Change("obsolete.py", "delete", None),
        Change("router.py", "update", "new"),
        Change("models.py", "update", "new models"),
    ]
    with pytest.raises(OSError, match="disk full"):
        apply(tmp_path, changes)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*")} == before


def test_a_new_tree_appears_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "project"
    write_new_tree(target, {"a.py": "a", "pkg/b.py": "b"})
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*.py")) == ["a.py", "pkg/b.py"]
    with pytest.raises(ProjectError, match="not empty"):
        write_new_tree(target, {})

    def broken_rename(_self: Path, _target: Path) -> Path:
        raise OSError("interrupted")

    monkeypatch.setattr(Path, "rename", broken_rename)
    with pytest.raises(OSError, match="interrupted"):
        write_new_tree(tmp_path / "other", {"a.py": "a"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]

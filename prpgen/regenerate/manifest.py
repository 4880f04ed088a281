"""The record of what prpgen generated in a project, kept in `.prpgen/` beside the code.

`manifest.json` holds the specs of the project's features (in the order they were added), the
spec each feature's migrations bring the database to, prpgen's version, the version of the table
shapes those migrations were written with (`tables.SHAPE_VERSION`) and, per generated file,
the hash of its text as generated. `objects/<hash>` keeps those texts: they are the common
ancestor of a three-way merge when the user has edited a file since, and they survive prpgen
upgrades (re-rendering an old spec with new templates would not give the old text back).

Everything here is deterministic (sorted keys, no timestamps), so regenerating is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prpgen import naming
from prpgen.errors import ProjectError, SpecError
from prpgen.spec.feature import Feature, Spec, parse_spec

DIRECTORY = ".prpgen"
MANIFEST_FILE = f"{DIRECTORY}/manifest.json"
OBJECTS_DIR = f"{DIRECTORY}/objects"
FORMAT = 1


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def object_path(text_hash: str) -> str:
    return f"{OBJECTS_DIR}/{text_hash}"


@dataclass(frozen=True)
class Manifest:
    project: str
    features: tuple[Feature, ...] = ()
    # Feature slug → the spec the project's migrations bring the database to.
    migrated: Mapping[str, Spec] = field(default_factory=dict)
    # Generated path → sha256 of its text as generated.
    files: Mapping[str, str] = field(default_factory=dict)
    version: str = ""
    # The table shapes the recorded migrations were written with (`tables.SHAPE_VERSION`); 1 in
    # manifests from before it was recorded.
    shapes: int = 1

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "prpgen": self.version,
            "shapes": self.shapes,
            "project": self.project,
            "features": [{"source": f.source, "spec": _spec_data(f.spec)} for f in self.features],
            "migrated": {slug: _spec_data(spec) for slug, spec in sorted(self.migrated.items())},
            "files": dict(sorted(self.files.items())),
        }
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _spec_data(spec: Spec) -> Any:
    return spec.model_dump(mode="json", exclude_defaults=True)


def read_manifest(root: Path) -> Manifest | None:
    """The project's manifest, or None if prpgen has not recorded one there."""
    path = root / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ProjectError(f"{path}: format {data.get('format')!r} is not one this prpgen reads ({FORMAT})")
        features = tuple(
            Feature(item["source"], _spec(item["spec"], f"{path} (feature from {item['source']})"))
            for item in data["features"]
        )
        migrated = {slug: _spec(spec, f"{path} (migrated {slug})") for slug, spec in data["migrated"].items()}
        files = {str(key): str(value) for key, value in data["files"].items()}
        version, shapes = str(data.get("prpgen", "")), int(data.get("shapes", 1))
        return Manifest(str(data["project"]), features, migrated, files, version, shapes)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProjectError(f"{path} is damaged ({exc}); restore it from version control") from None


def entity_names(root: Path) -> set[str]:
    """The class names of the entities a project at `root` has (none where there is no project)."""
    manifest = read_manifest(root) if (root / MANIFEST_FILE).is_file() else None
    if manifest is None:
        return set()
    return {naming.pascal(entity.name) for feature in manifest.features for entity in feature.spec.entities}


def _spec(data: Any, source: str) -> Spec:
    try:
        return parse_spec(data, source)
    except SpecError as exc:
        raise ProjectError(f"{exc.message}\n(the recorded spec no longer validates with this prpgen)") from None


class Generated(Mapping[str, "str | None"]):
    """The texts of the last generation by path, read from `objects/` only when asked for (a plan
    needs one only where the disk differs from the new generation). None where an object is
    missing or damaged."""

    def __init__(self, root: Path, files: Mapping[str, str]) -> None:
        self._root = root
        self._files = files
        self._read: dict[str, str | None] = {}

    def __getitem__(self, path: str) -> str | None:
        if path not in self._read:
            self._read[path] = read_object(self._root, self._files[path])
        return self._read[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def read_object(root: Path, text_hash: str) -> str | None:
    """A file's text as prpgen generated it, if its object is still there and intact."""
    path = root / object_path(text_hash)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    return text if digest(text) == text_hash else None


def stored_objects(root: Path) -> set[str]:
    """Paths of the objects in the project's record, by name (content-addressed: no need to read them)."""
    directory = root / OBJECTS_DIR
    return {object_path(p.name) for p in directory.iterdir() if p.is_file()} if directory.is_dir() else set()

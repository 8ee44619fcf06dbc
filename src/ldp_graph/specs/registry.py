"""Load every return specification in a folder, check it, and look specs up by id and version."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ldp_graph.specs import checks
from ldp_graph.specs.model import ReturnSpec


class SpecError(Exception):
    """A specification file is wrong; the message names the file and the path inside it."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        super().__init__(f"{file}: {path}: {problem}" if path else f"{file}: {problem}")
        self.file, self.path, self.problem = file, path, problem


def _dotted(location: Iterable[int | str], data: Any) -> str:
    """The path of a pydantic error inside the file, leaving out pydantic's own union tags
    (such as `field` in `rules.3.field.check`), which are not keys of the file."""
    path, node = "", data
    for part in location:
        if isinstance(node, dict) and node.get("kind") == part:
            continue  # the tag of a rule's kind, which pydantic puts before the rule's keys
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif not (isinstance(node, dict) and isinstance(part, str) and part.isidentifier()):
            continue  # a union tag: not in the file
        else:
            node = None  # a key missing from the file: still name it
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def parse_spec(text: str, file: str) -> ReturnSpec:
    """Parse and check one spec; raise `SpecError` on the first problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(file, "", f"is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(file, "", "must be a mapping with id, version, entities, ...")
    try:
        spec = ReturnSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SpecError(file, _dotted(first["loc"], data), first["msg"]) from None
    for path, problem in checks.problems(spec):
        raise SpecError(file, path, problem)
    return spec


class SpecRegistry:
    """The specs known to this server, keyed by (id, version).

    Once every version is in, each is checked against the versions of its return before it
    (`previous_version` and the change lists, `checks.version_problems`), and a version that
    leaves `previous_version` out gets the one it was checked against; `files` names the file
    each came from, for the error.
    """

    def __init__(
        self, specs: Iterable[ReturnSpec], files: Mapping[tuple[str, str], str] | None = None
    ) -> None:
        self._specs: dict[tuple[str, str], ReturnSpec] = {}
        for spec in specs:
            if (spec.id, spec.version) in self._specs:
                raise SpecError(spec.id, "version", f"{spec.version} is defined twice")
            self._specs[(spec.id, spec.version)] = spec
        for spec in self.all():
            key = (spec.id, spec.version)
            earlier = [
                s for s in self._specs.values() if s.id == spec.id and s.version < spec.version
            ]
            for path, problem in checks.version_problems(spec, earlier):
                raise SpecError(
                    (files or {}).get(key) or f"{spec.id} {spec.version}", path, problem
                )
            if earlier and spec.previous_version is None:  # left out: it is the latest earlier
                previous = max(s.version for s in earlier)
                self._specs[key] = spec.model_copy(update={"previous_version": previous})

    @classmethod
    def from_directory(cls, directory: Path) -> SpecRegistry:
        specs, files = [], {}
        for path in sorted(directory.glob("*.yaml")):
            spec = parse_spec(path.read_text(encoding="utf-8"), path.name)
            specs.append(spec)
            files.setdefault((spec.id, spec.version), path.name)
        return cls(specs, files)

    def all(self) -> list[ReturnSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.id, s.version))

    def get(self, spec_id: str, version: str | None = None) -> ReturnSpec | None:
        """The spec with this id and version; the latest version when none is given."""
        if version is not None:
            return self._specs.get((spec_id, version))
        versions = [s for (i, _), s in self._specs.items() if i == spec_id]
        return max(versions, key=lambda s: s.version) if versions else None


def default_specs_directory() -> Path:
    """schema/returns/ of the source tree, or the copy shipped inside the installed package."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "returns", package.parent.parent / "schema" / "returns"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no return specifications found (schema/returns/)")


@cache
def load_registry(directory: Path | None = None) -> SpecRegistry:
    return SpecRegistry.from_directory(directory or default_specs_directory())

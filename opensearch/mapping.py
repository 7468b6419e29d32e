"""The index template's mapping as data: field → type, dynamic paths, aggregatable types.

Used by the tests (no mapping conflict, fields of visualizations) and by tools that want to know
whether a document fits the template.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Final

JsonObject = dict[str, Any]

AGGREGATABLE: Final = frozenset(
    {"keyword", "long", "integer", "double", "float", "date", "boolean"}
)


@dataclass(frozen=True)
class Mapping:
    """Leaf fields (dotted path → type) and dynamic paths (`labels.*` → keyword)."""

    fields: dict[str, str]
    dynamic: dict[str, str]
    options: dict[str, JsonObject]

    def type_of(self, path: str) -> str | None:
        """The type a document field at `path` is indexed with, or None when never mapped."""
        if path in self.fields:
            return self.fields[path]
        for pattern, kind in self.dynamic.items():
            if fnmatch.fnmatchcase(path, pattern) and "." not in path[len(pattern) - 1 :]:
                return kind
        return None

    def aggregatable(self, path: str) -> bool:
        return (
            self.type_of(path) in AGGREGATABLE
            and self.options.get(path, {}).get("doc_values", True) is not False
        )

    def object_paths(self) -> set[str]:
        """Every intermediate object path (`aws`, `aws.lambda`, …), where no value may go."""
        paths: set[str] = set()
        for name in [*self.fields, *(p[:-2] for p in self.dynamic)]:
            parts = name.split(".")
            paths.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return paths - set(self.fields)


def mapping_of(template: JsonObject) -> Mapping:
    """The mapping of a composable index template (`template.mappings`)."""
    mappings = template["template"]["mappings"]
    fields: dict[str, str] = {}
    options: dict[str, JsonObject] = {}
    dynamic_objects: set[str] = set()
    _walk(mappings.get("properties", {}), "", fields, options, dynamic_objects)
    dynamic: dict[str, str] = {}
    for entry in mappings.get("dynamic_templates", []):
        (spec,) = entry.values()
        pattern = spec.get("path_match")
        if pattern and pattern[:-2] in dynamic_objects:
            dynamic[pattern] = spec["mapping"]["type"]
    return Mapping(fields=fields, dynamic=dynamic, options=options)


def _walk(
    properties: JsonObject,
    prefix: str,
    fields: dict[str, str],
    options: dict[str, JsonObject],
    dynamic_objects: set[str],
) -> None:
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if "properties" in spec or spec.get("type") == "object":
            if spec.get("dynamic") in (True, "true"):
                dynamic_objects.add(path)
            _walk(spec.get("properties", {}), f"{path}.", fields, options, dynamic_objects)
            continue
        fields[path] = spec["type"]
        options[path] = {k: v for k, v in spec.items() if k != "type"}

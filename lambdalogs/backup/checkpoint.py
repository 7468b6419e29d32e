"""The replay checkpoint: which backup objects a replay has fully indexed, kept on disk.

Written atomically after every object, removed when the replay completes. A re-run with the same
options skips the objects listed in it; the object being indexed when the run stopped is read
again, and its documents already indexed are skipped by event id (and could not be duplicated
anyway: their `_id` is derived from the event id).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalogs.errors import InputError


def fingerprint(options: dict[str, Any]) -> str:
    canonical = json.dumps(options, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def default_path(digest: str) -> Path:
    return Path(f".lambdalogs-replay-{digest}.json")


@dataclass
class Checkpoint:
    path: Path
    fingerprint: str
    done: set[str] = field(default_factory=set)
    enabled: bool = True  # a dry run writes nothing

    @classmethod
    def load(cls, path: Path, digest: str, *, enabled: bool = True) -> Checkpoint:
        if not path.exists():
            return cls(path, digest, enabled=enabled)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(
                f"cannot read the checkpoint {path} ({error}); delete it to start over"
            ) from None
        if not isinstance(data, dict) or data.get("fingerprint") != digest:
            raise InputError(
                f"the checkpoint {path} belongs to a replay with other options; repeat those "
                "options, or delete it to start over"
            )
        return cls(path, digest, set(data.get("done", [])), enabled)

    @staticmethod
    def key(object_key: str, etag: str) -> str:
        return f"{object_key}#{etag}"

    def is_done(self, object_key: str, etag: str) -> bool:
        return self.key(object_key, etag) in self.done

    def mark(self, object_key: str, etag: str) -> None:
        self.done.add(self.key(object_key, etag))
        if not self.enabled:
            return
        body = json.dumps({"fingerprint": self.fingerprint, "done": sorted(self.done)}, indent=1)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(body, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as error:
            raise InputError(f"cannot write the checkpoint {self.path}: {error.strerror}") from None

    def remove(self) -> None:
        if self.enabled:
            self.path.unlink(missing_ok=True)

"""OpenSearch bulk NDJSON: the items of `_bulk`, and bulk files written and read back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, document_id, index_name
from lambdalogs.errors import InputError

Action = Literal["index", "create"]


def item(
    document: Document, *, prefix: str = DEFAULT_INDEX_PREFIX, action: Action = "index"
) -> str:
    """One `_bulk` item: the action line (daily index, deterministic `_id`), the document line."""
    meta = {action: {"_index": index_name(document, prefix), "_id": document_id(document)}}
    return (
        json.dumps(meta, separators=(",", ":"))
        + "\n"
        + json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        + "\n"
    )


def encode(
    documents: Iterable[Document],
    *,
    prefix: str = DEFAULT_INDEX_PREFIX,
    action: Action = "index",
) -> bytes:
    """A `_bulk` body: the items of the documents, one after another."""
    return "".join(item(d, prefix=prefix, action=action) for d in documents).encode()


def write(path: Path, documents: list[Document], *, prefix: str = DEFAULT_INDEX_PREFIX) -> None:
    try:
        path.write_bytes(encode(documents, prefix=prefix))
    except OSError as error:
        raise InputError(
            f"cannot write {path}: {error.strerror}; choose another place with --out"
        ) from error


def read(path: Path) -> list[Document]:
    """The documents of a bulk file written by `demo` (or any `_bulk` body of index/create)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; run `python -m lambdalogs demo` first") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}; pass an OpenSearch bulk file") from error
    return list(_documents(path, text))


def _documents(path: Path, text: str) -> Iterator[Document]:
    lines = iter(enumerate(text.splitlines(), start=1))
    for number, line in lines:
        if not line.strip():
            continue
        action = _json_object(path, number, line)
        if not action.keys() & {"index", "create"}:
            raise InputError(
                f"{path}:{number} is not a bulk action line; pass a bulk file written by demo"
            )
        number, line = next(lines, (number + 1, ""))
        yield _json_object(path, number, line)


def _json_object(path: Path, number: int, line: str) -> Document:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise InputError(f"{path}:{number} is not a JSON object; pass an OpenSearch bulk file")
    return value

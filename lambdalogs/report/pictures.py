"""The README's pictures: PNGs of the demo report's charts, reproducible (the default seed and a
fixed start), written by `make pictures` (`python -m lambdalogs.report.pictures docs/images`)."""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lambdalogs.local import workload
from lambdalogs.report import render
from lambdalogs.report.build import Picture, pictures
from lambdalogs.search import traces

# The report's pictures the README shows, by key.
README_PICTURES: Final = ("invocations", "duration", "cost-per-function", "waterfall-1")


def demo_pictures() -> list[Picture]:
    """The pictures of the default demo, started at the fixed DEFAULT_START."""
    from lambdalogs.commands.demo import DemoOptions, run

    with tempfile.TemporaryDirectory() as folder:
        options = DemoOptions(start=workload.DEFAULT_START, out=Path(folder) / "demo.ndjson")
        documents = run(options, io.StringIO(), env={}).documents
    return pictures(documents, list(traces.build(documents).values()))


def write_pictures(directory: Path, keys: Sequence[str] = README_PICTURES) -> list[Path]:
    """`<directory>/<key>.png` for each key; a key the report does not draw is an error."""
    drawn = {picture.key: picture for picture in demo_pictures()}
    missing = [key for key in keys if key not in drawn]
    if missing:
        raise SystemExit(f"the demo report has no picture {', '.join(missing)}")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key in keys:
        path = directory / f"{key}.png"
        path.write_bytes(render.to_png(drawn[key].spec, scale=1.5))
        written.append(path)
    return written


def main(argv: Sequence[str] = sys.argv[1:]) -> int:
    directory = Path(argv[0]) if argv else Path("docs/images")
    for path in write_pictures(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Printing report lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO


def print_lines(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=out)

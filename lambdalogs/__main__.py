"""`python -m lambdalogs`."""

from __future__ import annotations

from lambdalogs.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

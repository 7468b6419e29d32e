"""`python -m lambdalogs` as an operator runs it: a fresh interpreter from the checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_lambdalogs_demo_runs_in_a_fresh_process(tmp_path: Path) -> None:
    out = tmp_path / "demo.ndjson"
    done = subprocess.run(
        [sys.executable, "-m", "lambdalogs", "demo", "--sessions", "4", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Lambda overview (per function)" in done.stdout
    assert out.stat().st_size > 0


def test_bad_input_in_a_fresh_process_is_one_line_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lambdalogs", "preview", str(tmp_path / "missing.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr

"""The operator CLI of the Lambda logs → Firehose → OpenSearch pipeline (`lambdalogs`)."""

import sys

__version__ = "0.1.0"

MINIMUM_PYTHON = (3, 11)
if sys.version_info < MINIMUM_PYTHON:  # before any module that needs 3.11 is imported
    raise SystemExit(
        "lambdalogs needs Python 3.11 or later; this is Python "
        f"{sys.version.split()[0]}. Run it with python3.11 or newer "
        "(e.g. `python3.12 -m pip install .`)."
    )

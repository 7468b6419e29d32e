"""Pulumi entry point: `pulumi up` deploys the Lambda logs → Firehose → OpenSearch pipeline."""

from __future__ import annotations

from infra.program import main

main()

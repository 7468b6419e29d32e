"""`lambdalogs status`: the health of a deployed stack on one screen. Each check is a module
that reads one side (CloudWatch Logs, OpenSearch, S3, CloudWatch alarms) and answers a `Check`
(`report.py`); `stack.py` says which stack, from its outputs or flags."""

"""Reading a log group's events back from CloudWatch Logs (the `backfill` command)."""

"""The pipeline on this machine: CloudWatch log events (the demo workload or an operator's log
files) through a stand-in for Firehose around the real transformer."""

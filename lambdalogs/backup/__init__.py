"""The S3 backup side: the bucket's objects and what they hold, the replay checkpoint, and
restoring from them into OpenSearch."""

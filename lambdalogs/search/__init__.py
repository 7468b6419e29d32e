"""The OpenSearch side: the cluster (through `opensearch/client.py`), bulk items and files,
indexing, traces, and the project's content."""

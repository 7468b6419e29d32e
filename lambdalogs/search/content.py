"""Apply the project's OpenSearch content (index template, saved objects) with `opensearch/`."""

from __future__ import annotations

from lambdalogs.errors import InputError
from lambdalogs.search.cluster import OpenSearchCluster


def apply_content(
    cluster: OpenSearchCluster, prefix: str, emf_metric: str = "Latency"
) -> list[str]:
    """The index template first (so the demo documents get their mapping), then the saved
    objects (to the connection's Dashboards); one line per step for the report."""
    from opensearch.apply import apply_index_template, import_saved_objects
    from opensearch.artifacts import ArtifactError, ContentSettings

    connection = cluster.connection
    # A demo cluster is often a single node: no replicas, documents searchable at once.
    settings = ContentSettings(
        index_prefix=prefix, replicas=0, refresh_interval="1s", emf_metric=emf_metric
    )
    try:
        cluster.run(
            "applying the index template", lambda: apply_index_template(connection, settings)
        )
        saved = cluster.run(
            "importing the saved objects", lambda: import_saved_objects(connection, settings)
        )
    except ArtifactError as error:
        raise InputError(str(error)) from None
    return [
        f"Applied the index template {prefix} and imported {saved.saved_objects} saved objects "
        f"(dashboards at {connection.dashboards})"
    ]

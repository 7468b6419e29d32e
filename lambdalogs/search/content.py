"""Apply the project's OpenSearch content (index template, saved objects) with `opensearch/`."""

from __future__ import annotations

from lambdalogs.errors import InputError
from lambdalogs.search.cluster import OpenSearchCluster
from opensearch.artifacts import ArtifactError, ContentSettings


def demo_settings(prefix: str, emf_metric: str) -> ContentSettings:
    """A demo cluster is often a single node: no replicas, documents searchable at once."""
    try:
        return ContentSettings(
            index_prefix=prefix, replicas=0, refresh_interval="1s", emf_metric=emf_metric
        )
    except ArtifactError as error:
        raise InputError(str(error)) from None


def apply_template(cluster: OpenSearchCluster, settings: ContentSettings) -> str:
    """The index template, so the documents get their mapping (needed before indexing)."""
    from opensearch.apply import apply_index_template

    connection = cluster.connection
    try:
        cluster.run(
            "applying the index template", lambda: apply_index_template(connection, settings)
        )
    except ArtifactError as error:
        raise InputError(str(error)) from None
    return f"Applied the index template {settings.index_prefix}"


def import_dashboards(cluster: OpenSearchCluster, settings: ContentSettings) -> str:
    """The saved objects, to the connection's Dashboards; raises RemoteError when it fails."""
    from opensearch.apply import import_saved_objects

    connection = cluster.connection
    try:
        saved = cluster.run(
            "importing the saved objects", lambda: import_saved_objects(connection, settings)
        )
    except ArtifactError as error:
        raise InputError(str(error)) from None
    return f"Imported {saved.saved_objects} saved objects (dashboards at {connection.dashboards})"

"""Apply the project's OpenSearch content (index template, saved objects) with `opensearch/`."""

from __future__ import annotations

from lambdalogs.cluster import Cluster
from lambdalogs.errors import InputError, RemoteError


def apply_content(
    cluster: Cluster, prefix: str, dashboards_url: str | None = None, emf_metric: str = "Latency"
) -> list[str]:
    """The index template first (so the demo documents get their mapping), then the saved
    objects; one line per step for the report."""
    from opensearch.apply import apply_index_template, import_saved_objects
    from opensearch.artifacts import ArtifactError, ContentSettings
    from opensearch.client import Connection, OpenSearchContentError

    user, password = cluster.credentials or (None, None)
    connection = Connection(
        endpoint=cluster.url,
        region=cluster.sigv4_region or "",
        user=user,
        password=password,
        dashboards_url=dashboards_url,
    )
    try:
        # A demo cluster is often a single node: no replicas, documents searchable at once.
        settings = ContentSettings(
            index_prefix=prefix, replicas=0, refresh_interval="1s", emf_metric=emf_metric
        )
        apply_index_template(connection, settings)
        saved = import_saved_objects(connection, settings)
    except ArtifactError as error:
        raise InputError(str(error)) from None
    except OpenSearchContentError as error:
        raise RemoteError(str(error)) from None
    return [
        f"Applied the index template {prefix} and imported {saved.saved_objects} saved objects "
        f"(dashboards at {connection.dashboards})"
    ]

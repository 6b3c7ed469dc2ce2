"""The connection to Elasticsearch. Only the ``search`` app talks to Elasticsearch."""

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.dsl import connections


def configure() -> None:
    """Register the default elasticsearch-dsl connection from settings (lazy: no request made)."""
    hosts = [host.strip() for host in settings.ELASTICSEARCH_URL.split(",")]
    # On a cluster, a request that finds its node gone (refused, reset, timed out) is sent again
    # to another node: a node that dies costs a retry, not a failed search. One node that times
    # out is not asked again: the database answers instead.
    connections.configure(
        default={
            "hosts": hosts,
            "request_timeout": settings.ELASTICSEARCH_TIMEOUT_SECONDS,
            "max_retries": max(3, len(hosts)),
            "retry_on_timeout": len(hosts) > 1,
        }
    )


def get_client() -> Elasticsearch:
    return connections.get_connection()


def index_name(name: str) -> str:
    """The full name of an index or alias, with this site's prefix."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{name}"


def search_is_available() -> bool:
    """Whether the cluster answers and can serve searches (status yellow or green).

    Asks the cluster health API rather than ``ping()``: ``GET /`` lives in a module
    (``rest-root``) that minimal distributions leave out.
    """
    try:
        # One try a node (a dead one answers at once: refused).
        hosts = len(settings.ELASTICSEARCH_URL.split(","))
        health = get_client().options(request_timeout=2, max_retries=hosts - 1).cluster.health()
    except Exception:  # noqa: BLE001 - unavailable, whatever the reason
        return False
    return health["status"] in ("green", "yellow")


def server_version() -> str:
    """The Elasticsearch version of the node the client reaches."""
    nodes = get_client().nodes.info(node_id="_local", filter_path="nodes.*.version")
    return next(iter(nodes["nodes"].values()))["version"]

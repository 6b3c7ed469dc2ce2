"""The connection to Elasticsearch. Only the ``search`` app talks to Elasticsearch."""

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.dsl import connections


def hosts() -> list[str]:
    """The nodes the client knows (``ELASTICSEARCH_URL``, comma-separated)."""
    return [host.strip() for host in settings.ELASTICSEARCH_URL.split(",")]


def configure() -> None:
    """Register the default elasticsearch-dsl connection from settings (lazy: no request made)."""
    nodes = hosts()
    # On a cluster, a request that finds its node gone (refused, reset) is sent again to another
    # node: a node that dies costs a retry, not a failed search. A request that times out is not
    # sent again (a slow cluster asked again is slower still): the database answers instead.
    connections.configure(
        default={
            "hosts": nodes,
            "request_timeout": settings.ELASTICSEARCH_TIMEOUT_SECONDS,
            "max_retries": max(3, len(nodes)),
            "retry_on_timeout": False,
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
        client = get_client().options(request_timeout=2, max_retries=len(hosts()) - 1)
        health = client.cluster.health()
    except Exception:  # noqa: BLE001 - unavailable, whatever the reason
        return False
    return health["status"] in ("green", "yellow")


def server_version() -> str:
    """The Elasticsearch version of the node the client reaches."""
    nodes = get_client().nodes.info(node_id="_local", filter_path="nodes.*.version")
    return next(iter(nodes["nodes"].values()))["version"]

"""The cluster layout's processes (.ci/cluster.sh, started by `make cluster` or `make test`):
three Elasticsearch nodes, a PostgreSQL streaming replica. These tests kill and restart them."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings

from search.client import configure, get_client
from tests.conftest import ROOT

SCRIPT = ROOT / ".ci" / "cluster.sh"
NODES = "http://127.0.0.1:9201,http://127.0.0.1:9202,http://127.0.0.1:9203"
REPLICA_PORT = "5433"


def cluster(*args: str) -> str:
    """Run .ci/cluster.sh with ``args``; its output."""
    done = subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cluster.sh {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def node_kill(node: str) -> None:
    """SIGKILL one Elasticsearch node (``es-2``): no goodbye to the cluster."""
    os.kill(int(cluster("pid", node).strip()), signal.SIGKILL)


def wait_green(client, nodes: int = 3, seconds: float = 180) -> float:
    """Wait until the cluster has ``nodes`` nodes and is green; how long that took."""
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        try:
            health = client.options(request_timeout=5).cluster.health(
                wait_for_nodes=str(nodes), wait_for_status="green", timeout="2s"
            )
            if health["status"] == "green" and health["number_of_nodes"] == nodes:
                return time.monotonic() - started
        except Exception:  # noqa: BLE001, S110 - a node on its way back; ask again
            pass
        time.sleep(0.5)
    raise AssertionError(f"the cluster was not green with {nodes} nodes in {seconds} s")


@pytest.fixture
def es_cluster():
    """This process's search on the three nodes, its indexes (one replica a shard) under a prefix
    of its own, deleted afterwards; yields the client."""
    saved = (
        settings.ELASTICSEARCH_URL,
        settings.ELASTICSEARCH_INDEX_PREFIX,
        settings.ELASTICSEARCH_INDEX_SETTINGS,
    )
    settings.ELASTICSEARCH_URL = NODES
    settings.ELASTICSEARCH_INDEX_PREFIX = f"cluster-test-{os.getpid()}"
    settings.ELASTICSEARCH_INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 1}
    configure()
    client = get_client()
    try:
        wait_green(client, seconds=120)
    except AssertionError:
        pytest.fail("the Elasticsearch cluster is not up: run `make cluster` (make test does)")
    try:
        yield client
    finally:
        client.options(ignore_status=404).indices.delete(
            index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}-*"
        )
        (
            settings.ELASTICSEARCH_URL,
            settings.ELASTICSEARCH_INDEX_PREFIX,
            settings.ELASTICSEARCH_INDEX_SETTINGS,
        ) = saved
        configure()

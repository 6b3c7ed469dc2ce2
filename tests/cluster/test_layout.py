"""The cluster layout is what it says: three nodes, one replica a shard once an index is built, a
hot standby streaming from the primary through its slot."""

import psycopg
import pytest
from django.db import connection

from tests.cluster.conftest import REPLICA_PORT, cluster
from tests.conftest import admin_dsn

pytestmark = [pytest.mark.cluster, pytest.mark.postgresql, pytest.mark.django_db]


def test_the_replica_streams_from_the_primary_through_its_slot():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT active FROM pg_replication_slots WHERE slot_name = 'marketplace_replica'"
        )
        slot = cursor.fetchone()
    dsn = admin_dsn(connection.settings_dict).replace(
        f"port={connection.settings_dict['PORT'] or 5432}", f"port={REPLICA_PORT}"
    )
    with psycopg.connect(dsn) as standby:
        in_recovery = standby.execute("SELECT pg_is_in_recovery()").fetchone()
    assert slot == (True,) and in_recovery == (True,)


def test_the_environment_of_a_site_process_names_every_part():
    environment = dict(line.split("=", 1) for line in cluster("env").split())
    assert environment["ELASTICSEARCH_URL"].count("http://") == 3
    assert environment["ELASTICSEARCH_REPLICAS"] == "1"
    assert ":5433/" in environment["DATABASE_REPLICA_URL"]
    assert environment["CELERY_QUEUE"] == "cluster"

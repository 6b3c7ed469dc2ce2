"""The PostgreSQL replica stopped under load: lag-tolerant pages keep answering (from the primary)
without an error; started again, it catches up through its slot and is read again.

The figures go to var/cluster/replica-stop.json for the closing note."""

import json
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace import db_routing
from marketplace.db_routing import REPLICA
from tests.cluster.conftest import REPLICA_PORT, cluster
from tests.conftest import ROOT, admin_dsn
from tests.factories import UserFactory

pytestmark = [pytest.mark.cluster, pytest.mark.postgresql]
READERS = 3


@contextmanager
def standby_alias():
    """This process's "replica" alias: the standby, on the test database's copy."""
    connections.settings[REPLICA] = {
        **connections.settings["default"], "PORT": REPLICA_PORT,
        "OPTIONS": {"connect_timeout": 2},
    }  # fmt: skip
    db_routing._health.__dict__.clear()
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        db_routing._health.__dict__.clear()


def _standby_dsn() -> str:
    dsn = admin_dsn(connection.settings_dict, connection.settings_dict["NAME"])
    return dsn.replace(f"port={connection.settings_dict['PORT'] or 5432}", f"port={REPLICA_PORT}")


def _on_standby(sql: str):
    with psycopg.connect(_standby_dsn(), connect_timeout=2) as standby:
        return standby.execute(sql).fetchone()


def _wait_for(check, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if check():
                return time.monotonic() - started
        except psycopg.Error:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def _reading(stop: threading.Event, answers: list) -> None:
    browser = Client()
    try:
        while not stop.is_set():
            try:
                answers.append(browser.get("/search/", {"q": "toxicology"}).status_code)
            except Exception as error:  # noqa: BLE001 - the test client raises a view's error
                answers.append(repr(error)[:200])
    finally:
        for alias in connections:
            connections[alias].close()


def test_reads_fall_back_to_the_primary_while_the_replica_is_stopped_and_it_catches_up(
    committed_db,
):
    name = connection.settings_dict["NAME"]
    _wait_for(lambda: _on_standby("SELECT 1") == (1,), 60)  # the copy has reached the standby
    stop, answers = threading.Event(), []
    with standby_alias():
        readers = [threading.Thread(target=_reading, args=(stop, answers)) for _ in range(READERS)]
        for reader in readers:
            reader.start()
        time.sleep(2)
        before_stop = len(answers)
        cluster("stop", "replica")
        stopped_at = time.monotonic()
        with pytest.raises(psycopg.OperationalError):  # it is down
            _on_standby("SELECT 1")
        # Written while the standby is down: the slot keeps the WAL until it is back.
        written = [UserFactory(email=f"while-down-{number}@example.com") for number in range(20)]
        time.sleep(3)
        during_stop = len(answers) - before_stop
        cluster("start", "replica")
        down_seconds = time.monotonic() - stopped_at
        emails = ", ".join(f"'{user.email}'" for user in written)
        catch_up = _wait_for(
            lambda: (
                _on_standby(f"SELECT count(*) FROM accounts_user WHERE email IN ({emails})")
                == (20,)
            ),
            60,
        )
        time.sleep(db_routing.RETRY_SECONDS + 1)  # the replica left alone is tried again
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
        db_routing._health.__dict__.clear()
        browser = Client()
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert browser.get("/search/", {"q": "toxicology"}).status_code == 200

    figures = {
        "database": name,
        "readers": READERS,
        "requests": len(answers),
        "requests_while_stopped": during_stop,
        "errors": sum(1 for status in answers if status != 200),
        "error_samples": sorted({str(status) for status in answers if status != 200})[:3],
        "seconds_stopped": round(down_seconds, 1),
        "seconds_to_catch_up_after_start": round(catch_up, 2),
        "queries_on_replica_after": len(on_replica),
    }
    (ROOT / "var" / "cluster").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "cluster" / "replica-stop.json").write_text(json.dumps(figures, indent=2))

    assert figures["errors"] == 0, figures
    assert during_stop > 0, figures  # pages were read while it was down
    assert len(on_replica) > 0, figures  # and it is read again

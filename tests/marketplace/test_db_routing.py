"""Reads that tolerate lag go to the replica, the rest to the primary (marketplace/db_routing.py).

Here the "replica" is a second connection to the same committed database (what a streaming
replica with no lag looks like): which connection a page's queries ran on is what is checked.
A real standby, stopped and started under load, is the cluster tests' (tests/cluster/).
"""

from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace import db_routing
from marketplace.db_routing import PIN_COOKIE, REPLICA
from tests.factories import UserFactory, buyer_party

pytestmark = pytest.mark.postgresql


@contextmanager
def replica(**changes):
    """A "replica" database alias for the duration: the primary's settings with ``changes``."""
    connections.settings[REPLICA] = {**connections.settings["default"], **changes}
    db_routing._health.__dict__.clear()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        db_routing._health.__dict__.clear()


def queries_on(alias: str, request) -> tuple[int, object]:
    with CaptureQueriesContext(connections[alias]) as captured:
        response = request()
    return len(captured), response


def test_lag_tolerant_pages_read_the_replica_until_the_reader_writes(committed_db):
    buyer = buyer_party()
    browser = Client()
    with replica():
        on_replica, page = queries_on(REPLICA, lambda: browser.get("/search/?q=ADME"))
        assert page.status_code == 200 and on_replica > 0
        suggest = "/api/v1/search/suggest?q=adme"  # an API view (a class): its capabilities
        api_on_replica, answer = queries_on(REPLICA, lambda: browser.get(suggest))
        assert answer.status_code == 200 and api_on_replica > 0

        signed_in = browser.post(
            "/accounts/login/", {"login": buyer.owner.email, "password": "password"}
        )  # a write: the session
        assert signed_in.status_code == 302 and PIN_COOKIE in signed_in.cookies
        pinned, page = queries_on(REPLICA, lambda: browser.get("/search/?q=ADME"))
        assert page.status_code == 200 and pinned == 0  # its own writes, from the primary

        browser.cookies.pop(PIN_COOKIE)  # a few seconds later
        assert queries_on(REPLICA, lambda: browser.get("/search/?q=ADME"))[0] > 0
        # Deals are about money and permissions: never the replica.
        deals_on_replica, deals = queries_on(REPLICA, lambda: browser.get("/deals/"))
        assert deals.status_code == 200 and deals_on_replica == 0


def test_without_an_answering_replica_every_read_goes_to_the_primary(committed_db):
    UserFactory()
    with replica(PORT="1", OPTIONS={"connect_timeout": 1}):
        on_primary, page = queries_on("default", lambda: Client().get("/search/?q=ADME"))
        assert page.status_code == 200 and on_primary > 0
        assert db_routing._health.ok is False  # left alone for a few seconds, then tried again


@pytest.mark.django_db
def test_without_a_replica_nothing_changes(client):
    assert not db_routing.replica_configured()
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "x"})
    assert PIN_COOKIE not in response.cookies
    assert db_routing.PrimaryReplicaRouter().db_for_read(None) == "default"

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

from cms.models import ProviderPage
from marketplace import db_routing
from marketplace.db_routing import PIN_COOKIE, REPLICA
from tests.factories import UserFactory, buyer_party

pytestmark = pytest.mark.postgresql


@contextmanager
def replica(**changes):
    """A "replica" database alias for the duration: the primary's settings with ``changes``. Its
    health check sees a standby streaming with no lag (the real check against a real standby is
    tests/cluster/test_replica.py's)."""
    connections.settings[REPLICA] = {**connections.settings["default"], **changes}
    db_routing._health.__dict__.clear()
    real_check, db_routing.LAG_SQL = db_routing.LAG_SQL, "SELECT true, true, 0"
    try:
        yield connections[REPLICA]
    finally:
        db_routing.LAG_SQL = real_check
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        db_routing._health.__dict__.clear()


def queries_on(alias: str, request) -> tuple[int, object]:
    count, response, _sql = sql_on(alias, request)
    return count, response


def sql_on(alias: str, request) -> tuple[int, object, str]:
    """How many queries ran on ``alias`` for ``request``, its answer, and the queries' text."""
    with CaptureQueriesContext(connections[alias]) as captured:
        response = request()
    return len(captured), response, "\n".join(query["sql"] for query in captured)


# Reads of who a reader is and what they may do (accounts, groups, sessions, emails); a figure's
# query may join an organisation for its country, which is not one.
PERMISSION_TABLES = ('FROM "accounts_', 'FROM "auth_', 'FROM "django_session"', 'FROM "account_')


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
        count, page, sql = sql_on(REPLICA, lambda: browser.get("/search/?q=ADME"))
        assert page.status_code == 200 and count > 0
        # The page reads the buyer's membership (for their currency), and the session: on the
        # primary, as everything about who the reader is.
        assert not [table for table in PERMISSION_TABLES if table in sql]
        # Deals are about money and permissions: never the replica.
        deals_on_replica, deals = queries_on(REPLICA, lambda: browser.get("/deals/"))
        assert deals.status_code == 200 and deals_on_replica == 0


def test_pages_the_page_cache_keeps_for_everyone_are_rendered_from_the_primary(
    committed_db, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    provider_page = ProviderPage.objects.live().first().url
    with replica():
        on_replica, page = queries_on(REPLICA, lambda: Client().get(provider_page))
        assert page.status_code == 200 and on_replica == 0
        reader = Client()
        reader.force_login(UserFactory())  # a signed-in reader's page is not kept: the replica
        assert queries_on(REPLICA, lambda: reader.get(provider_page))[0] > 0


def test_the_trade_report_reads_its_figures_from_the_replica_and_its_reader_from_the_primary(
    committed_db,
):
    staff = UserFactory(is_staff=True)
    browser = Client()
    browser.force_login(staff)
    with replica():
        count, page, sql = sql_on(REPLICA, lambda: browser.get("/staff/trade-report/"))
        on_primary, _page, primary_sql = sql_on(
            "default", lambda: browser.get("/staff/trade-report/")
        )

    assert page.status_code == 200 and count > 0
    assert '"contracting_contract"' in sql
    assert not [table for table in PERMISSION_TABLES if table in sql]
    assert '"contracting_contract"' not in primary_sql and '"django_session"' in primary_sql


def test_a_replica_read_that_fails_mid_request_is_answered_from_the_primary(committed_db, caplog):
    with replica():
        browser = Client()
        assert queries_on(REPLICA, lambda: browser.get("/search/?q=ADME"))[0] > 0  # healthy
        # The replica goes away between its health check and the page's reads: the check's
        # answer is still trusted when the page reads.
        connections[REPLICA].close()
        connections.settings[REPLICA]["PORT"] = "1"
        db_routing._health.until = float("inf")
        page = browser.get("/search/?q=ADME")
        assert page.status_code == 200 and "ADME" in page.text
        assert db_routing._health.ok is False
    assert "failed mid-request" in caplog.text


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


@pytest.mark.parametrize(
    "answer",
    [
        "SELECT false, false, 0",  # not a standby: DATABASE_REPLICA_URL names the primary
        "SELECT true, false, 0",  # cut off from the primary: looks current, is not
        "SELECT true, true, 30",  # 30 s behind
        "SELECT true, true, NULL",  # behind by an unknown time
    ],
)
def test_a_replica_that_is_not_a_current_standby_is_not_read(committed_db, answer):
    with replica():
        db_routing.LAG_SQL = answer
        assert db_routing.replica_healthy() is False
        assert db_routing._health.ok is False

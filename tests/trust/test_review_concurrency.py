"""The same review sent twice at once is written once (row lock and unique constraint), on
PostgreSQL with every write committed, as in production."""

import threading

import pytest
from django.db import connection

from marketplace.transitions import InvalidTransition
from marketplace.trust.models import Review
from marketplace.trust.services import review_create
from tests.factories import buyer_party, completed_contract, provider_party

RATINGS = {"overall": 4, "quality": 5, "timeliness": 3, "communication": 4, "value": 4}


@pytest.mark.postgresql
def test_the_same_review_sent_twice_at_once_is_written_once(committed_db):
    buyer = buyer_party()
    contract = completed_contract(buyer, provider_party())
    outcomes, barrier = [], threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        try:
            review_create(contract=contract, by=buyer.owner, text="Twice", **RATINGS)
            outcomes.append("written")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "written"]
    assert Review.objects.filter(contract=contract).count() == 1

"""The same review sent twice at once is written once (row lock and unique constraint), on
PostgreSQL with every write committed, as in production."""

import pytest

from marketplace.transitions import InvalidTransition
from marketplace.trust.models import Review
from marketplace.trust.services import review_create
from tests.concurrency import at_once
from tests.factories import buyer_party, completed_contract, provider_party

RATINGS = {"overall": 4, "quality": 5, "timeliness": 3, "communication": 4, "value": 4}


@pytest.mark.postgresql
def test_the_same_review_sent_twice_at_once_is_written_once(committed_db):
    buyer = buyer_party()
    contract = completed_contract(buyer, provider_party())

    outcomes = at_once(
        lambda: review_create(contract=contract, by=buyer.owner, text="Twice", **RATINGS)
    )

    written = [outcome for outcome in outcomes if isinstance(outcome, Review)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, InvalidTransition)]
    assert (len(written), len(refused)) == (1, 1)
    assert Review.objects.filter(contract=contract).count() == 1

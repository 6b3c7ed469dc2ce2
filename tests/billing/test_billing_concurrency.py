"""An invoice asked for twice at once (the task and a retry) is issued once, and the provider's
sequence has no gap. On PostgreSQL, every write committed, as in production."""

import pytest

from marketplace.billing.models import BillingDocument, BillingSequence
from marketplace.billing.services import invoice_issue
from marketplace.contracting.services import contract_sign
from tests.concurrency import at_once
from tests.factories import buyer_party, contract_for, fx_rates, provider_party


@pytest.mark.postgresql
def test_an_invoice_asked_for_twice_at_once_is_issued_once_with_no_gap(committed_db):
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    milestone = contract.milestones.get(position=1)

    outcomes = at_once(lambda: invoice_issue(milestone_id=milestone.pk).pk)

    assert len(set(outcomes)) == 1, outcomes
    assert BillingDocument.objects.filter(milestone=milestone).count() == 1
    assert BillingSequence.objects.get(provider=provider.organisation, kind="invoice").last == 1

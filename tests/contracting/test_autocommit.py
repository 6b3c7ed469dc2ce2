"""A whole deal with the database in autocommit, as the site runs (every other test runs inside
one transaction, where a service that locks rows without a transaction of its own goes unnoticed:
Django refuses ``select_for_update`` outside one)."""

from tests.contracting.test_contracts import signed
from tests.factories import buyer_party, contract_for, fx_rates, provider_party


def test_a_deal_runs_from_acceptance_to_completion_through_the_api(committed_db, client):
    from marketplace.contracting.services import (
        milestone_accept,
        milestone_mark_due,
        milestone_mark_paid,
    )

    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = signed(contract_for(buyer, provider), buyer, provider)
    for milestone in contract.milestones.all():
        milestone_mark_due(milestone=milestone, by=provider.owner)
        milestone_mark_paid(milestone=milestone, reference=f"pi_{milestone.pk}")
        milestone_accept(milestone=milestone, by=buyer.owner)
    client.force_login(buyer.owner)

    response = client.post(f"/api/v1/contracts/{contract.pk}/complete")

    assert response.status_code == 200, response.content
    contract.refresh_from_db()
    assert contract.status == "completed"

"""A contract's documents asked for twice at once (the background task and a download) are
issued once: one framework agreement, one MSA and one SOW. On PostgreSQL, every write
committed, as in production."""

from decimal import Decimal

import pytest

from marketplace.agreements.models import AgreementDocument, FrameworkAgreement
from marketplace.agreements.services import contract_documents_issue
from tests.concurrency import at_once
from tests.factories import buyer_party, contract_for, fx_rates, provider_party


@pytest.mark.postgresql
def test_documents_issued_twice_at_once_are_issued_once(committed_db):
    fx_rates()
    contract = contract_for(buyer_party(), provider_party())
    AgreementDocument.objects.all().delete()  # as if the task had not run yet
    FrameworkAgreement.objects.all().delete()

    outcomes = at_once(lambda: [d.pk for d in contract_documents_issue(contract=contract)])

    assert len(outcomes) == 2 and outcomes[0] == outcomes[1], outcomes
    assert FrameworkAgreement.objects.count() == 1
    assert sorted(AgreementDocument.objects.values_list("kind", flat=True)) == ["msa", "sow"]


@pytest.mark.postgresql
def test_the_same_signature_sent_twice_at_once_is_made_once(committed_db):
    from marketplace.agreements.models import Signature
    from marketplace.agreements.signing import contract_documents_sign
    from marketplace.transitions import InvalidTransition

    fx_rates()
    buyer = buyer_party()
    contract = contract_for(buyer, provider_party())

    outcomes = at_once(
        lambda: contract_documents_sign(
            contract=contract, by=buyer.owner, typed_name="Alex Chen", method="password"
        )
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InvalidTransition", "list"]
    assert any(isinstance(outcome, InvalidTransition) for outcome in outcomes)
    assert Signature.objects.filter(organisation=buyer.organisation).count() == 2  # MSA and SOW


@pytest.mark.postgresql
def test_the_same_change_proposed_twice_at_once_is_made_once(committed_db):
    from marketplace.contracting.models import ChangeOrder
    from marketplace.contracting.services import MilestoneInput, change_order_propose
    from tests.factories import active_contract

    fx_rates()
    buyer = buyer_party()
    contract = active_contract(buyer, provider_party())

    outcomes = at_once(
        lambda: change_order_propose(
            contract=contract,
            by=buyer.owner,
            reason="A second panel.",
            milestones=[
                MilestoneInput(
                    "Extended panel", amount=Decimal("60000.00"), trigger="Report delivered"
                )
            ],
        )  # fmt: skip
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "ChangeOrder", "InvalidTransition",
    ]  # fmt: skip
    assert ChangeOrder.objects.filter(contract=contract).count() == 1

"""Knowing what to do next: each deal on the Deals page says what it waits for and whose move it
is, and the "To do" page lists, by role, what waits for the user's own action — buyers' quotes
to compare, documents to sign, milestones to pay or accept; providers' requests to answer,
milestones to deliver, certifications to renew; graduates' applications that moved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.contracting.selectors import contract_next_action
from marketplace.contracting.services import (
    MilestoneInput,
    change_order_propose,
    contract_sign,
    milestone_mark_due,
    milestone_mark_paid,
)
from tests.factories import (
    active_contract,
    buyer_party,
    certified_provider_page,
    contract_for,
    fx_rates,
    provider_party,
    quote_for,
    rfq_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties():
    fx_rates()
    return buyer_party(), provider_party()


def said(contract, side):
    contract.refresh_from_db()
    action = contract_next_action(contract=contract, side=side)
    return (str(action.label), action.is_yours) if action else None


def test_each_step_of_a_contract_names_whose_move_it_is(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)
    assert said(contract, "buyer") == ("Sign the documents", True)
    contract_sign(contract=contract, by=buyer.owner)
    assert said(contract, "buyer") == ("Waiting for the other party to sign", False)
    assert said(contract, "provider") == ("Sign the documents", True)
    contract_sign(contract=contract, by=provider.owner)

    assert said(contract, "provider") == ("Deliver “Kick-off”, then call it due", True)
    assert said(contract, "buyer") == ("Waiting for “Kick-off”", False)
    kick_off = milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)
    assert said(contract, "buyer") == ("Pay “Kick-off”", True)
    assert said(contract, "provider") == ("Waiting for payment of “Kick-off”", False)
    milestone_mark_paid(milestone=kick_off, reference="pi_1")
    assert said(contract, "buyer") == ("Accept the work of “Kick-off”", True)
    change = change_order_propose(
        contract=contract, by=provider.owner, reason="A longer report.",
        milestones=[MilestoneInput("Final report", amount=Decimal("52000.00"), trigger="Sent")],
    )  # fmt: skip
    assert said(contract, "buyer") == (f"Sign or decline change {change.reference}", True)
    assert said(contract, None)[1] is False  # a viewer is never the one to act


def test_the_deals_page_shows_each_deals_next_action(client, parties):
    buyer, provider = parties
    contract = active_contract(buyer, provider)
    milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)
    rfq = rfq_for(buyer, invite=[provider], title="Hepatocyte clearance, 8 compounds")

    client.force_login(buyer.owner)
    page = client.get("/deals/").content.decode()
    assert "Pay “Kick-off”" in page and "Waiting for quotes" in page
    client.force_login(provider.owner)
    page = client.get("/deals/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "等待付款：“Kick-off”" in page
    assert f'href="/deals/rfqs/{rfq.pk}/quote/"' in page and "提交报价" in page


def test_the_to_do_page_lists_what_waits_for_each_role(client, parties):
    buyer, provider = parties
    rfq = rfq_for(buyer, invite=[provider], title="Hepatocyte clearance, 8 compounds")
    other = rfq_for(buyer, invite=[provider], title="Plasma protein binding")
    quote_for(other, provider)
    contract = active_contract(buyer_party(), provider)  # another buyer's deal, same provider
    expiring = timezone.localdate() + timedelta(days=20)
    certified_provider_page(
        provider.organisation,
        {"standard": "GLP", "issuer": "NMPA", "reference": "GLP-0042", "valid_until": expiring},
    )

    client.force_login(buyer.owner)
    page = client.get("/todo/").content.decode()
    assert "Compare 1 quote" in page and "Plasma protein binding" in page
    assert "Hepatocyte clearance" not in page  # waits for quotes: not the buyer's move
    client.force_login(provider.owner)
    page = client.get("/todo/").content.decode()

    assert "Send your quote" in page and rfq.title in page
    assert "Deliver “Kick-off”, then call it due" in page and contract.rfq.title in page
    assert "Plasma protein binding" not in page  # quoted: the buyer's move
    assert f"GLP-0042 expires on {expiring:%Y-%m-%d}" in page


def test_the_to_do_page_needs_a_signed_in_user(client):
    assert client.get("/todo/").status_code == 302


def test_a_graduate_sees_the_applications_that_moved(client):
    from marketplace.jobs.services import application_create, application_move
    from tests.jobs.test_applications import candidate, posting_with_employer

    posting, employer = posting_with_employer()
    graduate = candidate()
    application = application_create(posting=posting, candidate=graduate, cover_note="Hello")
    application_move(application=application, to="screening", by=employer)

    client.force_login(graduate)
    page = client.get("/todo/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "您的求职申请" in page and posting.title_zh in page
    assert "筛选" in page  # the status, in the reader's language

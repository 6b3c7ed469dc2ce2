"""Change orders: either party of an active contract proposes a change to its scope, to the
milestones not yet due (so its price) or to its deal facts; the changed deal is screened again;
both parties sign the change's document (re-authenticated, bound to its SHA-256) and only then
is it in force. The contract keeps every revision."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.accounts.models import Membership, Role
from marketplace.agreements.models import AgreementDocument, Signature
from marketplace.contracting.models import (
    AuditEvent,
    ChangeOrder,
    ChecklistItem,
    Milestone,
)
from marketplace.contracting.services import (
    contract_is_cleared_for_payment,
    contract_payment_screen,
    milestone_mark_due,
)
from marketplace.notifications.models import Notification
from tests.factories import (
    UserFactory,
    active_contract,
    buyer_party,
    completed_contract,
    fx_rates,
    provider_party,
)
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

EXTENDED = {"name": "Extended panel", "amount": "60000.00", "trigger": "Report delivered"}


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, active_contract(buyer, provider)


def api(client, user, path, body=None):
    client.force_login(user)
    if body is None:
        return client.get(f"/api/v1/contracts/{path}")
    return client.post(f"/api/v1/contracts/{path}", body, "application/json")


def propose(client, user, contract, **body):
    body = {"reason": "Add a second CYP panel at the buyer's request.", **body}
    return api(client, user, f"{contract.pk}/change-orders", body)


def sign(client, user, contract, number=1, **body):
    body = {"typed_name": "Alex Chen", "password": "password", **body}
    return api(client, user, f"{contract.pk}/change-orders/{number}/sign", body)


def test_a_change_is_in_force_only_once_both_parties_have_signed_it(
    client, deal, mailoutbox, django_capture_on_commit_callbacks
):
    buyer, provider, contract = deal
    kick_off = milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)

    with django_capture_on_commit_callbacks(execute=True):
        proposed = propose(client, provider.owner, contract, milestones=[EXTENDED])

    assert proposed.status_code == 201, proposed.json()
    answer = proposed.json()
    assert (answer["reference"], answer["status"]) == (f"CO-{contract.pk:06d}-01", "proposed")
    assert (answer["total_before"], answer["total_after"]) == ("71680.00", "81504.00")
    assert [m["name"] for m in answer["after"]["milestones"]] == ["Kick-off", "Extended panel"]
    contract.refresh_from_db()
    assert contract.total_amount == Decimal("71680.00")  # nothing changes before both sign
    assert [m.name for m in contract.milestones.all()] == ["Kick-off", "Final report"]
    told = Notification.objects.get(event="change_order_proposed")
    assert told.user == buyer.owner and told.path == f"/deals/contracts/{contract.pk}/#changes"

    by_provider = sign(client, provider.owner, contract)
    assert by_provider.status_code == 200, by_provider.json()
    assert by_provider.json()["status"] == "proposed"
    client.force_login(buyer.owner)
    assert client.post(f"/api/v1/contracts/{contract.pk}/sign/code").status_code == 202
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        by_buyer = sign(client, buyer.owner, contract, password="", code=code)

    assert by_buyer.status_code == 200, by_buyer.json()
    assert by_buyer.json()["status"] == "applied"
    contract.refresh_from_db()
    assert contract.total_amount == Decimal("81504.00")
    milestones = list(contract.milestones.order_by("position"))
    assert [(m.name, m.amount, m.status) for m in milestones] == [
        ("Kick-off", Decimal("21504.00"), "due"),
        ("Extended panel", Decimal("60000.00"), "planned"),
    ]
    assert milestones[0].pk == kick_off.pk  # a milestone already due is not touched
    document = AgreementDocument.objects.get(kind="change_order")
    assert by_buyer.json()["document"]["content_sha256"] == document.content_sha256
    signed = Signature.objects.filter(document=document)
    assert {(s.organisation_id, s.method, s.document_sha256) for s in signed} == {
        (provider.organisation.pk, "password", document.content_sha256),
        (buyer.organisation.pk, "email_code", document.content_sha256),
    }
    assert AuditEvent.objects.filter(
        subject_type="contract", subject_id=contract.pk, action="change_order"
    ).exists()
    decided = Notification.objects.filter(event="change_order_decided")
    assert {n.user for n in decided} == {buyer.owner, provider.owner}


def test_the_change_order_pdf_says_before_and_after_in_english_and_chinese(client, deal):
    buyer, provider, contract = deal
    propose(
        client, buyer.owner, contract, milestones=[EXTENDED], scope="Stability and two CYP panels."
    )

    client.force_login(provider.owner)
    response = client.get(f"/deals/contracts/{contract.pk}/changes/1.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = AgreementDocument.objects.get(kind="change_order")
    assert response["X-Document-SHA256"] == document.content_sha256
    text = pdf_text(b"".join(response.streaming_content))
    assert f"CO-{contract.pk:06d}-01" in text and "变更单" in text
    assert "Stability and two CYP panels." in text
    assert "CNY 71680.00" in text and "CNY 60000.00" in text  # no milestone had fallen due
    assert "Extended panel" in text and "变更后" in text
    assert document.content_sha256 in text.replace(" ", "")
    sow = AgreementDocument.objects.get(kind="sow", contract=contract)
    assert document.content["amends"]["statement_of_work"]["sha256"] == sow.content_sha256


def test_restated_facts_are_screened_and_their_filing_holds_payments(client, deal):
    buyer, provider, contract = deal
    assert contract_is_cleared_for_payment(contract=contract)

    proposed = propose(client, buyer.owner, contract, facts={"technology_transfer": True})

    assert proposed.status_code == 201, proposed.json()
    assert proposed.json()["screening"]["new_checklist"] == ["tech-contract-registration"]
    sign(client, buyer.owner, contract)
    sign(client, provider.owner, contract)
    contract.refresh_from_db()
    item = ChecklistItem.objects.get(contract=contract, rule="tech-contract-registration")
    assert item.severity == "needs_filing" and not item.is_done
    assert not contract_is_cleared_for_payment(contract=contract)
    screening = contract_payment_screen(contract=contract, by=None)
    assert screening.facts["technology_transfer"] is True  # the contract's facts, not the RFQ's
    assert contract.rfq.technology_transfer is False


def test_a_change_compliance_blocks_is_refused_and_writes_nothing(client, deal):
    buyer, _provider, contract = deal

    refused = propose(
        client, buyer.owner, contract, facts={"technology_catalogue_item": "prohibited"}
    )

    assert refused.status_code == 409
    assert "prohibited export catalogue" in refused.json()["detail"]
    assert not ChangeOrder.objects.exists()


def test_a_change_order_on_a_completed_contract_is_refused(client):
    contract = completed_contract()
    buyer = contract.buyer.memberships.get().user

    refused = propose(client, buyer, contract, milestones=[EXTENDED])

    assert refused.status_code == 409
    assert refused.json()["detail"] == "This contract is completed: a change order cannot amend it."
    assert not ChangeOrder.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "changes", "Change the scope, the milestones or a deal fact: this changes nothing."),
        ({"reason": " ", "scope": "New scope."}, "reason", "Say what changes and why."),
        (
            {"milestones": [{**EXTENDED, "amount": "0.00"}]},
            "milestones[0].amount",
            "A milestone must be more than zero.",
        ),
        (
            {"milestones": [{"name": "Later", "amount": "10.00", "due_date": "2020-01-01"}]},
            "milestones[0].due_date",
            "A new milestone cannot fall due in the past.",
        ),
        ({"facts": {"technology_transfer": None}}, "facts.technology_transfer",
         "A fact once stated cannot be made unknown again."),
        ({"facts": {"direction": "inbound"}}, "facts.direction",
         "A change order cannot change this."),
    ],
)  # fmt: skip
def test_bad_proposals_are_refused_by_field_and_write_nothing(client, deal, body, field, message):
    buyer, _provider, contract = deal

    refused = propose(client, buyer.owner, contract, **body)

    assert refused.status_code == 400
    assert refused.json()[field] == [message]
    assert not ChangeOrder.objects.exists()


UNFIT = "The request holds a NUL character or an unpaired surrogate: send Unicode text."


@pytest.mark.parametrize(
    "body",
    [
        {"facts": {"\udbb0b": {"g": None}}},  # half a surrogate pair, as a key
        {"facts": {"technology_transfer\x00": True}},  # a NUL in a key
        {"scope": "New scope \udc83."},  # half a pair, as text
    ],
    ids=["lone-surrogate-key", "nul-key", "lone-surrogate-text"],
)
def test_text_no_answer_could_repeat_is_refused_before_it_is_read(client, deal, body):
    """Found by the fuzzer: a fact's name no answer could encode was named in the refusal, and
    the refusal itself failed (a 500)."""
    buyer, _provider, contract = deal

    refused = propose(client, buyer.owner, contract, **body)

    assert refused.status_code == 400
    assert refused.json() == {"detail": UNFIT}
    assert not ChangeOrder.objects.exists()


def test_a_whole_surrogate_pair_is_text_like_any_other(client, deal):
    buyer, _provider, contract = deal

    proposed = propose(client, buyer.owner, contract, scope="Extended panel \U0001f483.")

    assert proposed.status_code == 201, proposed.json()
    assert proposed.json()["after"]["scope"] == "Extended panel \U0001f483."


def test_one_change_waits_at_a_time_and_a_withdrawn_one_makes_room(client, deal):
    buyer, provider, contract = deal
    assert propose(client, buyer.owner, contract, milestones=[EXTENDED]).status_code == 201

    second = propose(client, provider.owner, contract, scope="Something else.")
    assert second.status_code == 409
    declined = api(client, provider.owner, f"{contract.pk}/change-orders/1/withdraw", {})
    assert declined.status_code == 400
    assert declined.json() == {"reason": ["Say why you decline the change."]}

    withdrawn = api(client, buyer.owner, f"{contract.pk}/change-orders/1/withdraw", {})

    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = propose(client, provider.owner, contract, scope="Something else.")
    assert again.status_code == 201 and again.json()["number"] == 2
    contract.refresh_from_db()
    assert contract.total_amount == Decimal("71680.00")
    assert sign(client, buyer.owner, contract, number=1).status_code == 409


def test_signing_a_change_twice_or_with_a_wrong_password_is_refused(client, deal):
    buyer, _provider, contract = deal
    propose(client, buyer.owner, contract, milestones=[EXTENDED])

    wrong = sign(client, buyer.owner, contract, password="not-it")
    assert wrong.status_code == 400 and not Signature.objects.filter(document__kind="change_order")
    assert sign(client, buyer.owner, contract).status_code == 200
    twice = sign(client, buyer.owner, contract)

    assert twice.status_code == 409
    assert twice.json()["detail"] == "Your organisation has already signed this change order."
    assert Signature.objects.filter(document__kind="change_order").count() == 1


def test_a_milestone_falling_due_meanwhile_stops_the_change_it_would_replace(client, deal):
    buyer, provider, contract = deal
    propose(client, buyer.owner, contract, milestones=[EXTENDED])
    sign(client, buyer.owner, contract)
    milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)

    refused = sign(client, provider.owner, contract)

    assert refused.status_code == 409
    assert "has fallen due since it was proposed" in refused.json()["detail"]
    assert ChangeOrder.objects.get().status == "proposed"
    assert Signature.objects.filter(document__kind="change_order").count() == 1  # the buyer's
    assert Milestone.objects.filter(contract=contract).count() == 2


def test_a_third_party_finds_no_change_orders(client, deal):
    buyer, _provider, contract = deal
    propose(client, buyer.owner, contract, milestones=[EXTENDED])
    stranger = UserFactory()

    assert api(client, stranger, f"{contract.pk}/change-orders").status_code == 404
    assert propose(client, stranger, contract, scope="x").status_code == 404
    assert sign(client, stranger, contract).status_code == 404
    assert client.get(f"/deals/contracts/{contract.pk}/changes/1.pdf").status_code == 404
    assert ChangeOrder.objects.count() == 1


def test_the_contract_page_proposes_lists_and_signs_changes(client, deal):
    buyer, provider, contract = deal
    client.force_login(provider.owner)
    page = client.get(f"/deals/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "提出变更" in page.content.decode()
    form = client.get(f"/deals/contracts/{contract.pk}/changes/new/")
    assert form.status_code == 200
    due = (timezone.localdate() + timedelta(days=20)).isoformat()

    posted = client.post(
        f"/deals/contracts/{contract.pk}/changes/new/",
        {
            "reason": "A second site visit.", "scope": contract.snapshot["rfq"]["scope"],
            "change_milestones": "on", "ms-TOTAL_FORMS": "2", "ms-INITIAL_FORMS": "0",
            "ms-0-name": "Kick-off", "ms-0-amount": "21504.00", "ms-0-due_date": due,
            "ms-1-name": "Final report", "ms-1-amount": "55000.00", "ms-1-trigger": "Delivered",
            **{name: _answer(value)
               for name, value in _facts(contract).items()},
        },
    )  # fmt: skip

    assert posted.status_code == 302, posted.content.decode()[:2000]
    change = ChangeOrder.objects.get()
    assert change.total_after == Decimal("76504.00") and change.proposed_side == "provider"
    page = client.get(f"/deals/contracts/{contract.pk}/").content.decode()
    assert change.reference in page and "Sign the change" in page
    client.force_login(buyer.owner)
    signed = client.post(
        f"/deals/contracts/{contract.pk}/changes/1/sign/",
        {"typed_name": "Sam Buyer", "password": "password"},
    )
    assert signed.status_code == 302
    assert ChangeOrder.objects.get().buyer_signed_by == buyer.owner
    assert ChangeOrder.objects.get().status == "proposed"  # the provider has not signed yet


def test_a_change_form_that_changes_nothing_shows_why(client, deal):
    _buyer, provider, contract = deal
    client.force_login(provider.owner)

    posted = client.post(
        f"/deals/contracts/{contract.pk}/changes/new/",
        {"reason": "Nothing really.", "scope": contract.snapshot["rfq"]["scope"],
         "ms-TOTAL_FORMS": "0", "ms-INITIAL_FORMS": "0",
         **{name: _answer(value)
            for name, value in _facts(contract).items()}},
    )  # fmt: skip

    assert posted.status_code == 400
    assert "this changes nothing" in posted.content.decode()
    assert not ChangeOrder.objects.exists()


def _answer(value):
    """A fact as the form's field posts it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _facts(contract) -> dict:
    from marketplace.contracting.services.screening import contract_fact_values

    return contract_fact_values(contract)


def test_a_viewer_of_either_party_may_read_changes_but_not_make_them(client, deal):
    buyer, _provider, contract = deal
    viewer = UserFactory()
    Membership.objects.create(user=viewer, organisation=buyer.organisation, role=Role.VIEWER)
    propose(client, buyer.owner, contract, milestones=[EXTENDED])

    assert api(client, viewer, f"{contract.pk}/change-orders").status_code == 200
    assert propose(client, viewer, contract, scope="Another.").status_code == 403
    assert sign(client, viewer, contract).status_code == 403
    withdrawn = api(client, viewer, f"{contract.pk}/change-orders/1/withdraw", {"reason": "No"})
    assert withdrawn.status_code == 403
    assert ChangeOrder.objects.get().status == "proposed"
    assert not Signature.objects.filter(document__kind="change_order").exists()


def test_a_change_adding_an_approval_waits_for_a_payment_under_way(client, deal):
    from payments.models import Payment

    buyer, provider, contract = deal
    kick_off = milestone_mark_due(milestone=contract.milestones.get(position=1), by=provider.owner)
    Payment.objects.create(
        milestone=kick_off, stripe_payment_intent="pi_under_way", status="processing",
        amount=kick_off.amount, fee_amount=0, total_amount=kick_off.amount, created_by=buyer.owner,
    )  # fmt: skip
    propose(client, buyer.owner, contract, facts={"technology_transfer": True})
    sign(client, buyer.owner, contract)

    refused = sign(client, provider.owner, contract)

    assert refused.status_code == 409
    assert "A payment of this contract is under way" in refused.json()["detail"]
    assert not ChecklistItem.objects.filter(contract=contract, rule="tech-contract-registration")

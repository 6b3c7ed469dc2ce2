"""Contracts: signatures, the compliance checklist, milestones, completion, the audit log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.contracting.models import AuditEvent, ContractStatus, MilestoneStatus
from marketplace.contracting.services import (
    InvalidTransition,
    checklist_item_complete,
    contract_complete,
    contract_is_cleared_for_payment,
    contract_sign,
    contract_terminate,
    milestone_accept,
    milestone_mark_due,
    milestone_mark_paid,
    milestones_due_mark,
)
from tests.factories import buyer_party, contract_for, fx_rates, provider_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties():
    fx_rates()
    return buyer_party(), provider_party()


def signed(contract, buyer, provider):
    contract_sign(contract=contract, by=buyer.owner)
    return contract_sign(contract=contract, by=provider.owner)


def test_a_contract_is_active_once_both_parties_have_signed(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)

    contract = contract_sign(contract=contract, by=provider.owner)
    assert contract.status == ContractStatus.PENDING_SIGNATURE
    contract = contract_sign(contract=contract, by=buyer.owner)

    assert contract.status == ContractStatus.ACTIVE
    assert contract.buyer_signed_by == buyer.owner and contract.provider_signed_at is not None
    with pytest.raises(InvalidTransition, match="no longer waiting"):
        contract_sign(contract=contract, by=buyer.owner)


def test_a_party_signs_once_and_strangers_not_at_all(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)
    contract_sign(contract=contract, by=buyer.owner)

    with pytest.raises(InvalidTransition, match="already signed"):
        contract_sign(contract=contract, by=buyer.owner)
    with pytest.raises(PermissionDenied):
        contract_sign(contract=contract, by=buyer_party().owner)


def test_approvals_and_filings_become_a_checklist_that_holds_back_payment(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider, foreign_staff_on_site=True, technology_transfer=True)
    contract = signed(contract, buyer, provider)
    milestone = contract.milestones.first()
    milestone_mark_due(milestone=milestone, by=provider.owner)

    assert set(contract.checklist.values_list("rule", flat=True)) == {
        "work-permit", "tech-contract-registration",
    }  # fmt: skip
    assert not contract_is_cleared_for_payment(contract=contract)
    with pytest.raises(InvalidTransition, match="approvals and filings"):
        milestone_mark_paid(milestone=milestone, reference="pi_123")

    for item in contract.checklist.all():
        checklist_item_complete(item=item, by=provider.owner, reference="MOFCOM-2026-0042",
                                completed_on=timezone.localdate())  # fmt: skip

    assert contract_is_cleared_for_payment(contract=contract)
    assert milestone_mark_paid(milestone=milestone, reference="pi_123").status == "paid"


def test_a_checklist_item_needs_a_reference_and_a_date_not_in_the_future(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider, foreign_staff_on_site=True)
    item = contract.checklist.get()

    with pytest.raises(ValidationError) as error:
        checklist_item_complete(item=item, by=buyer.owner, reference=" ",
                                completed_on=timezone.localdate() + timedelta(days=1))  # fmt: skip

    assert set(error.value.message_dict) == {"reference", "completed_on"}
    item.refresh_from_db()
    assert item.completed_on is None


def test_milestones_move_planned_due_paid_accepted_and_not_otherwise(parties):
    buyer, provider = parties
    contract = signed(contract_for(buyer, provider), buyer, provider)
    milestone = contract.milestones.first()

    with pytest.raises(InvalidTransition, match="is planned: it cannot be marked paid"):
        milestone_mark_paid(milestone=milestone, reference="pi_1")
    with pytest.raises(InvalidTransition, match="is planned: it cannot be accepted"):
        milestone_accept(milestone=milestone, by=buyer.owner)
    milestone_mark_due(milestone=milestone, by=provider.owner)
    with pytest.raises(PermissionDenied):
        milestone_accept(milestone=milestone, by=provider.owner)
    milestone_mark_paid(milestone=milestone, reference="pi_1")
    milestone = milestone_accept(milestone=milestone, by=buyer.owner)

    assert milestone.status == MilestoneStatus.ACCEPTED
    assert list(
        AuditEvent.objects.filter(subject_type="milestone", subject_id=milestone.pk).values_list(
            "from_status", "to_status"
        )
    ) == [("planned", "due"), ("due", "paid"), ("paid", "accepted")]


def test_milestones_are_not_due_before_the_contract_is_active(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)

    with pytest.raises(InvalidTransition, match="active contract"):
        milestone_mark_due(milestone=contract.milestones.first(), by=provider.owner)


def test_the_due_date_sweep_marks_milestones_due_on_active_contracts_only(parties):
    buyer, provider = parties
    active = signed(contract_for(buyer, provider), buyer, provider)
    contract_for(buyer_party(), provider)  # pending signature: left alone
    in_a_week = timezone.localdate() + timedelta(days=7)

    assert milestones_due_mark(today=in_a_week - timedelta(days=1)) == 0
    assert milestones_due_mark(today=in_a_week) == 1
    assert active.milestones.get(position=1).status == MilestoneStatus.DUE
    assert active.milestones.get(position=2).status == MilestoneStatus.PLANNED  # by trigger


def test_a_contract_completes_only_when_every_milestone_is_accepted(parties, client):
    buyer, provider = parties
    contract = signed(contract_for(buyer, provider), buyer, provider)
    client.force_login(buyer.owner)
    page = f"/deals/contracts/{contract.pk}/"

    with pytest.raises(InvalidTransition, match="Every milestone"):
        contract_complete(contract=contract, by=buyer.owner)
    assert "Mark completed" not in client.get(page).text  # not offered before it can be done
    for milestone in contract.milestones.all():
        milestone_mark_due(milestone=milestone, by=provider.owner)
        milestone_mark_paid(milestone=milestone, reference=f"pi_{milestone.pk}")
        milestone_accept(milestone=milestone, by=buyer.owner)

    assert "Mark completed" in client.get(page).text
    assert contract_complete(contract=contract, by=buyer.owner).status == "completed"
    with pytest.raises(InvalidTransition, match="is completed: it cannot be terminated"):
        contract_terminate(contract=contract, by=provider.owner, reason="Too late")


def test_termination_needs_a_reason_and_is_recorded(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)

    with pytest.raises(ValidationError, match="Say why"):
        contract_terminate(contract=contract, by=provider.owner, reason="")
    contract_terminate(contract=contract, by=provider.owner, reason="Sponsor cancelled")

    event = AuditEvent.objects.get(subject_type="contract", subject_id=contract.pk,
                                   action="terminate")  # fmt: skip
    assert (event.from_status, event.to_status, event.reason) == (
        "pending_signature", "terminated", "Sponsor cancelled",
    )  # fmt: skip


def test_the_contract_snapshot_does_not_move_when_the_quote_data_does(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider)
    before = dict(contract.snapshot)

    revision = contract.revision
    revision.lines.update(unit_price_amount=Decimal("1.00"))

    contract.refresh_from_db()
    assert contract.snapshot == before
    assert contract.snapshot["quote"]["lines"][0]["unit_price"] == "3500.00"


def test_rules_that_may_apply_go_on_the_checklist_marked_to_confirm(parties):
    buyer, provider = parties
    contract = contract_for(buyer, provider, hgr_information_abroad=None)

    item = contract.checklist.get()
    assert (item.rule, item.finding_status) == ("hgr-information-abroad", "to_confirm")
    assert not contract_is_cleared_for_payment(contract=contract)

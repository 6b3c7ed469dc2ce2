"""RFQs: creation and its validation, invitations, the open call, NDA redaction, states."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.contracting.models import AuditEvent, Rfq, RfqStatus
from marketplace.contracting.selectors import (
    nda_accepted,
    provider_may_see,
    rfqs_for_provider,
    rfqs_for_user,
)
from marketplace.contracting.services import (
    InvalidTransition,
    rfq_cancel,
    rfq_close,
    rfq_create,
    rfq_nda_accept,
    rfq_open,
    rfq_update,
)
from tests.factories import buyer_party, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


def test_a_buyer_creates_a_draft_rfq_which_is_screened_at_once():
    buyer = buyer_party(country="JP")

    rfq = rfq_for(buyer, open_it=False, personal_info_subjects_ytd=None)

    assert rfq.status == RfqStatus.DRAFT
    screening = rfq.screenings.get(quote__isnull=True)
    rules = {finding["rule"]: finding["status"] for finding in screening.findings}
    assert rules["rcep-partner"] == "applies"  # a Japanese buyer
    assert rules["pi-standard-contract"] == "to_confirm"  # the head count is not stated
    assert "personal_info_subjects_ytd" in screening.facts_to_confirm
    assert AuditEvent.objects.filter(
        subject_type="rfq", subject_id=rfq.pk, action="create"
    ).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": " "}, "title"),
        ({"budget_min_amount": Decimal("-5")}, "budget_min_amount"),
        ({"budget_min_amount": Decimal(9), "budget_max_amount": Decimal(5)}, "budget_max_amount"),
        ({"budget_currency": "XYZ"}, "budget_currency"),
        ({"is_nda_required": True, "nda_terms": ""}, "nda_terms"),
        ({"capability_codes": ("safety.no_such_thing",)}, "capability_codes"),
        ({"capability_codes": ("species.rat",)}, "capability_codes"),
        ({"capability_codes": ()}, "capability_codes"),
        ({"personal_info_subjects_ytd": -1}, "personal_info_subjects_ytd"),
        ({"personal_info_subjects_ytd": 2**31}, "personal_info_subjects_ytd"),
        ({"sensitive_personal_info_subjects_ytd": 10**20}, "sensitive_personal_info_subjects_ytd"),
        ({"budget_max_amount": Decimal("1e12")}, "budget_max_amount"),
        ({"budget_min_amount": Decimal("0.001")}, "budget_min_amount"),
        ({"technology_catalogue_item": "maybe"}, "technology_catalogue_item"),
    ],
)
def test_bad_rfq_input_is_refused_by_field_and_nothing_is_written(values, field):
    buyer = buyer_party()

    with pytest.raises(ValidationError) as error:
        rfq_for(buyer, open_it=False, **values)

    assert field in error.value.message_dict
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()


@pytest.mark.parametrize("count", [2**31, 2**63, 10**20, int("9" * 30)])
def test_a_head_count_past_what_its_column_holds_is_refused_with_the_limit(count):
    buyer = buyer_party()

    with pytest.raises(ValidationError) as error:
        rfq_for(buyer, open_it=False, sensitive_personal_info_subjects_ytd=count)

    assert error.value.message_dict == {
        "sensitive_personal_info_subjects_ytd": ["At most 2,147,483,647."]
    }
    assert not Rfq.objects.filter(buyer=buyer.organisation).exists()


def test_editing_a_head_count_past_its_column_is_refused_and_changes_nothing():
    buyer = buyer_party()
    rfq = rfq_for(buyer, open_it=False, personal_info_subjects_ytd=12)

    with pytest.raises(ValidationError) as error:
        rfq_update(rfq=rfq, by=buyer.owner, personal_info_subjects_ytd=2**31)

    assert error.value.message_dict == {"personal_info_subjects_ytd": ["At most 2,147,483,647."]}
    rfq.refresh_from_db()
    assert rfq.personal_info_subjects_ytd == 12
    assert not AuditEvent.objects.filter(subject_type="rfq", subject_id=rfq.pk, action="edit")


def test_only_buyer_members_who_may_act_create_rfqs():
    buyer, provider = buyer_party(), provider_party()
    stranger = buyer_party()

    with pytest.raises(PermissionDenied):
        rfq_create(buyer=buyer.organisation, by=stranger.owner, title="T", scope="S",
                   capability_codes=["dmpk.in_vitro_adme"])  # fmt: skip
    with pytest.raises(PermissionDenied, match="buyer organisations"):
        rfq_create(buyer=provider.organisation, by=provider.owner, title="T", scope="S",
                   capability_codes=["dmpk.in_vitro_adme"])  # fmt: skip


def test_an_invited_only_rfq_cannot_open_without_invitations():
    buyer = buyer_party()
    rfq = rfq_for(buyer, open_it=False)

    with pytest.raises(InvalidTransition, match="Invite at least one provider"):
        rfq_open(rfq=rfq, by=buyer.owner)


def test_providers_see_rfqs_they_are_invited_to_or_that_are_open_to_what_they_offer():
    buyer = buyer_party()
    invited, matching, other, unverified = (
        provider_party(),
        provider_party(offers=("safety.general_toxicology.rodent",)),  # narrower: it matches
        provider_party(offers=("clinical.trial_management",)),
        provider_party(verified=False, offers=("safety.general_toxicology",)),
    )
    private = rfq_for(buyer, invite=[invited])
    public = rfq_for(buyer, visibility="open", capability_codes=("safety.general_toxicology",))
    draft = rfq_for(buyer, invite=[invited], open_it=False)

    assert set(rfqs_for_provider(provider=invited.organisation)) == {private}
    assert set(rfqs_for_provider(provider=matching.organisation)) == {public}
    assert set(rfqs_for_provider(provider=other.organisation)) == set()
    assert set(rfqs_for_provider(provider=unverified.organisation)) == set()
    assert draft not in rfqs_for_user(user=invited.owner)
    assert set(rfqs_for_user(user=buyer.owner)) == {private, public, draft}
    assert set(rfqs_for_user(user=buyer_party().owner)) == set()


def test_an_nda_keeps_the_scope_from_providers_until_they_accept_it():
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider], is_nda_required=True, nda_terms="Keep it secret.")

    assert not nda_accepted(rfq=rfq, provider=provider.organisation)
    with pytest.raises(InvalidTransition, match="Accept the request's NDA"):
        quote_for(rfq, provider)

    rfq_nda_accept(rfq=rfq, provider=provider.organisation, by=provider.owner)

    assert nda_accepted(rfq=rfq, provider=provider.organisation)
    assert quote_for(rfq, provider).status == "submitted"


def test_a_provider_cannot_accept_the_nda_of_an_rfq_not_open_to_it():
    buyer, outsider = buyer_party(), provider_party(offers=("safety.general_toxicology",))
    rfq = rfq_for(buyer, invite=[provider_party()], is_nda_required=True, nda_terms="Secret.")

    with pytest.raises(PermissionDenied):
        rfq_nda_accept(rfq=rfq, provider=outsider.organisation, by=outsider.owner)
    assert not provider_may_see(rfq=rfq, provider=outsider.organisation)


def test_closing_an_rfq_declines_the_quotes_in_play_and_is_audited():
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider])
    quote = quote_for(rfq, provider)

    rfq_close(rfq=rfq, by=buyer.owner, reason="Budget moved")

    quote.refresh_from_db()
    assert quote.status == "declined"
    event = AuditEvent.objects.get(subject_type="rfq", subject_id=rfq.pk, action="close")
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        "open", "closed", "Budget moved", buyer.owner,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "action"),
    [("closed", rfq_close), ("cancelled", rfq_cancel), ("closed", rfq_cancel)],
)
def test_a_finished_rfq_cannot_be_closed_or_cancelled_again(status, action):
    buyer = buyer_party()
    rfq = rfq_for(buyer, invite=[provider_party()])
    Rfq.objects.filter(pk=rfq.pk).update(status=status)

    with pytest.raises(InvalidTransition, match=f"is {status}: it cannot be"):
        action(rfq=rfq, by=buyer.owner)


def test_a_draft_can_be_cancelled_but_not_closed():
    buyer = buyer_party()
    draft = rfq_for(buyer, open_it=False)

    with pytest.raises(InvalidTransition):
        rfq_close(rfq=draft, by=buyer.owner)
    assert rfq_cancel(rfq=draft, by=buyer.owner).status == RfqStatus.CANCELLED


def test_editing_the_facts_screens_the_rfq_and_its_quotes_again():
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider])
    quote = quote_for(rfq, provider)
    assert quote.screening.outcome == "clear"

    rfq_update(rfq=rfq, by=buyer.owner, hgr_joint_research=True)

    quote.screening.refresh_from_db()
    assert quote.screening.outcome == "needs_approval"
    assert "hgr-joint-research" in {f["rule"] for f in quote.screening.findings}
    assert rfq.screenings.get(quote__isnull=True).outcome == "needs_approval"


def test_a_closed_rfq_cannot_be_edited():
    buyer = buyer_party()
    rfq = rfq_for(buyer, invite=[provider_party()])
    rfq_close(rfq=rfq, by=buyer.owner)

    with pytest.raises(InvalidTransition):
        rfq_update(rfq=rfq, by=buyer.owner, title="New")


def test_published_listings_tell_what_a_demo_provider_offers():
    from marketplace.accounts.models import Organisation

    kanghe = Organisation.objects.get(external_id="demo-p001")

    offered = set(kanghe.offered_capabilities.values_list("code", flat=True))
    assert "safety.general_toxicology.rodent" in offered

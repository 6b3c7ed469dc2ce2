"""Who may read an RFQ in full: one rule, the same answer from the page, the API and a download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.contracting import selectors
from marketplace.contracting.models import Rfq, Visibility
from marketplace.contracting.services import rfq_attachment_add, rfq_nda_accept
from tests.factories import buyer_party, fx_rates, provider_party, rfq_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SCOPE = "Hepatocyte stability of the twelve secret compounds."
FULL, SUMMARY, NOT_FOUND = "full", "summary", "not found"


def what_each_door_reveals(user, rfq: Rfq) -> tuple[str, str, str, str]:
    """(page, API detail, attachment download, selector): full, summary only, or not found."""
    client = Client()
    client.force_login(user)
    page = client.get(f"/deals/rfqs/{rfq.pk}/")
    api = client.get(f"/api/v1/rfqs/{rfq.pk}/")
    attachment = rfq.attachments.get()
    download = client.get(f"/deals/rfqs/{rfq.pk}/attachments/{attachment.pk}/")
    if page.status_code == 404:
        page_says = NOT_FOUND
    else:
        content = page.content.decode()
        shows_all = SCOPE in content and attachment.name in content
        shows_none = SCOPE not in content and attachment.name not in content
        assert shows_all or shows_none, "the page shows part of what the rule guards"
        page_says = FULL if shows_all else SUMMARY
    if api.status_code == 404:
        api_says = NOT_FOUND
    else:
        body = api.json()
        assert (body["scope"] == SCOPE) is (not body["is_redacted"])
        api_says = SUMMARY if body["is_redacted"] else FULL
    download_says = {200: FULL, 404: SUMMARY if page_says == SUMMARY else NOT_FOUND}[
        download.status_code
    ]
    if not selectors.rfqs_for_user(user=user).filter(pk=rfq.pk).exists():
        selector_says = NOT_FOUND
    else:
        selector_says = FULL if selectors.may_read_full_rfq(user=user, rfq=rfq) else SUMMARY
    return page_says, api_says, download_says, selector_says


def rfq_with_attachment(buyer, **values) -> Rfq:
    rfq = rfq_for(buyer, scope=SCOPE, **values)
    upload = SimpleUploadedFile("protocol.pdf", PDF, content_type="application/pdf")
    rfq_attachment_add(rfq=rfq, by=buyer.owner, upload=upload)
    return rfq


@pytest.mark.parametrize("is_nda_required", [True, False])
def test_page_api_and_downloads_agree_on_who_reads_an_invited_only_rfq_in_full(is_nda_required):
    fx_rates()
    buyer, invited, outsider = buyer_party(), provider_party(), provider_party()
    colleague = UserFactory(email_verified=True)
    buyer.organisation.memberships.create(user=colleague, role="viewer")
    staff = UserFactory(email_verified=True, is_staff=True, is_superuser=True)
    rfq = rfq_with_attachment(
        buyer, invite=[invited], is_nda_required=is_nda_required, nda_terms="Secret."
    )
    before_nda = SUMMARY if is_nda_required else FULL
    expected = {
        "buyer owner": (buyer.owner, FULL),
        "buyer member": (colleague, FULL),
        "invited provider, before the NDA": (invited.owner, before_nda),
        "provider not invited": (outsider.owner, NOT_FOUND),
        "user of no organisation": (UserFactory(email_verified=True), NOT_FOUND),
        "platform staff outside the deal": (staff, NOT_FOUND),
    }
    for role, (user, answer) in expected.items():
        assert what_each_door_reveals(user, rfq) == (answer,) * 4, role

    if is_nda_required:
        rfq_nda_accept(rfq=rfq, provider=invited.organisation, by=invited.owner)
    assert what_each_door_reveals(invited.owner, rfq) == (FULL,) * 4


@pytest.mark.parametrize("is_nda_required", [True, False])
def test_page_api_and_downloads_agree_on_who_reads_an_open_rfq_in_full(is_nda_required):
    fx_rates()
    buyer = buyer_party()
    matching = provider_party(offers=("dmpk.in_vitro_adme",))
    unverified = provider_party(verified=False, offers=("dmpk.in_vitro_adme",))
    elsewhere = provider_party(offers=("clinical.trial_management",))
    rfq = rfq_with_attachment(
        buyer, visibility=Visibility.OPEN, is_nda_required=is_nda_required, nda_terms="Secret."
    )
    before_nda = SUMMARY if is_nda_required else FULL
    expected = {
        "buyer owner": (buyer.owner, FULL),
        "matching verified provider, before the NDA": (matching.owner, before_nda),
        "matching provider not verified": (unverified.owner, NOT_FOUND),
        "provider offering something else": (elsewhere.owner, NOT_FOUND),
    }
    for role, (user, answer) in expected.items():
        assert what_each_door_reveals(user, rfq) == (answer,) * 4, role

    if is_nda_required:
        rfq_nda_accept(rfq=rfq, provider=matching.organisation, by=matching.owner)
    assert what_each_door_reveals(matching.owner, rfq) == (FULL,) * 4


def test_a_provider_organisation_that_cannot_see_the_rfq_lends_no_full_reading():
    """A member of two providers reads in full only through the one that may see the request."""
    fx_rates()
    buyer, invited, other = buyer_party(), provider_party(), provider_party()
    rfq = rfq_with_attachment(buyer, invite=[invited], is_nda_required=True, nda_terms="Secret.")
    other.organisation.memberships.create(user=invited.owner, role="viewer")
    assert what_each_door_reveals(invited.owner, rfq) == (SUMMARY,) * 4
    rfq_nda_accept(rfq=rfq, provider=invited.organisation, by=invited.owner)
    assert what_each_door_reveals(invited.owner, rfq) == (FULL,) * 4

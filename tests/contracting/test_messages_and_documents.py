"""Deal documents and message threads: private, typed, limited in size; emails after commit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.contracting.models import Message, RfqAttachment
from marketplace.contracting.services import (
    contract_sign,
    milestone_mark_due,
    milestone_mark_paid,
    quote_accept,
)
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="protocol.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def client_for(party) -> Client:
    client = Client()
    client.force_login(party.owner)
    return client


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider], is_nda_required=True, nda_terms="Secret.")
    return buyer, provider, rfq


def test_an_attachment_is_stored_privately_and_served_only_to_who_may_read_the_rfq(deal):
    buyer, provider, rfq = deal
    as_buyer, as_provider = client_for(buyer), client_for(provider)

    response = as_buyer.post(f"/deals/rfqs/{rfq.pk}/attachments/", {"file": pdf()})

    assert response.status_code == 302
    attachment = RfqAttachment.objects.get(rfq=rfq)
    assert (attachment.name, attachment.content_type) == ("protocol.pdf", "application/pdf")
    assert "/media/" not in attachment.file.path and "private-media" in attachment.file.path
    url = f"/deals/rfqs/{rfq.pk}/attachments/{attachment.pk}/"
    download = as_buyer.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'attachment; filename="protocol.pdf"' in download["Content-Disposition"]
    assert as_provider.get(url).status_code == 404  # the NDA is not accepted yet
    as_provider.post(f"/deals/rfqs/{rfq.pk}/accept-nda/")
    assert as_provider.get(url).status_code == 200
    assert client_for(buyer_party()).get(url).status_code == 404
    assert client_for(provider_party()).get(url).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf("virus.exe", b"MZ\x90\x00"), "Only PDF and Office documents"),
        (pdf("fake.pdf", b"<html>not a pdf</html>"), "is not a real PDF file"),
        (pdf("empty.pdf", b""), "The file is empty"),
    ],
)
def test_a_wrong_type_of_attachment_is_refused_with_400_and_nothing_stored(deal, upload, message):
    buyer, _provider, rfq = deal

    response = client_for(buyer).post(f"/deals/rfqs/{rfq.pk}/attachments/", {"file": upload})

    assert response.status_code == 400
    assert message in response.text
    assert not RfqAttachment.objects.exists()


def test_an_oversized_attachment_is_refused(deal, settings):
    buyer, _provider, rfq = deal
    settings.DEAL_DOCUMENT_MAX_BYTES = 1024 * 1024

    response = client_for(buyer).post(
        f"/deals/rfqs/{rfq.pk}/attachments/", {"file": pdf(content=PDF + b"0" * 1024 * 1024)}
    )

    assert response.status_code == 400
    assert "the limit is 1 MB" in response.text
    assert not RfqAttachment.objects.exists()


def test_a_provider_cannot_attach_to_the_buyers_rfq(deal):
    _buyer, provider, rfq = deal
    client_for(provider).post(f"/deals/rfqs/{rfq.pk}/accept-nda/")

    response = client_for(provider).post(f"/deals/rfqs/{rfq.pk}/attachments/", {"file": pdf()})

    assert response.status_code == 403
    assert not RfqAttachment.objects.exists()


def test_buyer_and_provider_talk_in_their_own_thread_and_others_cannot_read_it(
    deal, mailoutbox, django_capture_on_commit_callbacks
):
    buyer, provider, rfq = deal
    rival = provider_party()
    from marketplace.contracting.services import rfq_invite

    rfq_invite(rfq=rfq, providers=[rival.organisation], by=buyer.owner)
    as_buyer, as_provider, as_rival = client_for(buyer), client_for(provider), client_for(rival)
    thread = f"/deals/rfqs/{rfq.pk}/messages/{provider.organisation.slug}/"
    assert as_provider.post(thread, {"body": "Which species?"}).status_code == 409  # NDA first
    as_provider.post(f"/deals/rfqs/{rfq.pk}/accept-nda/")

    with django_capture_on_commit_callbacks(execute=True):
        asked = as_provider.post(thread, {"body": "Which species?", "file": pdf("cv.pdf")})
    with django_capture_on_commit_callbacks(execute=True):
        as_buyer.post(thread, {"body": "Rat and human."})

    assert asked.status_code == 302
    assert list(Message.objects.values_list("side", "body")) == [
        ("provider", "Which species?"), ("buyer", "Rat and human."),
    ]  # fmt: skip
    page = as_buyer.get(thread).text
    assert "Which species?" in page and "cv.pdf" in page
    assert as_rival.get(thread).status_code == 404
    assert client_for(buyer_party()).get(thread).status_code == 404
    file_url = f"{thread}{Message.objects.get(side='provider').pk}/file/"
    assert as_buyer.get(file_url).status_code == 200
    assert as_rival.get(file_url).status_code == 404
    # Each side was told by email, in English and Chinese.
    to_buyer, to_provider = mailoutbox[-2], mailoutbox[-1]
    assert to_buyer.to == [buyer.owner.email] and to_provider.to == [provider.owner.email]
    assert to_buyer.subject.startswith("New message: Metabolic stability")
    assert "新消息" in to_buyer.subject
    assert f"/deals/rfqs/{rfq.pk}/messages/{provider.organisation.slug}/" in to_buyer.body


def test_an_empty_message_answers_400(deal):
    _buyer, provider, rfq = deal
    as_provider = client_for(provider)
    as_provider.post(f"/deals/rfqs/{rfq.pk}/accept-nda/")

    response = as_provider.post(
        f"/deals/rfqs/{rfq.pk}/messages/{provider.organisation.slug}/", {"body": "  "}
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_each_step_of_a_deal_emails_the_other_party_after_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    fx_rates()
    buyer, provider = buyer_party(), provider_party()

    with django_capture_on_commit_callbacks(execute=True):
        rfq = rfq_for(buyer, invite=[provider])
    assert [m.to for m in mailoutbox] == [[provider.owner.email]]
    assert "New request for quote" in mailoutbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        quote = quote_for(rfq, provider)
    assert mailoutbox[-1].to == [buyer.owner.email]
    assert f"/deals/rfqs/{rfq.pk}/compare/" in mailoutbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        contract = quote_accept(quote=quote, by=buyer.owner)
    assert mailoutbox[-1].to == [provider.owner.email]
    assert "accepted" in mailoutbox[-1].subject
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_mark_due(milestone=contract.milestones.first(), by=provider.owner)
    assert mailoutbox[-1].to == [buyer.owner.email]
    assert "CNY 21504.00" in mailoutbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        milestone_mark_paid(milestone=contract.milestones.first(), reference="pi_test_1")
    assert mailoutbox[-1].to == [provider.owner.email]
    assert "Milestone paid" in mailoutbox[-1].subject and "CNY 21504.00" in mailoutbox[-1].body
    assert len(mailoutbox) == 5


def test_no_email_leaves_when_the_change_rolls_back(mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    buyer, provider = buyer_party(), provider_party()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                rfq_for(buyer, invite=[provider])
                raise RuntimeError("the request failed after opening the RFQ")
        except RuntimeError:
            pass

    assert mailoutbox == []

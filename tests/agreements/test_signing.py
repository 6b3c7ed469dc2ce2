"""Signing in the app: each party's owner or editor proves it is them again (password, or a code
emailed to them) and types their name; their organisation signs the framework agreement (once per
pair) and the statement of work, each signature bound to the document's SHA-256, with signer,
organisation, time and IP. The contract is active only when both have signed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice

from marketplace.accounts.models import Membership, Role
from marketplace.agreements.models import AgreementDocument, Signature
from marketplace.contracting.models import AuditEvent
from tests.factories import UserFactory, buyer_party, contract_for, fx_rates, provider_party

pytestmark = pytest.mark.django_db

NAME = "Alex Chen"


@pytest.fixture
def deal():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    return buyer, provider, contract_for(buyer, provider)


def sign(client, user, contract, **body):
    client.force_login(user)
    return client.post(
        f"/api/v1/contracts/{contract.pk}/sign", {"typed_name": NAME, **body}, "application/json"
    )


def emailed_code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def test_both_parties_sign_and_the_contract_becomes_active(client, deal, mailoutbox):
    buyer, provider, contract = deal

    by_buyer = sign(client, buyer.owner, contract, password="password")
    assert by_buyer.status_code == 200, by_buyer.json()
    assert by_buyer.json()["status"] == "pending_signature"

    client.force_login(provider.owner)
    sent = client.post(f"/api/v1/contracts/{contract.pk}/sign/code")
    assert sent.status_code == 202 and mailoutbox[-1].to == [provider.owner.email]
    assert "签署验证码" in mailoutbox[-1].subject
    by_provider = sign(client, provider.owner, contract, code=emailed_code(mailoutbox))

    assert by_provider.status_code == 200, by_provider.json()
    assert by_provider.json()["status"] == "active"
    msa = AgreementDocument.objects.get(kind="msa")
    sow = AgreementDocument.objects.get(kind="sow")
    signatures = {(s.document.kind, s.organisation_id): s for s in Signature.objects.all()}
    assert set(signatures) == {
        ("msa", buyer.organisation.pk), ("sow", buyer.organisation.pk),
        ("msa", provider.organisation.pk), ("sow", provider.organisation.pk),
    }  # fmt: skip
    buyer_sow = signatures[("sow", buyer.organisation.pk)]
    assert (buyer_sow.signer, buyer_sow.typed_name, buyer_sow.method) == (
        buyer.owner, NAME, "password",
    )  # fmt: skip
    assert buyer_sow.ip_address == "127.0.0.1" and buyer_sow.document_sha256 == sow.content_sha256
    assert signatures[("msa", provider.organisation.pk)].method == "email_code"
    assert signatures[("msa", provider.organisation.pk)].document_sha256 == msa.content_sha256
    assert AuditEvent.objects.filter(subject_type="agreementdocument", action="sign").count() == 4
    contract.refresh_from_db()
    assert contract.buyer_signed_by == buyer.owner and contract.provider_signed_by == provider.owner


def test_signing_twice_is_refused_and_writes_nothing(client, deal):
    buyer, _provider, contract = deal
    sign(client, buyer.owner, contract, password="password")

    again = sign(client, buyer.owner, contract, password="password")

    assert again.status_code == 409
    assert again.json()["detail"] == "Your organisation has already signed this contract."
    assert Signature.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"password": "wrong"}, "password", "That is not your password."),
        ({}, "password", "Enter your password, or a code"),
        ({"code": "123456"}, "code", "The code is wrong or has expired"),
        ({"password": "password", "typed_name": "  "}, "typed_name", "Type your full name"),
    ],
)
def test_signing_without_proof_or_a_name_is_refused_and_writes_nothing(
    client, deal, body, field, message
):
    buyer, _provider, contract = deal

    response = sign(client, buyer.owner, contract, **body)

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Signature.objects.exists()
    contract.refresh_from_db()
    assert contract.buyer_signed_at is None


def test_an_expired_code_is_refused_and_a_wrong_one_counts_towards_the_throttle(
    client, deal, mailoutbox
):
    buyer, _provider, contract = deal
    client.force_login(buyer.owner)
    client.post(f"/api/v1/contracts/{contract.pk}/sign/code")
    code = emailed_code(mailoutbox)
    device = EmailDevice.objects.get(user=buyer.owner)

    wrong = sign(client, buyer.owner, contract, code="000000" if code != "000000" else "111111")
    device.refresh_from_db()
    assert wrong.status_code == 400 and device.throttling_failure_count == 1

    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.valid_until = timezone.now() - timedelta(seconds=1)
    device.save()
    expired = sign(client, buyer.owner, contract, code=code)

    assert expired.status_code == 400 and "has expired" in " ".join(expired.json()["code"])
    assert not Signature.objects.exists()


def test_a_second_code_within_a_minute_is_refused(client, deal, mailoutbox):
    buyer, _provider, contract = deal
    client.force_login(buyer.owner)
    client.post(f"/api/v1/contracts/{contract.pk}/sign/code")

    again = client.post(f"/api/v1/contracts/{contract.pk}/sign/code")

    assert again.status_code == 409 and len(mailoutbox) == 1


def test_only_the_parties_owners_and_editors_sign(client, deal):
    buyer, _provider, contract = deal
    viewer = UserFactory()
    Membership.objects.create(user=viewer, organisation=buyer.organisation, role=Role.VIEWER)

    assert sign(client, buyer_party().owner, contract, password="password").status_code == 404
    refused = sign(client, viewer, contract, password="password")

    assert refused.status_code == 403 and "owners and editors" in refused.json()["detail"]
    assert not Signature.objects.exists()


def test_the_framework_agreement_is_signed_once_for_every_later_deal(client, deal):
    buyer, provider, contract = deal
    for party in (buyer, provider):
        sign(client, party.owner, contract, password="password")
    later = contract_for(buyer, provider)

    signed = sign(client, buyer.owner, later, password="password")

    assert signed.status_code == 200
    later_signatures = Signature.objects.filter(document__contract=later)
    assert later_signatures.count() == 1  # its statement of work; the MSA stands
    assert Signature.objects.filter(document__kind="msa").count() == 2


def test_the_contract_page_offers_the_form_and_then_shows_the_signatures(client, deal):
    buyer, _provider, contract = deal
    client.force_login(buyer.owner)
    page = f"/deals/contracts/{contract.pk}/"

    before = client.get(page).content.decode()
    signed = client.post(
        f"{page}sign/", {"typed_name": NAME, "password": "password"}, follow=True
    ).content.decode()
    refused = client.post(f"{page}sign/", {"typed_name": NAME, "password": "wrong"})

    assert 'id="sign"' in before and "Sign the documents" in before
    assert "Signed for your organisation." in signed and 'id="sign"' not in signed
    assert f"{NAME} signed the Statement of work for {buyer.organisation.name}" in signed
    assert refused.status_code == 400  # the password is checked before anything else
    assert Signature.objects.count() == 2

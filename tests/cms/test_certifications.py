"""Verified certifications: platform staff record checking a provider's certification with its
issuer (who, when, which source); a confirmed, unexpired one shows a "checked" mark for as long as
its facts stay the same; nobody else may verify; providers are reminded 60 and 30 days before one
expires."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document

from cms.importer import providers_import
from cms.models import Certification, CertificationVerification
from cms.services import certification_reminders_send, certification_verify, platform_moderator_add
from tests.factories import (
    UserFactory,
    buyer_party,
    certified_provider_page,
    provider_bundle,
    provider_party,
    provider_record,
)

pytestmark = pytest.mark.django_db

IN_A_YEAR = timezone.localdate() + timedelta(days=365)
GLP = {"standard": "GLP", "issuer": "NMPA", "reference": "GLP-0042", "valid_until": IN_A_YEAR}
CONFIRMED = {"outcome": "confirmed", "source": "NMPA GLP register"}


@pytest.fixture
def provider():
    return provider_party()


@pytest.fixture
def certification(provider) -> Certification:
    page = certified_provider_page(provider.organisation, {**GLP, "scope": "Rodent toxicology"})
    return page.certifications.get()


@pytest.fixture
def staff():
    moderator = UserFactory()
    platform_moderator_add(user=moderator)
    return moderator


def post(client, user, path, body):
    if user is not None:
        client.force_login(user)
    return client.post(path, body, content_type="application/json")


def verifications_path(certification) -> str:
    return f"/api/v1/certifications/{certification.pk}/verifications"


def public_certifications(client, provider) -> list[dict]:
    client.logout()
    response = client.get(f"/api/v1/providers/{provider.organisation.slug}/certifications")
    assert response.status_code == 200
    return response.json()


def test_staff_verify_a_certification_and_it_shows_checked_with_who_when_and_source(
    client, provider, certification, staff
):
    before = public_certifications(client, provider)
    assert before[0]["is_checked"] is False and before[0]["verification"] is None
    assert before[0]["scope"] == "Rodent toxicology"

    response = post(
        client, staff, verifications_path(certification),
        {**CONFIRMED, "source_url": "https://www.nmpa.gov.cn/glp"},
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    assert response.json()["verified_by"] == staff.email
    verification = CertificationVerification.objects.get()
    assert (verification.verified_by, verification.source, verification.outcome) == (
        staff, "NMPA GLP register", "confirmed",
    )  # fmt: skip
    assert verification.organisation == provider.organisation
    assert (verification.reference, verification.valid_until) == ("GLP-0042", IN_A_YEAR)
    after = public_certifications(client, provider)
    assert after[0]["is_checked"] is True
    assert after[0]["verification"]["source"] == "NMPA GLP register"
    assert "verified_by" not in after[0]["verification"]
    page = client.get(certification.page.url).content.decode()
    assert "Checked by the platform" in page and "Checked with NMPA GLP register on" in page


def test_an_unverified_certification_is_listed_as_declared_by_the_provider(client, certification):
    page = client.get(certification.page.url).content.decode()

    assert "Declared by the provider" in page and "Checked by the platform" not in page
    assert "Rodent toxicology" in page


@pytest.mark.parametrize(
    "who",
    ["buyer", "provider_owner", "plain_user", "anonymous"],
)
def test_only_platform_staff_can_verify_a_certification(client, provider, certification, who):
    user = {
        "buyer": lambda: buyer_party().owner,
        "provider_owner": lambda: provider.owner,
        "plain_user": lambda: UserFactory(),
        "anonymous": lambda: None,
    }[who]()

    response = post(client, user, verifications_path(certification), CONFIRMED)

    assert response.status_code in (401, 403)
    if user is not None:
        assert response.json()["detail"] == "Only platform staff can verify a certification."
    assert not CertificationVerification.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"outcome": "confirmed", "source": "  "}, "source", "Name the registry"),
        ({"outcome": "maybe", "source": "NMPA"}, "outcome", "not a valid choice"),
        ({"outcome": "not_confirmed", "source": "NMPA"}, "note", "what did not match"),
        ({**CONFIRMED, "source_url": "javascript:alert(1)"}, "source_url", "web address"),
    ],
)
def test_a_verification_with_bad_input_is_refused_by_field_and_nothing_is_written(
    client, certification, staff, body, field, message
):
    response = post(client, staff, verifications_path(certification), body)

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not CertificationVerification.objects.exists()


def test_an_expired_certification_cannot_be_confirmed(client, provider, staff):
    page = certified_provider_page(
        provider.organisation, {**GLP, "valid_until": timezone.localdate() - timedelta(days=1)}
    )

    response = post(client, staff, verifications_path(page.certifications.get()), CONFIRMED)

    assert response.status_code == 409
    assert "must renew it first" in response.json()["detail"]
    assert not CertificationVerification.objects.exists()


def test_an_unknown_certification_is_a_404(client, staff):
    response = post(client, staff, "/api/v1/certifications/999999/verifications", CONFIRMED)

    assert response.status_code == 404


def test_the_issuer_not_confirming_leaves_the_certification_declared(
    client, provider, certification, staff
):
    certification_verify(
        certification=certification, by=staff, outcome="not_confirmed", source="NMPA",
        note="The register lists GLP-0043, not GLP-0042.",
    )  # fmt: skip

    listed = public_certifications(client, provider)[0]

    assert listed["is_checked"] is False and listed["verification"]["outcome"] == "not_confirmed"


def test_a_check_holds_while_the_facts_stay_and_lapses_when_the_provider_changes_them(
    client, provider, certification, staff
):
    certification_verify(certification=certification, by=staff, **CONFIRMED)
    page = certification.page

    page.save_revision().publish()  # saved and published again with the same facts
    assert public_certifications(client, provider)[0]["is_checked"] is True

    page.refresh_from_db()
    changed = page.certifications.get()
    changed.valid_until = IN_A_YEAR + timedelta(days=365)
    page.certifications = [changed]
    page.save_revision().publish()

    listed = public_certifications(client, provider)[0]
    assert listed["is_checked"] is False and listed["verification"] is None
    assert CertificationVerification.objects.count() == 1  # the record of the check is kept


def test_a_re_import_with_the_same_facts_keeps_the_check_and_the_certificate(
    demo_site, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    record = provider_record(
        "cert-1",
        certifications=[{**{k: str(v) for k, v in GLP.items()}, "scope": "Rodent toxicology"}],
    )
    providers_import(bundle=provider_bundle(record))
    certification = Certification.objects.get(reference="GLP-0042")
    document = Document.objects.create(title="GLP certificate")
    document.file.save("glp.pdf", ContentFile(b"%PDF-1.4 certificate"))
    certification.document = document
    certification.save()
    certification_verify(certification=certification, by=staff, **CONFIRMED)

    changed = {**record, "headcount": 130}  # the page changes, not its certification
    providers_import(bundle=provider_bundle(changed))

    kept = Certification.objects.get(reference="GLP-0042")
    assert kept.pk == certification.pk and kept.document == document
    assert kept.is_checked


def test_the_verifications_are_read_by_staff_and_the_provider_only(
    client, provider, certification, staff
):
    certification_verify(certification=certification, by=staff, **CONFIRMED)
    path = verifications_path(certification)

    client.force_login(staff)
    assert client.get(path).json()[0]["verified_by"] == staff.email
    client.force_login(provider.owner)
    by_provider = client.get(path)
    assert by_provider.status_code == 200 and by_provider.json()[0]["verified_by"] is None
    client.force_login(buyer_party().owner)
    assert client.get(path).status_code == 403


def test_the_same_verification_sent_twice_is_recorded_once(certification, staff):
    first = certification_verify(certification=certification, by=staff, **CONFIRMED)
    again = certification_verify(certification=certification, by=staff, **CONFIRMED)

    assert again == first and CertificationVerification.objects.count() == 1


def test_staff_verify_in_the_wagtail_admin_and_providers_cannot_open_the_screen(
    client, provider, certification, staff
):
    client.force_login(staff)
    listing = client.get("/admin/certifications/")
    assert listing.status_code == 200 and "GLP-0042" in listing.content.decode()

    verify_url = f"/admin/certifications/{certification.pk}/verify/"
    refused = client.post(verify_url, {"outcome": "confirmed", "source": ""})
    assert refused.status_code == 200 and not CertificationVerification.objects.exists()
    done = client.post(verify_url, {"outcome": "confirmed", "source": "NMPA GLP register"})
    assert done.status_code == 302 and CertificationVerification.objects.get().verified_by == staff
    checked = client.get("/admin/certifications/?state=checked").content.decode()
    assert "GLP-0042" in checked

    client.force_login(provider.owner)  # Wagtail's refusal: back to the dashboard, with a message
    assert client.get("/admin/certifications/").url == "/admin/"
    assert client.post(verify_url, {**CONFIRMED}).url == "/admin/"
    assert "/admin/certifications/" not in client.get("/admin/").content.decode()
    assert CertificationVerification.objects.count() == 1


# --- Reminders ----------------------------------------------------------------------------------


def expiring_in(provider, days: int) -> Certification:
    expiry = timezone.localdate() + timedelta(days=days)
    page = certified_provider_page(provider.organisation, {**GLP, "valid_until": expiry})
    return page.certifications.get()


def test_providers_are_reminded_60_and_30_days_before_expiry_once_each(provider, mailoutbox):
    expiring_in(provider, 60)
    today = timezone.localdate()

    assert certification_reminders_send(today=today) == 1
    assert certification_reminders_send(today=today) == 0  # sent already
    assert certification_reminders_send(today=today + timedelta(days=29)) == 0  # 31 days left
    assert certification_reminders_send(today=today + timedelta(days=30)) == 1  # 30 days left
    assert certification_reminders_send(today=today + timedelta(days=45)) == 0

    assert len(mailoutbox) == 2
    assert mailoutbox[0].to == [provider.owner.email]
    assert "expires in 60 days" in mailoutbox[0].subject and "60 天后到期" in mailoutbox[0].subject
    assert "GLP-0042" in mailoutbox[0].body and "/admin/pages/" in mailoutbox[0].body
    assert "expires in 30 days" in mailoutbox[1].subject


def test_a_certification_found_inside_30_days_gets_one_reminder_and_a_renewal_starts_again(
    provider, mailoutbox
):
    certification = expiring_in(provider, 20)
    today = timezone.localdate()

    assert certification_reminders_send(today=today) == 1
    assert "expires in 20 days" in mailoutbox[0].subject

    page = certification.page
    renewed = page.certifications.get()
    renewed.valid_until = today + timedelta(days=50)  # renewed (say, for a short term)
    page.certifications = [renewed]
    page.save_revision().publish()
    assert certification_reminders_send(today=today) == 1


def test_no_reminder_for_far_off_or_expired_certifications(provider, mailoutbox):
    expiring_in(provider, 61)
    other = provider_party()
    certified_provider_page(
        other.organisation, {**GLP, "valid_until": timezone.localdate() - timedelta(days=1)}
    )

    assert certification_reminders_send(today=timezone.localdate()) == 0
    assert mailoutbox == []

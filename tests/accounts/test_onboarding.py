import re

import pytest
from django.core import mail
from django.urls import reverse

from cms.models import ProviderPage
from marketplace.accounts.models import Membership, Organisation, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Passphrase-2026"


def link_in(message, pattern: str) -> str:
    match = re.search(rf"https?://[^\s]+?({pattern}[^\s]*)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up_and_verify(client, email: str) -> None:
    mail.outbox.clear()
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # not signed in yet

    (message,) = mail.outbox
    assert message.to == [email]
    confirm_url = link_in(message, "/accounts/confirm-email/")
    assert client.get(confirm_url).status_code == 200
    confirmed = client.post(confirm_url)
    assert confirmed.status_code == 302


def test_provider_signs_up_verifies_sets_up_an_organisation_and_a_colleague_joins(
    client, django_capture_on_commit_callbacks
):
    sign_up_and_verify(client, "owner@newcro.example")
    assert client.get(reverse("accounts:dashboard")).status_code == 200

    response = client.post(
        reverse("accounts:organisation_create"),
        {
            "name": "New CRO Labs",
            "name_zh": "新锐CRO实验室",
            "kind": "cro",
            "country": "cn",
            "zone": "hainan_ftp",
            "city": "Haikou",
        },
    )
    organisation = Organisation.objects.get(name="New CRO Labs")
    assert response["Location"] == reverse("accounts:organisation", args=[organisation.slug])
    assert (organisation.country, organisation.zone.code) == ("CN", "hainan_ftp")
    assert organisation.memberships.get().role == Role.OWNER
    provider_page = ProviderPage.objects.get(organisation=organisation)
    assert not provider_page.live  # a draft until the platform verifies it

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organisation", args=[organisation.slug]),
            {"email": "Colleague@NewCRO.example", "role": "editor"},
        )
    (invitation_email,) = mail.outbox
    assert invitation_email.to == ["colleague@newcro.example"]
    invitation_url = link_in(invitation_email, "/account/invitations/")

    client.logout()
    sign_up_and_verify(client, "colleague@newcro.example")
    assert client.get(invitation_url).status_code == 200
    joined = client.post(invitation_url)

    assert joined["Location"] == reverse("accounts:organisation", args=[organisation.slug])
    membership = Membership.objects.get(user__email="colleague@newcro.example")
    assert (membership.organisation, membership.role) == (organisation, Role.EDITOR)
    assert provider_page.permissions_for_user(membership.user).can_edit()
    assert client.post(invitation_url).status_code == 200  # a used invitation cannot be reused
    assert Membership.objects.filter(organisation=organisation).count() == 2


def test_a_provider_must_say_where_in_china_it_works(client):
    sign_up_and_verify(client, "someone@cro.example")

    response = client.post(
        reverse("accounts:organisation_create"),
        {"name": "Zoneless", "kind": "cro", "country": "CN"},
    )

    assert response.status_code == 400
    assert "Providers say which zone in China they work in." in response.text
    assert not Organisation.objects.filter(name="Zoneless").exists()


def test_an_invitation_for_someone_else_cannot_be_accepted(
    client, django_capture_on_commit_callbacks
):
    sign_up_and_verify(client, "buyer-owner@pharma.example")
    client.post(
        reverse("accounts:organisation_create"),
        {"name": "Pharma GmbH", "kind": "buyer", "country": "DE"},
    )
    organisation = Organisation.objects.get(name="Pharma GmbH")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organisation", args=[organisation.slug]),
            {"email": "intended@pharma.example", "role": "viewer"},
        )
    invitation_url = link_in(mail.outbox[-1], "/account/invitations/")

    client.logout()
    sign_up_and_verify(client, "intruder@elsewhere.example")
    response = client.post(invitation_url)

    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="intruder@elsewhere.example").exists()


def test_the_last_owner_cannot_leave_or_step_down_until_another_owner_exists(client):
    sign_up_and_verify(client, "solo@pharma.example")
    client.post(
        reverse("accounts:organisation_create"),
        {"name": "Solo Pharma", "kind": "buyer", "country": "US"},
    )
    organisation = Organisation.objects.get(name="Solo Pharma")
    own = organisation.memberships.get()
    colleague = UserFactory(email="second@pharma.example")
    theirs = Membership.objects.create(user=colleague, organisation=organisation, role=Role.EDITOR)

    response = client.post(
        reverse("accounts:membership_remove", args=[organisation.slug, own.pk]), follow=True
    )
    assert "The last owner cannot leave" in response.text
    client.post(
        reverse("accounts:membership_role", args=[organisation.slug, own.pk]), {"role": "viewer"}
    )
    own.refresh_from_db()
    assert own.role == Role.OWNER

    client.post(
        reverse("accounts:membership_role", args=[organisation.slug, theirs.pk]), {"role": "owner"}
    )
    client.post(reverse("accounts:membership_remove", args=[organisation.slug, own.pk]))

    assert list(organisation.memberships.values_list("user__email", "role")) == [
        ("second@pharma.example", Role.OWNER)
    ]


def test_only_owners_invite_and_members_cannot_remove_each_other(
    client, django_capture_on_commit_callbacks
):
    sign_up_and_verify(client, "boss@pharma.example")
    client.post(
        reverse("accounts:organisation_create"),
        {"name": "Boss Pharma", "kind": "buyer", "country": "US"},
    )
    organisation = Organisation.objects.get(name="Boss Pharma")
    boss = organisation.memberships.get()
    editor = UserFactory(email="editor@pharma.example")
    Membership.objects.create(user=editor, organisation=organisation, role=Role.EDITOR)
    client.force_login(editor)

    invite = client.post(
        reverse("accounts:organisation", args=[organisation.slug]),
        {"email": "friend@pharma.example", "role": "owner"},
    )
    remove = client.post(reverse("accounts:membership_remove", args=[organisation.slug, boss.pk]))

    assert invite.status_code == 403
    assert remove.status_code == 403
    assert not organisation.invitations.exists()
    assert organisation.memberships.count() == 2


def test_an_unverified_account_cannot_take_up_an_invitation_to_its_address(
    client, django_capture_on_commit_callbacks
):
    sign_up_and_verify(client, "owner@cro.example")
    client.post(
        reverse("accounts:organisation_create"),
        {"name": "Target CRO", "kind": "cro", "country": "CN", "zone": "mainland", "city": "Xi'an"},
    )
    organisation = Organisation.objects.get(name="Target CRO")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organisation", args=[organisation.slug]),
            {"email": "invitee@cro.example", "role": "owner"},
        )
    invitation_url = link_in(mail.outbox[-1], "/account/invitations/")
    client.logout()
    squatter = UserFactory(email="invitee@cro.example")  # signed up, never verified
    client.force_login(squatter)

    assert client.get(reverse("accounts:dashboard")).context["invitations"].count() == 0
    assert client.post(invitation_url).status_code == 403
    assert not Membership.objects.filter(user=squatter).exists()


def test_non_members_cannot_see_or_manage_an_organisation(client):
    sign_up_and_verify(client, "a@one.example")
    client.post(
        reverse("accounts:organisation_create"),
        {"name": "One Inc", "kind": "buyer", "country": "US"},
    )
    organisation = Organisation.objects.get(name="One Inc")
    client.logout()
    sign_up_and_verify(client, "b@two.example")

    assert client.get(reverse("accounts:organisation", args=[organisation.slug])).status_code == 404
    response = client.post(
        reverse("accounts:organisation", args=[organisation.slug]),
        {"email": "x@y.example", "role": "owner"},
    )
    assert response.status_code == 404
    assert not organisation.invitations.exists()


def test_password_reset_by_email_lets_the_user_sign_in_with_the_new_password(client):
    sign_up_and_verify(client, "forgetful@pharma.example")
    client.logout()
    mail.outbox.clear()

    client.post(reverse("account_reset_password"), {"email": "forgetful@pharma.example"})
    (message,) = mail.outbox
    reset_url = link_in(message, "/accounts/password/reset/key/")
    form_url = client.get(reset_url)["Location"]  # the key moves out of the URL into the session
    new_password = "another-Long-passphrase-2027"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})

    assert done.status_code == 302
    signed_in = client.post(
        reverse("account_login"), {"login": "forgetful@pharma.example", "password": new_password}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200

"""Notifications in the app: every event that emails also lands in the user's notifications
(the bell's count on every page, a list with read and unread, each linking to what it is about);
per-event preferences choose the app, an email at once, or a daily digest. A user sees only their
own (404 otherwise)."""

import pytest

from marketplace.notifications.models import Notification
from marketplace.notifications.services import digests_send, preferences_set
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def quoted(django_capture_on_commit_callbacks, mailoutbox):
    """A buyer who has just been sent a quote: the email and the notification it makes."""
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        quote = quote_for(rfq, provider)
    return buyer, provider, quote


def test_a_deal_event_notifies_in_the_app_and_by_email(client, quoted, mailoutbox):
    buyer, _provider, quote = quoted

    notification = Notification.objects.get(user=buyer.owner, event="quote_submitted")

    assert notification.path == f"/deals/rfqs/{quote.rfq_id}/compare/"
    assert notification.subject_en.startswith("New quote:") and "新报价" in notification.subject_zh
    assert notification.read_at is None
    assert [m.to for m in mailoutbox if "New quote:" in m.subject] == [[buyer.owner.email]]
    client.force_login(buyer.owner)
    page = client.get("/deals/").content.decode()
    assert 'class="bell-count" aria-hidden="true">1<' in page
    assert "Notifications: 1 unread" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, quoted):
    buyer, _provider, _quote = quoted
    notification = Notification.objects.get(user=buyer.owner)
    client.force_login(buyer.owner)

    listed = client.get("/notifications/").content.decode()
    opened = client.post(f"/notifications/{notification.pk}/open/")

    assert notification.subject_en in listed and "unread" in listed
    assert opened.status_code == 302 and opened["Location"] == notification.path
    notification.refresh_from_db()
    assert notification.is_read
    assert "bell-count" not in client.get("/deals/").content.decode()


def test_a_user_sees_and_reads_only_their_own(client, quoted):
    buyer, provider, _quote = quoted
    notification = Notification.objects.get(user=buyer.owner)
    client.force_login(provider.owner)

    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404
    assert client.post(f"/api/v1/notifications/{notification.pk}/read").status_code == 404
    assert notification.pk not in {n["id"] for n in client.get("/api/v1/notifications").json()}
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_api_lists_reads_and_reads_all(client, quoted):
    buyer, _provider, _quote = quoted
    client.force_login(buyer.owner)

    unread = client.get("/api/v1/notifications?unread=true").json()
    read = client.post(f"/api/v1/notifications/{unread[0]['id']}/read").json()
    marked = client.post("/api/v1/notifications/read-all").json()

    assert [n["event"] for n in unread] == ["quote_submitted"]
    assert read["is_read"] is True and marked == {"marked": 0}
    assert client.get("/api/v1/notifications?unread=true").json() == []


def test_a_retried_delivery_makes_no_second_notification_or_email(quoted, mailoutbox):
    from marketplace.contracting.services.notifications import notification_send

    buyer, _provider, quote = quoted
    before = len(mailoutbox)

    notification_send("quote_submitted", {"quote_id": quote.pk})

    assert Notification.objects.filter(user=buyer.owner).count() == 1
    assert len(mailoutbox) == before


def test_preferences_choose_the_app_email_or_a_daily_digest(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    preferences_set(
        user=buyer.owner,
        preferences={"quote_submitted": {"in_app": True, "email": False, "digest": True}},
    )
    rfq = rfq_for(buyer, invite=[provider])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        quote_for(rfq, provider)

    assert not [m for m in mailoutbox if buyer.owner.email in m.to]  # no email at once
    assert Notification.objects.get(user=buyer.owner).digest_pending

    assert digests_send() == 1 and digests_send() == 0
    digest = [m for m in mailoutbox if buyer.owner.email in m.to]
    assert len(digest) == 1 and "每日摘要" in digest[0].subject
    assert "New quote:" in digest[0].body and "新报价" in digest[0].body


def test_the_settings_page_saves_preferences_and_the_api_reads_them(client):
    user = buyer_party().owner
    client.force_login(user)

    page = client.get("/notifications/settings/").content.decode()
    saved = client.post(
        "/notifications/settings/", {"milestone_due__in_app": "on", "milestone_due__digest": "on"}
    )
    preferences = client.get("/api/v1/notification-preferences").json()["preferences"]

    assert "A milestone is due for payment" in page and saved.status_code == 302
    assert preferences["milestone_due"] == {"in_app": True, "email": False, "digest": True}
    assert preferences["quote_submitted"] == {"in_app": False, "email": False, "digest": False}
    refused = client.put(
        "/api/v1/notification-preferences",
        {"preferences": {"no_such_event": {"in_app": True, "email": True, "digest": False}}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "no_such_event" in str(refused.json())

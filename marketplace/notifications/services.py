"""Telling users what happened: one delivery path for every event — a notification in the app,
an email at once or in the daily digest, as each user's preferences say.

``deliver`` is idempotent per (user, key): a retried task finds the notifications it made and
emails only those it has not."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.notifications.models import Event, Notification, Preference

DEFAULT = {"in_app": True, "email": True, "digest": False}


@dataclass(frozen=True)
class Message:
    """What an event says, in English and Chinese, and the page it is about (a site path)."""

    subject_en: str
    subject_zh: str
    body_en: str
    body_zh: str
    path: str

    @property
    def subject(self) -> str:
        return f"{self.subject_en} · {self.subject_zh}"[:200]

    @property
    def body(self) -> str:
        url = settings.SITE_URL.rstrip("/") + self.path
        return f"{self.body_en}\n\n———\n\n{self.body_zh}\n\n{url}\n"


def message_from_template(template: str, context: dict, *, path: str) -> Message:
    """An event's message from a text template rendered in English and in Chinese: its first
    line the subject, the rest the body (a line with the page's address left out: the message
    links to the page itself). The template sees ``url``, the page's full address."""
    url = settings.SITE_URL.rstrip("/") + path
    parts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = render_to_string(template, {**context, "url": url}).strip()
        subject, _newline, body = text.partition("\n")
        lines = [line for line in body.strip().splitlines() if url not in line]
        parts.append((subject.strip(), "\n".join(lines).strip()))
    (subject_en, body_en), (subject_zh, body_zh) = parts
    return Message(subject_en, subject_zh, body_en, body_zh, path)


def preferences_of(*, user: User) -> dict[str, dict[str, bool]]:
    """Each event's preference for ``user`` (the default where none is set)."""
    stored = {
        preference.event: {"in_app": preference.in_app, "email": preference.email,
                           "digest": preference.digest}
        for preference in Preference.objects.filter(user=user)
    }  # fmt: skip
    return {event: stored.get(event, dict(DEFAULT)) for event in Event.values}


def deliver(*, event: str, users: Iterable[User], key: str, message: Message) -> int:
    """Tell ``users`` of ``event``: a notification for those who want it in the app (or in a
    digest), an email at once for those who want that; return how many emails were sent."""
    if event not in Event.values:
        raise ValueError(f"Unknown event {event!r}")
    users = list({user.pk: user for user in users if user.is_active}.values())
    stored = {
        preference.user_id: preference
        for preference in Preference.objects.filter(user__in=users, event=event)
    }
    emails = []
    for user in users:
        preference = stored.get(user.pk)
        wants = (
            {"in_app": preference.in_app, "email": preference.email, "digest": preference.digest}
            if preference
            else DEFAULT
        )
        created = False
        if wants["in_app"] or wants["digest"]:
            try:
                with transaction.atomic():
                    Notification.objects.create(
                        user=user, event=event, key=key[:120],
                        subject_en=message.subject_en[:200], subject_zh=message.subject_zh[:200],
                        body_en=message.body_en, body_zh=message.body_zh, path=message.path,
                        digest_pending=wants["digest"], read_at=None,
                    )  # fmt: skip
                    created = True
            except IntegrityError:
                created = False  # delivered already (a retried task)
        if wants["email"] and not wants["digest"] and (created or not wants["in_app"]):
            emails.append(user.email)
    if not emails:
        return 0
    return send_mass_mail(
        [(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [email]) for email in emails]
    )


def notification_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of ``by``'s notifications read (once; reading again changes nothing)."""
    if notification.user_id != by.pk:
        raise ValueError("A notification is read by its own user only")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, by: User) -> int:
    """Mark every unread notification of ``by`` read; return how many."""
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, user: User, preferences: dict[str, dict[str, bool]]) -> None:
    """Set how ``user`` hears of each event named; unknown events are refused by name."""
    unknown = sorted(set(preferences) - set(Event.values))
    if unknown:
        raise ValidationError(
            {"preferences": [_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}]}
        )
    for event, wants in preferences.items():
        values = {name: bool(wants.get(name, DEFAULT[name])) for name in DEFAULT}
        Preference.objects.update_or_create(user=user, event=event, defaults=values)


def digests_send() -> int:
    """Email each user the notifications waiting for their daily digest, in one message; return
    how many emails were sent. Each notification is in one digest only (marked in the same
    transaction as it is read for the email)."""
    sent = 0
    user_ids = (
        Notification.objects.filter(digest_pending=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=list(user_ids), is_active=True):
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(user=user, digest_pending=True)
                .order_by("created_at")
            )
            if not pending:
                continue
            site = settings.SITE_URL.rstrip("/")
            english = "\n".join(f"- {n.subject_en}: {site}{n.path}" for n in pending)
            chinese = "\n".join(f"- {n.subject_zh}：{site}{n.path}" for n in pending)
            subject = (
                f"Your daily summary: {len(pending)} update(s) · 每日摘要：{len(pending)} 条更新"
            )
            body = f"{english}\n\n———\n\n{chinese}\n\n{site}/notifications/\n"
            send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])])
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digest_pending=False)
            sent += 1
    return sent

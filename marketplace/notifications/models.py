"""A user's notifications (in English and Chinese, shown in the reader's language, each linking
to what it is about) and their preferences per kind of event."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """Every event the platform tells people about (what a preference is set for)."""

    RFQ_OPENED = "rfq_opened", _("A request for quote is open to you")
    PROVIDER_INVITED = "provider_invited", _("You are invited to quote")
    QUOTE_SUBMITTED = "quote_submitted", _("A provider sent a quote")
    QUOTE_ACCEPTED = "quote_accepted", _("Your quote was accepted")
    MESSAGE_POSTED = "message_posted", _("A new message on a deal")
    MILESTONE_DUE = "milestone_due", _("A milestone is due for payment")
    MILESTONE_PAID = "milestone_paid", _("A milestone was paid")
    CHANGE_ORDER_PROPOSED = "change_order_proposed", _("A change to a contract is proposed")
    CHANGE_ORDER_DECIDED = "change_order_decided", _("A proposed change was signed or turned down")
    APPLICATION_RECEIVED = "application_received", _("A candidate applied to your job")
    APPLICATION_STATUS = "application_status", _("Your application's status changed")
    CERTIFICATION_EXPIRING = "certification_expiring", _("A certification is about to expire")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    # What it is about, once per user: a retried delivery finds the notification it made.
    key = models.CharField(max_length=120)
    subject_en = models.CharField(max_length=200)
    subject_zh = models.CharField(max_length=200)
    body_en = models.TextField(blank=True)
    body_zh = models.TextField(blank=True)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the user's daily digest email (their preference for this event).
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")
        ]

    def __str__(self) -> str:
        return self.subject_en

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How a user wants to hear of one kind of event; without a row: in the app and by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by email at once"), default=True)
    digest = models.BooleanField(_("in a daily digest email"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"

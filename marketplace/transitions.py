"""Refused status changes: the one ``InvalidTransition`` every app raises (pages and the API
answer 409 with its message), and the message that names a refused status change."""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each action does to a status, as a refusal message names it.
ACTION_LABELS = {
    "open": gettext_lazy("opened"),
    "close": gettext_lazy("closed"),
    "cancel": gettext_lazy("cancelled"),
    "submit": gettext_lazy("submitted"),
    "revise": gettext_lazy("revised"),
    "withdraw": gettext_lazy("withdrawn"),
    "expire": gettext_lazy("expired"),
    "accept": gettext_lazy("accepted"),
    "decline": gettext_lazy("declined"),
    "sign": gettext_lazy("signed"),
    "activate": gettext_lazy("activated"),
    "complete": gettext_lazy("completed"),
    "terminate": gettext_lazy("terminated"),
    "mark_due": gettext_lazy("marked due"),
    "mark_paid": gettext_lazy("marked paid"),
}


class InvalidTransition(Exception):
    """The object is not in a status that allows this; the API answers 409 with the message."""

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class DealBlocked(InvalidTransition):
    """A finding prohibits the deal (or may, until its facts are confirmed)."""


def refusal(
    subject: models.Model, *, action: str, allowed_from: tuple[str, ...]
) -> InvalidTransition:
    """The error saying ``subject``'s status does not allow ``action``."""
    return InvalidTransition(
        _("This %(kind)s is %(status)s: it cannot be %(action)s.")
        % {
            "kind": subject._meta.verbose_name,
            "status": subject.get_status_display().lower(),
            "action": ACTION_LABELS.get(action, action),
        },
        details={"status": subject.status, "allowed_from": list(allowed_from)},
    )

"""What happened: the one writer of audit events (a deal's status changes, staff actions,
report downloads), beside the ``AuditEvent`` model it writes. Every app records through it."""

from django.db import models

from marketplace.accounts.models import User
from marketplace.contracting.models import AuditEvent
from marketplace.transitions import refusal


def audit(
    subject: models.Model,
    *,
    action: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``subject`` (and the status change, if any)."""
    return AuditEvent.objects.create(
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )


def export_audit(*, report: str, actor: User, query: str = "") -> AuditEvent:
    """Record that a staff member downloaded a report (who, when, with which filters)."""
    return AuditEvent.objects.create(
        subject_type=report[:20], subject_id=0, action="export", actor=actor, reason=query[:2000]
    )


def transition(
    subject: models.Model,
    *,
    to: str,
    allowed_from: tuple[str, ...],
    action: str,
    actor: User | None,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
) -> None:
    """Move ``subject.status`` to ``to`` if it is in ``allowed_from``; save and audit the change.

    The caller holds the row lock (``select_for_update``) inside its transaction.
    """
    current = subject.status
    if current not in allowed_from:
        raise refusal(subject, action=action, allowed_from=allowed_from)
    subject.status = to
    subject.save(update_fields=["status", *extra_fields])
    audit(subject, action=action, actor=actor, from_status=current, to_status=to, reason=reason)

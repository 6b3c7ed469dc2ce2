"""What happened: the one writer of audit events (status changes, report downloads) and of a
job application's timeline. Every app records through these functions."""

from django.db import models

from marketplace.accounts.models import User
from marketplace.contracting.models import AuditEvent


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


def application_event(
    *, application: models.Model, to_status: str, actor: User, from_status: str = "", note: str = ""
) -> models.Model:
    """Record a job application's status change on its own timeline (``ApplicationEvent``)."""
    from marketplace.jobs.models import ApplicationEvent

    return ApplicationEvent.objects.create(
        application=application, from_status=from_status, to_status=to_status, note=note,
        actor=actor,
    )  # fmt: skip

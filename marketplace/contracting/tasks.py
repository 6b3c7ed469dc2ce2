from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from marketplace.contracting.services import milestones_due_mark, quotes_expire, screenings_refresh


@shared_task
def screenings_refresh_task(stale_only: bool = False) -> int:
    """Screen the deals in play again (after a rule edit; periodically, those screened with
    rules since changed). Idempotent: a screening is simply rewritten."""
    return screenings_refresh(stale_only=stale_only)


@shared_task
def quotes_expire_task() -> int:
    """Mark quotes past their validity date as expired."""
    return quotes_expire()


@shared_task
def milestones_due_mark_task() -> int:
    """Planned milestones whose due date has come become due."""
    return milestones_due_mark()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_send_task(event: str, ids: dict) -> int:
    """Email the people a deal event concerns (retried while the mail server is unreachable)."""
    from marketplace.contracting.services.notifications import notification_send

    try:
        return notification_send(event, ids)
    except ObjectDoesNotExist:
        return 0  # the deal was deleted since: nothing to tell

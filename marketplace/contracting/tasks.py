from celery import shared_task

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

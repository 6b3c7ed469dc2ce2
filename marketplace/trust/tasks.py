from celery import shared_task

from marketplace.trust.services import track_records_refresh


@shared_task
def track_records_refresh_task() -> int:
    """Recompute every provider's track record from the deals (the periodic schedule)."""
    return track_records_refresh()

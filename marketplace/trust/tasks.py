from celery import shared_task

from marketplace.trust.services import track_records_refresh


@shared_task
def track_records_refresh_task() -> int:
    """Recompute every provider's track record from the deals (the periodic schedule)."""
    return track_records_refresh()


@shared_task
def concern_matches_refresh_task() -> int:
    """Screen every provider's names against the company-of-concern lists again (organisations
    are renamed; the lists are re-screened on every save too)."""
    from marketplace.trust.services import concern_matches_refresh

    return len(concern_matches_refresh())

from celery import shared_task
from elasticsearch import TransportError

from search.alerts import saved_search_alerts_send
from search.services import index_changes_apply, index_drift_repair, synonyms_refresh


@shared_task(
    autoretry_for=(TransportError,), retry_backoff=True, retry_backoff_max=300, max_retries=8
)
def index_changes_apply_task() -> int:
    """Apply pending index changes (after a page change commits, and on the sweep)."""
    return index_changes_apply()


@shared_task(autoretry_for=(TransportError,), retry_backoff=True, max_retries=3)
def index_drift_repair_task() -> dict[str, int]:
    """Repair differences between the index and the database (periodic)."""
    return index_drift_repair()


@shared_task(autoretry_for=(TransportError,), retry_backoff=True, max_retries=3)
def synonyms_refresh_task() -> list[str]:
    """Rebuild the indexes whose synonym set predates a taxonomy change."""
    return synonyms_refresh()


@shared_task(autoretry_for=(OSError, TransportError), retry_backoff=True, max_retries=5)
def saved_search_alerts_send_task() -> int:
    """Email each active saved search's owner the listings new since its previous alert
    (periodic, daily); a retry tells nothing twice."""
    return saved_search_alerts_send()

from celery import shared_task

from payments.services import stripe_event_process, stripe_events_process_pending


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def stripe_event_process_task(event_id: str) -> bool:
    """Apply one stored Stripe event (idempotent: a processed event is skipped)."""
    return stripe_event_process(event_id=event_id)


@shared_task
def stripe_events_process_pending_task() -> dict[str, int]:
    """Retry the stored events still unprocessed (a lost task, a failure)."""
    return stripe_events_process_pending()


@shared_task
def reconciliation_task() -> list[str]:
    """Compare recent Stripe payments with ours and report differences to staff (the log)."""
    from payments.services import reconciliation_run

    return reconciliation_run()

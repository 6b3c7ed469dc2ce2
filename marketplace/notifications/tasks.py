from celery import shared_task

from marketplace.notifications.services import digests_send


@shared_task
def digests_send_task() -> int:
    """Send each user their daily digest of the notifications they asked to get that way."""
    return digests_send()

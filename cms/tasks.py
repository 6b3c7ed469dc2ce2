from celery import shared_task

from cms.services import certification_reminders_send


@shared_task
def certification_reminders_send_task() -> int:
    """Remind providers of certifications expiring in 60 and in 30 days (the daily schedule)."""
    return certification_reminders_send()

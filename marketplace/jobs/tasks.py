from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.jobs.models import Application
from marketplace.language import reads_chinese
from marketplace.notifications.models import Event
from marketplace.notifications.services import Message, deliver


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def application_email_task(kind: str, application_id: int) -> int:
    """Tell the employer an application arrived ("received"), or the candidate its new status
    ("status"), in English and Chinese."""
    try:
        application = Application.objects.select_related("posting", "candidate").get(
            pk=application_id
        )
    except ObjectDoesNotExist:
        return 0
    if kind == "received":
        recipients = list(
            User.objects.filter(memberships__organisation_id=application.employer_id).distinct()
        )
    else:
        recipients = [application.candidate]
    # The note the employer shared with this move, if it shared one.
    latest = application.events.filter(to_status=application.status).order_by("-at", "-pk")
    latest = latest.first()
    shared_note = latest.note if kind != "received" and latest and latest.is_note_shared else ""
    parts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            posting = application.posting
            title = (posting.title_zh if reads_chinese(language) else "") or posting.title
            if kind == "received":
                parts.append((_("New application: %s") % title,
                              _("A candidate applied to “%s”.") % title))  # fmt: skip
            else:
                body = _("Your application to “%(title)s” is now: %(status)s.") % {
                    "title": title, "status": application.get_status_display(),
                }  # fmt: skip
                if shared_note:
                    body += "\n\n" + _("The employer's note: %s") % shared_note
                parts.append((_("Your application: %s") % title, body))
    (subject_en, body_en), (subject_zh, body_zh) = parts
    message = Message(
        subject_en=subject_en, subject_zh=subject_zh, body_en=body_en, body_zh=body_zh,
        path="/applications/",
    )  # fmt: skip
    if kind == "received":
        event, key = Event.APPLICATION_RECEIVED, f"application_received:{application.pk}"
    else:
        event = Event.APPLICATION_STATUS
        key = f"application_status:{application.pk}:{application.status}"
    return deliver(event=event, users=recipients, key=key, message=message)

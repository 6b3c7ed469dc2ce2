from celery import shared_task
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.accounts.models import Membership
from marketplace.jobs.models import Application
from marketplace.language import reads_chinese


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
            Membership.objects.filter(organisation_id=application.employer_id).values_list(
                "user__email", flat=True
            )
        )
    else:
        recipients = [application.candidate.email]
    parts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            posting = application.posting
            title = (posting.title_zh if reads_chinese(language) else "") or posting.title
            if kind == "received":
                parts.append((_("New application: %s") % title,
                              _("A candidate applied to “%s”.") % title))  # fmt: skip
            else:
                parts.append((
                    _("Your application: %s") % title,
                    _("Your application to “%(title)s” is now: %(status)s.")
                    % {"title": title, "status": application.get_status_display()},
                ))  # fmt: skip
    subject = f"{parts[0][0]} · {parts[1][0]}"[:200]
    body = f"{parts[0][1]}\n\n———\n\n{parts[1][1]}\n\n{settings.SITE_URL}/applications/\n"
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)

"""The thread between an RFQ's buyer and each provider on it: the record of the deal."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import Membership, Organisation, User
from marketplace.accounts.permissions import ACTING_ROLES
from marketplace.contracting.models import Message, Rfq, RfqStatus
from marketplace.contracting.services.documents import document_check
from marketplace.contracting.services.notifications import notify
from marketplace.transitions import InvalidTransition

MAX_BODY = 10000


def message_side(*, rfq: Rfq, provider: Organisation, user: User) -> str:
    """Whether ``user`` writes in this thread as the buyer or as the provider; refuses others."""
    organisations = set(
        Membership.objects.filter(user=user, role__in=ACTING_ROLES).values_list(
            "organisation_id", flat=True
        )
    )
    if rfq.buyer_id in organisations:
        return Message.Side.BUYER
    if provider.pk in organisations:
        return Message.Side.PROVIDER
    raise PermissionDenied(_("Only the buyer and this provider write in this thread."))


@transaction.atomic
def message_post(
    *, rfq: Rfq, provider: Organisation, by: User, body: str, upload: UploadedFile | None = None
) -> Message:
    """Post to the thread between the RFQ's buyer and ``provider`` (which must be taking part);
    the other side is told by email."""
    from marketplace.contracting.selectors import nda_accepted, provider_may_see

    side = message_side(rfq=rfq, provider=provider, user=by)
    if not provider_may_see(rfq=rfq, provider=provider):
        raise PermissionDenied(_("This provider is not taking part in the request."))
    if not nda_accepted(rfq=rfq, provider=provider):
        raise InvalidTransition(_("The provider must accept the NDA before the thread opens."))
    if rfq.status == RfqStatus.CANCELLED:
        raise InvalidTransition(_("This request was cancelled."))
    body = (body or "").strip()
    errors = {}
    if not body:
        errors["body"] = _("Write a message.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("A message has at most %d characters.") % MAX_BODY
    if errors:
        raise ValidationError(errors)
    message = Message(rfq=rfq, provider=provider, side=side, author=by, body=body)
    if upload is not None:
        document_check(upload)
        message.file = upload
        message.file_name = upload.name[:200]
        message.file_size = upload.size
    message.save()
    notify("message_posted", message_id=message.pk)
    return message

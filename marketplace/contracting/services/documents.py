"""Deal documents (RFQ attachments, files in messages): checked by type and size, kept private."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.permissions import require_member
from marketplace.contracting.audit import audit
from marketplace.contracting.models import RfqAttachment, RfqStatus
from marketplace.storage import DOCUMENT_TYPES, upload_check
from marketplace.transitions import InvalidTransition


def document_check(upload: UploadedFile, *, field: str = "file") -> str:
    """The content type of an acceptable deal document (PDF or Office, size-limited)."""
    return upload_check(
        upload,
        field=field,
        types=DOCUMENT_TYPES,
        max_bytes=settings.DEAL_DOCUMENT_MAX_BYTES,
        wrong_type=_("Only PDF and Office documents (%s) can be attached.")
        % ", ".join(sorted(DOCUMENT_TYPES)),
    )


@transaction.atomic
def rfq_attachment_add(*, rfq, by: User, upload: UploadedFile) -> RfqAttachment:
    """The buyer attaches a document to a draft or open RFQ."""
    require_member(user=by, organisation=rfq.buyer)
    if rfq.status not in (RfqStatus.DRAFT, RfqStatus.OPEN):
        raise InvalidTransition(_("Documents can be added only while the request is open."))
    content_type = document_check(upload)
    attachment = RfqAttachment.objects.create(
        rfq=rfq,
        file=upload,
        name=upload.name[:200],
        size=upload.size,
        content_type=content_type,
        uploaded_by=by,
    )
    audit(rfq, action="attach", actor=by, reason=attachment.name)
    return attachment

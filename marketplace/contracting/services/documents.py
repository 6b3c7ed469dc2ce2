"""Deal documents (RFQ attachments, files in messages): checked by type and size, kept private."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.contracting.models import RfqAttachment, RfqStatus
from marketplace.contracting.services._common import InvalidTransition, audit, require_member

# Extension -> (content type, how the file starts). Office formats: OOXML is a zip; the older
# binary formats are OLE compound files.
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
}


def document_check(upload: UploadedFile, *, field: str = "file") -> str:
    """The content type of an acceptable deal document; refuses other types and oversize files.

    The type is judged by the name's extension and the file's first bytes, never by what the
    browser claims.
    """
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            {field: _("Only PDF and Office documents (%s) can be attached.")
             % ", ".join(sorted(DOCUMENT_TYPES))}
        )  # fmt: skip
    limit = settings.DEAL_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {field: _("The file is %(size)s MB; the limit is %(limit)s MB.")
             % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576}}
        )  # fmt: skip
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    content_type, signatures = DOCUMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            {field: _("%(name)s is not a real %(type)s file.")
             % {"name": name, "type": extension.upper()}}
        )  # fmt: skip
    return content_type


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

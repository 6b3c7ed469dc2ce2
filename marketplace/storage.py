"""Confidential files: the ``private`` storage (never served from a public URL), and the check
every upload passes (type by content, size)."""

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


def private_storage() -> Storage:
    """The storage of deal documents and CVs; a callable, so settings can change it in tests."""
    return storages["private"]


# Extension -> (content type, how the file starts). Office formats: OOXML is a zip; the older
# binary formats are OLE compound files.
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF = {"pdf": ("application/pdf", (b"%PDF-",))}
DOCUMENT_TYPES = {
    **PDF,
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
}


def upload_check(
    upload: UploadedFile, *, field: str, types: dict, max_bytes: int, wrong_type: str
) -> str:
    """The content type of an acceptable upload; refuses other types, empty and oversize files.

    The type is judged by the name's extension and the file's first bytes, never by what the
    browser claims.
    """
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in types:
        raise ValidationError({field: wrong_type})
    if upload.size > max_bytes:
        raise ValidationError(
            {field: _("The file is %(size)s MB; the limit is %(limit)s MB.")
             % {"size": round(upload.size / 1048576, 1), "limit": max_bytes // 1048576}}
        )  # fmt: skip
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    content_type, signatures = types[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            {field: _("%(name)s is not a real %(type)s file.")
             % {"name": name, "type": extension.upper()}}
        )  # fmt: skip
    return content_type

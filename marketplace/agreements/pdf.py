"""Documents as PDFs: HTML templates rendered by WeasyPrint, English then Chinese, in fonts that
carry Chinese (Noto CJK, embedded as a subset), each page footed with the content's SHA-256."""

from django.template.loader import render_to_string
from django.utils import translation


def document_pdf(*, kind: str, content: dict, content_sha256: str) -> bytes:
    """The PDF of a document of ``kind`` saying ``content``."""
    return template_pdf(f"agreements/pdf/{kind}.html", content=content, sha256=content_sha256)


def template_pdf(template: str, *, content: dict, sha256: str) -> bytes:
    """The PDF of an HTML template (extending agreements/pdf/base.html) given ``content``."""
    from weasyprint import HTML  # loads Pango: only where a PDF is made

    with translation.override("en"):  # the templates' own labels carry both languages
        html = render_to_string(template, {"content": content, "sha256": sha256})
    return HTML(string=html).write_pdf()

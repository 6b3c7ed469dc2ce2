"""Reading a PDF back, as a test checks what a generated document says."""

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks undone: words joined by one space, Chinese by none."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub(r"(?<=[\u3000-\u9fff]) (?=[\u3000-\u9fff])", "", text)

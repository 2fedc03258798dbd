"""Reading printed documents back in tests: the text of every page (pypdf), spaces dropped so a
line broken by the layout still matches."""

import io

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))

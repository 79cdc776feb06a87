"""Reading an exported PDF back: its words and its outline."""

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The PDF's words, with line breaks from the layout taken out."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def outline_titles(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles

"""Typst turns the document's data into a tagged PDF, in a folder that holds nothing else.

The layout (glossary.typ) and its data (data.json) are the only files in a fresh temporary folder,
which is all Typst may read (its `root`); fonts come from the project's own folder, never the
system's. The PDF is PDF/UA-1: tagged, with its language and title.
"""

import json
import shutil
import tempfile
from pathlib import Path

import typst

from glossary.exports.pdf.fonts import FONTS_DIR

LAYOUT = Path(__file__).resolve().parent / "glossary.typ"


def typeset(document: dict) -> bytes:
    """The PDF of `document` (see `document.document_data`)."""
    with tempfile.TemporaryDirectory(prefix="common-ground-pdf-") as folder:
        root = Path(folder)
        shutil.copyfile(LAYOUT, root / "glossary.typ")
        (root / "data.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return typst.compile(
            str(root / "glossary.typ"),
            root=str(root),
            font_paths=[str(FONTS_DIR)],
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
        )

"""Typst turns the document's data into a tagged PDF, in a folder that holds nothing else, in a
process of its own.

The layout (glossary.typ) and its data (data.json) are the only files in a fresh temporary folder,
which is all Typst may read (its `root`); fonts come from the project's own folder, never the
system's. The PDF is PDF/UA-1: tagged, with its language and title.

Typst keeps what it computed for a document in memory for the life of the process (about half a
gigabyte for 1,000 terms), so the compiler runs in a child process (`compile_typst.py`, which
imports nothing but `typst`): the web server or worker that asked gets its memory back at once,
and a render that runs too long is stopped (`GLOSSARY_PDF_TIMEOUT_SECONDS`).
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from glossary.interchange.pdf.fonts import FONTS_DIR

LAYOUT = Path(__file__).resolve().parent / "glossary.typ"
COMPILER = Path(__file__).resolve().parent / "compile_typst.py"


class TypesettingError(Exception):
    """Typst could not make the PDF; the message says why, in Typst's words."""


def typeset(document: dict) -> bytes:
    """The PDF of `document` (see `document.document_data`)."""
    with tempfile.TemporaryDirectory(prefix="common-ground-pdf-") as folder:
        root = Path(folder)
        shutil.copyfile(LAYOUT, root / "glossary.typ")
        (root / "data.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        try:
            # -I: the child reads no environment variables and no user site-packages.
            subprocess.run(
                [sys.executable, "-I", str(COMPILER), folder, str(FONTS_DIR)],
                check=True,
                capture_output=True,
                text=True,
                timeout=settings.GLOSSARY_PDF_TIMEOUT_SECONDS,
            )
        except subprocess.CalledProcessError as failed:
            reason = failed.stderr.strip().splitlines()[-1:] or [f"exit status {failed.returncode}"]
            raise TypesettingError(reason[0]) from None
        except subprocess.TimeoutExpired:
            raise TypesettingError(
                f"Typst took longer than {settings.GLOSSARY_PDF_TIMEOUT_SECONDS:g} seconds"
            ) from None
        return (root / "glossary.pdf").read_bytes()

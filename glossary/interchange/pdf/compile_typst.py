"""Compiles ROOT/glossary.typ into ROOT/glossary.pdf: `python -I compile_typst.py ROOT FONTS`.

Run by `typesetting.typeset` as a child process, so it imports nothing but `typst` (no Django):
Typst may read only ROOT, and fonts only from FONTS (no system fonts). A failure is one line on
standard error and a non-zero exit.
"""

import sys
from pathlib import Path

import typst


def main(root: str, fonts: str) -> None:
    try:
        pdf = typst.compile(
            str(Path(root) / "glossary.typ"),
            root=root,
            font_paths=[fonts],
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
        )
    except typst.TypstError as error:
        sys.exit(" ".join(f"Typst: {error}".split()))
    (Path(root) / "glossary.pdf").write_bytes(pdf)


if __name__ == "__main__":
    main(*sys.argv[1:])

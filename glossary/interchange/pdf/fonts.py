"""The fonts the PDF is set in, shipped with the project, and what they can draw.

DejaVu Sans (regular, bold, oblique, bold oblique) and DejaVu Sans Mono cover Latin, Greek and
Cyrillic with their accents. Typst is told to use these and no system font, so a glossary gives the
same PDF on every machine. A tagged PDF/UA-1 may not hold a character no font can show, so each
such character becomes a visible replacement mark (U+FFFD) before the text reaches Typst.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"

# A word longer than this cannot be broken by Typst (it breaks at spaces and hyphens) and would run
# off the page; an invisible break opportunity goes in every `_SLICE` characters of it.
_LONGEST_WORD = 40
_SLICE = 20
_LONG_WORD = re.compile(r"[^\s\-/]{%d,}" % (_LONGEST_WORD + 1))
ZERO_WIDTH_SPACE = "\N{ZERO WIDTH SPACE}"


# The text fonts, in every style the layout uses. Code is set in DejaVu Sans Mono, falling back to
# DejaVu Sans for what the mono font lacks.
TEXT_FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"]


@lru_cache(maxsize=1)
def drawable() -> frozenset[int]:
    """The code points every style of the text font draws: whether a character lands in bold,
    italic or code, it has a glyph there."""
    covered = None
    for path in (FONTS_DIR / name for name in TEXT_FONTS):
        codepoints = set(TTFont(path, lazy=True).getBestCmap())
        covered = codepoints if covered is None else covered & codepoints
    return frozenset(covered or ())


@lru_cache(maxsize=1)
def _undrawable() -> re.Pattern:
    """One character the fonts cannot draw (line breaks and tabs are layout, so they pass)."""
    allowed = sorted(drawable() | {ord("\n"), ord("\t")})
    ranges, start = [], allowed[0]
    for previous, current in zip(allowed, allowed[1:] + [None], strict=True):
        if current != previous + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else ""))
            start = current
    return re.compile("[^" + "".join(ranges) + "]")


def _replacement(match: re.Match) -> str:
    # Controls, format characters (zero-width joiners, direction marks) and lone surrogates have
    # nothing to see, so nothing to replace them with.
    return "" if unicodedata.category(match[0]) in ("Cc", "Cf", "Cs") else REPLACEMENT


def printable(text: str) -> str:
    """`text` as the PDF can show it: characters no font has are replaced by U+FFFD, control
    characters other than line breaks and tabs are dropped, and overlong words can break."""
    return _LONG_WORD.sub(_breakable, _undrawable().sub(_replacement, text))


def _breakable(match: re.Match) -> str:
    word = match[0]
    return ZERO_WIDTH_SPACE.join(word[i : i + _SLICE] for i in range(0, len(word), _SLICE))

"""Word-level differences between two versions of a text, as HTML with <ins> and <del>."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def tokenize(value: str) -> list[str]:
    return _TOKENS.findall(value or "")


def word_diff(old: str, new: str) -> SafeString:
    """Mark deleted words with <del> and inserted words with <ins>; everything else is escaped."""
    a, b = tokenize(old), tokenize(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(a[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(b[b1:b2]))}</ins>")
    return mark_safe("".join(parts))

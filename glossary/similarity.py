"""How alike two departments' definitions are: trigram similarity, as PostgreSQL's pg_trgm counts it.

A text is split into words (runs of letters and digits, lower-cased); each word, padded with two
spaces in front and one behind, gives its three-letter pieces (“api” → “  a”, “ ap”, “api”,
“pi ”). The similarity of two texts is the number of pieces they share divided by the number of
distinct pieces in either: 1 for the same words, 0 for nothing in common. PostgreSQL computes it
in the database (`similarity()`, the extension is created by migration 0002); this is the same
measure in Python for SQLite, so both give the same figures and the same ranking.
"""

import re

# pg_trgm keeps letters and digits (by the database's locale); \w without “_” is the closest
# portable reading of that.
_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    pieces = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        pieces.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(pieces)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all distinct trigrams of both, 0..1."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)

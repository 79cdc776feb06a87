"""Normalising the text people type, so that equal-looking names are equal."""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_name(value: str) -> str:
    """NFKC-normalise, trim and collapse inner whitespace: “ Plat\u00adform ” → “Platform”."""
    value = unicodedata.normalize("NFKC", value or "")
    # Invisible format characters (soft hyphen, zero-width space) would make twins of one name.
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return _WHITESPACE.sub(" ", value).strip()


def name_key(value: str) -> str:
    """The form two names are compared in: “Platform”, “ platform ” and “PLATFORM” share one."""
    return normalise_name(value).casefold()


def compact(value: str) -> str:
    """Letters and digits only, so “omni channel”, “omni-channel” and “Omnichannel” meet."""
    return _NOT_WORD.sub("", name_key(value))


def split_lines(value: str) -> list[str]:
    """Split a one-per-line (or comma-separated) text into clean, de-duplicated items."""
    items, seen = [], set()
    for raw in re.split(r"[\n,;]", value or ""):
        item = normalise_name(raw)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def initial(value: str) -> str:
    """The A–Z index letter a name is listed under; accents are ignored, anything else is “#”."""
    base = unicodedata.normalize("NFKD", name_key(value))[:1].upper()
    return base if "A" <= base <= "Z" else "#"


def normalise_newlines(value: str) -> str:
    """Browsers send textarea lines ending in CRLF; store LF so an untouched text compares equal."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")

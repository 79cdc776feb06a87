"""Text from outside (an identity provider's answer, a browser's query string) made fit for a log
line: one line, short, without control characters and without the secrets the caller knows of.

Only fields meant for people (an OAuth `error_description`, an issuer's name) should be passed
here, never a whole page or body: removing the secrets one knows of does not remove those one
does not.
"""

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

HIDDEN = "[hidden]"
# C0 and C1 controls (newlines, terminal escapes) and the Unicode line and paragraph separators:
# a line with them can pass for two in a log viewer, or repaint a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def log_excerpt(text: object, *, limit: int = 200, hide: Iterable[str | None] = ()) -> str:
    """`text` on one line of at most `limit` characters, its runs of spaces and control characters
    made one space, each value in `hide` (as written, or percent-encoded as a form or an address
    carries it) replaced by "[hidden]"."""
    text = str(text)
    forms = {form for value in hide if value for form in (value, quote(value, safe=""), quote_plus(value))}
    # The longest first, so that a secret containing another is hidden whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, HIDDEN)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

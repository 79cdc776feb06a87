"""Where a form may send the browser back to: the `next` it posted, when that is a path on this site.

`next` comes from the page, so anyone can post anything in it. Handed to `redirect()` as it is,
`foo` is tried as a view name (a server error when none is called that), `//evil.example` and
`/\\evil.example` send the browser to another site, and a tab or newline is dropped by browsers
so that `/<tab>/evil.example` becomes `//evil.example`. So only a plain path is kept.
"""

import unicodedata

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

NEXT = "next"
# Longer than any address this site links to; more is junk, not a page to go back to.
NEXT_LIMIT = 2000


def is_site_path(value: str, *, request) -> bool:
    """Whether `value` is a path on this site (`/terms/x/?page=2`), safe to send the browser to."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= NEXT_LIMIT
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and not any(unicodedata.category(character) == "Cc" for character in value)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def next_path(request, *, fallback: str) -> str:
    """The `next` the request posted (or, failing that, names in its query) when it is a path on
    this site, else `fallback` (an address or a view name; "" stays "")."""
    value = request.POST.get(NEXT) or request.GET.get(NEXT) or ""
    if is_site_path(value, request=request):
        return value
    return resolve_url(fallback) if fallback else ""

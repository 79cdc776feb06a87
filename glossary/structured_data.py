"""A term as schema.org's `DefinedTerm`, embedded in its page as JSON-LD for search engines and
intranet crawlers (SKOS, in glossary/interchange/skos.py, is the full picture for vocabulary tools)."""

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from glossary.rendering import plain_text

# What JSON may hold but must not inside an HTML <script> element (as Django's json_script escapes).
_HTML_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def defined_term(term, columns) -> dict:
    """`columns`: (department, its definition or None) pairs, as the term page shows them."""
    site = settings.SITE_URL.rstrip("/")
    address = f"{site}{term.get_absolute_url()}"
    names = [*term.synonym_list, *([term.abbreviation] if term.abbreviation else [])]
    meanings = [f"{department.name}: {plain_text(definition.text)}" for department, definition in columns if definition]
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": address,
        "url": address,
        "name": term.name,
        **({"alternateName": names} if names else {}),
        "description": plain_text(term.summary) if term.summary else " ".join(meanings),
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "@id": f"{site}/",
            "name": f"{settings.GLOSSARY_ORGANISATION} glossary",
        },
        "dateModified": term.updated_at.isoformat(),
    }


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element: data for machines, never run by a browser, so
    the pages' Content-Security-Policy (no inline scripts) does not apply to it."""
    body = json.dumps(data, ensure_ascii=False).translate(_HTML_SAFE)
    return mark_safe(f'<script type="application/ld+json">{body}</script>')

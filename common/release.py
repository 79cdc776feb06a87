"""Which release of the code is running, as a short string every app server computes alike."""

import hashlib
from pathlib import Path

# What decides how a cached page part or PDF looks.
RENDERING_SOURCES = (
    "templates/**/*.html",
    "static/css/*.css",
    "accounts/**/*.py",
    "glossary/**/*.py",
    "common/**/*.py",
    "config/*.py",
    "glossary/**/*.typ",
    "glossary/**/*.ttf",  # the PDF's layout and fonts
)


def release_fingerprint(root: Path) -> str:
    """Changes whenever a template, stylesheet, module, PDF layout or font changes.

    Used as the cache's key prefix, so that after a deploy no server serves a page part or PDF
    rendered by the previous release (they may sit in Redis for up to an hour).
    """
    digest = hashlib.sha256()
    for path in sorted({p for pattern in RENDERING_SOURCES for p in root.glob(pattern)}):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

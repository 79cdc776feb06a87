"""What an export covers, as plain data: safe to import anywhere (no renderer loaded)."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Department
from glossary.interchange.selectors import export_terms
from glossary.models import Tag

# Every exported file's name starts so, and its stem (the name without the extension) is at most
# this long, so it survives every file system and mail client.
FILE_NAME_PREFIX = "common-ground-glossary"
FILE_NAME_MAX_STEM = 120


def _slug(text: str) -> str:
    """Words as ASCII letters and digits joined by hyphens: "Straße/Ops" is "strasse-ops"."""
    return slugify(re.sub(r"[\W_]+", " ", text.casefold()))


@dataclass(frozen=True)
class ExportOptions:
    """Which terms an export covers: the home page's filters, plus terms in review on request."""

    status: str = ""
    tag: str = ""
    letter: str = ""
    include_in_review: bool = False
    term: str = ""  # one term's slug, for a single-term PDF
    missing: str = ""  # a department's slug: only terms without that department's definition
    query: str = ""  # the home page's search words
    state: bool = False  # the PDF adds a page on the state of our common language (the dashboard's figures)

    def filename(self, extension: str, *, on: date | None = None) -> str:
        """The file's name, saying what it holds and when it was made (the site's time zone), e.g.
        `common-ground-glossary-approved-tag-architecture-2026-11-26.pdf`. ASCII only."""
        day = (on or timezone.localdate()).isoformat()
        room = FILE_NAME_MAX_STEM - len(FILE_NAME_PREFIX) - len(day) - 2
        what = "-".join(part for part in self._name_parts() if part)[:room].strip("-")
        return f"{'-'.join(filter(None, [FILE_NAME_PREFIX, what, day]))}.{extension}"

    def _name_parts(self) -> list[str]:
        if self.term:
            return [f"term-{_slug(self.term)}"]
        if self.status:
            status = _slug(self.status)
        else:
            status = "all" if self.include_in_review else ""
        return [
            status,
            f"tag-{_slug(self.tag)}" if self.tag else "",
            f"missing-{_slug(self.missing)}" if self.missing else "",
            f"letter-{_slug(self.letter) or 'other'}" if self.letter else "",
            _slug(self.query),
            "with-state" if self.state else "",
        ]

    def terms(self, *, with_deprecated: bool = False):
        """The terms covered; `with_deprecated` adds deprecated ones unless a status is asked for."""
        if self.term:
            return export_terms(slug=self.term)
        tag = Tag.objects.filter(slug=self.tag).first() if self.tag else None
        missing = Department.objects.filter(slug=self.missing).first() if self.missing else None
        return export_terms(
            status=self.status,
            tag=tag,
            letter=self.letter,
            include_in_review=self.include_in_review,
            missing_department=missing,
            query=self.query,
            with_deprecated=with_deprecated,
        )


@dataclass(frozen=True)
class ImportOptions:
    """How a file is read where a vocabulary published elsewhere can mean more than one thing.

    A plain `skos:definition` (a text, naming no department) is how every published vocabulary
    defines a concept: the common ground unless `plain_definition` names the department whose
    definition it is. A definition that names its department keeps going to it either way.
    """

    plain_definition: str = ""  # a department's slug, or "" for the common ground
    # What a file says that the glossary cannot keep (a property it has no field for, a text in
    # another language) refuses its concept, so nothing is lost without a word; unless the admin,
    # having read the list, chooses to import without it.
    drop_unkept: bool = False

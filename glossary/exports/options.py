"""What an export covers, as plain data: safe to import anywhere (no renderer loaded)."""

from dataclasses import dataclass

from glossary.models import Tag
from glossary.exports.selectors import export_terms


@dataclass(frozen=True)
class ExportOptions:
    """Which terms an export covers: the home page's filters, plus terms in review on request."""

    status: str = ""
    tag: str = ""
    letter: str = ""
    include_in_review: bool = False
    term: str = ""  # one term's slug, for a single-term PDF

    def filename(self) -> str:
        return f"glossary-{self.term}.pdf" if self.term else "glossary.pdf"

    def terms(self):
        if self.term:
            return export_terms(slug=self.term)
        tag = Tag.objects.filter(slug=self.tag).first() if self.tag else None
        return export_terms(status=self.status, tag=tag, letter=self.letter, include_in_review=self.include_in_review)

"""What the API answers with. A term's content fields are derived from the declaration in
glossary.entries (CONTENT), under the names CSV and JSON files use, so a field declared there
appears here, in the OpenAPI schema and in every answer without another list of fields.
"""

from datetime import datetime
from enum import Enum

from ninja import Field, Schema
from pydantic import create_model

from glossary.entries import CONTENT, Kind
from glossary.models import Term

TermStatus = Enum("TermStatus", {value.upper(): value for value in Term.Status.values}, type=str)


class Markdown(Schema):
    markdown: str = Field(description="As written (CommonMark).")
    html: str = Field(description="Rendered and sanitised, as the site shows it.")


class TermReference(Schema):
    slug: str
    name: str
    url: str = Field(description="The term in the API.")


class Definition(Schema):
    department: str = Field(description="The department's slug.")
    department_name: str
    text: Markdown


class Department(Schema):
    slug: str
    name: str
    description: str
    signs_off: bool = Field(description="Every change needs this department's approval.")


class Tag(Schema):
    slug: str
    name: str
    terms: int = Field(description="How many terms carry the tag.")


class Approval(Schema):
    department: str
    approver: str
    approved_at: datetime


def _annotation(kind: Kind):
    return {
        Kind.NAME: str,
        Kind.TEXT: str,
        Kind.MARKDOWN: Markdown,
        Kind.NAMES: list[str],
        Kind.REFERENCES: list[TermReference],
        Kind.DEFINITIONS: list[Definition],
        Kind.STATUS: TermStatus,
    }[kind]


def _description(content_field) -> str:
    label = content_field.label.format(department="each department")
    return f"{label}. {content_field.help_text}".strip()


TermContent = create_model(
    "TermContent",
    __base__=Schema,
    __doc__="A term's content as declared in glossary.entries, field by field.",
    **{f.export_name: (_annotation(f.kind), Field(description=_description(f))) for f in CONTENT},
)


class Term(TermContent):
    slug: str = Field(description="Permanent address; kept when the term is renamed.")
    url: str = Field(description="The term's page on the site.")
    version: int
    updated_at: datetime
    approved_by: list[Approval] = Field(description="Who approved the current version, per department.")
    needs_reapproval: bool = Field(description="Edited directly by a glossary admin since its last sign-off.")


class TermPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[Term]


class Version(Schema):
    number: int
    changed_at: datetime
    changed_by: str
    reason: str


class TermVersion(Version):
    content: TermContent


class FieldChange(Schema):
    field: str = Field(description="The field's label, one per department for definitions.")
    changed: bool
    old: str
    new: str
    html: str = Field(description="The word diff: deleted words in <del>, inserted ones in <ins>.")


class VersionDiff(Schema):
    from_version: int
    to_version: int
    fields: list[FieldChange]

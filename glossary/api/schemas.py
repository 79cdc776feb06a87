"""What the API answers with. A term's content fields are derived from the declaration in
glossary.entries (CONTENT), under the names CSV and JSON files use, so a field declared there
appears here, in the OpenAPI schema and in every answer without another list of fields.
"""

from datetime import date, datetime
from enum import Enum
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, create_model

from glossary.entries import CONTENT, Kind
from glossary import models

TermStatus = Enum("TermStatus", {value.upper(): value for value in models.Term.Status.values}, type=str)


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
        Kind.DATE: date | None,
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
    replaced_by: TermReference | None = Field(None, description="For a deprecated term: the term to use instead.")
    review_overdue: bool = Field(description="Its review date (review_by) has passed: nobody has rechecked it in time.")


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
    html: str = Field(description="The word diff of the text as typed: deleted words in <del>, inserted ones in <ins>.")
    rendered_html: str | None = Field(
        None, description="For Markdown fields, the diff as the text reads: formatted, with the words marked the same way."
    )


class VersionDiff(Schema):
    from_version: int
    to_version: int
    fields: list[FieldChange]


# Proposals.


def _no_hidden_characters(value: str) -> str:
    # No database keeps NUL in text, and half a surrogate pair cannot be stored as UTF-8.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise ValueError("Half of a surrogate pair is not a character.")
    return value


Text = Annotated[str, AfterValidator(_no_hidden_characters)]


def _input_annotation(kind: Kind):
    return {
        Kind.NAME: Text,
        Kind.TEXT: Text,
        Kind.MARKDOWN: Text,
        Kind.NAMES: list[Text],
        Kind.REFERENCES: list[Text],
        Kind.DEFINITIONS: dict[Text, Text],
        Kind.DATE: date,
    }[kind]


def _input_description(content_field) -> str:
    how = {
        Kind.MARKDOWN: "Markdown.",
        Kind.REFERENCES: "Slugs of existing terms.",
        Kind.DEFINITIONS: "Markdown, by department slug; an empty text removes that department's definition.",
        Kind.DATE: "YYYY-MM-DD; not in the past, at most five years ahead.",
    }.get(content_field.kind, "")
    return f"{_description(content_field)} {how}".strip()


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


ProposedContent = create_model(
    "ProposedContent",
    __base__=_Strict,
    __doc__=(
        "What the proposal says, field by field as declared in glossary.entries. A field left out "
        "keeps its value: the term's for a change, the proposal's own for a new revision."
    ),
    **{
        f.export_name: (_input_annotation(f.kind) | None, Field(None, description=_input_description(f)))
        for f in CONTENT
        if f.kind != Kind.STATUS  # set by the kind of proposal, never typed
    },
)

ProposalKind = Enum("ProposalKind", {value.upper(): value for value in models.Proposal.Kind.values}, type=str)
ProposalState = Enum("ProposalState", {value.upper(): value for value in models.Proposal.State.values}, type=str)


class NewProposal(_Strict):
    kind: ProposalKind = Field(description="new_term, change, deprecate, or restore an earlier version.")
    term: Text | None = Field(None, max_length=140, description="The term's slug; not for a new term.")
    base_version: int | None = Field(
        None, ge=1, description="The term version you read; if the term has moved on since, the answer is 409."
    )
    restore_version: int | None = Field(None, ge=1, description="For restore: the version to bring back.")
    replaced_by: Text | None = Field(
        None, max_length=140, description="For deprecate (optional): the slug of the term to use instead."
    )
    reason: Text = Field(description="Why: reviewers read it first.")
    content: ProposedContent | None = Field(None, description="For new_term and change.")


class ProposalRevision(_Strict):
    revision: int = Field(ge=1, description="The revision you read; if it has moved on, the answer is 409.")
    reason: Text
    content: ProposedContent | None = None


class Decision(_Strict):
    revision: int = Field(ge=1, description="The revision you reviewed; if the author has changed it since, 409.")
    comment: Text = Field("", description="Required to request changes or reject: the author reads it.")


class NewComment(_Strict):
    body: Text


class SignOff(Schema):
    department: str
    decision: str = Field(description="approve, request_changes or reject.")
    approver: str
    revision: int
    comment: str
    signed_at: datetime


class Comment(Schema):
    author: str
    body: str
    written_at: datetime


class Proposal(Schema):
    id: int
    kind: ProposalKind
    state: ProposalState
    revision: int
    term: TermReference | None
    base_version: int | None
    author: str
    reason: str
    created_at: datetime
    url: str = Field(description="The proposal's page on the site.")
    content: TermContent
    replaced_by: TermReference | None = Field(None, description="For a deprecation: the term it names to use instead.")
    awaiting: list[str] = Field(description="Departments (slugs) whose sign-off on this revision is still missing.")
    sign_offs: list[SignOff] = Field(description="Every decision, on every revision, oldest first.")
    comments: list[Comment]
    your_actions: list[str] = Field(description="What the caller may do to it now, as on its page.")


class ProposalSummary(Schema):
    id: int
    kind: ProposalKind
    state: ProposalState
    revision: int
    name: str
    author: str
    updated_at: datetime
    url: str = Field(description="The proposal in the API.")


class ProposalPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[ProposalSummary]


# Watches (glossary.services.watching): the caller's own, as on *My watches*.

WatchTarget = Enum("WatchTarget", {value.upper(): value for value in models.Watch.Target.values}, type=str)
WatchDelivery = Enum("WatchDelivery", {value.upper(): value for value in models.Watch.Delivery.values}, type=str)


class NewWatch(_Strict):
    target: WatchTarget = Field(description="term, tag, or glossary (the whole glossary).")
    term: Text | None = Field(None, max_length=140, description="For target term: the term's slug.")
    tag: Text | None = Field(None, max_length=60, description="For target tag: the tag's slug.")
    delivery: WatchDelivery = Field(
        WatchDelivery.IMMEDIATE, description="immediate (an e-mail for each change) or daily (a digest)."
    )


class Watch(Schema):
    id: int
    target: WatchTarget
    term: str | None = Field(description="The term's slug, for a term watch.")
    tag: str | None = Field(description="The tag's slug, for a tag watch.")
    description: str = Field(description="What is watched, in words, as *My watches* says it.")
    delivery: WatchDelivery
    created_at: datetime


class WatchPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[Watch]


# The dashboard's figures (glossary.selectors.metrics).


class AgreementFigures(Schema):
    total: int = Field(description="Terms in the glossary (or carrying the tag).")
    agreed: int = Field(description="Not deprecated; the current version approved by every signing department.")
    missing_definition: int = Field(description="Not deprecated; some active department has not defined it.")
    in_review: int = Field(description="A change to the term is open.")
    deprecated: int
    agreed_share: float = Field(description="agreed / total, 0 to 1.")
    missing_definition_share: float
    in_review_share: float
    deprecated_share: float


class AgreementMonth(Schema):
    month: date = Field(description="The month's first day; figures as at its end (this month: now).")
    figures: AgreementFigures


class WaitingCount(Schema):
    waiting_on: str = Field(description="A signing department, or the author.")
    proposals: int


class AgeCount(Schema):
    age: str
    proposals: int


class DecisionTime(Schema):
    department: str
    decisions: int
    median_hours: float | None = Field(description="From the submission of the revision decided on.")
    p90_hours: float | None = Field(description="90th percentile, nearest rank.")


class DecisionKinds(Schema):
    department: str
    approve: int
    request_changes: int
    reject: int


class WaitingProposal(Schema):
    id: int
    name: str
    url: str = Field(description="The proposal's page.")
    state: str
    waiting_since: datetime = Field(description="When its current revision was submitted.")
    days: int
    waiting_on: list[str]


class TermGap(Schema):
    name: str
    url: str = Field(description="The term's page, definitions side by side.")
    similarity: float = Field(description="Trigram similarity of the least alike pair of definitions, 0 to 1.")


class DisputedTerm(Schema):
    name: str
    url: str
    request_changes: int
    reject: int


class Metrics(Schema):
    as_of: datetime
    tag: str | None = Field(description="The tag's slug, or null for the whole glossary.")
    agreement: AgreementFigures
    agreement_by_month: list[AgreementMonth]
    open_proposals: int
    open_by_age: list[AgeCount]
    open_by_waiting_on: list[WaitingCount]
    decision_times: list[DecisionTime] = Field(description="Per signing department, the last 90 days.")
    decisions_by_kind: list[DecisionKinds] = Field(description="Per signing department, the last 90 days.")
    oldest_waiting: list[WaitingProposal]
    furthest_apart: list[TermGap]
    most_disputed: list[DisputedTerm]

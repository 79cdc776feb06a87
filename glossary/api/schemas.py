"""What the API answers with. A term's content fields are derived from the declaration in
glossary.entries (CONTENT), under the names CSV and JSON files use, so a field declared there
appears here, in the OpenAPI schema and in every answer without another list of fields.
"""

import re
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from accounts.models import Department as DepartmentModel
from glossary import models
from glossary.entries import CONTENT, Kind
from glossary.models.fields import max_length
from glossary.workflow import Action


def choices(name: str, values) -> type[Enum]:
    """An enumeration of a model's choices, so the schema lists every value an answer may hold."""
    return Enum(name, {value.upper(): value for value in values}, type=str)


TermStatus = choices("TermStatus", models.Term.Status.values)
# A full address (answers build them from the request), as the schema's "uri" format says.
Address = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class FieldError(Schema):
    field: str = Field(description="Where: body.content.name, query.page, path.proposal_id, body (the whole body).")
    message: str = Field(description="What is wrong there, in words for people.")


class Problem(Schema):
    """RFC 9457 problem details: how the API answers every refusal (glossary.api.errors)."""

    type: str = Field("about:blank", description="Always about:blank: the status says what kind of problem it is.")
    title: str = Field(description="The status's phrase, such as Not Found.")
    status: int = Field(ge=400, le=599, description="The HTTP status again.")
    detail: str = Field(description="What happened, for people: which term, which version, what to do.")
    errors: list[FieldError] = Field(None, description="For invalid input (422): what is wrong where, field by field.")
    current_version: int = Field(
        None,
        ge=1,
        description="When a change was proposed on a version the term has moved on from (409): its version now.",
    )


class Markdown(Schema):
    markdown: str = Field(description="As written (CommonMark).")
    html: str = Field(description="Rendered and sanitised, as the site shows it.")


class TermReference(Schema):
    slug: str
    name: str
    url: Address = Field(description="The term in the API.")


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
    url: Address = Field(description="The term's page on the site.")
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
    next: Address | None = Field(description="The next page's address; null on the last.")
    previous: Address | None = Field(description="The previous page's address; null on the first.")
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
        None,
        description="For Markdown fields, the diff as the text reads: formatted, with the words marked the same way.",
    )


class VersionDiff(Schema):
    from_version: int
    to_version: int
    fields: list[FieldChange]


# Numbers and dates as callers give them. pydantic would read "1" and true as the number 1, and 0 as
# a date (1 January 1970); a script that sends those has a bug it should hear of, so a body's number
# must be a JSON number with a whole value and its date a YYYY-MM-DD string. 1.0 and 1e0 are the
# integer 1: JSON has one kind of number, and JSON Schema's "integer" (the OpenAPI schema says it)
# is any number without a fraction. A number in the address (path or
# query) is text by nature: it must be plain ASCII digits, so "+1", " 1", "1.0", "1e3", "١" (an
# Arabic-Indic one) and "1_000" are refused rather than read.

LARGEST_ID = 2**63 - 1  # a BigAutoField
LARGEST_VERSION = 2**31 - 1  # a PositiveIntegerField: a term's version, a proposal's revision
_DIGITS = re.compile(r"[0-9]{1,%d}" % len(str(LARGEST_ID)))
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _json_integer(value):
    if type(value) is float and value.is_integer() and abs(value) <= 2**53:  # exact as a float
        return int(value)
    if type(value) is not int:  # bool is a kind of int in Python; not in JSON
        raise PydanticCustomError("json_integer", 'A whole number, written as a JSON number: 2, not "2", 2.5 or true.')
    return value


def _digits(value):
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise PydanticCustomError(
        "plain_digits",
        "A whole number in plain digits (0 to 9), at most {most} of them, with no sign or spaces.",
        {"most": len(str(LARGEST_ID))},
    )


def _iso_date(value):
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("iso_date", 'A date as a string, YYYY-MM-DD: for example "2027-03-31".')


def _iso_datetime(value):
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise PydanticCustomError("iso_datetime", "A date and time in ISO 8601, for example 2027-03-31T09:00:00Z.")


def _in_utc(value: datetime) -> datetime:
    """Without an offset, the site's time zone; either way a moment UTC can hold (the database
    compares in UTC, and 9999-12-31T23:59-12:00 is past the last day Python has)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", "A moment between the years 1 and 9999 in UTC.") from None


def integer_in_body(*, most: int):
    """A JSON integer from 1 to `most`."""
    # The bounds go before the validator, or the OpenAPI schema shows them as "ge" and "le".
    return Annotated[int, Field(ge=1, le=most), BeforeValidator(_json_integer)]


def integer_in_address(*, most: int):
    """A number from 1 to `most` in plain digits, in the path or the query."""
    return Annotated[int, Field(ge=1, le=most), BeforeValidator(_digits)]


DateInBody = Annotated[date, BeforeValidator(_iso_date)]
DatetimeInAddress = Annotated[datetime, BeforeValidator(_iso_datetime), AfterValidator(_in_utc)]
VersionInBody = integer_in_body(most=LARGEST_VERSION)
VersionInAddress = integer_in_address(most=LARGEST_VERSION)
IdInAddress = integer_in_address(most=LARGEST_ID)  # a proposal's or a watch's
PageNumber = integer_in_address(most=1_000_000)


# Proposals.


def _no_hidden_characters(value: str) -> str:
    # No database keeps NUL in text, and half a surrogate pair cannot be stored as UTF-8.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise ValueError("Half of a surrogate pair is not a character.")
    return value


# What Python's str.strip() takes away (str.isspace), spelled out: JSON Schema's \s is
# ECMAScript's, which differs (it counts U+FEFF, and not U+001C to U+001F or U+0085).
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def text(*, most: int | None = None, required: bool = False, pattern: str | None = None, slug: bool = False):
    """A text in a body: no NUL or half surrogate pair, at most `most` characters; `required`, it
    must hold more than spaces (what the services refuse as empty).

    The schema states the rules; _no_hidden_characters and the services apply them, with their own
    messages. A limit is the model's, counted on the text as stored (names normalised, spaces
    collapsed, line ends as one): checked by the services, not on the text as sent. A slug is
    stored as sent: its length is checked here.
    """
    stated = {"pattern": pattern or (NOT_BLANK if required else NO_NUL)}
    if required:
        stated["minLength"] = 1
    if most and not slug:
        stated["maxLength"] = most
    return Annotated[
        str, Field(max_length=most if slug else None, json_schema_extra=stated), AfterValidator(_no_hidden_characters)
    ]


Text = text()
Slug = text(most=max_length(models.Term, "slug"), pattern=SLUG_PATTERN, slug=True)
TagSlug = text(most=max_length(models.Tag, "slug"), pattern=SLUG_PATTERN, slug=True)


def slug_in_address(*, most: int):
    """A slug in the query: letters, digits, - and _, or empty for none (anything else names nothing)."""
    return Annotated[str, Field(max_length=most, json_schema_extra={"pattern": SLUG_PATTERN.replace("+", "*")})]


# A term's slug in the path: anything else is a 404 (no term has that address), never a 422.
TermSlugInAddress = Annotated[
    str, WithJsonSchema({"type": "string", "maxLength": max_length(models.Term, "slug"), "pattern": SLUG_PATTERN})
]
TagInAddress = slug_in_address(most=max_length(models.Tag, "slug"))
DepartmentInAddress = slug_in_address(most=max_length(DepartmentModel, "slug"))
NAME_LIMIT = max_length(models.Term, "name")


def _input_annotation(content_field):
    """How a content field is written in a body, with the limits of the column or model that keeps it."""
    kind = content_field.kind
    if kind == Kind.DEFINITIONS:
        department = Annotated[
            str, Field(json_schema_extra={"pattern": SLUG_PATTERN}), AfterValidator(_no_hidden_characters)
        ]
        return Annotated[
            dict[department, text(most=max_length(models.Definition, "text"))],
            Field(json_schema_extra={"additionalProperties": False}),
        ]
    if kind == Kind.DATE:
        return DateInBody
    if kind == Kind.REFERENCES:
        return list[Slug]
    if content_field.name == "tags":
        return Annotated[
            list[text(most=max_length(models.Tag, "name"))], Field(json_schema_extra={"maxItems": models.Term.MAX_TAGS})
        ]
    if kind == Kind.NAMES:
        return list[text(most=NAME_LIMIT)]
    # A term always has a name: given, it cannot be empty.
    return text(most=max_length(models.Term, content_field.name), required=kind == Kind.NAME)


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
        "keeps its value: the term's for a change, the proposal's own for a new revision. Lengths "
        "are counted as stored, after spaces are collapsed and names normalised."
    ),
    **{
        f.export_name: (_input_annotation(f) | None, Field(None, description=_input_description(f)))
        for f in CONTENT
        if f.kind != Kind.STATUS  # set by the kind of proposal, never typed
    },
)

ProposalKind = choices("ProposalKind", models.Proposal.Kind.values)
ProposalState = choices("ProposalState", models.Proposal.State.values)
Reason = text(most=max_length(models.Proposal, "reason"), required=True)
CommentText = text(most=max_length(models.Comment, "body"), required=True)
SignOffComment = text(most=max_length(models.SignOff, "comment"))


# A new proposal's body is told apart by its kind: each kind names the fields it needs and refuses
# those it has no use for (null stays accepted for them, as before the kinds were told apart).
_TERM = "The term's slug."
_BASE_VERSION = "The term version you read; if the term has moved on since, the answer is 409."


class NewTermProposal(_Strict):
    """Propose a term the glossary does not have yet."""

    kind: Literal["new_term"]
    reason: Reason = Field(description="Why: reviewers read it first.")
    content: ProposedContent = Field(
        description="The new term: its name, and its common ground or at least one department's definition."
    )
    term: None = Field(None, description="Not for a new term.")
    base_version: None = Field(None, description="Not for a new term.")
    restore_version: None = Field(None, description="Only for restore.")
    replaced_by: None = Field(None, description="Only for deprecate.")


class ChangeProposal(_Strict):
    """Propose changing a term: the fields in `content`; the others stay as the term has them."""

    kind: Literal["change"]
    term: Slug = Field(description=_TERM)
    base_version: VersionInBody | None = Field(None, description=_BASE_VERSION)
    reason: Reason = Field(description="Why: reviewers read it first.")
    content: ProposedContent | None = Field(None, description="The fields to change.")
    restore_version: None = Field(None, description="Only for restore.")
    replaced_by: None = Field(None, description="Only for deprecate.")


class DeprecateProposal(_Strict):
    """Propose that a term is no longer used, optionally naming the one to use instead."""

    kind: Literal["deprecate"]
    term: Slug = Field(description=_TERM)
    base_version: VersionInBody | None = Field(None, description=_BASE_VERSION)
    reason: Reason = Field(description="Why: reviewers read it first.")
    replaced_by: (
        text(most=max_length(models.Term, "slug"), pattern=SLUG_PATTERN.replace("+", "*"), slug=True) | None
    ) = Field(None, description="The slug of the term to use instead (optional).")
    content: None = Field(None, description="A deprecation takes no content.")
    restore_version: None = Field(None, description="Only for restore.")


class RestoreProposal(_Strict):
    """Propose bringing back an earlier version of a term."""

    kind: Literal["restore"]
    term: Slug = Field(description=_TERM)
    restore_version: VersionInBody = Field(description="The version to bring back.")
    base_version: VersionInBody | None = Field(None, description=_BASE_VERSION)
    reason: Reason = Field(description="Why: reviewers read it first.")
    content: None = Field(None, description="A restore takes no content: it brings back the version's.")
    replaced_by: None = Field(None, description="Only for deprecate.")


NewProposal = Annotated[
    NewTermProposal | ChangeProposal | DeprecateProposal | RestoreProposal, Field(discriminator="kind")
]
PROPOSAL_KINDS = {
    "new_term": NewTermProposal,
    "change": ChangeProposal,
    "deprecate": DeprecateProposal,
    "restore": RestoreProposal,
}


class ProposalRevision(_Strict):
    revision: VersionInBody = Field(description="The revision you read; if it has moved on, the answer is 409.")
    reason: Reason
    content: ProposedContent | None = None


class Decision(_Strict):
    """Approving: the comment may be left out."""

    revision: VersionInBody = Field(description="The revision you reviewed; if the author has changed it since, 409.")
    comment: SignOffComment = Field("", description="Optional.")


class DecisionWithComment(_Strict):
    """Requesting changes or rejecting: the author must learn why."""

    revision: VersionInBody = Field(description="The revision you reviewed; if the author has changed it since, 409.")
    comment: text(most=max_length(models.SignOff, "comment"), required=True) = Field(
        description="Required: the author reads it."
    )


class NewComment(_Strict):
    body: CommentText


SignOffDecision = choices("SignOffDecision", models.SignOff.Decision.values)
ProposalAction = choices("ProposalAction", Action.values)


class SignOff(Schema):
    department: str
    decision: SignOffDecision
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
    url: Address = Field(description="The proposal's page on the site.")
    content: TermContent
    replaced_by: TermReference | None = Field(None, description="For a deprecation: the term it names to use instead.")
    awaiting: list[str] = Field(description="Departments (slugs) whose sign-off on this revision is still missing.")
    sign_offs: list[SignOff] = Field(description="Every decision, on every revision, oldest first.")
    comments: list[Comment]
    your_actions: list[ProposalAction] = Field(description="What the caller may do to it now, as on its page.")


class ProposalSummary(Schema):
    id: int
    kind: ProposalKind
    state: ProposalState
    revision: int
    name: str
    author: str
    updated_at: datetime
    url: Address = Field(description="The proposal in the API.")


class ProposalPage(Schema):
    count: int
    page: int
    pages: int
    next: Address | None = Field(description="The next page's address; null on the last.")
    previous: Address | None = Field(description="The previous page's address; null on the first.")
    results: list[ProposalSummary]


# Watches (glossary.services.watching): the caller's own, as on *My watches*.

WatchTarget = choices("WatchTarget", models.Watch.Target.values)
WatchDelivery = choices("WatchDelivery", models.Watch.Delivery.values)
_DELIVERY = "immediate (an e-mail for each change) or daily (a digest)."


# A new watch's body is told apart by its target, each naming the slug it needs (a slug given
# where the target takes none is refused; null stays accepted).
class TermWatch(_Strict):
    """Watch one term."""

    target: Literal["term"]
    term: Slug = Field(description="The term's slug.")
    tag: None = Field(None, description="Only for target tag.")
    delivery: WatchDelivery = Field(WatchDelivery.IMMEDIATE, description=_DELIVERY)


class TagWatch(_Strict):
    """Watch every term carrying a tag."""

    target: Literal["tag"]
    tag: TagSlug = Field(description="The tag's slug.")
    term: None = Field(None, description="Only for target term.")
    delivery: WatchDelivery = Field(WatchDelivery.IMMEDIATE, description=_DELIVERY)


class GlossaryWatch(_Strict):
    """Watch the whole glossary."""

    target: Literal["glossary"]
    term: None = Field(None, description="Only for target term.")
    tag: None = Field(None, description="Only for target tag.")
    delivery: WatchDelivery = Field(WatchDelivery.IMMEDIATE, description=_DELIVERY)


NewWatch = Annotated[TermWatch | TagWatch | GlossaryWatch, Field(discriminator="target")]


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
    next: Address | None = Field(description="The next page's address; null on the last.")
    previous: Address | None = Field(description="The previous page's address; null on the first.")
    results: list[Watch]


# The dashboard's figures (glossary.dashboard.selectors).


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
    url: Address = Field(description="The proposal's page.")
    state: str = Field(description="Its state as the dashboard says it: In review, Out of date.")
    waiting_since: datetime = Field(description="When its current revision was submitted.")
    days: int
    waiting_on: list[str]


class TermGap(Schema):
    name: str
    url: Address = Field(description="The term's page, definitions side by side.")
    similarity: float = Field(description="Trigram similarity of the least alike pair of definitions, 0 to 1.")


class DisputedTerm(Schema):
    name: str
    url: Address
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

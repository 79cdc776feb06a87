"""The demo glossary in fixtures/, built through the real workflow, so that it tells the truth.

Every approved term was proposed by a demo contributor and signed off by each department's demo
approver; a term marked in review has a change waiting in the approvers' queues; a deprecated
term went through a deprecation; the two drafts are new terms still being worked on, one with a
discussion and one sent back with a request for changes. A newcomer sees every state on the
first visit, and every name and date on a page comes from a real sign-off.
"""

import json
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Department, User
from glossary import events, text
from glossary.entries import CONTENT, Entry, Kind
from glossary.models import Proposal, Term
from glossary.services import proposals as services

DEMO_GLOSSARY = Path(settings.BASE_DIR) / "fixtures" / "demo_glossary.json"
REASON = "Demo glossary"
# Who writes for each department, and who signs for it (accounts.demo creates them).
CONTRIBUTORS = {"it": "ada", "marketing": "maya"}
APPROVERS = ["ivan", "marco"]
DISCUSSED = "Minimum viable product"
SENT_BACK = "Budget"


def _load(entries: list[dict], people) -> tuple[int, int]:
    departments = {d.slug: d for d in Department.objects.all()}
    published, still_open = [], []
    # First what is official, so that every link between terms exists before anything waits on them:
    # a change published later would leave a waiting proposal out of date.
    for item in entries:
        author, other = _writers(item, people)
        status = item.get("status", Term.Status.DRAFT)
        if status == Term.Status.DRAFT:
            still_open.append(item)
            continue
        entry, pending = _entry(item, departments)
        if status == Term.Status.IN_REVIEW:
            # Published once without its examples and common ground; adding them awaits sign-off.
            entry = replace(entry, examples="", summary="")
            still_open.append(item)
        term = _publish(entry, pending, author, people)
        if status == Term.Status.DEPRECATED:
            deprecation = services.proposal_create(
                author=other,
                reason=f"{REASON}: an outdated label, kept so that old documents can be read",
                entry=replace(Entry.from_term(term), status=Term.Status.DEPRECATED),
                term=term,
                kind=Proposal.Kind.DEPRECATE,
            )
            _sign(deprecation, people)
        published.append(term)
    for item in still_open:
        author, other = _writers(item, people)
        term = Term.objects.filter(name=item["name"]).first()
        if term is None:
            entry, pending = _entry(item, departments)
            _propose(entry, pending, author)
        else:
            entry = replace(Entry.from_term(term), examples=item.get("examples", ""), summary=item.get("summary", ""))
            reason = f"{REASON}: the examples and the common ground both sides have agreed on since"
            services.proposal_create(author=other, reason=reason, entry=entry, term=term)
    return len(published), len(still_open)


def _writers(item: dict, people):
    """The contributor of the department that defined the term first, and of the other one."""
    slugs = list(item.get("definitions", {}))
    author = people[CONTRIBUTORS[slugs[0]]]
    return author, people[CONTRIBUTORS[slugs[1]]] if len(slugs) > 1 else author


def _entry(item: dict, departments) -> tuple[Entry, list[str]]:
    """A fixture entry (fields under their declared names) as proposed content; related terms are
    linked by name once both exist. The status is the workflow's to set."""
    content, pending = {}, []
    for content_field in CONTENT:
        value = item.get(content_field.name)
        if value is None or content_field.kind == Kind.STATUS:
            continue
        if content_field.kind == Kind.DEFINITIONS:
            value = {departments[slug].pk: body for slug, body in value.items()}
        elif content_field.kind == Kind.REFERENCES:
            existing = {t.name_key: t for t in Term.objects.filter(name_key__in=[text.name_key(n) for n in value])}
            pending = [name for name in value if text.name_key(name) not in existing]
            value = {term.pk: term.name for term in existing.values()}
        elif content_field.is_list:
            value = "\n".join(value) if content_field.column else tuple(value)
        content[content_field.name] = value
    return Entry(**content), pending


def _propose(entry: Entry, pending: list[str], author) -> Proposal:
    return services.proposal_create(
        author=author, reason=f"{REASON}: {entry.name} as we use it", entry=entry, related_names=pending
    )


def _sign(proposal: Proposal, people) -> Proposal:
    for username in APPROVERS:
        proposal.refresh_from_db()
        proposal = services.proposal_approve(
            proposal=proposal, user=people[username], comment="", seen_revision=proposal.revision
        )
    return proposal


def _publish(entry: Entry, pending: list[str], author, people) -> Term:
    proposal = _sign(_propose(entry, pending, author), people)
    return proposal.term


def _talk(people) -> None:
    """One proposal with a discussion, one sent back: the states a newcomer should see."""
    discussed = Proposal.objects.filter(name=DISCUSSED, state=Proposal.State.IN_REVIEW).first()
    sent_back = Proposal.objects.filter(name=SENT_BACK, state=Proposal.State.IN_REVIEW).first()
    if discussed is None or sent_back is None:
        return  # another demo file, without those two
    services.proposal_comment(
        proposal=discussed,
        user=people["marco"],
        body="For us an MVP is the first thing customers see, so it has to look finished. Can the IT definition say "
        "which parts may stay rough?",
    )
    services.proposal_comment(
        proposal=discussed,
        user=discussed.author,
        body="Fair point: what users see must be polished; what we skip is breadth (fewer features), not quality.",
    )
    services.proposal_request_changes(
        proposal=sent_back,
        user=people["marco"],
        seen_revision=sent_back.revision,
        comment="Please add who can move money between channels during a quarter: that is where we clash with IT.",
    )


def load_demo_glossary(*, path: Path = DEMO_GLOSSARY) -> tuple[int, int]:
    """Load the demo into an empty glossary: how many terms were published and how many proposals
    were left open ((0, 0) if the glossary has terms). The demo accounts must exist."""
    if Term.objects.exists():
        return 0, 0
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["terms"]
    people = {user.username: user for user in User.objects.filter(username__in=[*CONTRIBUTORS.values(), *APPROVERS])}
    # The people in the demo are fictional: its workflow writes the history, not their inboxes.
    with events.held(), transaction.atomic():
        counts = _load(entries, people)
        _talk(people)
    return counts

"""A glossary's first half of 2026, built through the real services with the clock set for each
step, so the dashboard's figures have known answers (tests/glossary/dashboard/test_dashboard_figures.py spells them out).

    Jan  5  Web 2.0 written down directly, deprecated.
    Jan 10  Ada proposes API; IT approves on the 12th, Marketing on the 13th: published, agreed.
    Feb  1  Ada proposes Platform; Marketing requests changes on the 3rd; Ada's revision 2 on the
            5th; IT approves on the 6th, Marketing on the 8th: published, agreed.
    Mar 20  Ada proposes the new term Lead and withdraws it on the 25th.
    Apr  1  Maya proposes a change to API; IT approves on the 2nd; Maya's revision 2 on the 3rd
            clears that approval. Still open, waiting on every signing department.
    Apr 10  Finance joins and signs off: API and Platform lack its approval and its definition.
    Apr 20  Ada proposes Omnichannel with all three definitions; IT approves a day later,
            Marketing two, Finance four: published, agreed.
    May  1  Ada proposes the new term Conversion; Marketing rejects it three days later.
    May 10  Maya proposes a change to Platform; IT requests changes 36 hours later.
    Jun 12  Maya proposes the new term Budget.
    Jun 15  noon: "now".
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Department, User
from glossary.entries import Entry
from glossary.models import Proposal, Term
from glossary.services import proposals as services
from glossary.services.terms import save_with_history, term_create
from glossary.workflow import Action

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

OMNICHANNEL_IT = "Integrated customer data flowing to every channel."
OMNICHANNEL_MARKETING = "Integrated customer experience at every channel."
OMNICHANNEL_FINANCE = "Integrated customer data at every channel."
PLATFORM_IT = "Tools to build products on."
PLATFORM_MARKETING = "A complete system for one need."
API_IT = "A contract between programs."
API_MARKETING = "The contract that connects programs."


class Clock:
    """What django.utils.timezone.now answers while a history is built."""

    def __init__(self):
        self.now = NOW

    def at(self, month, day, hour=9, minute=0):
        self.now = datetime(2026, month, day, hour, minute, tzinfo=UTC)
        return self.now


@dataclass
class History:
    api: Term
    platform: Term
    omnichannel: Term
    web: Term
    api_change: Proposal
    platform_change: Proposal
    budget: Proposal
    finance: Department


def _user(username, department, role):
    user = User.objects.create_user(username=username, password="pw-for-tests-only", department=department)
    user.groups.add(Group.objects.get(name=role))
    return user


def _decide(proposal, user, action, comment="Noted."):
    proposal.refresh_from_db()
    service = {
        Action.APPROVE: services.proposal_approve,
        Action.REQUEST_CHANGES: services.proposal_request_changes,
        Action.REJECT: services.proposal_reject,
    }[action]
    return service(proposal=proposal, user=user, comment=comment, seen_revision=proposal.revision)


def _edit(proposal, user, entry):
    proposal.refresh_from_db()
    return services.proposal_update(
        proposal=proposal, user=user, reason="Reworded", entry=entry, seen_revision=proposal.revision
    )


def build_history(clock: Clock) -> History:
    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    ada = _user("ada", it, roles.CONTRIBUTOR)
    maya = _user("maya", marketing, roles.CONTRIBUTOR)
    ivan = _user("ivan", it, roles.APPROVER)
    marco = _user("marco", marketing, roles.APPROVER)

    def entry(name, definitions, **fields):
        return Entry(name=name, definitions={d.pk: body for d, body in definitions.items() if body}, **fields)

    clock.at(1, 5)
    web = term_create(
        name="Web 2.0",
        user=ada,
        reason="Old word",
        fields={"status": Term.Status.DEPRECATED},
        definitions={it: "Sites people write in."},
    )

    clock.at(1, 10)
    api = services.proposal_create(
        author=ada, reason="Settle it", entry=entry("API", {it: API_IT, marketing: API_MARKETING})
    )
    clock.at(1, 12)
    _decide(api, ivan, Action.APPROVE)
    clock.at(1, 13)
    _decide(api, marco, Action.APPROVE)

    clock.at(2, 1)
    platform = services.proposal_create(
        author=ada,
        reason="Settle it",
        entry=entry("Platform", {it: PLATFORM_IT, marketing: "A system."}, tags=("Architecture",)),
    )
    clock.at(2, 3)
    _decide(platform, marco, Action.REQUEST_CHANGES, "Say what it is for.")
    clock.at(2, 5)
    _edit(platform, ada, entry("Platform", {it: PLATFORM_IT, marketing: PLATFORM_MARKETING}, tags=("Architecture",)))
    clock.at(2, 6)
    _decide(platform, ivan, Action.APPROVE)
    clock.at(2, 8)
    _decide(platform, marco, Action.APPROVE)

    clock.at(3, 20)
    lead = services.proposal_create(
        author=ada, reason="We need it", entry=entry("Lead", {it: "A row.", marketing: "A person."})
    )
    clock.at(3, 25)
    services.proposal_withdraw(proposal=lead, user=ada)

    api_term = Term.objects.get(name="API")
    clock.at(4, 1)
    api_change = services.proposal_create(
        author=maya,
        reason="Sharper",
        term=api_term,
        entry=replace(Entry.from_term(api_term), summary="How programs talk."),
    )
    clock.at(4, 2)
    _decide(api_change, ivan, Action.APPROVE)
    clock.at(4, 3)
    _edit(api_change, maya, replace(Entry.from_term(api_term), summary="How programs talk to each other."))

    clock.at(4, 10)
    finance = Department(name="Finance", slug="finance", position=30)
    save_with_history(finance, user=None, reason="Finance signs off too")
    fiona = _user("fiona", finance, roles.APPROVER)

    clock.at(4, 20)
    omnichannel = services.proposal_create(
        author=ada,
        reason="Settle it",
        entry=entry(
            "Omnichannel", {it: OMNICHANNEL_IT, marketing: OMNICHANNEL_MARKETING, finance: OMNICHANNEL_FINANCE}
        ),
    )
    clock.at(4, 21)
    _decide(omnichannel, ivan, Action.APPROVE)
    clock.at(4, 22)
    _decide(omnichannel, marco, Action.APPROVE)
    clock.at(4, 24)
    _decide(omnichannel, fiona, Action.APPROVE)

    clock.at(5, 1)
    conversion = services.proposal_create(
        author=ada, reason="Count it", entry=entry("Conversion", {it: "A state change.", marketing: "A sale."})
    )
    clock.at(5, 4)
    _decide(conversion, marco, Action.REJECT, "Not ours to define.")

    platform_term = Term.objects.get(name="Platform")
    clock.at(5, 10)
    platform_change = services.proposal_create(
        author=maya,
        reason="Sharper",
        term=platform_term,
        entry=replace(Entry.from_term(platform_term), summary="Where products are built."),
    )
    clock.at(5, 11, 21)
    _decide(platform_change, ivan, Action.REQUEST_CHANGES, "Name the tools.")

    clock.at(6, 12)
    budget = services.proposal_create(
        author=maya, reason="Plan it", entry=entry("Budget", {it: "Run cost.", marketing: "Media spend."})
    )
    clock.now = NOW
    return History(
        api=Term.objects.get(name="API"),
        platform=Term.objects.get(name="Platform"),
        omnichannel=Term.objects.get(name="Omnichannel"),
        web=web,
        api_change=api_change,
        platform_change=platform_change,
        budget=budget,
        finance=finance,
    )

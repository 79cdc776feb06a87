"""The small glossary Schemathesis works on (tests/glossary/api/test_api_schemathesis.py), made and read through
the real services in the app server's own environment and database:

    python -m tests.schemathesis_glossary seed         prints the callers' API tokens as JSON
    python -m tests.schemathesis_glossary out_of_date N  makes more of Ada's proposals out of date
    python -m tests.schemathesis_glossary outcomes     prints what the run did to the proposals
"""

import json
import sys


def _out_of_date(terms) -> None:
    """Ada's changes to the owner of each term wait while another change to it is published: out of
    date, to be rebased."""
    from dataclasses import replace

    from accounts.models import User
    from glossary.entries import Entry
    from glossary.services import proposals

    ada, ivan, marco = (User.objects.get(username=name) for name in ("ada", "ivan", "marco"))
    for term in terms:
        for owner in ("Digital", "Platform team", "Data office"):
            entry = replace(Entry.from_term(term), owner=owner)
            proposals.proposal_create(author=ada, reason="Say who owns it.", entry=entry, term=term)
        entry = replace(Entry.from_term(term), summary=f"{term.name}, in one line.")
        published = proposals.proposal_create(author=ada, reason="A shorter summary.", entry=entry, term=term)
        for approver in (ivan, marco):
            published.refresh_from_db()
            published = proposals.proposal_approve(
                proposal=published,
                user=approver,
                comment="",
                seen_revision=published.revision,
            )


def out_of_date_state() -> dict[str, str]:
    """The slugs and open proposals that exist (GLOSSARY_STATE, for the stateful run), out-of-date
    proposals first."""
    from accounts.models import Department
    from glossary.models import Proposal, Tag, Term

    open_proposals = Proposal.objects.filter(state__in=Proposal.OPEN_STATES)
    out_of_date_first = [
        *open_proposals.filter(state=Proposal.State.OUT_OF_DATE).order_by("pk").values_list("pk", flat=True),
        *open_proposals.exclude(state=Proposal.State.OUT_OF_DATE).order_by("pk").values_list("pk", flat=True),
    ]
    state = {
        "terms": list(Term.objects.order_by("slug").values_list("slug", flat=True)),
        "tags": {
            "names": list(Tag.objects.values_list("name", flat=True)),
            "slugs": list(Tag.objects.values_list("slug", flat=True)),
        },
        "departments": list(Department.objects.filter(is_active=True).values_list("slug", flat=True)),
        "proposals": out_of_date_first,
    }
    return {"GLOSSARY_STATE": json.dumps(state)}


# Each stateful run's own terms, never seen before it: the ones before may have decided them.
FRESH_TERMS = (
    (
        ("Platform", "Shared infrastructure.", "Where customers meet us."),
        ("Agile", "Iterative delivery.", "Quick to react."),
        ("Organic search", "Unpaid crawler traffic.", "Visitors we did not pay for."),
    ),
    (
        ("Digital product", "Software we run.", "What we sell online."),
        ("Conversion", "A schema change.", "A visitor who buys."),
        ("Engagement", "Sessions per user.", "How much people care."),
    ),
    (
        ("Pipeline", "Build and deploy steps.", "Deals on their way."),
        ("Campaign", "A batch job.", "A push to a market."),
        ("Dashboard", "Service health at a glance.", "Our numbers this week."),
    ),
)


def out_of_date(run: int = 0) -> dict[str, str]:
    """Terms the unit phases and the stateful runs before never saw, with out-of-date proposals (the
    unit phases may have withdrawn or rebased the seeded ones), and the state as it now stands."""
    from accounts.models import Department, User
    from glossary.models import Term
    from glossary.services.terms import term_create

    ada = User.objects.get(username="ada")
    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    _out_of_date(
        [
            term_create(
                name=name,
                user=ada,
                reason="Seeded",
                fields={"status": Term.Status.APPROVED},
                definitions={it: it_text, marketing: marketing_text},
                tags=[],
            )
            for name, it_text, marketing_text in FRESH_TERMS[run]
        ]
    )
    return out_of_date_state()


def seed() -> dict[str, str]:
    """Terms with tags and versions, a contributor (Ada, IT) and an approver for each signing
    department (Ivan, IT; Marco, Marketing), Ada's proposals in review and out of date, a watch;
    the three callers' API tokens, and the slugs that exist (GLOSSARY_STATE, for the stateful run)."""
    from dataclasses import replace

    from django.contrib.auth.models import Group

    from accounts import roles
    from accounts.models import Department, User
    from accounts.services import api_token_create
    from glossary.entries import Entry
    from glossary.models import Term
    from glossary.services import proposals
    from glossary.services.terms import tags_from_names, term_create
    from glossary.services.watching import watch_set

    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")

    def person(username: str, department, role: str) -> User:
        user = User.objects.create_user(
            username=username, password="pw-for-tests-only", department=department, first_name=username.title()
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    ada, ivan, marco = (
        person("ada", it, roles.CONTRIBUTOR),
        person("ivan", it, roles.APPROVER),
        person("marco", marketing, roles.APPROVER),
    )
    terms = {}
    for name, tags, it_text, marketing_text in (
        ("API", ["Architecture", "Data"], "A contract between programs.", "What connects our tools."),
        ("Omnichannel", ["Customer experience"], "Integrated systems.", "One experience everywhere."),
        ("Lead", [], "A CRM record.", "A prospect."),
        ("Firewall", ["Architecture"], "A filter on network traffic.", ""),
    ):
        definitions = {it: it_text, **({marketing: marketing_text} if marketing_text else {})}
        terms[name] = term_create(
            name=name,
            user=ada,
            reason="Seeded",
            fields={"status": Term.Status.APPROVED},
            definitions=definitions,
            tags=tags_from_names(tags, user=ada),
        )

    _out_of_date([terms["Omnichannel"], terms["API"]])
    # In review: new terms and changes, for the approvers' queues.
    for name, it_text, marketing_text in (
        ("Churn", "Accounts closed.", "Customers lost."),
        ("Funnel", "Stages in the CRM.", "The path to a sale."),
        ("Persona", "A user archetype.", "A customer we picture."),
    ):
        proposals.proposal_create(
            author=ada,
            reason="We keep saying it.",
            entry=Entry(name=name, definitions={it.pk: it_text, marketing.pk: marketing_text}),
        )
    for term, owner in ((terms["Lead"], "Sales"), (terms["Firewall"], "Network team")):
        proposals.proposal_create(
            author=ada, reason="Name who keeps it.", entry=replace(Entry.from_term(term), owner=owner), term=term
        )
    watch_set(user=ada, delivery="daily", term=terms["API"])
    return {
        **{
            name: api_token_create(user=user, name="Schemathesis")[1]
            for name, user in (("CONTRIBUTOR_TOKEN", ada), ("IT_TOKEN", ivan), ("MARKETING_TOKEN", marco))
        },
        **out_of_date_state(),
    }


def outcomes() -> dict[str, int]:
    """What happened to proposals during the run: sign-offs of each decision, proposals rebased
    onto a newer version, withdrawn, published."""
    from glossary.models import Proposal, SignOff

    rebased = Proposal.history.filter(history_change_reason__startswith="Updated onto version")
    return {
        **{decision: SignOff.objects.filter(decision=decision).count() for decision in SignOff.Decision.values},
        "rebased": rebased.values("id").distinct().count(),
        "withdrawn": Proposal.objects.filter(state=Proposal.State.WITHDRAWN).count(),
        "published": Proposal.objects.filter(state=Proposal.State.PUBLISHED).count(),
        "proposals": Proposal.objects.count(),
    }


if __name__ == "__main__":
    import django

    django.setup()
    command, *arguments = sys.argv[1:]
    print(json.dumps({"seed": seed, "out_of_date": out_of_date, "outcomes": outcomes}[command](*map(int, arguments))))

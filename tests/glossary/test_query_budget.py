"""Every page costs the same few queries however big the glossary and its history grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from glossary.entries import Entry
from glossary.models import Term
from glossary.services import proposals as services
from glossary.services.terms import term_save
from tests.workflow_helpers import approve, new_term_entry

BUDGET = 8


def grow(size, *, make_term, ada, ivan, marco, maya, it, marketing):
    """A glossary of `size` terms with three versions each, links, tags and open proposals."""
    terms = list(Term.objects.order_by("pk"))
    for n in range(len(terms), size):
        term = make_term(
            f"Term {n:03}",
            it_text=f"IT words {n}.",
            marketing_text=f"Marketing words {n}.",
            tags=["Data", f"Tag {n % 3}"],
        )
        term_save(term=term, user=ada, reason="Second", fields={"summary": f"Shared {n}."}, related_terms=terms[-2:])
        term_save(term=term, user=ada, reason="Third", fields={"abbreviation": f"T{n}"})
        terms.append(term)
    proposal = services.proposal_create(
        author=maya,
        reason="Change",
        term=terms[0],
        entry=Entry(**{**Entry.from_term(terms[0]).__dict__, "summary": f"New {size}"}),
    )
    services.proposal_comment(proposal=proposal, user=ada, body="Looks right")
    published = services.proposal_create(
        author=ada, reason="New", entry=new_term_entry(it, marketing, name=f"Published {size}")
    )
    approve(published, ivan)
    approve(published, marco)
    return terms[0], proposal, Term.objects.get(name=f"Published {size}")


def page_queries(client, url) -> int:
    """Queries for one page in steady state (caches already warm from a first visit)."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def urls_for(term, proposal, published):
    return {
        "home": reverse("glossary:term_list"),
        "home page 2": reverse("glossary:term_list") + "?page=2",
        "letter": reverse("glossary:term_list") + "?letter=T",
        "search": reverse("glossary:term_list") + "?q=words",
        "term": term.get_absolute_url(),
        "approved term": published.get_absolute_url(),
        "history": reverse("glossary:term_history", args=[term.slug]),
        "proposal": proposal.get_absolute_url(),
        "queue": reverse("glossary:sign_off_queue"),
        "mine": reverse("glossary:my_proposals"),
    }


@pytest.mark.slow
def test_every_page_stays_within_the_query_budget_at_two_sizes(
    client, settings, make_term, ada, ivan, marco, maya, it, marketing
):
    settings.GLOSSARY_PAGE_SIZE = 5
    people = {
        "make_term": make_term,
        "ada": ada,
        "ivan": ivan,
        "marco": marco,
        "maya": maya,
        "it": it,
        "marketing": marketing,
    }
    client.force_login(ivan)  # an approver: the navigation asks the most for them
    small_counts = {name: page_queries(client, url) for name, url in urls_for(*grow(8, **people)).items()}
    large_counts = {name: page_queries(client, url) for name, url in urls_for(*grow(40, **people)).items()}
    assert large_counts == small_counts, "query counts must not grow with the glossary"
    over = {name: count for name, count in large_counts.items() if count > BUDGET}
    assert not over, f"pages over the budget of {BUDGET} queries: {over}"

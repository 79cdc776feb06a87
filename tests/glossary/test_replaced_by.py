"""A deprecation can name the term to use instead; once every department approves, the deprecated
term points people on: its page, search results, the API and SKOS."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from glossary.models import Proposal, Term
from glossary.services import proposals as services
from tests.workflow_helpers import approve, login, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_and_successor(make_term):
    old = make_term("Web 2.0", it_text="Old web.", marketing_text="Social web.", status=Term.Status.APPROVED)
    new = make_term(
        "Social media", it_text="Platforms.", marketing_text="Where we talk to people.", status=Term.Status.APPROVED
    )
    return old, new


def deprecate(client, term, **data):
    return client.post(
        reverse("glossary:term_propose_deprecation", args=[term.slug]), {"reason": "Nobody says it.", **data}
    )


def test_a_deprecation_names_the_term_to_use_and_publishing_points_to_it(client, ada, ivan, marco, web_and_successor):
    old, new = web_and_successor
    login(client, ada)
    response = deprecate(client, old, replaced_by="social MEDIA")
    assert response.status_code == 302
    proposal = Proposal.objects.get(kind=Proposal.Kind.DEPRECATE)
    assert proposal.replaced_by == new
    assert "send people to" in client.get(proposal.get_absolute_url()).content.decode()
    approve(proposal, ivan)
    approve(proposal, marco)
    old.refresh_from_db()
    assert (old.status, old.replaced_by) == (Term.Status.DEPRECATED, new)

    page = client.get(old.get_absolute_url()).content.decode()
    assert f'use <a href="{new.get_absolute_url()}">Social media</a> instead' in page
    results = client.get("/", {"q": "Web 2.0"}).content.decode()
    assert f'Use <a href="{new.get_absolute_url()}">Social media</a> instead' in results
    listed = client.get("/", {"status": "deprecated"}).content.decode()
    assert f'Use <a href="{new.get_absolute_url()}">Social media</a> instead' in listed
    api = client.get(f"/api/v1/terms/{old.slug}").json()
    assert api["replaced_by"]["slug"] == new.slug
    api_list = client.get("/api/v1/terms", {"status": "deprecated"}).json()
    assert [t["replaced_by"]["slug"] for t in api_list["results"]] == [new.slug]
    graph = Graph().parse(
        data=client.get("/export/glossary.ttl", {"status": "deprecated"}).content.decode(), format="turtle"
    )
    site = "http://127.0.0.1:8000"
    assert (URIRef(f"{site}/terms/{old.slug}/"), DCTERMS.isReplacedBy, URIRef(f"{site}/terms/{new.slug}/")) in graph


@pytest.mark.parametrize(
    "name, message",
    [("Nothing like it", "No term is called"), ("Web 2.0", "cannot replace itself")],
)
def test_a_replacement_that_does_not_exist_or_is_the_term_itself_is_refused_at_the_field(
    client, ada, web_and_successor, name, message
):
    old, _ = web_and_successor
    login(client, ada)
    before = snapshot()
    response = deprecate(client, old, replaced_by=name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'id="id_replaced_by_error"' in page
    assert snapshot() == before


def test_a_deprecated_term_cannot_be_the_replacement(ada, web_and_successor, make_term):
    old, _ = web_and_successor
    gone = make_term("Cyberspace", it_text="Old.", status=Term.Status.DEPRECATED)
    with pytest.raises(ValidationError, match="deprecated too"):
        _deprecate(ada, old, gone)


def _deprecate(ada, old, replacement):
    from dataclasses import replace

    from glossary.entries import Entry

    entry = replace(Entry.from_term(old), status=Term.Status.DEPRECATED)
    return services.proposal_create(
        author=ada, reason="x", entry=entry, term=old, kind=Proposal.Kind.DEPRECATE, replaced_by=replacement
    )


def test_bringing_a_term_back_clears_where_it_pointed(ada, ivan, marco, web_and_successor):
    from dataclasses import replace

    from glossary.entries import Entry

    old, new = web_and_successor
    for proposal in (_deprecate(ada, old, new),):
        approve(proposal, ivan)
        approve(proposal, marco)
    old.refresh_from_db()
    back = services.proposal_create(
        author=ada, reason="It is back", entry=replace(Entry.from_term(old), status=Term.Status.APPROVED), term=old
    )
    approve(back, ivan)
    approve(back, marco)
    old.refresh_from_db()
    assert (old.status, old.replaced_by) == (Term.Status.APPROVED, None)


def test_the_api_takes_the_replacement_by_slug(client, ada, web_and_successor):
    from accounts.services import api_token_create

    old, new = web_and_successor
    _, secret = api_token_create(user=ada, name="Script")
    headers = {"Authorization": f"Bearer {secret}"}
    made = client.post(
        "/api/v1/proposals",
        {"kind": "deprecate", "term": old.slug, "reason": "Gone.", "replaced_by": new.slug},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["replaced_by"]["slug"] == new.slug
    wrong = client.post(
        "/api/v1/proposals",
        {"kind": "deprecate", "term": new.slug, "reason": "Gone.", "replaced_by": "nope"},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "body.replaced_by"


def test_a_skos_file_can_deprecate_a_term_and_name_its_replacement(client, admin_user, web_and_successor, settings):
    from glossary.interchange.imports import glossary_import

    settings.SITE_URL = "http://127.0.0.1:8000"
    old, new = web_and_successor
    client.force_login(admin_user)
    turtle = client.get("/export/glossary.ttl").content.decode()
    concept = f"<http://127.0.0.1:8000/terms/{old.slug}/>"
    turtle += (
        f"\n{concept} <http://www.w3.org/2002/07/owl#deprecated> true ;"
        f" <http://purl.org/dc/terms/isReplacedBy> <http://127.0.0.1:8000/terms/{new.slug}/> .\n"
    )
    report = glossary_import(filename="g.ttl", data=turtle.encode(), user=admin_user, dry_run=False)
    assert report.ok, [(r.number, r.errors) for r in report.row_errors]
    proposal = Proposal.objects.get(kind=Proposal.Kind.DEPRECATE)
    assert (proposal.term, proposal.replaced_by) == (old, new)


@pytest.fixture
def web_replaced(web_and_successor):
    """Web 2.0 deprecated, pointing to Social media (as a published deprecation leaves it)."""
    old, new = web_and_successor
    Term.objects.filter(pk=old.pk).update(status=Term.Status.DEPRECATED, replaced_by=new)
    old.refresh_from_db()
    return old, new


def test_an_imported_change_to_a_term_the_file_keeps_deprecated_leaves_it_deprecated_and_pointing_onward(
    admin_user, ivan, marco, web_replaced
):
    from glossary.interchange.imports import glossary_import

    old, new = web_replaced
    data = "name,definition:it,definition:marketing,status\nWeb 2.0,The old web.,Social web.,deprecated\n"
    report = glossary_import(filename="g.csv", data=data.encode(), user=admin_user, dry_run=False)
    assert report.ok and [(c.name, c.action) for c in report.changes] == [("Web 2.0", "change")]
    proposal = report.changes[0].proposal
    assert (proposal.kind, proposal.replaced_by) == (Proposal.Kind.DEPRECATE, new)
    approve(proposal, ivan)
    approve(proposal, marco)
    old.refresh_from_db()
    assert (old.status, old.replaced_by, old.definitions.get(department__slug="it").text) == (
        Term.Status.DEPRECATED,
        new,
        "The old web.",
    )


def _skos_deprecating(client, old, replacement_slug) -> bytes:
    turtle = client.get("/export/glossary.ttl", {"status": "deprecated"}).content.decode()
    replaced = "<http://purl.org/dc/terms/isReplacedBy>"
    lines = [line for line in turtle.splitlines() if "isReplacedBy" not in line]
    return (
        "\n".join(lines) + f"\n<http://127.0.0.1:8000/terms/{old.slug}/> {replaced} "
        f"<http://127.0.0.1:8000/terms/{replacement_slug}/> .\n"
    ).encode()


def test_a_skos_file_can_name_another_replacement_for_a_deprecated_term(
    client, admin_user, ivan, marco, web_replaced, make_term, settings
):
    from glossary.interchange.imports import glossary_import

    settings.SITE_URL = "http://127.0.0.1:8000"
    old, _ = web_replaced
    wiki = make_term("Wiki", it_text="Pages anyone edits.", status=Term.Status.APPROVED)
    client.force_login(admin_user)
    report = glossary_import(
        filename="g.ttl", data=_skos_deprecating(client, old, wiki.slug), user=admin_user, dry_run=False
    )
    assert report.ok, [(r.number, r.errors) for r in report.row_errors]
    assert [(c.name, c.action) for c in report.changes] == [("Web 2.0", "change")]
    approve(report.changes[0].proposal, ivan)
    approve(report.changes[0].proposal, marco)
    old.refresh_from_db()
    assert (old.status, old.replaced_by) == (Term.Status.DEPRECATED, wiki)


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("replacement, says", [("web-20", "names itself"), ("gopher", "deprecated too")])
def test_a_skos_replacement_that_cannot_be_is_refused_for_its_concept(
    client, admin_user, web_replaced, make_term, settings, replacement, says, dry_run
):
    from glossary.interchange.imports import glossary_import

    settings.SITE_URL = "http://127.0.0.1:8000"
    old, _ = web_replaced
    make_term("Gopher", it_text="Menus of files.", status=Term.Status.DEPRECATED)
    client.force_login(admin_user)
    data = _skos_deprecating(client, old, replacement)
    before = snapshot()
    report = glossary_import(filename="g.ttl", data=data, user=admin_user, dry_run=dry_run)
    assert not report.ok and report.changes == []
    assert says in " ".join(e for r in report.row_errors for e in r.errors)
    assert snapshot() == before

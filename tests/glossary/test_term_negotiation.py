"""A term's address, asked by browsers and by RDF clients: the representation each asks for, who may
read it (a session, an open glossary, or the API's read token), and revalidation by ETag and
Last-Modified, which never tells someone who may not read a term that it has not changed."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date, parse_http_date
from hypothesis import example, given
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from accounts import roles
from accounts.services import api_token_create, api_token_revoke
from glossary.models import Tag
from glossary.negotiation import preferred_representation
from glossary.services.proposals import proposal_create
from glossary.services.terms import term_save
from glossary.services.watching import watch_set
from glossary.views.terms import TERM_REPRESENTATIONS
from tests.workflow_helpers import login, new_term_entry

SITE = "http://127.0.0.1:8000"
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
# What browsers send when they open a page.
BROWSERS = [
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",  # Chrome
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # Firefox, Safari
]


@pytest.fixture
def api(make_term, site):
    return make_term("API", it_text="An interface for programs.", marketing_text="How partners connect.", tags=["Tech"])


pytestmark = pytest.mark.django_db


def address(slug="api"):
    return reverse("glossary:term_detail", args=[slug])


def concepts(response, parser) -> set:
    return set(
        Graph().parse(data=response.content.decode(), format=parser).subjects(predicate=None, object=SKOS.Concept)
    )


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


# Which representation.


@pytest.mark.parametrize(
    "accept, media_type, parser",
    [
        ("text/turtle; charset=utf-8", "text/turtle", "turtle"),
        ("text/turtle;charset=UTF-8;q=0.9", "text/turtle", "turtle"),
        ("TEXT/Turtle", "text/turtle", "turtle"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json", "json-ld"),
        ("application/rdf+xml;q=0.9, text/turtle", "text/turtle", "turtle"),
        ("text/html;q=0.5, application/rdf+xml", "application/rdf+xml", "xml"),
        # Apache Jena's RDF reader.
        (
            "text/turtle,application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/rdf+xml;q=0.9,"
            "text/rdf+n3;q=0.8,application/n-triples;q=0.8,*/*;q=0.3",
            "text/turtle",
            "turtle",
        ),
        # rdflib's, when it reads an address: two formats it likes alike, so ours decides.
        (
            "application/rdf+xml, text/rdf+xml, text/xml;q=0.9, text/n3, text/turtle, application/n-triples, "
            "application/ld+json;q=0.8, */*;q=0.1",
            "text/turtle",
            "turtle",
        ),
        ("text/turtle, */*", "text/turtle", "turtle"),
    ],
)
def test_an_rdf_client_gets_rdf_whatever_parameters_and_weights_its_accept_header_carries(
    reader_client, api, accept, media_type, parser
):
    response = reader_client.get(address(), headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response["Vary"]
    assert concepts(response, parser) == {URIRef(f"{SITE}/terms/api/")}


def test_json_ld_asked_for_in_expanded_form_comes_expanded(reader_client, api):
    response = reader_client.get(address(), headers={"Accept": f'application/ld+json; profile="{EXPANDED}"'})
    assert response["Content-Type"] == f'application/ld+json; profile="{EXPANDED}"'
    document = json.loads(response.content)
    # Expanded form: no context, every property an absolute IRI, every value in a list.
    assert isinstance(document, list) and all("@context" not in node for node in document)
    for node in document:
        for key, value in node.items():
            assert key.startswith(("@", "http://", "https://")), key
            assert key == "@id" or isinstance(value, list), key
    compacted = reader_client.get(address(), headers={"Accept": "application/ld+json"})
    assert "@context" in json.loads(compacted.content)
    assert (
        Graph()
        .parse(data=response.content, format="json-ld")
        .isomorphic(Graph().parse(data=compacted.content, format="json-ld"))
    )


@pytest.mark.parametrize(
    "accept",
    [
        *BROWSERS,
        "*/*",
        "",
        "text/*",
        "image/png",
        "text/turtle;q=0",
        "text/turtle;q=0, */*",
        "text/turtle; charset=iso-8859-1",
        "text/html, text/turtle",
        "*/turtle",
        ";;;, =, /, text/",
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#flattened";q=0.5, text/html',
    ],
)
def test_browsers_and_clients_that_ask_for_no_rdf_we_have_get_the_page(reader_client, api, accept):
    response = reader_client.get(address(), headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


# What an Accept header can hold, read from a header as HTTP carries it (Latin-1).
ACCEPT_TEXT = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=300)


@given(
    accept=st.one_of(
        ACCEPT_TEXT,
        st.lists(
            st.sampled_from(
                [
                    "text/turtle",
                    "*/*",
                    "text/*",
                    ";q=",
                    "q=0.5",
                    ";charset=",
                    "utf-8",
                    '"',
                    ";profile=",
                    ",",
                    " ",
                    "=",
                    "/",
                ]
            ),
            max_size=12,
        ).map("".join),
    )
)
@example(accept='application/ld+json;profile="a b";q=1.5, */*;q=-1, text/turtle;q=0.0001')
def test_any_accept_header_picks_one_of_the_representations_offered(accept):
    assert preferred_representation(accept, TERM_REPRESENTATIONS) in TERM_REPRESENTATIONS


# Who may read it: in a private glossary (the default), an RDF client brings the API's read token.


def test_an_rdf_client_with_an_api_token_reads_a_term_of_a_private_glossary(api, ada):
    _, secret = api_token_create(user=ada, name="Linked data", read_only=True)
    response = Client().get(address(), headers={"Accept": "text/turtle", **bearer(secret)})
    assert response.status_code == 200
    assert concepts(response, "turtle") == {URIRef(f"{SITE}/terms/api/")}
    assert "private" in response["Cache-Control"]


def test_an_rdf_request_without_a_valid_token_is_told_401_with_www_authenticate_not_sent_to_log_in(api, ada, settings):
    token, secret = api_token_create(user=ada, name="Linked data")
    for no_token in ({}, {"Authorization": "Basic YWRhOnB3LWZvci10ZXN0cy1vbmx5"}):
        none = Client().get(address(), headers={"Accept": "text/turtle", **no_token})
        assert none.status_code == 401
        assert none["WWW-Authenticate"] == 'Bearer realm="glossary"'
        assert none["Content-Type"] == "application/problem+json"
    api_token_revoke(user=ada, token_id=token.pk)
    for wrong in (secret, "cg_made-up", ""):
        refused = Client().get(address(), headers={"Accept": "application/ld+json", **bearer(wrong)})
        assert refused.status_code == 401, wrong
        assert (
            refused["WWW-Authenticate"] == 'Bearer realm="glossary", error="invalid_token"'
            and "Location" not in refused
        )
    # Where reading is open a token is not needed, but one that is not valid is still refused, as
    # the API refuses it, so a client hears that its token broke.
    settings.GLOSSARY_PUBLIC_READ = True
    assert Client().get(address(), headers={"Accept": "text/turtle"}).status_code == 200
    assert Client().get(address(), headers={"Accept": "text/turtle", **bearer("cg_made-up")}).status_code == 401


def test_a_browser_on_a_private_glossary_is_still_sent_to_the_log_in_page(api):
    for accept in BROWSERS:
        response = Client().get(address(), headers={"Accept": accept})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_wrong_tokens_at_a_terms_address_count_towards_the_apis_limit(api, ada, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 2
    _, secret = api_token_create(user=ada, name="Linked data")
    client = Client()
    for _ in range(2):
        assert client.get(address(), headers={"Accept": "text/turtle", **bearer("cg_wrong")}).status_code == 401
    stopped = client.get(address(), headers={"Accept": "text/turtle", **bearer(secret)})
    assert stopped.status_code == 429 and int(stopped["Retry-After"]) > 0


# Revalidation.


def revalidate(client, response, **headers):
    return client.get(address(), headers={"If-None-Match": response["ETag"], **headers})


def test_a_term_page_answers_304_to_its_etag_until_something_it_shows_changes(
    client, api, ada, ivan, marco, it, marketing
):
    login(client, ada)
    first = client.get(address())
    assert first["ETag"].startswith('W/"')
    unchanged = revalidate(client, first)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"] and "Accept" in unchanged["Vary"]

    def changes_the_page(change):
        before = client.get(address())
        change()
        after = revalidate(client, before)
        assert after.status_code == 200, change.__doc__
        assert after["ETag"] != before["ETag"], change.__doc__
        assert revalidate(client, after).status_code == 304, change.__doc__

    def the_definition():
        """A department's definition changes."""
        term_save(term=api, user=ada, reason="Clearer", definitions={it: "An interface programs call."})

    def the_tag():
        """Its tag is renamed."""
        tag = Tag.objects.get(name="Tech")
        tag.name = "Technology"
        tag.save()

    def a_proposal():
        """Someone proposes a change to it (the page shows it in review)."""
        proposal_create(author=ada, reason="Shorter", entry=new_term_entry(it, marketing, name="API"), term=api)

    def the_watch():
        """The user starts watching it."""
        watch_set(user=ada, delivery="daily", term=api)

    def the_role():
        """The user becomes an approver (no version is written: the navigation changes)."""
        ada.groups.add(Group.objects.get(name=roles.APPROVER))

    def the_session():
        """The user logs in again (a new CSRF secret for the page's forms)."""
        client.logout()
        login(client, ada)

    for change in (the_definition, the_tag, a_proposal, the_watch, the_role, the_session):
        changes_the_page(change)


def test_a_page_showing_a_message_has_no_etag_so_the_message_is_not_shown_again(client, api, ada):
    login(client, ada)
    watched = client.post(
        reverse("glossary:my_watches"), {"term": "api", "delivery": "daily", "next": address()}, follow=True
    )
    assert "You watch" in watched.content.decode()
    assert "ETag" not in watched
    assert client.get(address())["ETag"]


def test_a_signed_in_readers_page_has_another_etag_than_the_public_page(client, api, ada, maya, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    public = Client().get(address())
    login(client, ada)
    signed_in = client.get(address())
    assert 'class="nav-user"' in signed_in.content.decode() and 'class="nav-user"' not in public.content.decode()
    assert signed_in["ETag"] != public["ETag"]
    assert revalidate(client, public).status_code == 200
    assert revalidate(Client(), signed_in).status_code == 200
    other = Client()
    login(other, maya)
    assert revalidate(other, signed_in).status_code == 200
    assert revalidate(Client(), public).status_code == 304


def test_a_private_terms_304_is_never_given_to_someone_who_may_not_read_it(client, api, ada):
    login(client, ada)
    page = client.get(address())
    _, secret = api_token_create(user=ada, name="Linked data")
    rdf = Client().get(address(), headers={"Accept": "text/turtle", **bearer(secret)})
    assert rdf.status_code == 200 and rdf["ETag"] and rdf["Last-Modified"]
    assert revalidate(Client(), page).status_code == 302
    stranger = revalidate(Client(), rdf, Accept="text/turtle", If_Modified_Since=rdf["Last-Modified"])
    assert stranger.status_code == 401
    assert revalidate(Client(), rdf, Accept="text/turtle", **bearer("cg_made-up")).status_code == 401
    assert revalidate(Client(), rdf, Accept="text/turtle", **bearer(secret)).status_code == 304


def test_term_rdf_answers_304_to_its_etag_or_date_until_the_glossary_changes(reader_client, api, ada):
    turtle = reader_client.get(address(), headers={"Accept": "text/turtle"})
    assert turtle["ETag"].startswith('W/"') and "no-cache" in turtle["Cache-Control"]
    again = revalidate(reader_client, turtle, Accept="text/turtle")
    assert (
        again.status_code == 304
        and again["ETag"] == turtle["ETag"]
        and again["Last-Modified"] == turtle["Last-Modified"]
    )
    dated = reader_client.get(
        address(), headers={"Accept": "text/turtle", "If-Modified-Since": turtle["Last-Modified"]}
    )
    assert dated.status_code == 304
    # Each representation has its own tag: a cache holding one must not take another for it.
    json_ld = reader_client.get(address(), headers={"Accept": "application/ld+json"})
    page = reader_client.get(address())
    assert len({turtle["ETag"], json_ld["ETag"], page["ETag"]}) == 3
    assert revalidate(reader_client, turtle, Accept="application/ld+json").status_code == 200

    term_save(term=api, user=ada, reason="Clearer", fields={"summary": "Programs talk through it."})
    changed = revalidate(reader_client, turtle, Accept="text/turtle", If_Modified_Since=turtle["Last-Modified"])
    assert changed.status_code == 200 and changed["ETag"] != turtle["ETag"]
    assert parse_http_date(changed["Last-Modified"]) >= parse_http_date(turtle["Last-Modified"])


def test_a_term_that_is_not_there_is_a_404_whatever_validators_come_with_the_request(reader_client, api):
    turtle = reader_client.get(address(), headers={"Accept": "text/turtle"})
    for headers in (
        {"If-None-Match": turtle["ETag"]},
        {"If-Modified-Since": http_date(4_000_000_000)},
        {"If-None-Match": "*"},
    ):
        for accept in ("text/turtle", "text/html"):
            assert reader_client.get(address("nothing-here"), headers={"Accept": accept, **headers}).status_code == 404

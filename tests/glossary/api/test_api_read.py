"""Reading the glossary through the API: /api/v1/ answers what the pages show, as JSON."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from glossary.api import api
from glossary.entries import CONTENT
from glossary.models import Term
from glossary.services.terms import term_save
from tests.workflow_helpers import approve

pytestmark = pytest.mark.django_db

CHECKED_IN_SCHEMA = Path(__file__).resolve().parents[3] / "glossary" / "api" / "openapi.json"


def get(client, address, **headers):
    return client.get(f"/api/v1{address}", headers=headers)


def test_reading_needs_a_login_and_says_so_as_a_problem(client, glossary_to_search):
    response = get(client, "/terms")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_an_open_glossary_is_readable_without_a_login(client, glossary_to_search, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    assert get(client, "/terms").json()["count"] == 4


def test_a_term_carries_every_declared_field_and_each_departments_definition(reader_client, glossary_to_export, it):
    api_term = get(reader_client, "/terms/api").json()
    assert {f.export_name for f in CONTENT} <= api_term.keys()
    it_definition = next(d for d in api_term["definitions"] if d["department"] == it.slug)
    assert it_definition["text"]["markdown"].startswith("A contract between programs:")
    assert "<li>endpoints</li>" in it_definition["text"]["html"]
    assert api_term["synonyms"] == ["application programming interface"]
    assert api_term["tags"] == ["Architecture", "Data"]
    assert [r["slug"] for r in api_term["related_terms"]] == ["omnichannel"]
    assert api_term["related_terms"][0]["url"].endswith("/api/v1/terms/omnichannel")
    assert api_term["summary"]["markdown"] == "A documented way for software to talk."
    assert api_term["url"].endswith("/terms/api/")


def test_a_definition_is_sanitised_html_beside_its_markdown(reader_client, make_term):
    make_term("Script", it_text="<script>alert(1)</script> and [x](javascript:alert(1))")
    html = get(reader_client, "/terms/script").json()["definitions"][0]["text"]["html"]
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, as on the term page


def test_a_published_term_names_who_approved_it_for_each_department(reader_client, proposal, ivan, marco):
    approve(proposal, ivan)
    approve(proposal, marco)
    approvals = get(reader_client, "/terms/omnichannel").json()["approved_by"]
    assert [(a["department"], a["approver"]) for a in approvals] == [
        ("it", ivan.get_full_name()),
        ("marketing", marco.get_full_name()),
    ]


def test_the_list_filters_like_the_home_page(reader_client, glossary_in_every_status):
    def names(query):
        return [t["name"] for t in get(reader_client, f"/terms?{query}").json()["results"]]

    assert names("status=approved") == ["API", "Omnichannel"]
    assert names("tag=customer-experience") == ["Omnichannel"]
    assert names("letter=W") == ["Web 2.0"]
    assert names("missing=marketing") == ["Web 2.0"]
    assert names("q=touchpoint") == ["Omnichannel"]


def test_search_ranks_as_the_site_does(reader_client, glossary_to_search):
    results = get(reader_client, "/terms?q=KPI").json()["results"]
    assert results[0]["name"] == "Key performance indicator"


def test_updated_since_lists_only_terms_changed_from_then(reader_client, glossary_in_every_status, ada):
    omnichannel = Term.objects.get(name="Omnichannel")
    later = Term.objects.order_by("-updated_at").first().updated_at
    term_save(term=omnichannel, user=ada, reason="Touch", fields={"abbreviation": "OC"})
    since = later.isoformat().replace("+00:00", "Z")
    names = [t["name"] for t in get(reader_client, f"/terms?updated_since={since}").json()["results"]]
    assert "Omnichannel" in names and "API" not in names


def test_pages_link_to_each_other_and_a_page_past_the_end_is_a_clear_404(reader_client, glossary_to_search):
    first = get(reader_client, "/terms?page_size=3").json()
    assert (first["count"], first["pages"], first["previous"]) == (4, 2, None)
    second = reader_client.get(first["next"]).json()
    assert [t["name"] for t in second["results"]] == ["Organic search"]
    assert second["next"] is None and second["previous"].endswith("page=1")
    beyond = get(reader_client, "/terms?page=3&page_size=3")
    assert beyond.status_code == 404
    assert "there are 2" in beyond.json()["detail"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "query.page"),
        ("page=abc", "query.page"),
        ("page_size=1000", "query.page_size"),
        ("status=weird", "query.status"),
        ("letter=%C3%84", "query.letter"),
        ("tag=no-such-tag", "query.tag"),
        ("missing=nowhere", "query.missing"),
        ("updated_since=yesterday", "query.updated_since"),
        ("q=%00", "query.q"),
        ("q=" + "x" * 201, "query.q"),
    ],
)
def test_bad_filters_get_a_problem_naming_the_field(reader_client, glossary_to_search, query, field):
    response = get(reader_client, f"/terms?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


def test_an_unknown_term_or_version_is_a_404_problem(reader_client, glossary_to_search):
    assert get(reader_client, "/terms/nothing-here").status_code == 404
    missing_version = get(reader_client, "/terms/firewall/versions/7")
    assert missing_version.status_code == 404
    assert "current version is 1" in missing_version.json()["detail"]


def test_versions_and_the_diff_between_two_of_them(reader_client, make_term, ada):
    term = make_term("Cloud", it_text="Rented servers.")
    term_save(
        term=term,
        user=ada,
        reason="Be precise",
        definitions={term.definitions.get().department: "Rented virtual servers."},
    )
    versions = get(reader_client, "/terms/cloud/versions").json()
    assert [(v["number"], v["reason"]) for v in versions] == [(2, "Be precise"), (1, "Test term")]
    first = get(reader_client, "/terms/cloud/versions/1").json()
    assert first["content"]["definitions"][0]["text"]["markdown"] == "Rented servers."
    diff = get(reader_client, "/terms/cloud/diff?from=1").json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    changed = [f for f in diff["fields"] if f["changed"]]
    assert [f["field"] for f in changed] == ["What IT means"]
    assert changed[0]["html"] == "Rented<ins> virtual</ins> servers."
    assert "<ins>virtual" in changed[0]["rendered_html"] and changed[0]["rendered_html"].startswith("<p>")
    assert next(f for f in diff["fields"] if f["field"] == "Name")["rendered_html"] is None


def test_departments_and_tags(reader_client, glossary_in_every_status):
    assert [d["slug"] for d in get(reader_client, "/departments").json()] == ["it", "marketing"]
    assert get(reader_client, "/tags").json() == [
        {"slug": "customer-experience", "name": "Customer experience", "terms": 1}
    ]


def test_an_unchanged_glossary_answers_304_to_its_etag_and_a_change_gives_a_new_one(reader_client, make_term, ada):
    term = make_term("Cloud", it_text="Rented servers.")
    first = get(reader_client, "/terms/cloud")
    assert first["ETag"] and first["Last-Modified"]
    again = get(reader_client, "/terms/cloud", If_None_Match=first["ETag"])
    assert again.status_code == 304
    other_address = get(reader_client, "/terms", If_None_Match=first["ETag"])
    assert other_address.status_code == 200
    term_save(term=term, user=ada, reason="Rename", fields={"name": "Cloud computing"})
    changed = get(reader_client, "/terms/cloud", If_None_Match=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["name"] == "Cloud computing"


def test_a_stranger_with_an_etag_is_refused_not_told_nothing_changed(client, reader_client, make_term):
    make_term("Cloud", it_text="Rented servers.")
    etag = get(reader_client, "/terms/cloud")["ETag"]
    client.logout()
    assert get(client, "/terms/cloud", If_None_Match=etag).status_code == 401


def test_queries_per_list_page_do_not_grow_with_the_glossary(reader_client, make_term):
    def queries_for_a_page():
        with CaptureQueriesContext(connection) as queries:
            assert get(reader_client, "/terms?page_size=100").status_code == 200
        return len(queries)

    for n in range(3):
        make_term(f"Term {n}", it_text="One.", marketing_text="Two.", tags=[f"Tag {n}"])
    few = queries_for_a_page()
    for n in range(3, 30):
        make_term(f"Term {n}", it_text="One.", marketing_text="Two.", tags=[f"Tag {n}"])
    assert queries_for_a_page() == few


def test_the_docs_load_from_the_site_itself_and_the_footer_links_them(reader_client, glossary_to_search):
    docs = get(reader_client, "/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    home = reader_client.get("/").content.decode()
    assert 'href="/api/v1/docs"' in home and 'href="/api/v1/openapi.json"' in home


def test_the_checked_in_schema_is_the_one_the_code_generates_and_it_is_valid_openapi():
    generated = api.get_openapi_schema()
    validate(json.loads(json.dumps(generated)))
    checked_in = json.loads(CHECKED_IN_SCHEMA.read_text())
    assert checked_in == json.loads(json.dumps(generated)), (
        "The API changed: regenerate the schema with "
        "`.venv/bin/python manage.py export_openapi_schema --api glossary.api.api "
        "--output glossary/api/openapi.json --indent 2` and review the difference."
    )

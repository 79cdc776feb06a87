"""A department's page, at the address SKOS files name it by (`dct:audience`, `prov:hadRole`): who it
is, whether it signs off, who approves for it and the terms it defines; RDF for a client asking for it."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV

from accounts import roles
from accounts.models import Department
from glossary.models import Term
from tests.interchange.skos_files import FORMATS, download

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_every_department_a_skos_file_names_answers_at_its_address(reader_client, site):
    call_command("load_demo")
    graph = download(reader_client, "ttl")
    named = set(graph.objects(None, DCTERMS.audience)) | set(graph.objects(None, PROV.hadRole))
    assert named == {URIRef(f"{SITE}/departments/it"), URIRef(f"{SITE}/departments/marketing")}
    for address in named:
        response = reader_client.get(str(address).removeprefix(SITE))
        assert response.status_code == 200, address
        name = str(graph.value(address, FOAF.name))
        assert f"<h1>{name}</h1>" in response.content.decode()


def test_the_page_shows_what_the_department_is_who_approves_and_what_it_defines(
    reader_client, make_term, make_user, it, marketing, ivan, ines, marco
):
    it.description = "Runs the systems <everyone> uses."
    it.save()
    make_user("retired", department=it, role=roles.APPROVER, first_name="Old", last_name="Hand", is_active=False)
    make_term("Uptime", it_text="Minutes up.", status=Term.Status.APPROVED)
    make_term("Gopher", it_text="Menus.", status=Term.Status.DEPRECATED)
    make_term("Brand", marketing_text="Our name.", status=Term.Status.APPROVED)

    page = reader_client.get(reverse("glossary:department_detail", args=["it"])).content.decode()
    assert "<h1>IT</h1>" in page
    assert "Runs the systems &lt;everyone&gt; uses." in page
    assert "Signs off every change" in page
    approvers = re.findall(r"<li>([^<]+)</li>", page.split('class="approvers"')[1].split("</ul>")[0])
    assert approvers == ["Ines Berg", "Ivan Okafor"]
    defined = page.split('class="defined-terms"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="/terms/([^/]+)/">', defined) == ["gopher", "uptime"]
    assert "Deprecated" in defined and "Brand" not in defined

    marketing.signs_off = False
    marketing.save()
    page = reader_client.get(reverse("glossary:department_detail", args=["marketing"])).content.decode()
    assert "Does not sign off changes." in page and "Marco Silva" in page and "/terms/brand/" in page


def test_the_terms_a_department_defines_come_a_page_at_a_time(reader_client, make_term, settings, it):
    settings.GLOSSARY_PAGE_SIZE = 2
    for name in ("Alpha", "Beta", "Gamma"):
        make_term(name, it_text=f"{name} text.")
    address = reverse("glossary:department_detail", args=["it"])
    first, second = (reader_client.get(address, {"page": n}).content.decode() for n in (1, 2))
    assert "/terms/alpha/" in first and "/terms/beta/" in first and "/terms/gamma/" not in first
    assert "/terms/gamma/" in second and "Page 2 of 2" in second
    assert reader_client.get(address, {"page": "junk"}).status_code == 200


def test_an_inactive_department_keeps_its_page(reader_client):
    Department.objects.create(name="Legal", slug="legal", is_active=False, signs_off=False)
    page = reader_client.get("/departments/legal").content.decode()
    assert "No longer active" in page and "Nobody approves for Legal yet." in page


def test_a_private_glossary_asks_for_a_login_and_a_public_one_does_not(client, settings, it):
    settings.GLOSSARY_PUBLIC_READ = False
    response = client.get("/departments/it")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    settings.GLOSSARY_PUBLIC_READ = True
    assert client.get("/departments/it").status_code == 200


def test_an_unknown_department_is_a_404(reader_client):
    assert reader_client.get("/departments/nobody").status_code == 404
    assert reader_client.get("/departments/nobody", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(
    "accept, file_format",
    [
        ("text/turtle", "ttl"),
        ("text/turtle; charset=utf-8", "ttl"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("text/html;q=0.5, text/turtle", "ttl"),
    ],
)
def test_a_client_asking_for_rdf_gets_the_department_as_an_organisational_unit(
    reader_client, site, it, accept, file_format
):
    it.description = "Runs the systems."
    it.save()
    response = reader_client.get("/departments/it", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == accept.split(",")[-1].split(";")[0].strip()
    assert "Accept" in response["Vary"]
    graph = Graph().parse(data=response.content.decode(), format=FORMATS[file_format])
    node = URIRef(f"{SITE}/departments/it")
    assert (node, RDF.type, ORG.OrganizationalUnit) in graph
    assert graph.value(node, FOAF.name) == Literal("IT", lang="en")
    assert graph.value(node, DCTERMS.description) == Literal("Runs the systems.", lang="en")


def test_a_browser_gets_the_page(reader_client, it):
    for accept in (
        "text/html,application/xhtml+xml,*/*;q=0.8",
        "*/*",
        "",
        "text/turtle;q=0, text/html",
        "text/turtle;charset=latin-1",
    ):
        response = reader_client.get("/departments/it", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), accept
        assert "<h1>IT</h1>" in response.content.decode()


def test_a_term_page_links_each_definition_to_its_department(reader_client, make_term):
    term = make_term("Omnichannel", it_text="Systems.", marketing_text="Experience.")
    page = reader_client.get(term.get_absolute_url()).content.decode()
    assert 'What <a href="/departments/it">IT</a> means' in page
    assert 'What <a href="/departments/marketing">Marketing</a> means' in page

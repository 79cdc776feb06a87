"""Every field that takes an address, sent hostile ones: a webhook's URL (the form and the service),
the `next` a form posts back with, and the properties (IRIs) of an imported RDF file. Never a 500,
nothing stored; what a webhook form accepts, the HTTP client reads the same way.

Known troublemakers are always sent; hypothesis adds generated ones.
"""

import json
import unicodedata
from urllib.parse import urlsplit

import idna
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossary.models import Watch
from tests.workflow_helpers import login, snapshot
from webhooks.addresses import host_problem, webhook_url_parse
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_register

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def stored():
    """What a refused request must leave as it was: every row of the glossary's, the webhooks' and
    the accounts' tables, counted, and every term's name and version."""
    models = [
        model for label in ("glossary", "webhooks", "accounts") for model in apps.get_app_config(label).get_models()
    ]
    # One query for every table: the refusals are many and each is checked before and after.
    counting = " UNION ALL ".join(
        f"SELECT {index}, COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}"
        for index, model in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(counting)
        counts = {models[index]._meta.label: count for index, count in cursor.fetchall()}
    return counts, snapshot()


# --- Webhook addresses -------------------------------------------------------------------------

HOSTILE_WEBHOOK_URLS = [
    # A user name, a password, or something a parser may take for one.
    "http://127.0.0.1:8221\\@example.com/",
    "https://user@hooks.example.com/",
    "https://user:pw@hooks.example.com/",
    "https://@hooks.example.com/",
    "https://:@hooks.example.com/",
    "https://hooks.example.com:443@127.0.0.1/",
    "https://hooks.example.com\\@127.0.0.1/",
    "https://8.8.8.8\\.example.com/",
    "https://127.0.0.1#@hooks.example.com/",
    "https://127.0.0.1?@hooks.example.com/",
    "https://hooks.example.com%40127.0.0.1/",
    # IPv6 addresses that carry a private IPv4 address.
    "https://[::7f00:1]/",
    "https://[::127.0.0.1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[64:ff9b:1::a00:1]/",
    "https://[64:ff9b:1:7f00:0:100::]/",
    "https://[2002:7f00:1::]/",
    "https://[2002:a9fe:a9fe::]/",
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "https://[::]/",
    "https://[fe80::1%25eth0]/",
    # Other spellings of a local address, and what is no address at all.
    "https://127.1/",
    "https://0x7f.0.0.1/",
    "https://2130706433/",
    "https://017700000001/",
    "https://１２７.０.０.１/",
    "HTTPS://LOCALHOST./",
    "https://a.localhost/",
    "https://[::1/",
    "https://[zz]/",
    "https://hooks.example.com:65536/",
    "https://hooks.example.com:-1/",
    "https://hooks.example.com:8o/",
    "https://hooks.example.com\r\n.evil/",
    "https://hooks.example.com\t/",
    "https://\x00/",
    "https://\u202ehooks.example.com/",
    "https://" + "a" * 64 + ".example/",
    "https://xn--/",
    "https://a..b/",
    "https://*.example.com/",
    "javascript://hooks.example.com/%0aalert(1)",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "//hooks.example.com/",
    "hooks.example.com",
    "https://",
    "https://hooks.example.com/" + "a" * 2000,
]


@pytest.fixture
def webhook_rules(settings):
    """Production's rules, with plain http allowed so that only the address decides."""
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True


@pytest.mark.parametrize("url", HOSTILE_WEBHOOK_URLS)
def test_a_hostile_webhook_address_is_refused_at_the_field_and_by_the_service(
    admin_client, admin_user, webhook_rules, url
):
    before = stored()
    response = admin_client.post(
        reverse("webhooks:add"), {"url": url, "events": ["term.published"], "format": "standard"}
    )
    assert response.status_code == 400
    assert 'id="id_url_error"' in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_register(
            user=admin_user, url=url, events_wanted=["term.published"], endpoint_format="standard"
        )
    assert "url" in refused.value.message_dict
    assert stored() == before


SCHEMES = st.sampled_from(["https://", "http://", "HTTPS://", "https:\\\\", "https:/", "ftp://", ""])
USER_INFO = st.sampled_from(["", "", "u@", "u:p@", "@", "\\@", ":@", "%40", "hooks.example.com@"])
HOSTS = st.one_of(
    st.sampled_from(
        [
            "hooks.example.com",
            "HOOKS.example.com.",
            "bücher.example",
            "8.8.8.8",
            "127.0.0.1",
            "10.0.0.1",
            "[::1]",
            "[::7f00:1]",
            "[64:ff9b::808:808]",
            "[64:ff9b::7f00:1]",
            "[2002:808:808::]",
            "[2002:7f00:1::]",
            "localhost",
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)
PORTS = st.sampled_from(["", "", ":443", ":8221", ":0", ":65535", ":65536", ":", ":x"])
TAILS = st.one_of(
    st.sampled_from(["/", "/hook", "\\@example.com/", "#@127.0.0.1/", "?@127.0.0.1", ""]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)


def _host_as_requests_sends_it(hostname: str) -> str:
    return idna.encode(hostname, uts46=True).decode() if not hostname.isascii() else hostname  # as requests does


@pytest.mark.slow
@SETTINGS
@given(scheme=SCHEMES, user_info=USER_INFO, host=HOSTS, port=PORTS, tail=TAILS)
@example(scheme="http://", user_info="", host="127.0.0.1", port=":8221", tail="\\@example.com/")
@example(scheme="https://", user_info="", host="8.8.8.8", port="", tail="\\@example.com/")
def test_a_webhook_address_the_form_accepts_is_read_the_same_by_every_parser_and_is_public(
    admin_client, webhook_rules, scheme, user_info, host, port, tail
):
    url = f"{scheme}{user_info}{host}{port}{tail}"
    WebhookEndpoint.objects.all().delete()  # the one an earlier example made
    before = stored()
    response = admin_client.post(
        reverse("webhooks:add"), {"url": url, "events": ["term.published"], "format": "standard"}
    )
    assert response.status_code in (201, 400)
    if response.status_code == 400:
        assert stored() == before
        return
    kept = WebhookEndpoint.objects.get().url
    address = webhook_url_parse(kept)
    split = urlsplit(kept)
    assert "@" not in split.netloc and "\\" not in split.netloc
    assert _host_as_requests_sends_it(split.hostname or "").lower() == address.host.strip("[]")
    assert split.scheme.lower() == address.scheme
    assert host_problem(address.host) is None


# --- `next` ------------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "foo",
    "terms/x/",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>",
    "/terms/\x00",
    "\x00",
    "\u202e//evil.example",
    "／／evil.example",
    "/" + "a" * 9_999,
    "%2F%2Fevil.example",
    "",
    " ",
    "glossary:my_watches",
    "admin:index",
]
BROWSER_TEXT = st.one_of(st.sampled_from(HOSTILE_NEXT), st.text(st.characters(exclude_categories=["Cs"]), max_size=200))


@pytest.fixture
def next_forms(client, ivan, ada, make_term, settings):
    """Each form that posts `next`, sent so that it changes nothing: a watch without a delivery, a
    review confirmed before it is due, someone else's watch removed, a wrong password, a log-out."""
    # Hypothesis sends many wrong passwords from one address: no lock-out here, only answers.
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 100_000
    term = make_term("Platform", it_text="Tools to build on.")
    others = Watch.objects.create(user=ada, target=Watch.Target.GLOSSARY, delivery="daily")
    urls = {
        "watch": (reverse("glossary:my_watches"), {"term": term.slug, "delivery": "hourly-ish"}),
        "confirm review": (reverse("glossary:term_confirm_review", args=[term.slug]), {}),
        "unwatch": (reverse("glossary:watch_remove", args=[others.pk]), {}),
        "log in": (reverse("login"), {"username": "nobody", "password": "wrong"}),
        "log out": (reverse("logout"), {}),
    }

    def send(form: str, next_url: str):
        address, data = urls[form]
        if form in ("log in", "log out"):
            client.logout()
        else:
            login(client, ivan)
        return client.post(address, {**data, "next": next_url})

    return send


def _goes_to_this_site(response) -> bool:
    location = response["Location"]
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not any(unicodedata.category(character) == "Cc" for character in location)
    )


FORMS = ["watch", "confirm review", "unwatch", "log in", "log out"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_a_hostile_next_never_fails_never_leaves_the_site_and_changes_nothing(next_forms, form, next_url):
    before = stored()
    response = next_forms(form, next_url)
    assert response.status_code in (200, 302, 404)
    if response.status_code == 302:
        assert _goes_to_this_site(response)
    assert stored() == before


@pytest.mark.slow
@SETTINGS
@given(form=st.sampled_from(FORMS), next_url=BROWSER_TEXT)
def test_any_next_on_any_form_never_fails_and_stays_on_the_site(next_forms, form, next_url):
    before = stored()
    response = next_forms(form, next_url)
    assert response.status_code in (200, 302, 404)
    if response.status_code == 302:
        assert _goes_to_this_site(response)
    assert stored() == before


# --- Properties of an imported RDF file ----------------------------------------------------------

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT = "http://purl.org/dc/terms/"
HOSTILE_PREDICATES = [
    "urn:x:",
    "http://example.org/#",
    "http://e/-",
    "http://e/#-",
    "http://e/1",
    "http://e/\u02bb",
    "mailto:",
    "x:",
    "tag:",
    ":",
    "http://e/%00",
    "http://e/\u202e",
    "http://e/" + "a" * 10_000,
    "http://e/a b",
    "http://e/\\u0000",
    "http://e/<",
    "javascript:alert(1)",
    "_:b",
    "",
    "x",
]


def turtle_with(predicate: str) -> str:
    """A concept the import would take, but for one property at `predicate` (an IRI, as written)."""
    return (
        f'@prefix skos: <{SKOS}> . <http://e/a> a skos:Concept ; skos:prefLabel "Latency" ; skos:definition <http://e/a#d> ; '
        f'<{predicate}> "v" . <http://e/a#d> <{RDF}value> "Delay." ; <{DCT}audience> <http://127.0.0.1:8000/departments/it> .'
    )


def json_ld_with(predicate: str) -> str:
    return json.dumps(
        {
            "@id": "http://e/a",
            "@type": f"{SKOS}Concept",
            f"{SKOS}prefLabel": "Latency",
            predicate: "v",
            f"{SKOS}definition": {
                "@id": "http://e/a#d",
                f"{RDF}value": "Delay.",
                f"{DCT}audience": {"@id": "http://127.0.0.1:8000/departments/it"},
            },
        }
    )


def rdf_xml_with(namespace: str, local_name: str) -> str:
    return (
        f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="{RDF}" xmlns:skos="{SKOS}" xmlns:dct="{DCT}" xmlns:x="{namespace}">'
        '<skos:Concept rdf:about="http://e/a"><skos:prefLabel>Latency</skos:prefLabel>'
        f"<x:{local_name}>v</x:{local_name}>"
        '<skos:definition><rdf:Description rdf:about="http://e/a#d"><rdf:value>Delay.</rdf:value>'
        '<dct:audience rdf:resource="http://127.0.0.1:8000/departments/it"/></rdf:Description></skos:definition>'
        "</skos:Concept></rdf:RDF>"
    )


def upload(client, text: str, file_format: str, *, dry_run: bool = False):
    data = {"file": SimpleUploadedFile(f"vocabulary.{file_format}", text.encode("utf-8", "surrogatepass"))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("glossary:glossary_import"), data)


def _hostile_property_cases():
    for predicate in HOSTILE_PREDICATES:
        yield "ttl", turtle_with(predicate)
        # JSON-LD leaves out a key that is no absolute IRI (`x`, `_:b`): it is no property there.
        if ":" in predicate and not predicate.startswith("_:"):
            yield "jsonld", json_ld_with(predicate)
        # RDF/XML writes a property as an element: a namespace, and a local name after it.
        yield "rdf", rdf_xml_with(predicate or "urn:x:", "\u02bb")


@pytest.mark.parametrize("file_format, text", list(_hostile_property_cases()))
def test_a_hostile_property_in_an_rdf_file_is_refused_with_a_message_and_nothing_is_stored(
    admin_client, it, file_format, text
):
    before = stored()
    response = upload(admin_client, text, file_format)
    assert response.status_code == 400
    report = response.context["report"]
    said = report.file_errors + [error for row in report.row_errors for error in row.errors]
    assert report.file_errors or any("does not keep" in error for error in said), said
    assert stored() == before


@pytest.mark.slow
@SETTINGS
@given(
    file_format=st.sampled_from(["ttl", "jsonld", "rdf"]),
    namespace=st.sampled_from(["urn:x:", "http://example.org/#", "http://e/", "tag:", ""]),
    local=st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
)
@example(file_format="ttl", namespace="urn:x:", local="")
@example(file_format="jsonld", namespace="http://example.org/#", local="")
@example(file_format="rdf", namespace="urn:x:", local="\u02bb")
def test_any_property_in_any_rdf_format_gets_an_answer_and_a_dry_run_stores_nothing(
    admin_client, it, file_format, namespace, local
):
    if file_format == "rdf":
        text = rdf_xml_with(namespace or "urn:x:", local or "p")
    else:
        text = (turtle_with if file_format == "ttl" else json_ld_with)(namespace + local)
    before = stored()
    response = upload(admin_client, text, file_format, dry_run=True)
    assert response.status_code in (200, 400)
    assert stored() == before

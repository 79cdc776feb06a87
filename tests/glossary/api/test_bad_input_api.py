"""Hostile requests to the API: a problem (400, 404, 413 or 422) that says what is wrong, never a
500, and nothing written."""

import json
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import roles
from accounts.services import api_token_create
from glossary.models import Proposal
from tests.shared_data import built_once
from tests.workflow_helpers import new_term_entry, person, snapshot

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
GOOD = {
    "kind": "new_term",
    "reason": "Why not.",
    "content": {"name": "Cloud", "definitions": {"it": "Rented servers."}},
}


@pytest.fixture
def send(ada, it, marketing):
    _, secret = api_token_create(user=ada, name="Fuzz")
    client = Client()

    def send(raw: bytes | str, address="/proposals", method="post"):
        return getattr(client, method)(
            f"/api/v1{address}",
            data=raw,
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    return send


def with_content(**fields) -> str:
    return json.dumps({**GOOD, "content": {**GOOD["content"], **fields}})


@pytest.mark.parametrize(
    "raw, status, says",
    [
        (b"{not json", 400, "not JSON"),
        (b'{"kind": "new_term", "reason": "\xff\xfe"}', 400, "not UTF-8"),
        ("[" * 10_000 + "]" * 10_000, 400, "levels deep"),
        ('{"kind": "new_term", "reason": "x", "base_version": ' + "9" * 5_000 + "}", 400, "characters"),
        ('{"kind": "new_term", "reason": "x", "base_version": NaN}', 400, "not a JSON number"),
        ('{"kind": "new_term", "reason": "x", "base_version": 1e999}', 422, "body.base_version"),
        (json.dumps({**GOOD, "surprise": 1}), 422, "body.surprise"),
        (json.dumps({**GOOD, "reason": ["a list"]}), 422, "body.reason"),
        (json.dumps({**GOOD, "kind": "coup"}), 422, "body.kind"),
        (json.dumps({**GOOD, "base_version": -1}), 422, "body.base_version"),
        (with_content(name="Bad\x00name"), 422, "body.content.name"),
        ('{"kind": "new_term", "reason": "x", "content": {"name": "\\ud800"}}', 422, "body.content.name"),
        (with_content(tags=[{"an": "object"}]), 422, "body.content.tags.0"),
        (with_content(definitions=["not", "a", "map"]), 422, "body.content.definitions"),
        (with_content(name="x" * 100_000), 422, "body.content.name"),
        ("", 422, "body"),
        ("null", 422, "body"),
        ("[]", 422, "body"),
    ],
)
def test_a_bad_body_is_a_problem_that_says_what_is_wrong_and_writes_nothing(send, raw, status, says):
    before = snapshot()
    response = send(raw)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert says in body["detail"] or says in [e["field"] for e in body.get("errors", [])], body
    assert snapshot() == before


def test_a_body_over_the_size_limit_is_a_413(send, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = send(with_content(examples="x" * 20_000))
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "/proposals/99999999999999999999999",
        "/proposals/0",
        "/terms/%00",
        "/terms/" + "x" * 5_000,
        "/terms/x/versions/99999999999999999999999",
        "/terms/x/diff?from=99999999999999999999999",
        "/proposals?page=99999999999999999999999",
        "/proposals?list=everyone",
        "/terms?page_size=-1",
    ],
)
def test_a_bad_address_is_a_problem_not_a_500(send, address, make_term):
    make_term("X", it_text="An x.")
    response = send(None, address, method="get")
    assert response.status_code in (400, 404, 422), response.content[:300]
    assert response["Content-Type"] == PROBLEM


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = ["kind", "term", "base_version", "restore_version", "reason", "content"]
CONTENT_FIELDS = [
    "name",
    "abbreviation",
    "synonyms",
    "summary",
    "definitions",
    "examples",
    "tags",
    "related_terms",
    "owner",
]


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    body=st.fixed_dictionaries(
        {"kind": st.sampled_from(["new_term", "change", "deprecate", "restore", "x"])},
        optional={
            **{field: JSON_VALUES for field in FIELDS if field != "kind"},
            "content": st.dictionaries(st.sampled_from(CONTENT_FIELDS), JSON_VALUES, max_size=5),
        },
    )
)
def test_no_generated_proposal_body_gets_a_server_error(send, body):
    response = send(json.dumps(body))
    assert response.status_code in (201, 400, 403, 404, 409, 422), response.content[:300]
    if response.status_code != 201:
        assert response["Content-Type"] == PROBLEM


NAME_LIMIT = 120  # Term.name
TAG_LIMIT = 60  # Tag.name


@pytest.mark.parametrize(
    "content, published",
    [
        ({"name": "N" * NAME_LIMIT}, True),
        ({"name": "N" * (NAME_LIMIT + 1)}, False),
        # Grows under NFKC: 8 characters typed, 144 stored.
        ({"name": "\ufdfa" * 8}, False),
        ({"name": "\u00df" * NAME_LIMIT}, True),  # its case-folded key is twice as long
        ({"name": "Tagged", "tags": ["t" * TAG_LIMIT]}, True),
        ({"name": "Tagged", "tags": ["t" * (TAG_LIMIT + 1)]}, False),
        ({"name": "Synonyms", "synonyms": ["s" * NAME_LIMIT]}, True),
        ({"name": "Synonyms", "synonyms": ["s" * (NAME_LIMIT + 1)]}, False),
    ],
)
def test_limits_hold_from_the_api_to_publication(send, ivan, marco, content, published):
    before = snapshot()
    body = {"kind": "new_term", "reason": "Limits.", "content": {"definitions": {"it": "x"}, **content}}
    made = send(json.dumps(body))
    if not published:
        assert made.status_code == 422, made.content[:300]
        assert made.json()["errors"][0]["field"].startswith("body.content.")
        assert snapshot() == before
        return
    assert made.status_code == 201, made.content[:300]
    for approver in (ivan, marco):
        _, secret = api_token_create(user=approver, name="Approve")
        decided = Client().post(
            f"/api/v1/proposals/{made.json()['id']}/approve",
            data=json.dumps({"revision": 1}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert decided.status_code == 200, decided.content[:300]
    assert decided.json()["state"] == "published"


@pytest.mark.parametrize("name, status", [("n" * 80, 201), ("n" * 81, 400), ("\x00", 400)])
def test_a_token_name_at_and_past_its_limit(client, ada, name, status):
    client.force_login(ada)
    assert client.post("/accounts/tokens/", {"name": name}).status_code == status


@pytest.mark.parametrize("name", ["r" * 121, "\ufdfa" * 8, "x\x00"])
def test_a_replacement_name_past_its_limit_is_refused_at_the_field(client, ada, make_term, name):
    term = make_term("Old", it_text="Old.")
    client.force_login(ada)
    response = client.post(f"/terms/{term.slug}/deprecate/", {"reason": "Gone.", "replaced_by": name})
    assert response.status_code == 400
    assert 'id="id_replaced_by_error"' in response.content.decode()


# Numbers. A body's number must be a JSON number with a whole value (1.0 is 1, as in JSON Schema),
# not text, a fraction or a bool; a number in the path or the query must be plain ASCII digits. Each call below is made with every wrong spelling
# of its number (refused at that field, nothing written) and once with a right one (taken).

NOT_JSON_INTEGERS = [
    '"1"',
    '"2"',
    '" 1"',
    '"+1"',
    '"\\u0661"',
    '"\\uff11"',
    "1.5",
    "0.5",
    "1e-1",
    "true",
    "false",
    "-1",
    "0",
    "1" + "0" * 30,
    "[1]",
    '{"n": 1}',
]


@pytest.fixture(scope="module")
def numbered(django_db_setup, django_db_blocker):
    """A term at version 2, Ada's proposal at revision 1 and a watch of hers: what the calls name.
    Built once for the module: each test's calls are rolled back with the test."""
    with built_once(django_db_blocker), django_db_blocker.unblock():
        yield _numbered()


def _numbered():
    from accounts.models import Department
    from glossary.services.proposals import proposal_create
    from glossary.services.terms import term_create, term_save
    from glossary.services.watching import watch_set

    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    ada = person("ada", department=it, email="ada@example.com")
    ivan = person("ivan", department=it, role=roles.APPROVER, email="ivan@example.com")
    cloud = term_create(
        name="Cloud", user=ada, reason="Test term", fields={}, definitions={it: "Rented servers."}, tags=[]
    )
    term_save(term=cloud, user=ada, reason="Abbreviate", fields={"abbreviation": "CL"})
    watch = watch_set(user=ada, term=cloud, delivery="daily")
    proposal = proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    callers = {}
    for user in (ada, ivan):
        _, secret = api_token_create(user=user, name="Numbers")
        callers[user.username] = secret
    return {"proposal": proposal.pk, "watch": watch.pk, "secrets": callers}


def call(numbered, who: str, method: str, address: str, raw: str | None = None):
    address = address.format(proposal=numbered["proposal"], watch=numbered["watch"])
    return getattr(Client(), method)(
        f"/api/v1{address}",
        data=raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {numbered['secrets'][who]}"},
    )


# (who, method, address, body with NUMBER where the number goes, the field, a number that is right)
BODY_NUMBERS = [
    (
        "ada",
        "post",
        "/proposals",
        '{"kind": "change", "term": "cloud", "base_version": NUMBER, "reason": "Shorter.", "content": {"abbreviation": "C"}}',
        "body.base_version",
        "2",
    ),
    (
        "ada",
        "post",
        "/proposals",
        '{"kind": "restore", "term": "cloud", "restore_version": NUMBER, "reason": "Back."}',
        "body.restore_version",
        "1",
    ),
    ("ada", "put", "/proposals/{proposal}", '{"revision": NUMBER, "reason": "Clearer."}', "body.revision", "1"),
    ("ivan", "post", "/proposals/{proposal}/approve", '{"revision": NUMBER}', "body.revision", "1"),
    (
        "ivan",
        "post",
        "/proposals/{proposal}/request_changes",
        '{"revision": NUMBER, "comment": "Why?"}',
        "body.revision",
        "1",
    ),
    ("ivan", "post", "/proposals/{proposal}/reject", '{"revision": NUMBER, "comment": "No."}', "body.revision", "1"),
]


@pytest.mark.parametrize("who, method, address, body, field, right", BODY_NUMBERS)
@pytest.mark.parametrize("number", NOT_JSON_INTEGERS)
def test_a_number_in_a_body_that_is_not_a_json_integer_is_refused_at_its_field(
    numbered, who, method, address, body, field, right, number
):
    before = snapshot()
    response = call(numbered, who, method, address, body.replace("NUMBER", number))
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [field], response.json()
    assert snapshot() == before


@pytest.mark.parametrize("who, method, address, body, field, right", BODY_NUMBERS)
@pytest.mark.parametrize("spelling", ["{}", "{}.0", "{}e0"])
def test_a_number_in_a_body_with_a_whole_value_is_taken(numbered, who, method, address, body, field, right, spelling):
    response = call(numbered, who, method, address, body.replace("NUMBER", spelling.format(right)))
    assert response.status_code in (200, 201), response.content[:300]


@pytest.mark.parametrize(
    "review_by", ["0", "86400", "20270331", '"20270331"', '"2027-03-31T00:00:00"', '" 2027-03-31"', "true", "1.0"]
)
def test_a_review_date_given_as_a_number_or_a_moment_is_refused_at_its_field(numbered, review_by):
    before = snapshot()
    body = '{"kind": "change", "term": "cloud", "reason": "Sooner.", "content": {"review_by": REVIEW_BY}}'
    response = call(numbered, "ada", "post", "/proposals", body.replace("REVIEW_BY", review_by))
    assert response.status_code == 422, response.content[:300]
    assert [e["field"] for e in response.json()["errors"]] == ["body.content.review_by"]
    assert snapshot() == before


NOT_PLAIN_DIGITS = [
    "%2B1",
    "-1",
    "0",
    "1.0",
    "1e3",
    "0x1",
    "1_0",
    "true",
    "%201",
    "1%20",
    "%D9%A3",
    "%EF%BC%91",
    "%E0%A5%A7",
    "9" * 20,
    "9" * 5_000,
    "one",
]
# (who, method, address with NUMBER where the number goes, the field, a number that is right, a body)
ADDRESS_NUMBERS = [
    ("ada", "get", "/proposals?page=NUMBER", "query.page", "1", None),
    ("ada", "get", "/proposals?page_size=NUMBER", "query.page_size", "10", None),
    ("ada", "get", "/watches?page=NUMBER", "query.page", "1", None),
    ("ada", "get", "/watches?page_size=NUMBER", "query.page_size", "10", None),
    ("ada", "get", "/terms?page=NUMBER", "query.page", "1", None),
    ("ada", "get", "/terms?page_size=NUMBER", "query.page_size", "10", None),
    ("ada", "get", "/terms/cloud/versions/NUMBER", "path.number", "1", None),
    ("ada", "get", "/terms/cloud/diff?from=NUMBER", "query.from", "1", None),
    ("ada", "get", "/terms/cloud/diff?from=1&to=NUMBER", "query.to", "2", None),
    ("ada", "get", "/proposals/NUMBER", "path.proposal_id", "{proposal}", None),
    ("ada", "put", "/proposals/NUMBER", "path.proposal_id", "{proposal}", '{"revision": 1, "reason": "Clearer."}'),
    ("ada", "post", "/proposals/NUMBER/comments", "path.proposal_id", "{proposal}", '{"body": "A thought."}'),
    ("ivan", "post", "/proposals/NUMBER/approve", "path.proposal_id", "{proposal}", '{"revision": 1}'),
    ("ada", "post", "/proposals/NUMBER/withdraw", "path.proposal_id", "{proposal}", None),
    ("ada", "delete", "/watches/NUMBER", "path.watch_id", "{watch}", None),
    (
        "ivan",
        "post",
        "/proposals/NUMBER/request_changes",
        "path.proposal_id",
        "{proposal}",
        '{"revision": 1, "comment": "Why?"}',
    ),
    ("ivan", "post", "/proposals/NUMBER/reject", "path.proposal_id", "{proposal}", '{"revision": 1, "comment": "No."}'),
    # Read, then refused by the workflow: only an out-of-date proposal can be updated.
    ("ada", "post", "/proposals/NUMBER/rebase", "path.proposal_id", "{proposal}", None),
]


@pytest.mark.parametrize("who, method, address, field, right, body", ADDRESS_NUMBERS)
@pytest.mark.parametrize("number", NOT_PLAIN_DIGITS)
def test_a_number_in_the_address_that_is_not_plain_digits_is_refused_at_its_field(
    numbered, who, method, address, field, right, body, number
):
    from glossary.models import Watch

    before, watches = snapshot(), list(Watch.objects.values_list("pk", flat=True))
    response = call(numbered, who, method, address.replace("NUMBER", number), body)
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [field], response.json()
    assert snapshot() == before
    assert list(Watch.objects.values_list("pk", flat=True)) == watches


@pytest.mark.parametrize("who, method, address, field, right, body", ADDRESS_NUMBERS)
def test_a_number_in_the_address_in_plain_digits_is_taken(numbered, who, method, address, field, right, body):
    response = call(numbered, who, method, address.replace("NUMBER", right), body)
    expected = (403,) if address.endswith("/rebase") else (200, 201, 204)
    assert response.status_code in expected, response.content[:300]


@pytest.mark.parametrize(
    "since",
    ["0", "-1", "1700000000", "1e9", "9" * 20, "%D9%A3", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00%2B01:00"],
)
def test_a_time_in_the_query_given_as_a_number_or_out_of_range_is_refused_at_its_field(numbered, since):
    response = call(numbered, "ada", "get", f"/terms?updated_since={since}")
    assert response.status_code == 422, response.content[:300]
    assert [e["field"] for e in response.json()["errors"]] == ["query.updated_since"]


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    page=st.text(st.characters(exclude_categories=("Cs",)), max_size=25)
    # Near misses: a sign, a space, a point or an exponent around digits, digits of other scripts.
    | st.from_regex(r"\A[+\- ]?[0-9]{1,8}(\.0|e[0-9]|_0| )?\Z")
    | st.text(st.characters(categories=("Nd",)), min_size=1, max_size=8)
)
def test_a_page_is_taken_only_in_plain_digits_within_range_and_nothing_else_is_a_server_error(numbered, page):
    from urllib.parse import quote

    response = call(numbered, "ada", "get", f"/terms?page={quote(page, safe='')}")
    in_range = re.fullmatch(r"[0-9]+", page) is not None and 1 <= int(page) <= 1_000_000
    # One term: page 1 is there, any other page is past the end.
    expected = (200 if int(page) == 1 else 404) if in_range else 422
    assert response.status_code == expected, (page, response.content[:300])

"""Hostile requests to the API: a problem (400, 404, 413 or 422) that says what is wrong, never a
500, and nothing written."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import api_token_create
from glossary.models import Proposal
from tests.workflow_helpers import snapshot

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
GOOD = {"kind": "new_term", "reason": "Why not.", "content": {"name": "Cloud", "definitions": {"it": "Rented servers."}}}


@pytest.fixture
def send(ada, it, marketing):
    _, secret = api_token_create(user=ada, name="Fuzz")
    client = Client()

    def send(raw: bytes | str, address="/proposals", method="post"):
        return getattr(client, method)(
            f"/api/v1{address}", data=raw, content_type="application/json", headers={"Authorization": f"Bearer {secret}"}
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
CONTENT_FIELDS = ["name", "abbreviation", "synonyms", "summary", "definitions", "examples", "tags", "related_terms", "owner"]


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
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
            f"/api/v1/proposals/{made.json()['id']}/approve", data=json.dumps({"revision": 1}),
            content_type="application/json", headers={"Authorization": f"Bearer {secret}"},
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

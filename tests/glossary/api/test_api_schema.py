"""The OpenAPI schema says what the API really does: each call's refusals (problem details with
their statuses), the rules of its bodies, the links from one answer to the next; and every error
under /api/, an unknown address or method included, is a problem."""

import json
import logging

import jsonschema
import pytest
from django.test import Client

from accounts.services import api_token_create
from glossary.api import api
from glossary.models import Proposal, Watch
from tests.workflow_helpers import new_term_entry

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema():
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def problem_schema(schema) -> dict:
    return {**schema["components"]["schemas"]["Problem"], "components": schema["components"]}


def test_every_call_lists_its_refusals_as_problem_details(schema):
    for path, method, operation in operations(schema):
        refusals = {status: answer for status, answer in operation["responses"].items() if status >= "400"}
        assert {"401", "429"} <= refusals.keys(), (method, path)
        for status, answer in refusals.items():
            assert answer["content"] == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}, (path, status)
            assert answer["description"], (path, status)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= refusals.keys(), (method, path)
        if "{" in path:
            assert "404" in refusals, (method, path)
        if method != "get":
            assert "403" in refusals, (method, path)
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }


def call(who, method, address, body=None, **headers):
    _, secret = api_token_create(user=who, name="Schema")
    return getattr(Client(), method)(
        f"/api/v1{address}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", **headers},
    )


def test_each_refusal_a_call_gives_is_listed_for_it_and_is_a_problem_as_the_schema_describes(
    schema, ada, ivan, it, marketing, make_term
):
    from glossary.services.proposals import proposal_create

    make_term("Cloud", it_text="Rented servers.")
    proposal = proposal_create(author=ada, reason="Settle it", entry=new_term_entry(it, marketing))
    refusals = [
        ("get", "/terms/nope", "/terms/{slug}", None, 404),
        ("get", "/terms/cloud/versions/9", "/terms/{slug}/versions/{number}", None, 404),
        ("get", "/terms?page=99", "/terms", None, 404),
        ("get", "/terms?tag=nope", "/terms", None, 422),
        ("get", "/terms/cloud/diff", "/terms/{slug}/diff", None, 422),
        ("get", "/proposals/abc", "/proposals/{proposal_id}", None, 422),
        ("post", "/proposals", "/proposals", {"kind": "change", "reason": "Why"}, 422),
        (
            "post",
            "/proposals",
            "/proposals",
            {"kind": "change", "term": "cloud", "base_version": 5, "reason": "Why", "content": {"owner": "IT"}},
            409,
        ),
        ("post", f"/proposals/{proposal.pk}/approve", "/proposals/{proposal_id}/approve", {"revision": 2}, 409),
        ("post", f"/proposals/{proposal.pk}/withdraw", "/proposals/{proposal_id}/withdraw", None, 403),
        ("post", "/watches", "/watches", {"target": "tag"}, 422),
        ("delete", "/watches/5", "/watches/{watch_id}", None, 404),
    ]
    for method, address, path, body, status in refusals:
        response = call(ivan, method, address, body)
        assert response.status_code == status, (address, response.content[:300])
        assert response["Content-Type"] == PROBLEM
        assert str(status) in schema["paths"][f"/api/v1{path}"][method]["responses"], (method, path, status)
        jsonschema.validate(response.json(), problem_schema(schema))
    stale = Client().get("/api/v1/terms", headers={"Authorization": "Bearer cg_not-a-token"})
    assert stale.status_code == 401 and "401" in schema["paths"]["/api/v1/terms"]["get"]["responses"]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
@pytest.mark.parametrize(
    "method, address, status, allow",
    [
        ("get", "/api/v1/nope", 404, None),
        ("get", "/api/v1/terms/x/y/z", 404, None),
        ("post", "/api/v2/terms", 404, None),
        ("get", "/api/", 404, None),
        ("get", "/api/v1/", 404, None),
        ("get", "/api/v1/watches/1", 405, "DELETE"),
        ("delete", "/api/v1/terms", 405, "GET"),
        ("put", "/api/v1/proposals/1/approve", 405, "POST"),
    ],
)
def test_an_unknown_address_or_method_under_the_api_is_a_problem(settings, ada, debug, method, address, status, allow):
    settings.DEBUG = debug
    response = getattr(Client(), method)(address)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == status and response.json()["detail"]
    if allow:
        assert response["Allow"] == allow


def test_bodies_that_need_other_fields_say_so_in_the_schema_and_are_refused_at_them(schema, ada, make_term):
    components = schema["components"]["schemas"]
    proposal_body = schema["paths"]["/api/v1/proposals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert proposal_body["discriminator"]["propertyName"] == "kind"
    assert set(proposal_body["discriminator"]["mapping"]) == {"new_term", "change", "deprecate", "restore"}
    assert {"term", "reason"} <= set(components["ChangeProposal"]["required"])
    assert "restore_version" in components["RestoreProposal"]["required"]
    assert "content" in components["NewTermProposal"]["required"]
    watch_body = schema["paths"]["/api/v1/watches"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert watch_body["discriminator"]["propertyName"] == "target"
    assert "tag" in components["TagWatch"]["required"]
    make_term("Cloud", it_text="Rented servers.")
    for address, body, field in (
        ("/proposals", {"kind": "change", "reason": "Why"}, "body.term"),
        ("/proposals", {"kind": "restore", "term": "cloud", "reason": "Why"}, "body.restore_version"),
        ("/proposals", {"kind": "new_term", "term": "cloud", "reason": "Why", "content": {"name": "X"}}, "body.term"),
        ("/proposals", {"kind": "someday", "reason": "Why"}, "body.kind"),
        ("/watches", {"target": "tag"}, "body.tag"),
        ("/watches", {"target": "glossary", "term": "cloud"}, "body.term"),
    ):
        response = call(ada, "post", address, body)
        assert response.status_code == 422, response.content[:300]
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert not Proposal.objects.exists() and not Watch.objects.exists()
    # What a kind has no use for may still be sent as null, as before kinds were told apart.
    taken = call(ada, "post", "/watches", {"target": "glossary", "term": None, "tag": None})
    assert taken.status_code == 201, taken.content


def test_the_schema_states_enums_formats_and_the_models_limits(schema):
    components = schema["components"]["schemas"]
    assert components["SignOff"]["properties"]["decision"]["$ref"].endswith("/SignOffDecision")
    assert set(components["SignOffDecision"]["enum"]) == {"approve", "request_changes", "reject"}
    assert components["Proposal"]["properties"]["url"]["format"] == "uri"
    assert components["Proposal"]["properties"]["created_at"]["format"] == "date-time"
    content = components["ProposedContent"]["properties"]
    assert content["name"]["anyOf"][0]["maxLength"] == 120
    assert content["review_by"]["anyOf"][0]["format"] == "date"
    assert content["tags"]["anyOf"][0]["maxItems"] == 20
    assert components["NewTermProposal"]["properties"]["reason"]["maxLength"] == 2000
    revision = components["Decision"]["properties"]["revision"]
    assert (revision["type"], revision["minimum"]) == ("integer", 1)


def test_a_new_proposal_links_to_everything_that_can_be_done_to_it(schema):
    links = schema["paths"]["/api/v1/proposals"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert {
        "proposal_approve",
        "proposal_request_changes",
        "proposal_reject",
        "glossary_api_proposals_proposal_rebase",
        "glossary_api_proposals_proposal_withdraw",
        "glossary_api_proposals_proposal_detail",
        "glossary_api_proposals_proposal_update",
    } <= targets
    assert links["ApproveProposal"]["parameters"] == {"path.proposal_id": "$response.body#/id"}
    assert links["ApproveProposal"]["requestBody"] == {"revision": "$response.body#/revision"}
    watch = schema["paths"]["/api/v1/watches"]["post"]["responses"]["201"]["links"]
    assert watch["StopWatching"]["operationId"] == "glossary_api_watches_watch_delete"


def test_an_authorization_header_of_another_scheme_is_not_logged_in_development(settings, ada, caplog):
    settings.DEBUG = True
    _, secret = api_token_create(user=ada, name="Mistyped")
    with caplog.at_level(logging.DEBUG):
        response = Client().get("/api/v1/terms", headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 401
    assert secret not in caplog.text

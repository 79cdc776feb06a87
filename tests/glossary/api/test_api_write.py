"""Proposing and signing off through the API: the same workflow as the pages, for the same people."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from glossary.models import Comment, Proposal, Term
from glossary.services import proposals as services
from glossary.services.terms import term_save
from tests.glossary.api.callers import Caller
from tests.workflow_helpers import approve, decide, login, new_term_entry, snapshot

pytestmark = pytest.mark.django_db

State = Proposal.State
NEW_TERM = {
    "kind": "new_term",
    "reason": "Both sides use it weekly.",
    "content": {
        "name": "Organic search",
        "synonyms": ["SEO traffic"],
        "definitions": {"it": "Traffic from unpaid search results.", "marketing": "Visitors we earned, not bought."},
        "tags": ["Measurement"],
    },
}


def test_a_term_goes_from_proposal_to_published_with_two_departments_tokens(ada, ivan, marco, it, marketing):
    author, it_approver, marketing_approver = Caller(ada), Caller(ivan), Caller(marco)
    made = author("post", "/proposals", NEW_TERM)
    assert made.status_code == 201, made.content
    proposal = made.json()
    assert (proposal["state"], proposal["awaiting"]) == ("in_review", ["it", "marketing"])
    assert "approve" not in proposal["your_actions"]  # nobody signs their own

    waiting = it_approver("get", "/proposals?list=awaiting-me").json()
    assert [p["id"] for p in waiting["results"]] == [proposal["id"]]
    assert "approve" in it_approver("get", f"/proposals/{proposal['id']}").json()["your_actions"]

    first = it_approver("post", f"/proposals/{proposal['id']}/approve", {"revision": 1, "comment": "Fine for IT."})
    assert first.status_code == 200 and first.json()["awaiting"] == ["marketing"]
    last = marketing_approver("post", f"/proposals/{proposal['id']}/approve", {"revision": 1})
    assert last.json()["state"] == "published"

    term = author("get", "/terms/organic-search").json()
    assert term["status"] == "approved"
    assert [a["approver"] for a in term["approved_by"]] == [str(ivan), str(marco)]
    assert term["synonyms"] == ["SEO traffic"] and term["tags"] == ["Measurement"]


def test_a_change_keeps_the_fields_it_leaves_out(ada, make_term, ivan, marco):
    make_term("Cloud", it_text="Rented servers.", marketing_text="Where our tools live.", synonyms="the cloud")
    made = Caller(ada)(
        "post",
        "/proposals",
        {
            "kind": "change",
            "term": "cloud",
            "base_version": 1,
            "reason": "Be precise.",
            "content": {"definitions": {"it": "Rented virtual servers."}},
        },
    )
    assert made.status_code == 201, made.content
    content = made.json()["content"]
    assert content["synonyms"] == ["the cloud"]
    assert [d["text"]["markdown"] for d in content["definitions"]] == [
        "Rented virtual servers.",
        "Where our tools live.",
    ]


def test_a_change_to_a_version_that_moved_on_is_a_409_with_the_current_version(ada, make_term):
    term = make_term("Cloud", it_text="Rented servers.")
    term_save(term=term, user=ada, reason="Again", fields={"abbreviation": "CL"})
    before = snapshot()
    response = Caller(ada)(
        "post",
        "/proposals",
        {
            "kind": "change",
            "term": "cloud",
            "base_version": 1,
            "reason": "Stale.",
            "content": {"abbreviation": "C"},
        },
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["current_version"] == 2
    assert snapshot() == before


def test_deprecating_and_restoring_go_through_sign_off_too(ada, make_term):
    term = make_term("Web 2.0", it_text="Old web.", status=Term.Status.APPROVED)
    term_save(term=term, user=ada, reason="Reword", definitions={term.definitions.get().department: "Older web."})
    author = Caller(ada)
    deprecation = author("post", "/proposals", {"kind": "deprecate", "term": term.slug, "reason": "Nobody says it."})
    assert deprecation.status_code == 201, deprecation.content
    assert deprecation.json()["content"]["status"] == "deprecated"
    restore = author(
        "post", "/proposals", {"kind": "restore", "term": term.slug, "restore_version": 1, "reason": "Back."}
    )
    assert restore.status_code == 201, restore.content
    assert restore.json()["content"]["definitions"][0]["text"]["markdown"] == "Old web."
    missing = author("post", "/proposals", {"kind": "restore", "term": term.slug, "restore_version": 9, "reason": "?"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.restore_version"
    term.refresh_from_db()
    assert (term.status, term.version) == (Term.Status.APPROVED, 2)  # nothing changes before sign-off


def test_the_author_revises_and_every_department_reviews_again(ada, ivan, marco, it, marketing):
    proposal = services.proposal_create(author=ada, reason="Settle it", entry=new_term_entry(it, marketing))
    approve(proposal, ivan)
    revised = Caller(ada)(
        "put",
        f"/proposals/{proposal.pk}",
        {
            "revision": 1,
            "reason": "Added Marketing's view.",
            "content": {"definitions": {"marketing": "One story."}},
        },
    )
    assert revised.status_code == 200, revised.content
    assert (revised.json()["revision"], revised.json()["awaiting"]) == (2, ["it", "marketing"])
    stale = Caller(ada)("put", f"/proposals/{proposal.pk}", {"revision": 1, "reason": "Again."})
    assert stale.status_code == 409


def test_requesting_changes_or_rejecting_needs_a_comment(proposal_without_emails, ivan):
    approver = Caller(ivan)
    for decision in ("request_changes", "reject"):
        response = approver("post", f"/proposals/{proposal_without_emails.pk}/{decision}", {"revision": 1})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.comment"]
    proposal_without_emails.refresh_from_db()
    assert proposal_without_emails.state == State.IN_REVIEW


def test_content_that_could_not_be_published_is_refused_field_by_field(ada, it, marketing):
    response = Caller(ada)(
        "post",
        "/proposals",
        {
            "kind": "new_term",
            "reason": "x",
            "content": {
                "name": "A" * 500,
                "definitions": {"it": "Fine.", "finance": "Nobody."},
                "related_terms": ["nope"],
            },
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.content.definitions.finance", "body.content.related_terms.0"}
    response = Caller(ada)("post", "/proposals", {"kind": "new_term", "reason": "x", "content": {"name": "A" * 500}})
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.content.name", "body.content.definitions"} <= fields
    assert not Proposal.objects.exists()


def test_a_read_only_token_reads_but_does_not_propose(ada, it, marketing):
    reader = Caller(ada, read_only=True)
    assert reader("get", "/proposals").status_code == 200
    refused = reader("post", "/proposals", NEW_TERM)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert not Proposal.objects.exists()


def test_the_browser_session_writes_only_with_the_csrf_token(ada, it, marketing):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)
    refused = browser.post("/api/v1/proposals", json.dumps(NEW_TERM), content_type="application/json")
    assert refused.status_code == 403
    browser.get("/")  # the page sets the CSRF cookie, as for any form
    token = browser.cookies["csrftoken"].value
    made = browser.post(
        "/api/v1/proposals", json.dumps(NEW_TERM), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert made.status_code == 201


def test_proposals_are_not_for_strangers(client, proposal_without_emails, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    assert client.get(f"/api/v1/proposals/{proposal_without_emails.pk}").status_code == 401


# The workflow's rules, through both doors: each actor tries each action on a proposal in each
# state, once on the page and once through the API, on proposals set up alike.
ACTORS = ["author", "it_approver", "marketing_approver", "contributor", "reader"]
ACTIONS = ["approve", "request_changes", "reject", "comment", "withdraw"]
STATES = [State.IN_REVIEW, State.CHANGES_REQUESTED, State.WITHDRAWN]


@pytest.fixture
def people(ada, ivan, marco, maya, make_user):
    return {
        "author": ada,
        "it_approver": ivan,
        "marketing_approver": marco,
        "contributor": maya,
        "reader": make_user("rita", role=roles.READER),
    }


def _proposal_in(state, people, it, marketing, name):
    proposal = services.proposal_create(
        author=people["author"], reason="Settle it", entry=new_term_entry(it, marketing, name=name)
    )
    if state == State.CHANGES_REQUESTED:
        decide(proposal, people["marketing_approver"], "request_changes", "More, please.")
    elif state == State.WITHDRAWN:
        services.proposal_withdraw(proposal=proposal, user=people["author"])
    proposal.refresh_from_db()
    return proposal


def _outcome(proposal) -> tuple:
    proposal.refresh_from_db()
    return proposal.state, proposal.sign_offs.count(), Comment.objects.filter(proposal=proposal).count()


def _by_page(client, proposal, actor, action):
    login(client, actor)
    data = {"revision": proposal.revision, "comment": "Because.", "body": "A thought."}
    response = client.post(reverse("glossary:proposal_action", args=[proposal.pk, action]), data)
    return response.status_code in (302, 200), _outcome(proposal)


def _by_api(proposal, actor, action):
    caller = Caller(actor)
    path = "comments" if action == "comment" else action
    body = (
        {"body": "A thought."}
        if action == "comment"
        else ({} if action == "withdraw" else {"revision": proposal.revision, "comment": "Because."})
    )
    response = caller("post", f"/proposals/{proposal.pk}/{path}", body if body else None)
    return response.status_code in (200, 201), _outcome(proposal)


@pytest.mark.slow
@pytest.mark.parametrize("state", STATES)
def test_the_api_allows_exactly_what_the_pages_allow(client, people, it, marketing, state, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 1000
    table = {}
    for actor in ACTORS:
        for action in ACTIONS:
            on_page = _proposal_in(state, people, it, marketing, f"Page {actor} {action}")
            through_api = _proposal_in(state, people, it, marketing, f"Api {actor} {action}")
            page = _by_page(client, on_page, people[actor], action)
            api = _by_api(through_api, people[actor], action)
            table[actor, action] = page
            assert api == page, f"{actor} {action} on a proposal {state}: page {page}, API {api}"
    # The table is not trivially all-refused or all-allowed.
    allowed = {key for key, (done, _) in table.items() if done}
    if state == State.IN_REVIEW:
        assert ("it_approver", "approve") in allowed and ("author", "approve") not in allowed
        assert ("reader", "comment") not in allowed and ("contributor", "comment") in allowed
    if state == State.WITHDRAWN:
        assert not allowed


def test_a_change_or_restore_that_changes_nothing_is_a_422_with_the_message_and_stores_nothing(signed_off_term, maya):
    before = snapshot()
    calls = {
        "This changes nothing: the term already says exactly this": {
            "kind": "change",
            "term": signed_off_term.slug,
            "base_version": 1,
            "reason": "Tidy.",
            "content": {
                "name": " Omnichannel ",
                "tags": ["customer experience"],
                "review_by": signed_off_term.review_by.isoformat(),
            },
        },
        "restoring it would change nothing": {
            "kind": "restore",
            "term": signed_off_term.slug,
            "restore_version": 1,
            "reason": "Back.",
        },
    }
    for message, body in calls.items():
        response = Caller(maya)("post", "/proposals", body)
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == "application/problem+json"
        [error] = response.json()["errors"]
        assert error["field"] == "body" and message in error["message"]
    assert snapshot() == before


def test_a_revision_that_would_change_nothing_is_a_422_and_the_proposal_stays_as_it_was(signed_off_term, maya):
    made = Caller(maya)(
        "post",
        "/proposals",
        {
            "kind": "change",
            "term": signed_off_term.slug,
            "reason": "Shorter.",
            "content": {"abbreviation": "OC"},
        },
    )
    assert made.status_code == 201, made.content
    undone = Caller(maya)(
        "put",
        f"/proposals/{made.json()['id']}",
        {
            "revision": 1,
            "reason": "Undo.",
            "content": {"abbreviation": ""},
        },
    )
    assert undone.status_code == 422, undone.content
    assert "would change nothing" in undone.json()["errors"][0]["message"]
    assert Proposal.objects.get(pk=made.json()["id"]).revision == 1

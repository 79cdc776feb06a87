"""Watching through the API: a token's user lists, makes, changes and removes their own watches, and
a watch made there is heard of exactly like one made with the site's Watch button."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from glossary.models import Watch, WatchNotice
from glossary.services.watching import watch_set
from tests.glossary.api.callers import Caller
from tests.workflow_helpers import login, mails_to, outside_a_transaction, propose_change, send_queued_mail

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
IMMEDIATE, DAILY = Watch.Delivery.IMMEDIATE, Watch.Delivery.DAILY


def stored_watches():
    return sorted(Watch.objects.values_list("user__username", "target", "term__slug", "tag__slug", "delivery"))


# --- listing ------------------------------------------------------------------------------------


def test_the_list_is_the_callers_own_watches_a_page_at_a_time(maya, marco, platform):
    watch_set(user=maya, delivery=DAILY)
    watch_set(user=maya, tag=platform.tags.get(), delivery=IMMEDIATE)
    term_watch = watch_set(user=maya, term=platform, delivery=DAILY)
    watch_set(user=marco, term=platform, delivery=IMMEDIATE)

    first = Caller(maya)("get", "/watches?page_size=2")
    assert first.status_code == 200, first.content
    page = first.json()
    assert (page["count"], page["pages"], page["previous"], len(page["results"])) == (3, 2, None, 2)
    assert page["next"].endswith("/api/v1/watches?page_size=2&page=2")
    second = Caller(maya)("get", "/watches?page_size=2&page=2").json()
    assert second["previous"].endswith("/api/v1/watches?page_size=2&page=1") and second["next"] is None
    listed = page["results"] + second["results"]
    assert sorted((w["target"], w["term"], w["tag"], w["delivery"]) for w in listed) == [
        ("glossary", None, None, "daily"),
        ("tag", None, "architecture", "immediate"),
        ("term", "platform", None, "daily"),
    ]
    [listed_term_watch] = [w for w in listed if w["target"] == "term"]
    assert listed_term_watch == {
        "id": term_watch.pk,
        "target": "term",
        "term": "platform",
        "tag": None,
        "description": "the term “Platform”",
        "delivery": "daily",
        "created_at": listed_term_watch["created_at"],
    }
    assert listed_term_watch["created_at"].startswith(term_watch.created_at.date().isoformat())

    past_the_end = Caller(maya)("get", "/watches?page_size=2&page=3")
    assert past_the_end.status_code == 404
    assert "there are 2" in past_the_end.json()["detail"]


def test_someone_elses_watches_are_never_listed(maya, marco, platform):
    watch_set(user=marco, term=platform, delivery=IMMEDIATE)
    assert Caller(maya)("get", "/watches").json()["count"] == 0


# --- making and changing ------------------------------------------------------------------------


def test_a_term_a_tag_and_the_whole_glossary_are_watched_through_the_api(maya, platform):
    caller = Caller(maya)
    for body in (
        {"target": "term", "term": "platform", "delivery": "daily"},
        {"target": "tag", "tag": "architecture"},
        {"target": "glossary", "delivery": "immediate"},
    ):
        made = caller("post", "/watches", body)
        assert made.status_code == 201, made.content
    assert stored_watches() == [
        ("maya", "glossary", None, None, IMMEDIATE),
        ("maya", "tag", None, "architecture", IMMEDIATE),  # immediate unless the body says otherwise
        ("maya", "term", "platform", None, DAILY),
    ]
    assert made.json()["id"] == Watch.objects.get(target="glossary").pk
    assert made.json()["description"] == "the whole glossary"


def test_watching_again_changes_the_delivery_and_keeps_one_watch(maya, platform):
    caller = Caller(maya)
    made = caller("post", "/watches", {"target": "term", "term": "platform", "delivery": "immediate"})
    changed = caller("post", "/watches", {"target": "term", "term": "platform", "delivery": "daily"})
    again = caller("post", "/watches", {"target": "term", "term": "platform", "delivery": "daily"})
    assert (made.status_code, changed.status_code, again.status_code) == (201, 200, 200)
    assert made.json()["id"] == changed.json()["id"] == again.json()["id"]
    assert changed.json()["delivery"] == "daily"
    assert stored_watches() == [("maya", "term", "platform", None, DAILY)]


def test_the_same_term_watched_by_two_people_is_two_watches(maya, marco, platform):
    Caller(maya)("post", "/watches", {"target": "term", "term": "platform", "delivery": "daily"})
    made = Caller(marco)("post", "/watches", {"target": "term", "term": "platform", "delivery": "immediate"})
    assert made.status_code == 201
    assert stored_watches() == [
        ("marco", "term", "platform", None, IMMEDIATE),
        ("maya", "term", "platform", None, DAILY),
    ]


# --- removing -----------------------------------------------------------------------------------


def test_removing_a_watch_stops_it_and_a_second_time_is_not_found(maya, platform):
    caller = Caller(maya)
    kept = watch_set(user=maya, delivery=DAILY)
    watch = watch_set(user=maya, term=platform, delivery=DAILY)
    removed = caller("delete", f"/watches/{watch.pk}")
    assert removed.status_code == 204 and removed.content == b""
    assert list(Watch.objects.values_list("pk", flat=True)) == [kept.pk]
    again = caller("delete", f"/watches/{watch.pk}")
    assert again.status_code == 404 and again["Content-Type"] == PROBLEM
    assert again.json()["detail"] == "You have no such watch."


def test_nobody_removes_or_sees_someone_elses_watch(maya, marco, platform):
    marcos = watch_set(user=marco, term=platform, delivery=DAILY)
    refused = Caller(maya)("delete", f"/watches/{marcos.pk}")
    assert refused.status_code == 404 and refused["Content-Type"] == PROBLEM
    assert "platform" not in refused.content.decode() and "Platform" not in refused.content.decode()
    assert stored_watches() == [("marco", "term", "platform", None, DAILY)]
    # Watching the same term does not touch theirs either: it is maya's own, new watch.
    Caller(maya)("post", "/watches", {"target": "term", "term": "platform", "delivery": "immediate"})
    assert Watch.objects.get(pk=marcos.pk).delivery == DAILY


# --- who may ------------------------------------------------------------------------------------


def test_a_read_only_token_lists_watches_but_does_not_change_them(maya, platform):
    watch = watch_set(user=maya, term=platform, delivery=DAILY)
    reader = Caller(maya, read_only=True)
    assert reader("get", "/watches").json()["count"] == 1
    for method, address, body in (
        ("post", "/watches", {"target": "glossary", "delivery": "immediate"}),
        ("post", "/watches", {"target": "term", "term": "platform", "delivery": "immediate"}),
        ("delete", f"/watches/{watch.pk}", None),
    ):
        refused = reader(method, address, body)
        assert refused.status_code == 403, (method, address)
        assert "read-only" in refused.json()["detail"] and "watches" in refused.json()["detail"]
    assert stored_watches() == [("maya", "term", "platform", None, DAILY)]


@pytest.mark.parametrize("public_read", [False, True])
def test_watches_need_a_signed_in_caller_even_where_reading_is_open(client, maya, platform, settings, public_read):
    settings.GLOSSARY_PUBLIC_READ = public_read
    watch = watch_set(user=maya, term=platform, delivery=DAILY)
    assert client.get("/api/v1/terms").status_code == (200 if public_read else 401)
    for response in (
        client.get("/api/v1/watches"),
        client.post("/api/v1/watches", json.dumps({"target": "glossary"}), content_type="application/json"),
        client.delete(f"/api/v1/watches/{watch.pk}"),
    ):
        assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert stored_watches() == [("maya", "term", "platform", None, DAILY)]


def test_a_revoked_token_changes_no_watch(maya, platform):
    from accounts.services import api_token_revoke

    caller = Caller(maya)
    api_token_revoke(user=maya, token_id=maya.api_tokens.get().pk)
    assert caller("post", "/watches", {"target": "glossary"}).status_code == 401
    assert not Watch.objects.exists()


def test_the_browser_session_watches_only_with_the_csrf_token(maya, platform):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(maya)
    body = json.dumps({"target": "term", "term": "platform", "delivery": "daily"})
    assert browser.get("/api/v1/watches").status_code == 200
    assert browser.post("/api/v1/watches", body, content_type="application/json").status_code == 403
    assert not Watch.objects.exists()
    browser.get("/")  # sets the CSRF cookie, as for any form
    token = browser.cookies["csrftoken"].value
    made = browser.post("/api/v1/watches", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert made.status_code == 201
    assert stored_watches() == [("maya", "term", "platform", None, DAILY)]


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, status, field",
    [
        (json.dumps({"target": "term", "term": "plat\x00form"}), 422, "body.term"),
        (json.dumps({"target": "term", "term": "p" * 10_000}), 422, "body.term"),
        (json.dumps({"target": "tag", "tag": "a" * 10_000}), 422, "body.tag"),
        (json.dumps({"target": "term", "term": "no-such-term"}), 422, "body.term"),
        (json.dumps({"target": "tag", "tag": "no-such-tag"}), 422, "body.tag"),
        (json.dumps({"target": "term", "term": "../platform"}), 422, "body.term"),
        (json.dumps({"target": "term", "term": "platform/versions/1"}), 422, "body.term"),
        (json.dumps({"target": "tag", "tag": "architecture/../x"}), 422, "body.tag"),
        (json.dumps({"target": "term", "term": "architecture"}), 422, "body.term"),  # a tag's slug, not a term's
        (json.dumps({"target": "term"}), 422, "body.term"),
        (json.dumps({"target": "term", "term": ""}), 422, "body.term"),
        (json.dumps({"target": "glossary", "term": "platform"}), 422, "body.term"),
        (json.dumps({"target": "term", "term": "platform", "tag": "architecture"}), 422, "body.tag"),
        (json.dumps({"target": "everything"}), 422, "body.target"),
        (json.dumps({"term": "platform"}), 422, "body.target"),
        (json.dumps({"target": "term", "term": "platform", "delivery": "hourly"}), 422, "body.delivery"),
        (json.dumps({"target": "term", "term": "platform", "user": "marco"}), 422, "body.user"),
        (json.dumps({"target": "term", "term": ["platform"]}), 422, "body.term"),
        ('{"target": "term", "term": "\\ud800"}', 422, "body.term"),
        ("{not json", 400, None),
        ("", 422, "body"),
        ("null", 422, "body"),
    ],
)
def test_a_bad_watch_is_a_problem_at_its_field_and_stores_nothing(maya, platform, raw, status, field):
    response = Caller(maya)("post", "/watches", raw=raw)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["detail"]
    if field:
        messages = {e["field"]: e["message"] for e in problem["errors"]}
        assert field in messages and messages[field], problem
    assert not Watch.objects.exists()


@pytest.mark.parametrize(
    "address, status",
    [
        ("/watches/abc", 422),
        ("/watches/1.5", 422),
        ("/watches/%00", 422),
        ("/watches/platform", 422),
        # Not a watch id in plain digits from 1 up: refused at the field, before anything is looked up.
        ("/watches/99999999999999999999999", 422),
        ("/watches/-1", 422),
        ("/watches/0", 422),
        ("/watches/+1", 422),
        ("/watches/%D9%A1", 422),
        ("/watches/" + "9" * 5_000, 422),
        ("/watches/9223372036854775807", 404),
    ],
)
def test_a_bad_watch_id_is_a_problem_and_removes_nothing(maya, platform, address, status):
    watch = watch_set(user=maya, term=platform, delivery=DAILY)
    response = Caller(maya)("delete", address)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    if status == 422:
        assert [e["field"] for e in problem["errors"]] == ["path.watch_id"]
    else:
        assert problem["detail"] == "You have no such watch."
    assert list(Watch.objects.values_list("pk", flat=True)) == [watch.pk]


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=1000", "page=99999999999999999999999"])
def test_a_bad_page_of_watches_is_a_problem(maya, query):
    response = Caller(maya)("get", f"/watches?{query}")
    assert response.status_code in (404, 422) and response["Content-Type"] == PROBLEM


# --- hearing of changes -------------------------------------------------------------------------


@outside_a_transaction
def test_a_watch_made_through_the_api_hears_of_a_change_like_one_made_in_the_browser(
    client, ada, maya, make_user, marketing, platform, mailoutbox
):
    # Both contributors, so that no approver's own mail about the proposal is mixed in.
    lena = make_user("lena", department=marketing, email="lena@example.com")
    made = Caller(maya)("post", "/watches", {"target": "term", "term": "platform", "delivery": "immediate"})
    assert made.status_code == 201
    login(client, lena)
    client.post(reverse("glossary:my_watches"), {"term": "platform", "delivery": "immediate"})
    assert stored_watches() == [
        ("lena", "term", "platform", None, IMMEDIATE),
        ("maya", "term", "platform", None, IMMEDIATE),
    ]

    proposal = propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    [to_maya], [to_lena] = mails_to(mailoutbox, maya), mails_to(mailoutbox, lena)
    assert (
        to_maya.subject
        == to_lena.subject
        == "[Common Ground] Ada Lindqvist proposed change of “Platform”: Say it better"
    )
    assert f"/proposals/{proposal.pk}/" in to_maya.body
    assert to_maya.extra_headers["List-Unsubscribe"].startswith("<http://")
    notices = {n.user.username: (n.kind, n.event_key, n.delivery) for n in WatchNotice.objects.select_related("user")}
    assert notices["maya"] == notices["lena"] == (WatchNotice.Kind.PROPOSED, f"proposed:{proposal.pk}", IMMEDIATE)


@outside_a_transaction
def test_a_daily_watch_made_through_the_api_waits_for_the_digest(ada, maya, platform, mailoutbox):
    Caller(maya)("post", "/watches", {"target": "tag", "tag": "architecture", "delivery": "daily"})
    propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    assert mails_to(mailoutbox, maya) == []
    notice = WatchNotice.objects.get(user=maya)
    assert (notice.delivery, notice.sent_at, notice.watch.target) == (DAILY, None, Watch.Target.TAG)


@outside_a_transaction
def test_a_watch_removed_through_the_api_hears_of_nothing(ada, maya, platform, mailoutbox):
    caller = Caller(maya)
    watch_id = caller("post", "/watches", {"target": "term", "term": "platform"}).json()["id"]
    assert caller("delete", f"/watches/{watch_id}").status_code == 204
    propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    assert mails_to(mailoutbox, maya) == []
    assert not WatchNotice.objects.exists()

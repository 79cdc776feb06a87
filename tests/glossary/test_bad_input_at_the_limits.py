"""The inputs this release added, at and just past their limits, through to publication: review
dates (page and API), webhook addresses, watches, feed tokens, the dashboard's and the PDF's filters.
Nothing answers 500, nothing half-stored, and whatever is accepted can be published."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from glossary.models import Proposal, Term
from glossary.services.review import latest_review_by
from tests.workflow_helpers import api_call, approve, frozen, login, proposal_form_data, snapshot
from webhooks.models import WebhookEndpoint
from webhooks.services import URL_LIMIT

pytestmark = pytest.mark.django_db


def review_dates():
    today = timezone.localdate()
    latest = latest_review_by(today)
    accepted = [today.isoformat(), latest.isoformat(), (today + datetime.timedelta(days=1)).isoformat()]
    refused = [
        (today - datetime.timedelta(days=1)).isoformat(),
        (latest + datetime.timedelta(days=1)).isoformat(),
        "9999-12-31",
        "99999-12-31",
        "0000-01-01",
        "2027-13-01",
        "２０２７-０１-０１",
        "2027-01-01\x00",
        "7" * 10_000,
        " ",
    ]
    return today, accepted, refused


def publish(proposal, ivan, marco) -> Term:
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PUBLISHED
    return Term.objects.get(pk=proposal.term_id)


def test_review_dates_at_and_past_their_limits_through_the_page(client, ada, ivan, marco, it, marketing):
    _, accepted, refused = review_dates()
    login(client, ada)
    for n, typed in enumerate(refused):
        before = snapshot()
        response = client.post(
            reverse("glossary:term_propose_new"),
            proposal_form_data(it, marketing, review_by=typed, name=f"Refused {n}"),
        )
        assert response.status_code == 400, typed[:20]
        assert response.context["form"].errors["review_by"], typed[:20]
        assert snapshot() == before
    for n, typed in enumerate(accepted):
        response = client.post(
            reverse("glossary:term_propose_new"), proposal_form_data(it, marketing, review_by=typed, name=f"Kept {n}")
        )
        assert response.status_code == 302, typed
        term = publish(Proposal.objects.get(name=f"Kept {n}"), ivan, marco)
        assert term.review_by.isoformat() == typed


def test_review_dates_at_and_past_their_limits_through_the_api(ada, ivan, marco, it, marketing):
    _, accepted, refused = review_dates()
    for n, typed in enumerate(refused):
        before = snapshot()
        response = api_call(
            ada,
            {
                "kind": "new_term",
                "reason": "Limits",
                "content": {"name": f"Refused {n}", "definitions": {"it": "Unpaid traffic."}, "review_by": typed},
            },
        )
        assert response.status_code in (400, 422), (typed[:20], response.status_code)
        assert snapshot() == before
    for n, typed in enumerate(accepted):
        response = api_call(
            ada,
            {
                "kind": "new_term",
                "reason": "Limits",
                "content": {"name": f"Kept {n}", "definitions": {"it": "Unpaid traffic."}, "review_by": typed},
            },
        )
        assert response.status_code == 201, response.content
        assert publish(Proposal.objects.get(name=f"Kept {n}"), ivan, marco).review_by.isoformat() == typed


def test_a_review_date_that_passes_while_its_proposal_waits_still_publishes(ada, ivan, marco, it, marketing):
    """Accepted as tomorrow, signed off a week later: published, with the default period instead."""
    from glossary.services import proposals as services
    from tests.workflow_helpers import new_term_entry

    today = datetime.date(2026, 3, 10)
    with frozen(today):
        proposal = services.proposal_create(
            author=ada, reason="Soon", entry=new_term_entry(it, marketing, review_by=today + datetime.timedelta(days=1))
        )
    with frozen(today + datetime.timedelta(days=7)):
        term = publish(proposal, ivan, marco)
    assert term.review_by == datetime.date(2027, 3, 17)


def test_webhook_addresses_at_and_past_their_limit(admin_client, settings):
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = False
    base = "https://hooks.example.com/"
    at_limit = base + "a" * (URL_LIMIT - len(base))
    unicode_at_limit = "https://bücher.example/" + "é" * (URL_LIMIT - len("https://bücher.example/"))
    for url in [at_limit, unicode_at_limit]:
        response = admin_client.post(
            reverse("webhooks:add"), {"url": url, "events": ["term.published"], "format": "standard"}
        )
        assert response.status_code == 201 and "shown only this once" in response.content.decode()
        assert WebhookEndpoint.objects.filter(url=url).exists()
    for url in [
        at_limit + "a",
        "https://x.example/\x00",
        "https://" + "a" * 300 + ".example/",
        "javascript:alert(1)",
        "\u202e" * 10,
    ]:
        before = WebhookEndpoint.objects.count()
        response = admin_client.post(
            reverse("webhooks:add"), {"url": url, "events": ["term.published"], "format": "standard"}
        )
        assert response.status_code in (200, 400), url[:30]
        assert WebhookEndpoint.objects.count() == before
    response = admin_client.post(
        reverse("webhooks:add"), {"url": at_limit, "events": ["x" * 5000], "format": "y" * 5000}
    )
    assert response.status_code in (200, 400)


def test_watches_feeds_dashboard_and_export_filters_refuse_junk_without_a_500(client, ada, make_term):
    make_term("Lead", it_text="A row.", marketing_text="A person.", status=Term.Status.APPROVED)
    login(client, ada)
    junk = ["\x00", "x" * 10_000, "é" * 300, "../../etc/passwd", "%00", "<script>"]
    for value in junk:
        for data in ({"term": value}, {"tag": value}, {"term": "lead", "delivery": value}):
            assert client.post(reverse("glossary:my_watches"), data).status_code in (302, 400, 404)
        assert client.get(reverse("glossary:dashboard"), {"tag": value}).status_code == 200
        for call in ("/api/v1/metrics", "/api/v1/terms", "/api/v1/skos"):
            assert client.get(call, {"tag": value}).status_code in (200, 404, 422), call
        assert client.get(reverse("glossary:feed_changes"), {"token": value}).status_code in (200, 404)
        assert client.get(reverse("glossary:glossary_pdf"), {"state": value, "tag": value}).status_code in (200, 400)
        assert client.get(f"/unsubscribe/{value.replace('/', '')[:2000] or 'x'}/").status_code in (200, 400, 404)
    assert client.get(reverse("glossary:dashboard_csv", args=["no-such-table"])).status_code == 404


@pytest.mark.parametrize(
    "host",
    ["10.0.0.1", "[::1]", "[::ffff:169.254.169.254]", "localhost.", "LOCALHOST", "[fe80::1%25eth0]", "0177.0.0.1"],
)
def test_private_webhook_addresses_at_and_past_the_length_limit_are_refused_at_the_field(admin_client, settings, host):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    base = f"https://{host}/"
    for url, status in ((base + "a" * (URL_LIMIT - len(base)), 400), (base + "a" * (URL_LIMIT + 1 - len(base)), 400)):
        response = admin_client.post(
            reverse("webhooks:add"), {"url": url, "events": ["term.published"], "format": "standard"}
        )
        assert response.status_code == status
        assert 'id="id_url_error"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()

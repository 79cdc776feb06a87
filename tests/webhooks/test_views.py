"""The webhook pages: registering, secrets shown once, pausing, deleting, who may see them."""

import base64

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from tests.webhooks.receivers import ALL_EVENTS, closed_port_url, deliver_first
from webhooks import payloads
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.sending import webhook_deliveries_due
from webhooks.services import webhook_endpoint_register, webhook_event_fire, webhook_test_send

pytestmark = pytest.mark.django_db


def test_registering_an_endpoint_shows_its_secret_once(admin_client):
    response = admin_client.post(
        reverse("webhooks:add"),
        {
            "url": "https://hooks.example.com/glossary",
            "events": [payloads.PROPOSAL_OPENED, payloads.TERM_PUBLISHED],
            "format": "slack",
        },
    )
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and len(base64.b64decode(endpoint.secret[6:])) == 32
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == [payloads.PROPOSAL_OPENED, payloads.TERM_PUBLISHED]
    assert endpoint.format == "slack"

    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page
    assert "Nothing delivered yet" in page
    listing = admin_client.get(reverse("webhooks:list")).content.decode()
    assert endpoint.secret not in listing and "https://hooks.example.com/glossary" in listing
    assert all(endpoint.secret not in str(v) for v in endpoint.history.values_list(flat=True))


def test_a_new_secret_is_made_only_after_confirming_and_shown_once(admin_client, register):
    endpoint, old = register("https://hooks.example.com/glossary")
    confirm = admin_client.get(reverse("webhooks:secret", args=[endpoint.pk]))
    assert confirm.status_code == 200 and "Yes, make a new secret" in confirm.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == old
    response = admin_client.post(reverse("webhooks:secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()


def test_deleting_an_endpoint_asks_first(admin_client, register):
    endpoint, _ = register("https://hooks.example.com/glossary")
    webhook_test_send(endpoint=endpoint)
    confirm = admin_client.get(reverse("webhooks:delete", args=[endpoint.pk]))
    assert "cannot be undone" in confirm.content.decode()
    assert WebhookEndpoint.objects.exists()
    response = admin_client.post(reverse("webhooks:delete", args=[endpoint.pk]), follow=True)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert "No endpoints yet" in response.content.decode()


def test_an_event_whose_message_cannot_be_made_fails_like_a_delivery_and_the_tick_goes_on(register):
    endpoint, _ = register(closed_port_url(), endpoint_format=WebhookEndpoint.Format.SLACK)
    now = timezone.now()
    webhook_event_fire(kind=payloads.TERM_REVIEW_DUE, data={"term": None, "proposal": None}, now=now)  # no review_by
    webhook_event_fire(kind=payloads.TEST, data=payloads.test_data(), endpoints=[endpoint], now=now)
    assert webhook_deliveries_due(now) == 2
    broken, fine = endpoint.deliveries.order_by("pk")
    assert "could not be made" in broken.attempts.get().error
    assert "Could not connect" in fine.attempts.get().error
    assert broken.attempt_count == fine.attempt_count == 1


def test_a_paused_endpoint_still_gets_its_test_events(admin_client, register):
    endpoint, _ = register(closed_port_url())
    admin_client.post(reverse("webhooks:pause", args=[endpoint.pk]))
    admin_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert webhook_deliveries_due(timezone.now()) == 1
    assert WebhookDelivery.objects.get().attempts.count() == 1


def test_pausing_keeps_events_and_resuming_sends_them(admin_client, register):
    endpoint, _ = register(closed_port_url())
    admin_client.post(reverse("webhooks:pause", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None})
    assert webhook_deliveries_due(timezone.now()) == 0
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "Paused" in page and "Resume" in page
    admin_client.post(reverse("webhooks:resume", args=[endpoint.pk]))
    assert webhook_deliveries_due(timezone.now()) == 1


def test_the_detail_page_lists_deliveries_with_status_code_attempts_and_next_try(admin_client, register):
    endpoint, _ = register(closed_port_url())
    delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page and "Waiting to be sent" in page
    assert "Could not connect" in page
    assert delivery.next_attempt_at.strftime("%H:%M:%S") in page


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "Enter a full web address"),
        ("ftp://files.example.com/hook", "Enter a full web address"),
        ("https://", "Enter a full web address"),
        ("", "Give the address"),
        ("https://example.com/" + "a" * 2000, "at most 2000 characters"),
        ("https://example.com/\x00", "Null characters are not allowed"),
    ],
)
def test_an_address_that_is_not_a_web_address_is_refused_next_to_the_field(admin_client, url, message):
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="id_url_error"' in page and 'aria-describedby="id_url_helptext id_url_error"' in page
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_refused_in_production_unless_allowed(admin_client, settings):
    settings.DEBUG = False
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = False
    data = {"url": "http://hooks.example.com/glossary", "events": ALL_EVENTS, "format": "standard"}
    response = admin_client.post(reverse("webhooks:add"), data)
    assert response.status_code == 400
    assert "Use an https:// address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    assert admin_client.post(reverse("webhooks:add"), data).status_code == 201


def test_the_service_refuses_bad_input_too(admin_user, settings):
    from django.core.exceptions import ValidationError

    settings.DEBUG = False
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_register(
            user=admin_user, url="http://x.example", events_wanted=["nope"], endpoint_format="xml"
        )
    assert set(refused.value.message_dict) == {"url", "events", "format"}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format": "standard"}, "Choose at least one event."),
        ({"format": "standard", "events": ["term.exploded"]}, "Choose among the listed events."),
        ({"format": "xml", "events": ALL_EVENTS}, "Select a valid choice"),
    ],
)
def test_events_and_format_must_be_among_those_listed(admin_client, data, message):
    response = admin_client.post(reverse("webhooks:add"), {"url": "https://hooks.example.com/x", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_only_glossary_admins_see_and_use_the_webhook_pages(client, make_user, it, register):
    endpoint, secret = register("https://hooks.example.com/glossary")
    pages = [
        ("get", reverse("webhooks:list")),
        ("get", reverse("webhooks:add")),
        ("post", reverse("webhooks:add")),
        ("get", reverse("webhooks:detail", args=[endpoint.pk])),
        ("post", reverse("webhooks:test", args=[endpoint.pk])),
        ("post", reverse("webhooks:pause", args=[endpoint.pk])),
        ("post", reverse("webhooks:resume", args=[endpoint.pk])),
        ("get", reverse("webhooks:delete", args=[endpoint.pk])),
        ("post", reverse("webhooks:delete", args=[endpoint.pk])),
        ("get", reverse("webhooks:secret", args=[endpoint.pk])),
        ("post", reverse("webhooks:secret", args=[endpoint.pk])),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 302  # to the log-in page
    for role in (roles.READER, roles.CONTRIBUTOR, roles.APPROVER):
        client.force_login(make_user(f"user-{role}", department=it, role=role))
        assert "Webhooks" not in client.get(reverse("glossary:term_list")).content.decode()
        for method, url in pages:
            assert (
                getattr(client, method)(url, {"url": "https://evil.example", "events": ALL_EVENTS}).status_code == 403
            )
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.is_paused) == (secret, False)
    assert WebhookEndpoint.objects.count() == 1 and not WebhookDelivery.objects.exists()

    client.force_login(make_user("admin2", role=roles.GLOSSARY_ADMIN))
    home = client.get(reverse("glossary:term_list")).content.decode()
    assert f'href="{reverse("webhooks:list")}"' in home
    assert client.get(reverse("webhooks:list")).status_code == 200


def test_the_webhook_list_has_an_empty_state(admin_client):
    page = admin_client.get(reverse("webhooks:list")).content.decode()
    assert "No endpoints yet" in page
    assert admin_client.get(reverse("webhooks:add")).status_code == 200

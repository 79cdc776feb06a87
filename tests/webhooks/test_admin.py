from django.urls import reverse
from django.utils import timezone

from webhooks import payloads
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services import webhook_endpoint_register


def test_the_admin_shows_endpoints_and_their_deliveries_but_never_the_secret_and_changes_nothing(
    admin_client, admin_user, settings
):
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    endpoint, secret = webhook_endpoint_register(
        user=admin_user,
        url="https://hooks.example.com/glossary",
        events_wanted=list(payloads.SUBSCRIBABLE),
        endpoint_format="standard",
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_admin_1", event=payloads.PROPOSAL_OPENED, payload={}
    )
    WebhookAttempt.objects.create(delivery=delivery, attempted_at=timezone.now(), status_code=503, error="Service down")

    listing = admin_client.get(reverse("admin:webhooks_webhookendpoint_changelist"))
    assert listing.status_code == 200
    assert "https://hooks.example.com/glossary" in listing.content.decode()
    assert endpoint.get_absolute_url() in listing.content.decode()

    page = admin_client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert secret not in page
    assert secret.removeprefix("whsec_") not in page

    delivery_page = admin_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]))
    assert delivery_page.status_code == 200
    assert "Service down" in delivery_page.content.decode()

    assert admin_client.get(reverse("admin:webhooks_webhookendpoint_add")).status_code == 403
    deleting = admin_client.post(reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"})
    assert deleting.status_code == 403
    changing = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]), {"url": "https://elsewhere.example.com/"}
    )
    assert changing.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/glossary"

"""Webhooks reach only public addresses and the networks an administrator allows: checked at the
field and again where the connection opens."""

import ipaddress

import pytest
import requests
from django.urls import reverse

from tests.webhooks.receivers import ALL_EVENTS, closed_port_url, deliver_first, receiving, status
from webhooks import signing
from webhooks.addresses import CheckedAddressAdapter, embedded_ipv4
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_test_send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_a_local_address_is_refused_before_it_is_sent_and_nothing_reaches_it(register, settings, host):
    with receiving(status(200)) as receiver:
        # Registered while the loopback network was allowed…
        endpoint, _ = register(receiver.url.replace("127.0.0.1", host))
        # …and sent after it no longer is.
        settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert receiver.received == []
    attempt = delivery.attempts.get()
    assert not attempt.succeeded and attempt.status_code is None
    assert attempt.error == (
        "Not sent: 127.0.0.1 is a private or local address: webhooks go only to public addresses "
        "and to the networks in GLOSSARY_WEBHOOK_ALLOWED_NETWORKS."
    )
    assert delivery.state == WebhookDelivery.State.PENDING  # tried again later, in case the network is allowed


def test_a_name_that_resolves_to_a_local_address_is_refused_where_the_connection_opens(settings):
    """The check behind the one before sending: a name (here `localhost`, from the hosts file) is
    judged by the addresses it resolves to when the connection opens, not when it was registered."""
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", CheckedAddressAdapter())
    with receiving(status(200)) as receiver, pytest.raises(requests.ConnectionError) as refused:
        session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5)
    assert receiver.received == []
    assert "127.0.0.1 is a private or local address" in str(refused.value)
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    with receiving(status(200)) as receiver:
        assert session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5).status_code == 200
    assert len(receiver.received) == 1


# Ways to write an address on this machine that a check reading the URL differently, or judging an
# IPv6 address by itself, once took for another host or for a public address; `{port}` is the
# receiver's. Each with what the form says of it.
USER_INFO = "Leave out the user name and password"
LOCAL = "127.0.0.1 is a private or local address"
LOCAL_SPELLINGS = {
    "http://127.0.0.1:{port}\\@example.com/hook": USER_INFO,  # urlsplit: example.com; requests: 127.0.0.1
    "http://hooks.example.com@127.0.0.1:{port}/hook": USER_INFO,
    "http://user:password@127.0.0.1:{port}/hook": USER_INFO,
    "http://[::7f00:1]:{port}/hook": LOCAL,  # IPv4-compatible
    "http://[::127.0.0.1]:{port}/hook": LOCAL,
    "http://[::ffff:127.0.0.1]:{port}/hook": LOCAL,  # IPv4-mapped
    "http://[64:ff9b::7f00:1]:{port}/hook": LOCAL,  # NAT64
    "http://[64:ff9b:1::7f00:1]:{port}/hook": LOCAL,  # NAT64, a network's own prefix
    "http://[2002:7f00:1::]:{port}/hook": LOCAL,  # 6to4
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}/hook": LOCAL,  # Teredo, client 127.0.0.1
    # Spellings the resolver reads as 127.0.0.1: no host name, so not a web address to the form.
    "http://127.1:{port}/hook": "Enter a full web address",
    "http://2130706433:{port}/hook": "Enter a full web address",
}


@pytest.mark.parametrize("proxied", [False, True], ids=["straight", "through a proxy"])
@pytest.mark.parametrize("spelling, message", list(LOCAL_SPELLINGS.items()))
def test_a_local_address_in_any_spelling_is_refused_at_the_field(admin_client, settings, spelling, message, proxied):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    settings.GLOSSARY_WEBHOOK_PROXY = closed_port_url().removesuffix("/hook") if proxied else ""
    url = spelling.format(port=8221)
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_url_error"' in page and message in page
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.slow
@pytest.mark.parametrize("proxied", [False, True], ids=["straight", "through a proxy"])
@pytest.mark.parametrize("spelling", LOCAL_SPELLINGS)
def test_a_stored_local_address_in_any_spelling_is_not_sent_to_with_or_without_a_proxy(
    admin_user, settings, spelling, proxied
):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    with receiving(status(200)) as receiver, receiving(status(200)) as proxy:
        settings.GLOSSARY_WEBHOOK_PROXY = proxy.url.removesuffix("/hook") if proxied else ""
        # As an endpoint kept from before these rules: stored as it was typed, past the form.
        endpoint = WebhookEndpoint.objects.create(
            url=spelling.format(port=receiver.server.server_address[1]),
            events=ALL_EVENTS,
            format=WebhookEndpoint.Format.STANDARD,
            secret=signing.new_secret(),
            created_by=admin_user,
        )
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert receiver.received == [] and proxy.received == []
    attempt = delivery.attempts.get()
    assert attempt.error.startswith("Not sent: ") and attempt.status_code is None
    assert (USER_INFO if LOCAL_SPELLINGS[spelling] == USER_INFO else LOCAL) in attempt.error


@pytest.mark.parametrize(
    "host, carried",
    [
        ("[64:ff9b::808:808]", "8.8.8.8"),
        ("[2002:808:808::]", "8.8.8.8"),
        ("[::ffff:8.8.8.8]", "8.8.8.8"),
        ("[2001:0:4136:e378:8000:63bf:f7f7:f7f7]", "8.8.8.8"),  # Teredo, client 8.8.8.8
    ],
)
def test_an_ipv6_address_carrying_a_public_ipv4_address_is_accepted(admin_client, settings, host, carried):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    url = f"https://{host}/hook"
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 201
    assert WebhookEndpoint.objects.get().url == url
    assert embedded_ipv4(ipaddress.IPv6Address(host.strip("[]"))) == (ipaddress.IPv4Address(carried),)


def test_a_network_the_administrator_allows_gets_its_deliveries(register, settings):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "10.0.0.0/8, not-a-network, 127.0.0.1/32"
    with receiving(status(200)) as receiver:
        endpoint, _ = register(receiver.url)
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert delivery.state == WebhookDelivery.State.SUCCEEDED and len(receiver.received) == 1


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # a cloud's metadata service
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://192.168.0.1:8443/hook", "192.168.0.1"),
        ("https://localhost/hook", "127.0.0.1"),
        ("https://127.0.0.1:9000/hook", "127.0.0.1"),
        ("https://[::1]/hook", "::1"),
        ("https://[::ffff:127.0.0.1]/hook", "127.0.0.1"),
        ("https://0.0.0.0/hook", "0.0.0.0"),
        ("https://[fd00::1]/hook", "fd00::1"),
    ],
)
def test_a_private_or_local_address_is_refused_next_to_the_field(admin_client, settings, url, shown):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{shown} is a private or local address" in page and 'id="id_url_error"' in page
    assert not WebhookEndpoint.objects.exists()
    # A public address, and the same private one once its network is allowed, are taken.
    public = {"url": "https://hooks.example.com/glossary", "events": ALL_EVENTS, "format": "standard"}
    assert admin_client.post(reverse("webhooks:add"), public).status_code == 201
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "0.0.0.0/0,::/0"
    assert admin_client.post(reverse("webhooks:add"), {**public, "url": url}).status_code == 201

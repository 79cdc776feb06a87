"""Where a webhook may be sent: public addresses, and the private networks an administrator allows.

Whoever may register an endpoint must not be able to make the server post to itself or to the
company's inside (a cloud metadata service, a database's HTTP port, a router) and read the answer
back in the delivery list. So every delivery connects only to an address that is public or inside
GLOSSARY_WEBHOOK_ALLOWED_NETWORKS, checked on the very address the connection is opened to: a host
name that resolved to a public address when it was registered and to 127.0.0.1 when the event is
sent is refused then, too. The registration form refuses the addresses it can judge without asking
DNS (literal IP addresses and `localhost`), so the common mistakes are told at once, and a delivery
refuses them again before it sends, with or without a proxy.

An address is read once, by the parser `requests` itself uses (`webhook_url_parse`): two parsers
may disagree on the host (`http://127.0.0.1:8221\\@example.com/` is example.com to `urlsplit`
and 127.0.0.1 to urllib3), and then the check and the connection would go to different places.
An IPv6 address that carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged
by the IPv4 address, which a translator or tunnel connects to in its place.

With GLOSSARY_WEBHOOK_PROXY set, the connection goes to the proxy, and the proxy decides where a
host name may go on from there.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import parse_url
from urllib3.util.connection import create_connection

from common.client_address import parse_networks

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_A_WEB_ADDRESS = "Enter a full web address starting with https://, e.g. https://hooks.example.com/glossary."
USER_INFO_REFUSED = (
    "Leave out the user name and password (the part up to the @): an address with an @ before its path "
    "is refused. The receiver knows each event is ours by its signature."
)
SCHEMES = ("http", "https")
# What stands between `scheme://` and the path at its longest: urllib3 ends it at a backslash,
# `?` or `#` too, Python's `urlsplit` at `?` or `#`, Django's URLValidator only at `/`. An `@` or a
# backslash in here is where parsers disagree on the host.
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/]*)")
# The spellings of an IPv4 address the system's resolver reads besides the dotted four: 127.1,
# 0x7f.0.0.1, 0177.0.0.1, 2130706433. A host of these characters is read by inet_aton, as the
# resolver reads it; a name such as `cafe.be` is no address to it and stays a name.
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")

IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291, deprecated but still routed by some stacks
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052, the well-known prefix
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, for a network's own translator
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")  # RFC 3056
TEREDO = ipaddress.IPv6Network("2001::/32")  # RFC 4380


class WebhookUrlRefused(ValueError):
    """Why an address cannot be a webhook's, in words for the form and the delivery list."""


@dataclass(frozen=True)
class WebhookUrl:
    url: str  # as requests sends it: the host in IDNA, the path quoted
    scheme: str
    host: str  # an IPv6 address in brackets, as in the URL
    port: int | None


def webhook_url_parse(url: str) -> WebhookUrl:
    """`url` read exactly as `requests` reads it when it sends (`PreparedRequest.prepare_url`, that
    is urllib3's `parse_url` and IDNA), so what is checked is what is connected to."""
    authority = _AUTHORITY.match(url.strip())
    if authority and "@" in authority.group(1):
        raise WebhookUrlRefused(USER_INFO_REFUSED)
    if authority and "\\" in authority.group(1):
        raise WebhookUrlRefused("A web address has no backslash before its path; write / instead.")
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parts = parse_url(prepared.url)
    except (requests.RequestException, ValueError):
        raise WebhookUrlRefused(NOT_A_WEB_ADDRESS) from None
    if parts.scheme not in SCHEMES or not parts.host:
        raise WebhookUrlRefused(NOT_A_WEB_ADDRESS)
    if parts.auth:
        raise WebhookUrlRefused(USER_INFO_REFUSED)
    return WebhookUrl(url=prepared.url, scheme=parts.scheme, host=parts.host, port=parts.port)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries, which a translator or tunnel reaches in its place."""
    if address.ipv4_mapped:
        return (address.ipv4_mapped,)
    if address in SIX_TO_FOUR:
        return (address.sixtofour,)
    if address in TEREDO:
        return (address.teredo[1],)  # the client's address: where the packets go
    if address in NAT64:
        return (ipaddress.IPv4Address(address.packed[12:]),)
    if address in NAT64_LOCAL:
        # Each network chooses where in this prefix the IPv4 address sits (RFC 6052 allows it after
        # 48, 56, 64 or 96 bits), so every reading must pass.
        return tuple(_rfc6052_ipv4(address, length) for length in (96, 64, 56, 48))
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return (ipaddress.IPv4Address(address.packed[12:]),)
    return ()


def _rfc6052_ipv4(address: ipaddress.IPv6Address, prefix_length: int) -> ipaddress.IPv4Address:
    if prefix_length == 96:
        return ipaddress.IPv4Address(address.packed[12:])
    without_u = address.packed[:8] + address.packed[9:]  # bits 64 to 71 are reserved, skipped by the IPv4 address
    return ipaddress.IPv4Address(without_u[prefix_length // 8 : prefix_length // 8 + 4])


def address_problem(address: Address) -> str | None:
    """Why a delivery may not connect to `address`, in words for the delivery list, or None."""
    allowed = parse_networks(settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS)

    def permitted(candidate: Address) -> bool:
        return any(candidate in network for network in allowed) or (candidate.is_global and not candidate.is_multicast)

    if any(address in network for network in allowed):
        return None
    carried = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else ()
    for candidate in carried or (address,):
        if permitted(candidate):
            continue
        if candidate == address:
            said = f"{address} is"
        else:
            where = f" (one of the places a network may put it in {NAT64_LOCAL})" if address in NAT64_LOCAL else ""
            said = f"{address} carries the IPv4 address {candidate}{where}, and {candidate} is"
        return (
            f"{said} a private or local address: webhooks go only to public addresses and to the "
            "networks in GLOSSARY_WEBHOOK_ALLOWED_NETWORKS."
        )
    return None


def literal_address(host: str) -> Address | None:
    """The IP address a URL's host is, in any spelling the resolver reads, or None for a name."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass
    return None


def host_problem(host: str) -> str | None:
    """What can be said of a URL's host without asking DNS: a literal address or `localhost`."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return address_problem(ipaddress.IPv4Address("127.0.0.1"))  # RFC 6761: always the loopback address
    address = literal_address(host)
    return address_problem(address) if address is not None else None  # a name: judged when a delivery connects


def checked_address(host: str, port: int) -> str:
    """The first address `host` resolves to, if every address it resolves to may be used."""
    resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(sockaddr[0].split("%")[0]) for *_, sockaddr in resolved]
    for address in addresses:
        problem = address_problem(address)
        if problem:
            # One bad address refuses the name: the resolver might hand it out next time.
            raise PermissionError(problem)
    return resolved[0][4][0]


class AddressRefused(NewConnectionError):
    def __init__(self, connection, refusal: str):
        super().__init__(connection, refusal)
        self.refusal = refusal

    def __str__(self):
        return self.refusal  # the reason alone, without urllib3's description of the connection


class _CheckedConnectionMixin:
    """Opens the socket to an address `checked_address` approved, never to what the name resolves to later."""

    def _new_conn(self) -> socket.socket:
        try:
            address = checked_address(self.host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        except PermissionError as refused:
            raise AddressRefused(self, str(refused)) from None
        try:
            # TLS still checks the certificate against the name (`self.host`), not the address.
            return create_connection(
                (address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        except OSError as error:
            raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class CheckedAddressAdapter(HTTPAdapter):
    """A `requests` adapter whose connections go only where `address_problem` allows."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }

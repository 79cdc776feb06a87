"""Where a webhook may be sent: public addresses, and the private networks an administrator allows.

Whoever may register an endpoint must not be able to make the server post to itself or to the
company's inside (a cloud metadata service, a database's HTTP port, a router) and read the answer
back in the delivery list. So every delivery connects only to an address that is public or inside
GLOSSARY_WEBHOOK_ALLOWED_NETWORKS, checked on the very address the connection is opened to: a host
name that resolved to a public address when it was registered and to 127.0.0.1 when the event is
sent is refused then, too. The registration form refuses the addresses it can judge without asking
DNS (literal IP addresses and `localhost`), so the common mistakes are told at once.

With GLOSSARY_WEBHOOK_PROXY set, the connection goes to the proxy, and the proxy decides where it
may go on from there.
"""

import ipaddress
import socket

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from config.client_address import parse_networks

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_problem(address: Address) -> str | None:
    """Why a delivery may not connect to `address`, in words for the delivery list, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in parse_networks(settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS)):
        return None
    if address.is_global and not address.is_multicast:
        return None
    return (
        f"{address} is a private or local address: webhooks go only to public addresses and to the "
        "networks in GLOSSARY_WEBHOOK_ALLOWED_NETWORKS."
    )


def host_problem(host: str) -> str | None:
    """What can be said of a URL's host without asking DNS: a literal address or `localhost`."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"  # RFC 6761: always the loopback address
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None  # a name: judged when a delivery connects
    return address_problem(address)


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
                (address, self.port), self.timeout, source_address=self.source_address, socket_options=self.socket_options
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
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPConnectionPool, "https": _CheckedHTTPSConnectionPool}

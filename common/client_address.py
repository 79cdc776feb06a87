"""The client's address, read through the proxies this site trusts (DJANGO_TRUSTED_PROXIES).

X-Forwarded-For is written by whoever sent the request, so only the entries added by proxies we
trust can be believed: the log-in lock-out keys on this address, and a client that could choose it
could escape the lock-out, or lock out someone else.
"""

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """Either how many proxies stand in front of the app, or the networks they send from."""

    count: int = 0
    networks: tuple[Network, ...] = ()

    def trust(self, address: str | None) -> bool:
        parsed = parse_address(address)
        return parsed is not None and any(parsed in network for network in self.networks)


@lru_cache(maxsize=8)
def parse_trusted_proxies(value: str) -> TrustedProxies:
    """`1` (a count) or `10.0.0.0/8,127.0.0.1` (addresses and networks); anything else trusts nobody."""
    value = value.strip()
    if value.isdigit():
        return TrustedProxies(count=int(value))
    return TrustedProxies(networks=parse_networks(value))


@lru_cache(maxsize=8)
def parse_networks(value: str) -> tuple[Network, ...]:
    """`10.0.0.0/8,127.0.0.1,::1`: the addresses and networks named. An entry that is no address
    is left out, so a typo allows or trusts nothing rather than something unintended."""
    networks = []
    for item in value.split(","):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def parse_address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def canonical(value: str | None) -> str | None:
    """One spelling per address (`2001:DB8::1` and `2001:db8:0::1` are one client), or None."""
    parsed = parse_address(value)
    return str(parsed) if parsed is not None else None


def client_address(request) -> str | None:
    """The address of the client that sent this request, as far as trusted proxies vouch for it."""
    remote = canonical(request.META.get("REMOTE_ADDR"))
    proxies = parse_trusted_proxies(settings.TRUSTED_PROXIES)
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxies.count:
        # Each proxy appends the address it was called from, so the client is the count-th entry
        # from the right; anything further left was written by the client and proves nothing.
        if len(forwarded) < proxies.count:
            return remote
        return canonical(forwarded[-proxies.count]) or remote
    # Walk back from the proxy that called us while each hop is one we trust: the first address
    # not in a trusted network is the client. A hop that is no address stops the walk there.
    client = remote
    for entry in reversed(forwarded):
        if not proxies.trust(client):
            break
        previous = canonical(entry)
        if previous is None:
            break
        client = previous
    return client

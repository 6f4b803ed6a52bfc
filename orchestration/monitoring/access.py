"""Who may read /metrics: a bearer token (METRICS_TOKEN) or an address in METRICS_ALLOWED_NETWORKS.

The metrics name accounts, queues and alert groups, so they are not public. Prometheus sends the token as
`Authorization: Bearer <token>`; a request with a token is judged by the token alone (wrong: 401), one
without by its address (outside the networks: 403). The address is the proxy-aware client IP (NUM_PROXIES);
with NUM_PROXIES = 0 a request relayed by a proxy (it carries X-Forwarded-For or Forwarded) is never let in
by address, since the proxy's own address (often 127.0.0.1) would stand for every client behind it."""

import enum
import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from orchestration.client_ip import client_ip

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# METRICS_ALLOWED_NETWORKS unset: the machine itself, unless a token is set (then the token only).
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


class Access(enum.Enum):
    ALLOWED = enum.auto()
    FORBIDDEN = enum.auto()  # 403
    BAD_TOKEN = enum.auto()  # 401


@cache
def _parse_networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def allowed_networks() -> tuple[IPNetwork, ...]:
    configured: list[str] | None = settings.METRICS_ALLOWED_NETWORKS
    if configured is None:
        configured = [] if settings.METRICS_TOKEN else list(LOOPBACK_NETWORKS)
    return _parse_networks(tuple(item.strip() for item in configured if item.strip()))


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        return None
    return value.strip() if scheme.lower() == "bearer" else ""


def _address_allowed(request: HttpRequest) -> bool:
    if settings.NUM_PROXIES <= 0 and ("HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META):
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowed_networks())


def metrics_access(request: HttpRequest) -> Access:
    token = _bearer(request)
    if token is not None:
        expected = settings.METRICS_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return Access.ALLOWED
        return Access.BAD_TOKEN
    return Access.ALLOWED if _address_allowed(request) else Access.FORBIDDEN

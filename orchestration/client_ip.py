"""The address a request came from, trusting X-Forwarded-For only as far as NUM_PROXIES says.

With NUM_PROXIES = 0 (the default) the header is ignored: any client can send it, so trusting it would
let one client appear as many (and escape the login throttle). Behind N reverse proxies, the N-th
address from the right of the header is the one the nearest trusted proxy saw. DRF's throttles read the
same setting (REST_FRAMEWORK["NUM_PROXIES"]), so throttles, login lockout and the ledger agree.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    return addresses[-min(proxies, len(addresses))] if addresses else remote

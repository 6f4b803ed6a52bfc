"""E-mail login that refuses further attempts after repeated failures (per account and per IP).

The per-account counter is keyed on the account the login would reach (the same lookup the login itself
uses), not on the text typed: a look-alike spelling that the database matches to the same account
(`orqueſtra` for `orquestra`) counts against, and is blocked with, that account.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from orchestration.client_ip import client_ip
from orchestration.email_fold import email_fold
from orchestration.models import User


def _account_key(username: str) -> str:
    user = User.objects.lookup_for_login(username)
    return f"login-failures:user:{user.pk}" if user is not None else f"login-failures:email:{email_fold(username)}"


def _limits(username: str, request: HttpRequest | None) -> dict[str, int]:
    """Counter key → limit. Per account it is tight; per IP it is loose, because one office NAT, a proxy
    or `make run` on localhost puts everyone behind one address and one person's typos must not lock
    the whole team out."""
    limits = {_account_key(username): settings.LOGIN_FAILURE_LIMIT}
    ip = client_ip(request)
    if ip:
        limits[f"login-failures:ip:{ip}"] = settings.LOGIN_FAILURE_IP_LIMIT
    return limits


def login_is_blocked(username: str, request: HttpRequest | None) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _limits(username, request).items())


def _record_failure(username: str, request: HttpRequest | None) -> None:
    for key in _limits(username, request):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


class ThrottledEmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        username = username or kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        if login_is_blocked(username, request):
            # PermissionDenied stops Django trying other backends and fires user_login_failed.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            _record_failure(username, request)
        else:
            cache.delete(f"login-failures:user:{user.pk}")
        return user

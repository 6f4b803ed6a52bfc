"""Django's ASGI handler, except that long-lived stream views are not given a thread of their own.

Django runs each request inside an asgiref ThreadSensitiveContext, whose worker thread lives until
the response has been sent; for a Server-Sent Events stream that is as long as someone watches, so a
hundred viewers would park a hundred threads. Views marked with `long_lived_stream` skip that context:
their few blocking calls (middleware, session, token) share the process-wide thread-sensitive thread,
and their streaming runs on the event loop alone.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from django.core.handlers.asgi import ASGIHandler
from django.urls import Resolver404, resolve

View = TypeVar("View", bound=Callable[..., Awaitable[Any]])

_MARK = "long_lived_stream"


def long_lived_stream(view: View) -> View:
    """Marks an async view whose response stays open; see the module docstring."""
    setattr(view, _MARK, True)
    return view


def _is_long_lived_stream(scope: dict[str, Any]) -> bool:
    path: str = scope.get("path", "")
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(getattr(match.func, _MARK, False))


class StreamAwareASGIHandler(ASGIHandler):
    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and _is_long_lived_stream(scope):
            await self.handle(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

"""Every API route answers with and without its trailing slash.

Apps keep writing their routes in whatever style they like (DRF's DefaultRouter with slashes, a
SimpleRouter(trailing_slash=False), plain `path()`s); `config/urls.py` passes the whole `/api/` tree through
`optional_slash()`, so `/api/v1/executions` and `/api/v1/executions/`, `/api/v1/integrations/movidesk/sync` and
`/api/v1/integrations/movidesk/sync/` reach the same view. Each route is still written once, so:

- `reverse()` gives the form the route was written in, and the OpenAPI schema lists one operation per route;
- the other form resolves too, so Django's APPEND_SLASH never answers it with a redirect (which would drop a
  POST's body);
- the ASGI handler, which resolves the path to find long-lived streams, sees the stream route both ways.
"""

from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern, RoutePattern


class _TogglesTrailingSlash:
    """A URL pattern that, when the path does not match, tries it again with its trailing slash toggled.

    An include's prefix ("v1/") takes the path without the slash only when nothing follows ("v1"), so that
    the include's own root route (DRF's API root) answers both ways too."""

    _is_endpoint: bool

    def match(self, path: str) -> Any:
        found = super().match(path)  # type: ignore[misc]
        if found is not None or not path:
            return found
        if path.endswith("/"):
            one_slash = self._is_endpoint and not path.endswith("//")
            return super().match(path[:-1]) if one_slash else None  # type: ignore[misc]
        found = super().match(f"{path}/")  # type: ignore[misc]
        if found is not None and not self._is_endpoint and found[0]:
            return None
        return found


class OptionalSlashRoutePattern(_TogglesTrailingSlash, RoutePattern):
    pass


class OptionalSlashRegexPattern(_TogglesTrailingSlash, RegexPattern):
    pass


def _toggling(pattern: Any, is_endpoint: bool) -> Any:
    if isinstance(pattern, RoutePattern):
        return OptionalSlashRoutePattern(str(pattern), pattern.name, is_endpoint=is_endpoint)
    if isinstance(pattern, RegexPattern):
        return OptionalSlashRegexPattern(str(pattern), pattern.name, is_endpoint=is_endpoint)
    return pattern


def optional_slash(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The same URL patterns (includes followed), each matching with and without a trailing slash."""
    result: list[URLPattern | URLResolver] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            included = optional_slash(list(entry.url_patterns))
            pattern = _toggling(entry.pattern, is_endpoint=False)
            result.append(URLResolver(pattern, included, entry.default_kwargs, entry.app_name, entry.namespace))
        else:
            pattern = _toggling(entry.pattern, is_endpoint=True)
            result.append(URLPattern(pattern, entry.callback, entry.default_args, entry.name))
    return result

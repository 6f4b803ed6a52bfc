"""Every API route answers with and without its trailing slash, whatever style its app wrote it in."""

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from orchestration.live.asgi import _is_long_lived_stream
from orchestration.models import User
from orchestration.views.stream import execution_stream


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, list[str]]]:
    """(written path, view name, kwargs names) of every named endpoint, includes followed."""
    for entry in patterns:
        pattern = entry.pattern
        written = str(pattern) if isinstance(pattern, RoutePattern) else str(pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(list(entry.url_patterns), prefix + written, inner)
        elif entry.name:
            yield prefix + written, f"{namespace}{entry.name}", list(pattern.regex.groupindex)


def _api_paths() -> list[str]:
    paths = []
    for written, name, kwargs in _routes(get_resolver().url_patterns):
        if not written.startswith("api/") or "format" in kwargs:
            continue  # DRF's ".json" suffix routes already take an optional slash
        paths.append(reverse(name, kwargs={key: "7" for key in kwargs}))
    return paths


API_PATHS = _api_paths()


def _other_form(path: str) -> str:
    return path[:-1] if path.endswith("/") else f"{path}/"


def test_the_api_has_routes_in_both_styles() -> None:
    # Guards the test itself: both the slashed (DRF DefaultRouter) and the unslashed styles are present.
    assert "/api/v1/executions/" in API_PATHS and "/api/v1/executions/7/stream" in API_PATHS
    assert "/api/v1/integrations/movidesk/sync" in API_PATHS and "/api/schema/" in API_PATHS
    assert len(API_PATHS) > 15


@pytest.mark.parametrize("path", API_PATHS)
def test_every_api_route_resolves_to_the_same_view_with_and_without_the_slash(path: str) -> None:
    written, other = resolve(path), resolve(_other_form(path))

    assert (other.func, other.args, other.kwargs, other.view_name) == (
        written.func,
        written.args,
        written.kwargs,
        written.view_name,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
def test_every_api_route_answers_the_same_with_and_without_the_slash(path: str, admin_user: User) -> None:
    client = APIClient()
    client.force_authenticate(admin_user)

    written = client.get(path, HTTP_ACCEPT="application/json")
    other = client.get(_other_form(path), HTTP_ACCEPT="application/json")

    assert other.status_code == written.status_code
    assert other.status_code not in (301, 302, 308)
    # JSON bodies are compared; a stream's body is events over time and an HTML form carries a fresh CSRF token.
    if written.get("Content-Type", "").startswith("application/json"):
        assert other.json() == written.json()


def test_a_post_without_the_slash_reaches_the_view_instead_of_a_redirect(db: None, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="ana@example.com", password="s3nha-forte!")
    client = APIClient()

    for path in ("/api/v1/auth/token", "/api/v1/auth/token/"):
        response = client.post(path, {"email": "ana@example.com", "password": "s3nha-forte!"}, format="json")
        assert response.status_code == 200, (path, response.content)
        assert response.json()["token"]


def test_the_live_log_stream_is_a_long_lived_stream_both_ways() -> None:
    for path in ("/api/v1/executions/7/stream", "/api/v1/executions/7/stream/"):
        assert resolve(path).func is execution_stream
        assert _is_long_lived_stream({"path": path})


def test_reverse_and_the_schema_keep_the_written_form(db: None) -> None:
    assert reverse("execution-list") == "/api/v1/executions/"
    assert reverse("execution-stream", kwargs={"pk": 7}) == "/api/v1/executions/7/stream"
    assert reverse("movidesk-sync") == "/api/v1/integrations/movidesk/sync"

    paths = APIClient().get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert "/api/v1/executions/" in paths and "/api/v1/executions" not in paths
    assert "/api/v1/integrations/movidesk/sync" in paths and "/api/v1/integrations/movidesk/sync/" not in paths


def test_a_double_slash_is_still_not_found(db: None) -> None:
    assert APIClient().get("/api/v1/executions//").status_code == 404

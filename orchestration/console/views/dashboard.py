"""The dashboard at `/`: every registered tile the viewer may see; each tile refreshes itself through htmx."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from orchestration.console.context import console_render
from orchestration.registries.console import DashboardTile, tile_get, tiles_all


def _rendered(tile: DashboardTile, request: HttpRequest, extra: dict[str, Any] | None = None) -> str | None:
    context = tile.context(request.user)  # type: ignore[arg-type]
    if context is None:
        return None
    return render_to_string(tile.template, {**context, **(extra or {}), "tile": tile}, request=request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    tiles = [(tile, html) for tile in tiles_all() if (html := _rendered(tile, request)) is not None]
    return console_render(request, "console/dashboard.html", {"title": _("Painel"), "tiles": tiles})


def tile_response(request: HttpRequest, key: str, extra: dict[str, Any] | None = None) -> HttpResponse | None:
    """The tile's inner HTML for this viewer (what an htmx refresh or an action on the tile swaps in); `extra`
    adds to its context (the outcome of an action: `message`, `error`)."""
    found = tile_get(key)
    html = _rendered(found, request, extra) if found is not None else None
    return HttpResponse(html) if html is not None else None


@login_required
def tile(request: HttpRequest, key: str) -> HttpResponse:
    response = tile_response(request, key)
    if response is None:
        raise Http404
    return response

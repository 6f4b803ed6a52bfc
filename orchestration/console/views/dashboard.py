"""The dashboard at `/`: every registered tile the viewer may see; each tile refreshes itself through htmx."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from orchestration.console.context import console_render
from orchestration.registries.console import DashboardTile, tile_get, tiles_all


def _rendered(tile: DashboardTile, request: HttpRequest) -> str | None:
    context = tile.context(request.user)  # type: ignore[arg-type]
    if context is None:
        return None
    return render_to_string(tile.template, {**context, "tile": tile}, request=request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    tiles = [(tile, html) for tile in tiles_all() if (html := _rendered(tile, request)) is not None]
    return console_render(request, "console/dashboard.html", {"title": _("Painel"), "tiles": tiles})


@login_required
def tile(request: HttpRequest, key: str) -> HttpResponse:
    found = tile_get(key)
    html = _rendered(found, request) if found is not None else None
    if found is None or html is None:
        raise Http404
    return HttpResponse(html)

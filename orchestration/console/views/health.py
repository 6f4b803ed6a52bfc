"""Placeholder while the page is being built (replaced before issue 13 closes)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from orchestration.console.context import console_render


@login_required
def grid(request: HttpRequest) -> HttpResponse:
    return console_render(request, "console/placeholder.html", {"title": "…"})

"""What every console page renders with: the admin's frame (titles, user tools, its sidebar) and the page's own."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def console_render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    page = admin.site.each_context(request)
    # The console's pages are wide; the admin's sidebar of models stays in the admin.
    page["is_nav_sidebar_enabled"] = False
    page.update(context)
    return render(request, template, page, status=status)

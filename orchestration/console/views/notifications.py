"""Marking one of your notifications read from the dashboard's tile (answers the refreshed tile)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from orchestration.console.views.dashboard import tile_response
from orchestration.models import Notification
from orchestration.services.notifications import notification_mark_read


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's notification is not found, like on the API.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification)
    response = tile_response(request, "notifications")
    if response is None:
        raise Http404
    return response

"""The alerts list at /console/alerts/: the API's filters (AlertFilter) plus a text search, kept in the URL;
open alerts first. People who may resolve alerts resolve one or several here (POST, CSRF), through the same
service as the admin's action and the API."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from orchestration.api.alerts import AlertFilter
from orchestration.console.context import console_render
from orchestration.console.display import admin_change_url, subjects_by_key
from orchestration.console.pagination import page_of
from orchestration.models import Alert, AlertKind, AlertStatus, Severity, User
from orchestration.services.alerts import alert_resolve_instance

VIEW_PERMISSION = "orchestration.view_alert"
RESOLVE_PERMISSION = "orchestration.resolve_alert"
SEARCH_MAX = 200


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    subject_label: str
    subject_url: str


def _searched(queryset: QuerySet[Alert], text: str) -> QuerySet[Alert]:
    if not text:
        return queryset
    return queryset.filter(
        Q(title__icontains=text) | Q(details__icontains=text) | Q(fingerprint__icontains=text) | Q(group=text)
    )


def _rows(alerts: list[Alert], user: User) -> list[AlertRow]:
    subjects = subjects_by_key([(alert.subject_type_id, alert.subject_id) for alert in alerts])
    rows = []
    for alert in alerts:
        subject = subjects.get((alert.subject_type_id, alert.subject_id)) if alert.subject_type_id else None
        rows.append(
            AlertRow(
                alert=alert, subject_label=str(subject) if subject else "", subject_url=admin_change_url(subject, user)
            )
        )
    return rows


def _resolve(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied
    chosen = [request.POST["only"]] if request.POST.get("only") else request.POST.getlist("alert")
    ids = [int(value) for value in chosen if value.isdigit() and len(value) < 19]
    resolved = already = 0
    for alert in Alert.objects.filter(pk__in=ids):
        if alert_resolve_instance(alert, user=user):
            resolved += 1
        else:
            already += 1
    if not ids:
        messages.warning(request, _("Selecione ao menos um alerta."))
    if resolved:
        messages.success(
            request,
            ngettext("%(count)d alerta resolvido.", "%(count)d alertas resolvidos.", resolved) % {"count": resolved},
        )
    if already:
        messages.info(
            request,
            ngettext("%(count)d alerta já estava resolvido.", "%(count)d alertas já estavam resolvidos.", already)
            % {"count": already},
        )
    # Back to the same filtered page; only a query string is taken from the form, so it stays on this site.
    query = request.POST.get("query", "").lstrip("?")
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alert_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        return _resolve(request)
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    base = Alert.objects.select_related("resolved_by", "owner", "execution").order_by("status", "-last_seen_at", "-id")
    filterset = AlertFilter(request.GET, queryset=_searched(base, search), request=request)
    valid = filterset.is_valid()
    page = page_of(request, filterset.qs) if valid else None
    context = {
        "title": _("Alertas"),
        "errors": filterset.form.errors,
        "page": page,
        "rows": _rows(list(page.object_list), user) if page is not None else [],
        "search": search,
        "statuses": AlertStatus.choices,
        "severities": Severity.choices,
        "kinds": AlertKind.choices,
        "groups": list(Alert.objects.order_by("group").values_list("group", flat=True).distinct()),
        "chosen_statuses": request.GET.getlist("status"),
        "chosen_severities": request.GET.getlist("severity"),
        "chosen_kinds": request.GET.getlist("kind"),
        "can_resolve": user.has_perm(RESOLVE_PERMISSION),
        "query": request.GET.urlencode(),
    }
    status = 400 if not valid and not request.htmx else 200  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "console/alerts_list.html", context, status=status)
    return console_render(request, "console/alerts.html", context, status=status)

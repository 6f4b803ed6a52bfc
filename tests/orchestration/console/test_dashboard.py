"""The dashboard at `/`: every tile's numbers come from the ledger and the apps' tables, scoped to the viewer."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from integrations.kommo.models import AuthState, KommoAccount
from orchestration.console.dashboard import executions_per_day, kind_stats, open_alert_groups, running_now
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, Role, Severity, Trigger, User
from orchestration.services.executions import execution_create
from tests.orchestration.invoices.factories import account
from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db


def run(
    kind: str, status: str, *, seconds: float = 1.0, days_ago: int = 0, parent: Execution | None = None
) -> Execution:
    created = timezone.now() - datetime.timedelta(days=days_ago)
    execution = execution_create(kind=kind, trigger=Trigger.MANUAL)
    finished = status in ExecutionStatus.terminal()
    # Written as a finished run would have left it (fan-out items are children, as execution_fan_out makes them).
    Execution.objects.filter(pk=execution.pk).update(
        parent=parent,
        status=status,
        created_at=created,
        started_at=created,
        finished_at=created + datetime.timedelta(seconds=seconds) if finished else None,
        error="conexão recusada pelo portal" if status == ExecutionStatus.FAILED else "",
    )
    execution.refresh_from_db()
    return execution


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_chart_counts_top_level_runs_per_local_day_and_status() -> None:
    run("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED)
    run("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED)
    parent = run("KOMMO_SYNC", ExecutionStatus.PARTIAL, days_ago=2)
    run("KOMMO_REPLICA_SYNC", ExecutionStatus.FAILED, days_ago=2, parent=parent)  # an item: not a run of its own
    run("MOVIDESK_SYNC", ExecutionStatus.FAILED, days_ago=40)  # outside the window

    chart = executions_per_day()

    assert len(chart["labels"]) == 30 and chart["labels"][-1] == timezone.localdate().strftime("%d/%m")
    by_status = {dataset["status"]: dataset["data"] for dataset in chart["datasets"]}
    assert set(by_status) == {ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL}
    assert by_status[ExecutionStatus.SUCCEEDED][-1] == 2
    assert by_status[ExecutionStatus.PARTIAL][-3] == 1
    assert chart["total"] == 3


def test_success_rate_and_median_duration_per_kind() -> None:
    for seconds in (1, 2, 30):
        run("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=seconds)
    run("MOVIDESK_SYNC", ExecutionStatus.FAILED, seconds=4)
    run("MOVIDESK_SYNC", ExecutionStatus.RUNNING)

    stats = {item.kind: item for item in kind_stats()}["MOVIDESK_SYNC"]

    assert (stats.total, stats.succeeded, stats.failed, stats.finished) == (5, 3, 1, 4)
    assert stats.success_rate == 0.75
    assert stats.median_seconds == pytest.approx(3.0)  # the middle of 1, 2, 4, 30


def test_running_now_shows_fan_out_progress() -> None:
    parent = run("KOMMO_SYNC", ExecutionStatus.RUNNING)
    run("KOMMO_REPLICA_SYNC", ExecutionStatus.SUCCEEDED, parent=parent)
    run("KOMMO_REPLICA_SYNC", ExecutionStatus.FAILED, parent=parent)
    run("KOMMO_REPLICA_SYNC", ExecutionStatus.RUNNING, parent=parent)
    run("KOMMO_REPLICA_SYNC", ExecutionStatus.QUEUED, parent=parent)

    running, total = running_now()

    assert total == 1
    assert (running[0].items_total, running[0].items_done, running[0].items_failed, running[0].percent) == (4, 2, 1, 50)


def test_open_alerts_are_grouped_worst_severity_first() -> None:
    now = timezone.now()
    for fingerprint, group, severity in [
        ("kommo:auth:a", "kommo:auth", Severity.WARNING),
        ("kommo:auth:b", "kommo:auth", Severity.CRITICAL),
        ("rpa:vivo", "rpa:VIVO", Severity.WARNING),
    ]:
        Alert.objects.create(
            fingerprint=fingerprint,
            group=group,
            group_title="Kommo: %(count)d contas sem autorização" if group == "kommo:auth" else "",
            severity=severity,
            title=fingerprint,
            first_seen_at=now,
            last_seen_at=now,
        )
    Alert.objects.create(
        fingerprint="old",
        group="old",
        severity=Severity.CRITICAL,
        title="old",
        status=AlertStatus.RESOLVED,
        first_seen_at=now,
        last_seen_at=now,
    )

    groups, total = open_alert_groups()

    assert total == 3
    assert [(group.title, group.open, group.severity) for group in groups] == [
        ("Kommo: 2 contas sem autorização", 2, Severity.CRITICAL),
        ("rpa:VIVO", 1, Severity.WARNING),  # no group title: the group's code
    ]


def test_the_dashboard_page_shows_each_tile_with_a_link_to_the_list_behind_it(make_user) -> None:  # type: ignore[no-untyped-def]
    run("MOVIDESK_SYNC", ExecutionStatus.FAILED)
    process = InvoiceProcess.objects.create(
        account=account(), month=timezone.localdate().replace(day=1), status=InvoiceStatus.AWAITING_APPROVAL
    )
    KommoAccount.objects.create(
        subdomain="filial", name="Filial Sul", auth_state=AuthState.NEEDS_REAUTHORIZATION, auth_error="invalid_grant"
    )
    WhatsAppSession.objects.create(
        name="Atendimento",
        provider=Provider.WAHA,
        base_url="http://waha.local",
        instance="default",
        status=SessionStatus.DISCONNECTED,
    )
    approver = make_user(Role.APPROVER)

    page = signed_in(approver).get("/")

    assert page.status_code == 200
    html = page.content.decode()
    for key in (
        "executions_chart",
        "running",
        "failures",
        "alerts",
        "invoices_awaiting_approval",
        "whatsapp_sessions_down",
        "kommo_reauthorization",
        "notifications",
        "kind_stats",
    ):
        assert f'id="tile-{key}"' in html, key
    assert "conexão recusada pelo portal" in html  # the failure's error, on the failures tile
    assert "Filial Sul" in html and "Atendimento" in html
    assert f'hx-post="/invoices/processes/{process.pk}/approve"' in html
    failures_link = re.search(
        r'href="(/console/executions/\?status=FAILED&amp;status=TIMED_OUT&amp;created_after=[^"]+)"', html
    )
    assert failures_link is not None
    behind = signed_in(approver).get(failures_link.group(1).replace("&amp;", "&")).content.decode()
    assert "conexão recusada pelo portal" in behind  # the list behind the tile shows the same failure
    assert (
        'href="/admin/integrations/kommoaccount/?active__exact=1&amp;auth_state__exact=NEEDS_REAUTHORIZATION"' in html
    )


def test_an_operator_sees_the_invoices_waiting_but_no_approve_button(operator_user: User) -> None:
    InvoiceProcess.objects.create(
        account=account(), month=timezone.localdate().replace(day=1), status=InvoiceStatus.AWAITING_APPROVAL
    )

    html = signed_in(operator_user).get("/").content.decode()

    assert 'id="tile-invoices_awaiting_approval"' in html
    assert "/approve" not in html


def test_a_tile_refreshes_alone_and_a_forged_approval_is_refused(operator_user: User) -> None:
    process = InvoiceProcess.objects.create(
        account=account(), month=timezone.localdate().replace(day=1), status=InvoiceStatus.AWAITING_APPROVAL
    )
    client = signed_in(operator_user)

    tile = client.get("/console/tiles/invoices_awaiting_approval", headers={"HX-Request": "true"})
    forged = client.post(f"/invoices/processes/{process.pk}/approve", headers={"HX-Request": "true"})

    assert tile.status_code == 200 and "<html" not in tile.content.decode()
    assert forged.status_code == 403
    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_APPROVAL


def test_an_approver_approves_from_the_tile_and_gets_the_refreshed_tile(approver_user: User) -> None:
    process = InvoiceProcess.objects.create(
        account=account(),
        month=timezone.localdate().replace(day=1),
        status=InvoiceStatus.AWAITING_APPROVAL,
        invoice_key="pdfs/VIVO/x.pdf",
    )
    client = signed_in(approver_user)

    answer = client.post(f"/invoices/processes/{process.pk}/approve", headers={"HX-Request": "true"})
    again = client.post(f"/invoices/processes/{process.pk}/approve", headers={"HX-Request": "true"})

    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_SAT_UPLOAD and process.approved_by == approver_user
    assert "aprovada" in answer.content.decode() and "Nenhuma fatura aguardando aprovação" in answer.content.decode()
    assert again.status_code == 200 and "Não foi possível aprovar" in again.content.decode()


def test_signed_out_visitors_go_to_the_login_page() -> None:
    answer = Client().get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/?next=/")

"""The console in headless Chromium against a live server and a real worker: sign-in, the dashboard's chart,
a running execution's live page, approving from the dashboard, the phone layout and accessibility."""

import datetime
import json
import time

import pytest
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.models import Execution, ExecutionStatus, LogLevel, Role, Trigger, User
from orchestration.services.executions import execution_create, execution_log, execution_start
from tests.browser.conftest import (
    ARTIFACTS,
    PASSWORD,
    PHONE,
    Live,
    assert_accessible,
    horizontal_overflow,
    password_the_server_can_check,
    screenshot,
)
from tests.harness.processes import send_task, wait_until
from tests.harness.tcp_proxy import TcpProxy
from tests.orchestration.invoices.factories import account

pytestmark = pytest.mark.e2e


def finished_runs(kind: str, statuses: list[str], days_ago: int) -> None:
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    for status in statuses:
        execution = execution_create(kind=kind, trigger=Trigger.SCHEDULE)
        Execution.objects.filter(pk=execution.pk).update(
            status=status, created_at=moment, started_at=moment, finished_at=moment + datetime.timedelta(seconds=3)
        )


def test_sign_in_lands_on_the_dashboard_whose_chart_has_data_points(live: Live, make_user) -> None:  # type: ignore[no-untyped-def]
    user: User = make_user(Role.OPERATOR)
    password_the_server_can_check(user)
    finished_runs("MOVIDESK_SYNC", [ExecutionStatus.SUCCEEDED] * 3 + [ExecutionStatus.FAILED], days_ago=0)
    finished_runs("MOVIDESK_SYNC", [ExecutionStatus.SUCCEEDED] * 2, days_ago=5)
    page = live.page()

    page.goto(live.url("/"))
    page.wait_for_url("**/admin/login/?next=/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live.url("/"))

    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('executions-chart'))")
    drawn = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById('executions-chart'));
          return chart.data.datasets.map((dataset, index) => ({
            label: dataset.label,
            values: dataset.data,
            bars: chart.getDatasetMeta(index).data.filter(bar => bar.height > 0).length,
          }));
        }"""
    )
    by_label = {dataset["label"]: dataset for dataset in drawn}
    assert by_label["Concluída"]["values"][-1] == 3 and by_label["Concluída"]["values"][-6] == 2
    assert by_label["Concluída"]["bars"] == 2 and by_label["Falhou"]["bars"] == 1
    assert page.locator("#tile-failures .orq-big").inner_text() == "1"
    screenshot(page, "dashboard")
    assert_accessible(page)


def test_a_running_execution_shows_new_lines_within_2_seconds_and_its_final_status_without_a_reload(
    live: Live, operator_user: User
) -> None:
    execution = execution_create(kind="SMOKE_TEST", trigger=Trigger.MANUAL, parameters={"seconds": 5})
    send_task(live.broker_url, "orchestration.smoke_test", {"seconds": 5, "execution_id": execution.pk})
    wait_until(lambda: execution.log_lines.filter(message__startswith="Passo").exists(), timeout=30, what="running")
    execution_log(execution=execution, message="uma linha de aviso", level=LogLevel.WARNING)
    page = live.page(operator_user)
    page.add_init_script(
        """new MutationObserver(records => {
             for (const record of records) for (const node of record.addedNodes)
               if (node.dataset && node.dataset.id) (window.seenAt = window.seenAt || {})[node.dataset.id] = Date.now();
           }).observe(document, {childList: true, subtree: true});"""
    )

    page.goto(live.url(f"/console/executions/{execution.pk}/"))
    shown_at_load = int(page.locator("#live-log").get_attribute("data-last-event-id") or 0)
    assert page.locator("h1 [data-live-status]").inner_text() == "Em execução"
    new_lines = f"Object.keys(window.seenAt || {{}}).filter(id => Number(id) > {shown_at_load}).length"
    page.wait_for_function(f"() => {new_lines} >= 3")

    seen = page.evaluate("() => window.seenAt")
    written = {
        str(line.id): line.created_at.timestamp() * 1000
        for line in execution.log_lines.filter(id__gt=shown_at_load, id__in=[int(key) for key in seen])
    }
    lags = [seen[key] - written[key] for key in written]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "live-page-lag.json").write_text(json.dumps({"milliseconds": sorted(lags)}))
    assert written and max(lags) < 2000, lags
    assert page.locator("#execution-counters").count() == 1  # counters as a table, moving while it runs

    header = page.locator("h1 [data-live-status]")
    header.filter(has_text="Concluída").wait_for(timeout=20_000)
    assert page.locator(".breadcrumbs [data-live-status]").inner_text() == "Concluída"
    page.locator("#live-connection", has_text="execução encerrada").wait_for()  # the stream's `end`
    page.locator("#summary-status[data-status=SUCCEEDED]").wait_for()
    assert "steps done" in page.locator("#execution-counters").inner_text()
    ids = page.locator("#live-lines li").evaluate_all("items => items.map(item => item.dataset.id)")
    assert len(ids) == len(set(ids)) == execution.log_lines.count()  # every line once

    screenshot(page, "execution")
    assert_accessible(page)
    page.select_option("#log-level", "WARNING")
    warnings = page.locator("#live-lines li:visible")
    assert warnings.count() == 1 and warnings.inner_text().endswith("uma linha de aviso")


def test_an_approver_approves_from_the_dashboard_and_an_operator_has_no_button(
    live: Live,
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    process = InvoiceProcess.objects.create(
        account=account(legal_name="Padaria Central Ltda"),
        month=timezone.localdate().replace(day=1),
        status=InvoiceStatus.AWAITING_APPROVAL,
        invoice_key="pdfs/VIVO/fatura.pdf",
    )
    operator = live.page(make_user(Role.OPERATOR))
    operator.goto(live.url("/"))
    assert operator.locator("#tile-invoices_awaiting_approval").inner_text().count("Padaria Central Ltda") == 1
    assert operator.locator("#tile-invoices_awaiting_approval button").count() == 0

    approver = live.page(make_user(Role.APPROVER))
    approver.goto(live.url("/"))
    approver.get_by_role("button", name="Aprovar a fatura de Padaria Central Ltda").click()
    approver.locator("#tile-invoices_awaiting_approval [role=status]").wait_for()

    tile = approver.locator("#tile-invoices_awaiting_approval").inner_text()
    assert "Fatura de Padaria Central Ltda aprovada." in tile
    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_SAT_UPLOAD and process.approved_by is not None


def test_the_phone_layout_never_scrolls_sideways(live: Live, admin_user: User) -> None:
    finished_runs("MOVIDESK_SYNC", [ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED], days_ago=1)
    execution = Execution.objects.filter(status=ExecutionStatus.FAILED).first()
    assert execution is not None
    Execution.objects.filter(pk=execution.pk).update(error="x" * 400, parameters={"conta": "y" * 300})
    page = live.page(admin_user, viewport=PHONE)

    for path, name in [("/", "dashboard-phone"), (f"/console/executions/{execution.pk}/", "execution-phone")]:
        page.goto(live.url(path))
        page.wait_for_load_state("networkidle")
        time.sleep(0.2)  # the chart draws after load
        assert horizontal_overflow(page) == 0, path
        screenshot(page, name)


def test_the_theme_chosen_in_the_admin_is_the_consoles(live: Live, operator_user: User) -> None:
    page = live.page(operator_user)
    page.goto(live.url("/admin/"))
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.locator("#user-tools .theme-toggle").click()  # auto (light here) → dark, as the admin cycles it

    page.goto(live.url("/"))

    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != light and sum(int(part) for part in dark[4:-1].split(",")) < 150, dark  # a dark background
    assert page.locator(".orq-nav a[aria-current=page]").inner_text() == "Painel"
    screenshot(page, "dashboard-dark")
    assert_accessible(page)


def test_the_live_log_survives_a_dropped_connection(live: Live, operator_user: User) -> None:
    execution = execution_start(execution=execution_create(kind="MOVIDESK_SYNC", trigger=Trigger.MANUAL))
    execution_log(execution=execution, message="antes da queda")
    page = live.page(operator_user)
    with TcpProxy("127.0.0.1", live.server.port) as proxy:
        page.goto(f"http://127.0.0.1:{proxy.port}/console/executions/{execution.pk}/")
        connection = page.locator("#live-connection")
        connection.filter(has_text="recebendo linhas ao vivo").wait_for()

        proxy.drop_connections()
        execution_log(execution=execution, message="durante a queda")

        # EventSource reconnects by itself (after the stream's `retry`) and resumes after the last line it got.
        page.locator("#live-lines li", has_text="durante a queda").wait_for(timeout=15_000)
        connection.filter(has_text="recebendo linhas ao vivo").wait_for()
        execution_log(execution=execution, message="depois da volta")
        page.locator("#live-lines li", has_text="depois da volta").wait_for()

    assert proxy.dropped >= 1
    messages = page.locator("#live-lines .line-message").all_inner_texts()
    assert messages == ["antes da queda", "durante a queda", "depois da volta"]  # each once, in order

"""The health grid (/console/health/) through the Django test client: each cell's numbers (last success, lag,
failure streak, state), the rows scoped by company, who sees the re-run button, and the re-run endpoint (the
failed child retried alone, or a new run of the item, recorded with who asked and from where)."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calendar_sync.models import GoogleCalendarIntegration
from calendar_sync.sync import SYNC_ALL_KIND
from calendar_sync.sync import SYNC_KIND as CALENDAR_SYNC_KIND
from integrations.kommo.models import AccountRole, KommoAccount
from integrations.kommo.sync import REPLICA_KIND
from integrations.kommo.sync import SYNC_KIND as KOMMO_SYNC_KIND
from integrations.movidesk.sync import SYNC_KIND as MOVIDESK_SYNC_KIND
from orchestration.invoices.models import Carrier, CarrierAccount, InvoiceProcess
from orchestration.invoices.services.downloads import DOWNLOAD_KIND, DOWNLOAD_TASK
from orchestration.invoices.services.sat import SAT_UPLOAD_KIND
from orchestration.models import Company, Execution, ExecutionStatus, Role, User
from orchestration.registries.console import health_source_get
from orchestration.selectors.health_grid import CellState, HealthFilters, health_grid
from orchestration.services.executions import execution_subject_fields
from orchestration.services.fanout import FAN_OUT_PARAMETER
from tests.orchestration.invoices.factories import cnpj
from whatsapp_health.checks import SESSION_CHECK_KIND
from whatsapp_health.models import CheckOutcome, Provider, WhatsAppSession

pytestmark = pytest.mark.django_db

GRID = reverse("console:health")
RERUN = reverse("console:health-rerun")
CELL = reverse("console:health-cell")
BROWSER = "Mozilla/5.0 (grade de saúde)"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The messages the fan-out hands the broker (task name, kwargs)."""
    messages: list[tuple[str, dict[str, Any]]] = []

    def send_task(name: str, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        messages.append((name, kwargs))

    monkeypatch.setattr("orchestration.services.fanout.current_app.send_task", send_task)
    return messages


@pytest.fixture
def company() -> Company:
    return Company.objects.create(name="Loja Azul")


@pytest.fixture
def other_company() -> Company:
    return Company.objects.create(name="Clínica Verde")


def person(email: str, role: str, company: Company | None) -> User:
    return User.objects.create_user(email, "s3nha-forte!", name=email.split("@")[0].title(), role=role, company=company)


@pytest.fixture
def operator(company: Company) -> User:
    return person("olga@azul.com", Role.OPERATOR, company)


@pytest.fixture
def approver(company: Company) -> User:
    return person("aldo@azul.com", Role.APPROVER, company)


def signed_in(user: User) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    client.force_login(user)
    return client


def session(name: str, company: Company | None) -> WhatsAppSession:
    return WhatsAppSession.objects.create(
        name=name,
        provider=Provider.WAHA,
        base_url="http://127.0.0.1:9/",
        api_key="k",
        instance=name.lower(),
        company=company,
    )


def replica(name: str) -> KommoAccount:
    return KommoAccount.objects.create(subdomain=name.lower(), name=name, role=AccountRole.REPLICA)


def checks_failed(item: WhatsAppSession, times: int) -> None:
    """What the real-status check stores on a session whose provider did not answer `times` checks in a row."""
    WhatsAppSession.objects.filter(pk=item.pk).update(
        last_checked_at=timezone.now(), last_check_outcome=CheckOutcome.FAILED, consecutive_failures=times
    )


def run(kind: str, status: str, *, subject: Any = None, hours_ago: float = 0, **fields: Any) -> Execution:
    """An execution of `kind` about `subject` that ended (or started) `hours_ago` hours ago."""
    at = timezone.now() - timedelta(hours=hours_ago)
    execution = Execution.objects.create(kind=kind, status=status, **execution_subject_fields(subject), **fields)
    finished = at if status in ExecutionStatus.terminal() else None
    Execution.objects.filter(pk=execution.pk).update(created_at=at, started_at=at, finished_at=finished)
    execution.refresh_from_db()
    return execution


def cell_html(html: str, row_key: str, kind: str) -> str:
    dom_id = "cell-" + "".join(char if char.isalnum() else "-" for char in f"{row_key}-{kind}")
    match = re.search(rf'<td id="{dom_id}".*?</td>', html, re.S)
    assert match, f"no cell {dom_id}"
    return match.group(0)


def test_each_cell_shows_last_success_lag_streak_and_state(client: Client, operator: User) -> None:
    failing, healthy, silent, busy = (replica(name) for name in ("Falhando", "Saudavel", "Nova", "Ocupada"))
    success = run(REPLICA_KIND, ExecutionStatus.SUCCEEDED, subject=failing, hours_ago=3.2)
    run(REPLICA_KIND, ExecutionStatus.FAILED, subject=failing, hours_ago=5)  # before the success: not counted
    run(REPLICA_KIND, ExecutionStatus.FAILED, subject=failing, hours_ago=2)
    latest = run(REPLICA_KIND, ExecutionStatus.TIMED_OUT, subject=failing, hours_ago=1)
    run(REPLICA_KIND, ExecutionStatus.FAILED, subject=healthy, hours_ago=30)
    run(REPLICA_KIND, ExecutionStatus.SUCCEEDED, subject=healthy, hours_ago=0.1)
    run(REPLICA_KIND, ExecutionStatus.SUCCEEDED, subject=busy, hours_ago=50)
    running = run(REPLICA_KIND, ExecutionStatus.RUNNING, subject=busy)
    run(KOMMO_SYNC_KIND, ExecutionStatus.FAILED, hours_ago=0.5)  # another kind, about no account: not a cell here

    html = signed_in(operator).get(GRID, {"source": "kommo"}).content.decode()

    cell = cell_html(html, f"kommo:{failing.pk}", REPLICA_KIND)
    assert 'data-state="failing"' in cell
    assert "2 falhas seguidas" in cell
    assert f"{timezone.localtime(success.finished_at):%d/%m/%Y %H:%M}" in cell
    assert "(há 3 h)" in cell
    assert reverse("console:execution", args=[latest.pk]) in cell and "Tempo esgotado" in cell
    cell = cell_html(html, f"kommo:{healthy.pk}", REPLICA_KIND)
    assert 'data-state="ok"' in cell and "falha" not in cell and "(há 6 min)" in cell
    cell = cell_html(html, f"kommo:{silent.pk}", REPLICA_KIND)
    assert 'data-state="never"' in cell and "Nenhum sucesso registrado" in cell and "Última execução" not in cell
    cell = cell_html(html, f"kommo:{busy.pk}", REPLICA_KIND)
    assert 'data-state="running"' in cell and f"#{running.pk}" in cell and "(há 2 d)" in cell
    assert "Executar de novo" not in cell  # nothing to click while it runs
    assert 'hx-trigger="every 10s" hx-target="#health-results"' in html  # the table follows what runs


def test_the_movidesk_row_counts_the_runs_about_no_one_thing(operator: User) -> None:
    run(MOVIDESK_SYNC_KIND, ExecutionStatus.SUCCEEDED, hours_ago=26)
    run(MOVIDESK_SYNC_KIND, ExecutionStatus.FAILED, hours_ago=2)
    run(MOVIDESK_SYNC_KIND, ExecutionStatus.PARTIAL, hours_ago=1)  # neither a success nor a failure

    html = signed_in(operator).get(GRID, {"source": "movidesk"}).content.decode()

    cell = cell_html(html, "movidesk", MOVIDESK_SYNC_KIND)
    assert 'data-state="failing"' in cell and "1 falha seguida" in cell and "(há 1 d)" in cell


def test_a_page_costs_the_same_few_queries_whatever_its_size(
    operator: User, company: Company, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        item = replica(f"Filial{n:02d}")
        run(REPLICA_KIND, ExecutionStatus.SUCCEEDED, subject=item, hours_ago=2)
        run(REPLICA_KIND, ExecutionStatus.FAILED, subject=item, hours_ago=1)
        checks_failed(session(f"Sessão {n:02d}", company), 1)
    client = signed_in(operator)
    client.get(GRID)  # content types, permissions and sessions cached
    with django_assert_max_num_queries(25):
        response = client.get(GRID, {"state": CellState.FAILING})
    html = response.content.decode()
    assert html.count('data-state="failing"') == 50 and "80 itens" in html  # 40 replicas, 40 sessions; pages of 50


def test_rows_are_the_viewer_company_s(operator: User, company: Company, other_company: Company) -> None:
    mine, theirs = session("Nossa loja", company), session("Outra clínica", other_company)
    colleague = person("carla@azul.com", Role.OPERATOR, company)
    stranger = person("bruno@verde.com", Role.OPERATOR, other_company)
    own = GoogleCalendarIntegration.objects.create(user=colleague, google_email="carla@gmail.com")
    foreign = GoogleCalendarIntegration.objects.create(user=stranger, google_email="bruno@gmail.com")

    html = signed_in(operator).get(GRID).content.decode()

    assert f"whatsapp-{mine.pk}" in html and f"calendar-{own.pk}" in html
    assert f"whatsapp-{theirs.pk}" not in html and f"calendar-{foreign.pk}" not in html
    admin = person("root@orq.com", Role.ADMINISTRATOR, None)
    html = signed_in(admin).get(GRID).content.decode()
    assert f"whatsapp-{theirs.pk}" in html and f"calendar-{foreign.pk}" in html


def test_only_roles_allowed_to_re_run_see_the_button_and_may_post(
    operator: User, approver: User, company: Company
) -> None:
    item = session("Loja", company)
    checks_failed(item, 1)
    key = f"whatsapp:{item.pk}"

    as_operator = cell_html(signed_in(operator).get(GRID).content.decode(), key, SESSION_CHECK_KIND)
    as_approver = cell_html(signed_in(approver).get(GRID).content.decode(), key, SESSION_CHECK_KIND)

    assert "Executar de novo" in as_operator
    assert "Executar de novo" not in as_approver and 'data-state="failing"' in as_approver  # sees, may not act
    response = signed_in(approver).post(RERUN, {"source": "whatsapp", "row": key, "kind": SESSION_CHECK_KIND})
    assert response.status_code == 403
    assert not Execution.objects.filter(kind=SESSION_CHECK_KIND).exists()


def test_signed_out_visitors_go_to_the_login(client: Client) -> None:
    assert client.get(GRID).status_code == 302
    assert client.post(RERUN, {"source": "movidesk", "row": "movidesk", "kind": MOVIDESK_SYNC_KIND}).status_code == 302


def calendar_fan_out(company: Company, sent: list) -> tuple[Execution, dict[str, Execution]]:
    """A CALENDAR_SYNC_ALL run over three integrations of `company`: one succeeded, two failed."""
    parent = run(SYNC_ALL_KIND, ExecutionStatus.PARTIAL, hours_ago=1)
    children = {}
    for name, status in (
        ("ana", ExecutionStatus.SUCCEEDED),
        ("bia", ExecutionStatus.FAILED),
        ("cid", ExecutionStatus.TIMED_OUT),
    ):
        integration = GoogleCalendarIntegration.objects.create(user=person(f"{name}@azul.com", Role.OPERATOR, company))
        children[name] = run(
            CALENDAR_SYNC_KIND,
            status,
            subject=integration,
            hours_ago=1,
            parent=parent,
            error="HTTP 500" if status != ExecutionStatus.SUCCEEDED else "",
            parameters={
                "integration_id": integration.pk,
                FAN_OUT_PARAMETER: {"task": "calendar_sync.integration_sync"},
            },
            lock_key=f"calendar:integration:{integration.pk}",
        )
    return parent, children


def test_re_running_a_failed_child_retries_exactly_that_child(
    operator: User, company: Company, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    parent, children = calendar_fan_out(company, sent)
    failed = children["bia"]
    key = f"calendar:{failed.subject_id}"

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(operator).post(
            RERUN, {"source": "calendar", "row": key, "kind": CALENDAR_SYNC_KIND}, HTTP_HX_REQUEST="true"
        )

    assert response.status_code == 200
    assert 'data-state="running"' in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()  # the cell follows its run until it ends
    assert f"Execução #{failed.pk} solicitada." in response.content.decode()
    for execution in (failed, children["ana"], children["cid"], parent):
        execution.refresh_from_db()
    assert (failed.status, failed.attempt, failed.error) == (ExecutionStatus.QUEUED, 2, "")
    assert children["cid"].status == ExecutionStatus.TIMED_OUT and children["cid"].attempt == 1  # not touched
    assert children["ana"].status == ExecutionStatus.SUCCEEDED
    assert parent.status == ExecutionStatus.RUNNING and parent.finished_at is None
    assert sent == [("calendar_sync.integration_sync", {"execution_id": failed.pk})]
    assert f"por {operator}" in failed.log_lines.last().message
    assert Execution.objects.count() == 4  # nothing new: the same item, its next attempt


def test_a_cell_already_running_starts_nothing(operator: User, company: Company, sent: list) -> None:
    _parent, children = calendar_fan_out(company, sent)
    failed = children["bia"]
    Execution.objects.filter(pk=failed.pk).update(status=ExecutionStatus.RUNNING)
    key = f"calendar:{failed.subject_id}"

    response = signed_in(operator).post(RERUN, {"source": "calendar", "row": key, "kind": CALENDAR_SYNC_KIND})

    assert response.status_code == 409
    assert f"Já há uma execução deste item na fila ou em andamento (#{failed.pk})" in response.content.decode()
    assert Execution.objects.count() == 4 and not sent


def test_a_cell_without_a_failed_child_starts_a_new_run_recording_who_asked(operator: User) -> None:
    run(MOVIDESK_SYNC_KIND, ExecutionStatus.SUCCEEDED, hours_ago=3)

    response = signed_in(operator).post(
        RERUN, {"source": "movidesk", "row": "movidesk", "kind": MOVIDESK_SYNC_KIND}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    started = Execution.objects.filter(kind=MOVIDESK_SYNC_KIND).order_by("-id").first()
    assert started is not None and started.status == ExecutionStatus.QUEUED
    assert (started.started_by, started.requester_ip, started.user_agent, started.trigger) == (
        operator,
        "203.0.113.9",
        BROWSER,
        "MANUAL",
    )
    assert f"Execução #{started.pk} solicitada." in response.content.decode()


def test_a_failed_invoice_download_child_is_retried_alone(
    operator: User, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    carrier, _created = Carrier.objects.get_or_create(code="VIVO", defaults={"name": "Vivo"})
    month = timezone.localdate().replace(day=1)
    processes = [
        InvoiceProcess.objects.create(
            account=CarrierAccount.objects.create(legal_name=f"Empresa {n}", cnpj=cnpj(n), carrier=carrier), month=month
        )
        for n in (1, 2)
    ]
    parent = run("INVOICE_DOWNLOADS", ExecutionStatus.FAILED, hours_ago=1)
    children = [
        run(
            DOWNLOAD_KIND,
            ExecutionStatus.FAILED,
            subject=process,
            hours_ago=1,
            parent=parent,
            parameters={"process_id": process.pk, FAN_OUT_PARAMETER: {"task": DOWNLOAD_TASK}},
        )
        for process in processes
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(operator).post(
            RERUN,
            {
                "source": "invoices",
                "row": f"invoice:{processes[0].pk}",
                "kind": DOWNLOAD_KIND,
                "month": f"{month:%Y-%m}",
            },
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert sent == [(DOWNLOAD_TASK, {"execution_id": children[0].pk})]
    assert Execution.objects.get(pk=children[1].pk).status == ExecutionStatus.FAILED


def test_bad_input_is_refused_with_a_clear_message(operator: User) -> None:
    client = signed_in(operator)

    unknown_source = client.post(RERUN, {"source": "fax", "row": "x", "kind": MOVIDESK_SYNC_KIND})
    unknown_row = client.post(RERUN, {"source": "whatsapp", "row": "whatsapp:999999", "kind": SESSION_CHECK_KIND})
    wrong_kind = client.post(RERUN, {"source": "movidesk", "row": "movidesk", "kind": "KOMMO_SYNC"})

    assert unknown_source.status_code == 404 and "Fonte desconhecida: “fax”." in unknown_source.content.decode()
    assert unknown_row.status_code == 404 and "whatsapp:999999" in unknown_row.content.decode()
    assert wrong_kind.status_code == 400 and "não é uma coluna" in wrong_kind.content.decode()
    assert client.get(RERUN).status_code == 405
    assert client.get(CELL, {"source": "fax"}).status_code == 404
    assert not Execution.objects.exists()


def test_filters_search_month_and_pages(operator: User, company: Company) -> None:
    names = ["Alfa", "Beta", "Gama", "Delta"]
    sessions = {name: session(f"Loja {name}", company) for name in names}
    checks_failed(sessions["Beta"], 1)
    carrier, _created = Carrier.objects.get_or_create(code="OI", defaults={"name": "Oi"})
    account = CarrierAccount.objects.create(legal_name="Transportes Sul", cnpj=cnpj(7), carrier=carrier)
    InvoiceProcess.objects.create(account=account, month=date(2026, 3, 1))
    client = signed_in(operator)

    failing = client.get(GRID, {"state": "failing"}).content.decode()
    searched = client.get(GRID, {"q": "gam"}).content.decode()
    march = client.get(GRID, {"source": "invoices", "month": "2026-03"}).content.decode()
    april = client.get(GRID, {"source": "invoices", "month": "2026-04"}).content.decode()
    partial = client.get(GRID, {"q": "loja"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="health-results")

    assert "Loja Beta" in failing and "Loja Alfa" not in failing and "cell-movidesk" not in failing
    assert "Loja Gama" in searched and "Loja Beta" not in searched
    assert "Transportes Sul" in march and "Oi · 03/2026" in march and "Transportes Sul" not in april
    assert "<form" not in partial.content.decode().split("orq-cell")[0] and "Loja Delta" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    whatsapp = health_source_get("whatsapp")
    assert whatsapp is not None
    pages = [
        health_grid(operator, HealthFilters(month=date(2026, 3, 1), source="whatsapp"), page=n, per_page=3)
        for n in (1, 2)
    ]
    assert [len(page.page.object_list) for page in pages] == [3, 1] and pages[0].total_rows == 4


def test_without_javascript_the_re_run_goes_back_to_the_grid_with_its_message(operator: User) -> None:
    client = signed_in(operator)

    response = client.post(
        RERUN, {"source": "movidesk", "row": "movidesk", "kind": MOVIDESK_SYNC_KIND, "month": "2026-03"}
    )

    started = Execution.objects.get(kind=MOVIDESK_SYNC_KIND)
    assert response.status_code == 302 and response["Location"] == f"{GRID}?month=2026-03"
    assert f"Execução #{started.pk} solicitada." in client.get(response["Location"]).content.decode()


def test_a_failed_item_of_a_cancelled_run_gets_a_new_run_instead(
    operator: User, company: Company, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    parent, children = calendar_fan_out(company, sent)
    Execution.objects.filter(pk=parent.pk).update(status=ExecutionStatus.CANCELLED)
    failed = children["bia"]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(operator).post(
            RERUN,
            {"source": "calendar", "row": f"calendar:{failed.subject_id}", "kind": CALENDAR_SYNC_KIND},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == ExecutionStatus.FAILED and failed.attempt == 1  # left as the cancel left it
    started = Execution.objects.filter(kind=CALENDAR_SYNC_KIND, parent=None).get()
    assert started.subject_id == failed.subject_id and started.status == ExecutionStatus.QUEUED
    assert 'data-state="running"' in response.content.decode()


def test_a_kommo_replica_re_run_syncs_that_replica_alone(operator: User) -> None:
    replica = KommoAccount.objects.create(subdomain="filial-sul", name="Filial Sul", role=AccountRole.REPLICA)
    KommoAccount.objects.create(subdomain="outra", name="Outra", role=AccountRole.REPLICA)
    client = signed_in(operator)
    form = {"source": "kommo", "row": f"kommo:{replica.pk}", "kind": REPLICA_KIND}

    without_master = client.post(RERUN, form, HTTP_HX_REQUEST="true")
    KommoAccount.objects.create(subdomain="matriz", name="Matriz", role=AccountRole.MASTER)
    started = client.post(RERUN, form, HTTP_HX_REQUEST="true")

    assert without_master.status_code == 409 and "Nenhuma conta Kommo mestre ativa" in without_master.content.decode()
    assert started.status_code == 200
    sync = Execution.objects.get(kind=KOMMO_SYNC_KIND)
    assert sync.parameters["accounts"] == ["filial-sul"] and sync.started_by == operator
    again = client.post(RERUN, form, HTTP_HX_REQUEST="true")  # before the sync fanned out: not a second sync
    assert again.status_code == 409 and f"(#{sync.pk})" in again.content.decode()
    assert Execution.objects.filter(kind=KOMMO_SYNC_KIND).count() == 1


def test_an_invoice_cell_without_a_failed_item_asks_for_that_step_of_that_process(operator: User) -> None:
    carrier, _created = Carrier.objects.get_or_create(code="VIVO", defaults={"name": "Vivo"})
    month = timezone.localdate().replace(day=1)
    account = CarrierAccount.objects.create(legal_name="Empresa 9", cnpj=cnpj(9), carrier=carrier)
    process = InvoiceProcess.objects.create(account=account, month=month)
    client = signed_in(operator)
    row = {"source": "invoices", "row": f"invoice:{process.pk}", "month": f"{month:%Y-%m}"}

    download = client.post(RERUN, {**row, "kind": DOWNLOAD_KIND}, HTTP_HX_REQUEST="true")
    sat = client.post(RERUN, {**row, "kind": SAT_UPLOAD_KIND}, HTTP_HX_REQUEST="true")

    assert download.status_code == 200 and 'data-state="running"' in download.content.decode()
    started = Execution.objects.get(kind=DOWNLOAD_KIND)
    assert started.subject == process and started.status == ExecutionStatus.QUEUED
    assert sat.status_code == 409 and "Aguardando envio ao SAT" in sat.content.decode()  # not at that step yet
    assert not Execution.objects.filter(kind=SAT_UPLOAD_KIND).exists()

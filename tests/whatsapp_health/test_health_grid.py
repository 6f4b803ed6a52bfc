"""WhatsApp sessions on the console's health grid: a failing session's cell re-run checks it at its provider
(the WAHA fake) in the request and comes back green; another company's sessions are not rows."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from orchestration.models import Company, Execution, ExecutionStatus, Trigger
from orchestration.services.executions import execution_subject_fields
from whatsapp_health.checks import SESSION_CHECK_KIND
from whatsapp_health.models import Provider, SessionStatus

pytestmark = pytest.mark.django_db


def test_re_running_a_session_cell_checks_it_now_and_turns_it_green(make_session: Any, operator_user: Any) -> None:
    company = Company.objects.create(name="Loja Azul")
    operator_user.company = company
    operator_user.save()
    session = make_session("loja", provider=Provider.WAHA, state="WORKING", status=SessionStatus.DISCONNECTED)
    session.company = company
    session.save()
    foreign = make_session("outra", company=Company.objects.create(name="Outra"))
    Execution.objects.create(
        kind=SESSION_CHECK_KIND, status=ExecutionStatus.FAILED, **execution_subject_fields(session)
    )
    client = Client(HTTP_USER_AGENT="navegador", REMOTE_ADDR="198.51.100.7")
    client.force_login(operator_user)

    grid = client.get(reverse("console:health"), {"source": "whatsapp"}).content.decode()
    response = client.post(
        reverse("console:health-rerun"),
        {"source": "whatsapp", "row": f"whatsapp:{session.pk}", "kind": SESSION_CHECK_KIND},
        HTTP_HX_REQUEST="true",
    )

    assert f"cell-whatsapp-{session.pk}-" in grid and f"cell-whatsapp-{foreign.pk}-" not in grid
    assert response.status_code == 200 and 'data-state="ok"' in response.content.decode()
    check = Execution.objects.filter(kind=SESSION_CHECK_KIND).order_by("-id").first()
    assert check is not None and check.status == ExecutionStatus.SUCCEEDED and check.subject == session
    assert (check.trigger, check.started_by, check.requester_ip, check.user_agent) == (
        Trigger.MANUAL,
        operator_user,
        "198.51.100.7",
        "navegador",
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED


def test_the_scheduled_check_of_every_session_fills_each_sessions_cell(
    make_session: Any, evolution: Any, admin_user: Any
) -> None:
    from tests.fakes.whatsapp_common import SERVER_ERROR
    from whatsapp_health.runs import sessions_check_run

    answering = make_session("loja", state="open")
    failing = make_session("deposito", state="open")
    never = make_session("nova", state="open", status=SessionStatus.CONNECTING)
    evolution.instances["deposito"].fault = SERVER_ERROR
    client = Client()
    client.force_login(admin_user)
    before = client.get(reverse("console:health"), {"source": "whatsapp"}).content.decode()

    # Two scheduled runs over every session (one execution each, no per-session execution).
    first = sessions_check_run()
    second = sessions_check_run()
    grid = client.get(reverse("console:health"), {"source": "whatsapp"}).content.decode()

    assert before.count('data-state="never"') == 3
    assert not Execution.objects.filter(kind=SESSION_CHECK_KIND).exists()
    cell = _cell_html(grid, answering.pk)
    assert 'data-state="ok"' in cell and f"/console/executions/{second.pk}/" in cell
    failing_cell = _cell_html(grid, failing.pk)
    assert 'data-state="failing"' in failing_cell and "2 falhas seguidas" in failing_cell
    assert first.status == second.status == ExecutionStatus.PARTIAL  # one provider did not answer
    never.refresh_from_db()
    assert never.last_check_ok_at is not None  # it was checked by the runs too


def _cell_html(grid: str, session_pk: int) -> str:
    start = grid.index(f'id="cell-whatsapp-{session_pk}-')
    return grid[start : grid.index("</td>", start)]

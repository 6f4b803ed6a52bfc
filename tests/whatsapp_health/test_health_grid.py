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

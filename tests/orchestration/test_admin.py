"""The admin: the ledger read-only with filters and a cancel action; users only for administrators."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orchestration.models import Execution, ExecutionStatus, LogLevel, Role, Trigger, User
from orchestration.services.executions import (
    execution_create,
    execution_log,
    execution_set_counters,
    execution_start,
    execution_succeed,
)

pytestmark = pytest.mark.django_db

EXECUTIONS = "/admin/orchestration/execution/"
USERS = "/admin/orchestration/user/"


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _running(kind: str = "MOVIDESK_SYNC") -> Execution:
    return execution_start(execution=execution_create(kind=kind, trigger=Trigger.MANUAL))


def _finished() -> Execution:
    execution = _running("KOMMO_SYNC")
    execution_set_counters(execution=execution, created=3, updated=1)
    return execution_succeed(execution=execution)


def test_the_execution_list_and_its_filters_render_for_an_administrator(admin_user: User) -> None:
    running, finished = _running(), _finished()
    client = _browser(admin_user)
    today = timezone.localdate()

    page = client.get(EXECUTIONS)
    assert page.status_code == 200
    content = page.content.decode()
    assert f"/admin/orchestration/execution/{running.pk}/live/" in content
    assert "created: 3, updated: 1" in content
    assert 'data-status="RUNNING"' in content

    for query in (
        "status__exact=SUCCEEDED",
        "trigger__exact=MANUAL",
        "kind=KOMMO_SYNC",
        f"created_at__gte={today.isoformat()}&created_at__lt={(today + timedelta(days=1)).isoformat()}",
        f"created_at__year={today.year}&created_at__month={today.month}",
        "q=KOMMO",
        f"q=%23{finished.pk}",
    ):
        response = client.get(f"{EXECUTIONS}?{query}")
        assert response.status_code == 200, query
        assert response.context["cl"].result_count >= 1, query
    filtered = client.get(f"{EXECUTIONS}?status__exact=SUCCEEDED")
    assert list(filtered.context["cl"].queryset) == [finished]


def test_the_execution_page_is_read_only_with_its_last_lines(admin_user: User) -> None:
    execution = _running()
    execution_log(execution=execution, message="primeira linha")
    execution_log(execution=execution, message="deu ruim", level=LogLevel.ERROR)
    client = _browser(admin_user)

    page = client.get(f"{EXECUTIONS}{execution.pk}/change/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "primeira linha" in content and "deu ruim" in content
    assert 'name="_save"' not in content
    assert client.get(f"{EXECUTIONS}add/").status_code == 403
    assert client.post(f"{EXECUTIONS}{execution.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Execution.objects.filter(pk=execution.pk).exists()


def test_the_live_page_shows_the_lines_and_points_at_the_stream(operator_user: User) -> None:
    execution = _running()
    line = execution_log(execution=execution, message="linha <b>com</b> html")

    page = _browser(operator_user).get(f"{EXECUTIONS}{execution.pk}/live/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "linha &lt;b&gt;com&lt;/b&gt; html" in content
    assert f'data-stream-url="/api/v1/executions/{execution.pk}/stream"' in content
    assert f'data-last-event-id="{line.id}"' in content


def test_the_live_page_of_an_unknown_execution_redirects_to_the_list(admin_user: User) -> None:
    response = _browser(admin_user).get(f"{EXECUTIONS}999999/live/")
    assert response.status_code == 302


def test_an_operator_sees_executions_but_not_users(operator_user: User) -> None:
    client = _browser(operator_user)
    _running()

    assert client.get(EXECUTIONS).status_code == 200
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}add/").status_code == 403
    assert client.get(f"{USERS}{operator_user.pk}/change/").status_code == 403
    index = client.get("/admin/").content.decode()
    assert EXECUTIONS in index and USERS not in index


def test_an_operator_cancels_selected_executions_from_the_list(operator_user: User) -> None:
    running, finished = _running(), _finished()
    client = _browser(operator_user)

    response = client.post(
        EXECUTIONS,
        {"action": "cancel_selected", "_selected_action": [running.pk, finished.pk]},
        follow=True,
    )

    assert response.status_code == 200
    running.refresh_from_db()
    finished.refresh_from_db()
    assert running.status == ExecutionStatus.CANCELLED
    assert finished.status == ExecutionStatus.SUCCEEDED
    texts = [str(message) for message in response.context["messages"]]
    assert any("1 execução cancelada" in text for text in texts)
    assert any("já estava encerrada" in text for text in texts)


def test_the_user_list_filters_by_role_and_searches(admin_user: User, operator_user: User) -> None:
    client = _browser(admin_user)
    assert client.get(USERS).status_code == 200
    by_role = client.get(f"{USERS}?role__exact=OPERATOR")
    assert list(by_role.context["cl"].queryset) == [operator_user]
    searched = client.get(f"{USERS}?q={operator_user.email}")
    assert list(searched.context["cl"].queryset) == [operator_user]
    assert client.get(f"{USERS}?is_active__exact=1").status_code == 200


def test_an_administrator_adds_a_user_with_a_role_and_a_password(admin_user: User) -> None:
    client = _browser(admin_user)
    assert client.get(f"{USERS}add/").status_code == 200

    response = client.post(
        f"{USERS}add/",
        {
            "email": "Joana@Example.com",
            "name": "Joana",
            "phone": "",
            "role": Role.APPROVER,
            "password1": "uma-senha-longa-9",
            "password2": "uma-senha-longa-9",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    joana = User.objects.get(email="joana@example.com")
    assert joana.check_password("uma-senha-longa-9")
    assert list(joana.groups.values_list("name", flat=True)) == [Role.APPROVER]
    change = client.get(f"{USERS}{joana.pk}/change/")
    assert change.status_code == 200
    assert client.get(f"{USERS}{joana.pk}/password/").status_code == 200


def test_the_admin_refuses_a_second_user_with_the_same_email_in_other_case(admin_user: User) -> None:
    response = _browser(admin_user).post(
        f"{USERS}add/",
        {
            "email": admin_user.email.upper(),
            "name": "Outro",
            "role": Role.OPERATOR,
            "password1": "uma-senha-longa-9",
            "password2": "uma-senha-longa-9",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_an_administrator_changes_a_role_in_the_admin(admin_user: User, operator_user: User) -> None:
    client = _browser(admin_user)
    response = client.post(
        f"{USERS}{operator_user.pk}/change/",
        {
            "email": operator_user.email,
            "name": operator_user.name,
            "phone": "",
            "role": Role.APPROVER,
            "is_active": "on",
            "is_staff": "on",
            # The notification preferences inline (none saved: the role's defaults apply).
            "notification_preference-TOTAL_FORMS": "0",
            "notification_preference-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    operator_user.refresh_from_db()
    assert operator_user.role == Role.APPROVER
    assert list(operator_user.groups.values_list("name", flat=True)) == [Role.APPROVER]

"""The Movidesk admin: tickets read-only, "Sincronizar agora" form, the settings singleton."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from integrations.movidesk.configuration import SCHEDULE_PREFIX, movidesk_settings_update
from integrations.movidesk.models import MovideskSettings, MovideskTicket
from integrations.movidesk.windows import local_today
from orchestration.models import Execution, ExecutionStatus, Trigger

pytestmark = pytest.mark.django_db
SYNC_PAGE = "/admin/integrations/movideskticket/sync/"
SETTINGS_PAGE = "/admin/integrations/movidesksettings/1/change/"


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_operators_browse_tickets_read_only_and_see_sync_now(operator_user) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    MovideskTicket.objects.create(
        id=42, subject="Boleto duplicado", last_update=now, raw={"id": 42}, first_synced_at=now, synced_at=now
    )
    client = logged_in(operator_user)

    page = client.get("/admin/integrations/movideskticket/?q=Boleto")

    assert page.status_code == 200
    assert "Boleto duplicado" in page.content.decode()
    assert SYNC_PAGE in page.content.decode()
    assert client.get("/admin/integrations/movideskticket/add/").status_code == 403
    detail = client.get("/admin/integrations/movideskticket/42/change/")
    assert detail.status_code == 200 and 'name="subject"' not in detail.content.decode()


def test_sync_now_refuses_a_long_window_on_the_form(operator_user) -> None:  # type: ignore[no-untyped-def]
    today = local_today()
    response = logged_in(operator_user).post(
        SYNC_PAGE, {"date_from": (today - timedelta(days=5)).isoformat(), "date_to": today.isoformat()}
    )

    assert response.status_code == 200
    assert "o máximo é 5 dias" in response.content.decode()
    assert not Execution.objects.exists()


def test_sync_now_queues_the_run_and_opens_its_live_log(operator_user, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    today = local_today()
    with django_capture_on_commit_callbacks() as callbacks:
        response = logged_in(operator_user).post(
            SYNC_PAGE, {"date_from": (today - timedelta(days=2)).isoformat(), "date_to": today.isoformat()}
        )

    execution = Execution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/orchestration/execution/{execution.pk}/live/"
    assert (execution.status, execution.trigger, execution.started_by) == (
        ExecutionStatus.QUEUED,
        Trigger.MANUAL,
        operator_user,
    )
    assert len(callbacks) == 1


def test_settings_page_edits_times_keeps_the_token_and_never_shows_it(admin_user) -> None:  # type: ignore[no-untyped-def]
    movidesk_settings_update(token="token-secreto-xyz")
    client = logged_in(admin_user)

    assert client.get("/admin/integrations/movidesksettings/")["Location"] == SETTINGS_PAGE
    page = client.get(SETTINGS_PAGE)
    assert "token-secreto-xyz" not in page.content.decode()

    response = client.post(SETTINGS_PAGE, {"token": "", "enabled": "on", "sync_times": "18:00, 06:30, 06:30"})

    assert response.status_code == 302, response.content.decode()[:3000]
    row = MovideskSettings.objects.get()
    assert row.token == "token-secreto-xyz" and row.sync_times == ["06:30", "18:00"]
    names = set(PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).values_list("name", flat=True))
    assert names == {f"{SCHEDULE_PREFIX}06:30", f"{SCHEDULE_PREFIX}18:00"}


def test_settings_page_rejects_an_invalid_time(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(admin_user)
    client.get("/admin/integrations/movidesksettings/")

    response = client.post(SETTINGS_PAGE, {"token": "", "enabled": "on", "sync_times": "08:00, 8h"})

    assert response.status_code == 200
    assert "Horário inválido: &#x27;8h&#x27;" in response.content.decode()


def test_operators_cannot_open_the_settings(operator_user) -> None:  # type: ignore[no-untyped-def]
    movidesk_settings_update()
    assert logged_in(operator_user).get(SETTINGS_PAGE).status_code == 403


def _without_sync_permission(user):  # type: ignore[no-untyped-def]
    permission = Permission.objects.get(content_type__app_label="integrations", codename="sync_movideskticket")
    for group in user.groups.all():
        group.permissions.remove(permission)
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions


def test_every_role_may_sync_tickets(operator_user, approver_user) -> None:  # type: ignore[no-untyped-def]
    assert operator_user.has_perm("integrations.sync_movideskticket")
    assert approver_user.has_perm("integrations.sync_movideskticket")
    assert operator_user.has_perm("integrations.view_movideskticket")
    assert operator_user.has_perm("integrations.view_movideskbackfill")


def test_sync_now_needs_the_sync_permission(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(_without_sync_permission(operator_user))

    assert client.get(SYNC_PAGE).status_code == 403
    changelist = client.get("/admin/integrations/movideskticket/")
    assert changelist.status_code == 200 and SYNC_PAGE not in changelist.content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/integrations/ticket/", "/admin/integrations/movideskticket/"),
        ("/admin/integrations/ticket/sync/", "/admin/integrations/movideskticket/sync/"),
        ("/admin/integrations/ticket/?q=Boleto", "/admin/integrations/movideskticket/?q=Boleto"),
        ("/admin/integrations/ticket/42/change/", "/admin/integrations/movideskticket/42/change/"),
    ],
)
def test_the_old_ticket_admin_addresses_redirect_permanently(operator_user, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(operator_user).get(old)

    assert response.status_code == 301
    assert response["Location"] == new

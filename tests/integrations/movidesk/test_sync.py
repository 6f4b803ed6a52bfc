"""The sync against the fake Movidesk: what is stored, what a re-run does, paging under edits,
the /tickets vs /tickets/past split, and the failures that must leave the table consistent."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from integrations.movidesk.models import MovideskTicket
from integrations.movidesk.sync import LOCK_KEY, movidesk_sync_run
from integrations.movidesk.windows import window_validate
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.locks import lock_acquire, lock_release
from tests.fakes.movidesk import MovideskFake
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 5, 16, 12, 0, tzinfo=SP)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def local(day: int, hour: int = 0, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SP)


def sync(date_from: str, date_to: str):  # type: ignore[no-untyped-def]
    return movidesk_sync_run(window=window_validate(date_from, date_to))


def table() -> list[tuple]:
    return list(
        MovideskTicket.objects.order_by("id").values_list("id", "subject", "status", "last_update", "raw", "synced_at")
    )


def test_a_window_is_stored_with_its_fields(movidesk_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    movidesk_fake.generate(250, start=local(12), end=local(15))

    execution = sync("2026-05-12", "2026-05-14")

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.counters == {"pages": 3, "new": 250, "updated": 0, "unchanged": 0, "total": 250}
    assert MovideskTicket.objects.count() == 250
    ticket = MovideskTicket.objects.get(pk=1000)
    assert ticket.subject.endswith("#1000")
    assert ticket.owner_name and ticket.owner_email.endswith("@exemplo.com.br")
    assert ticket.owner_team and ticket.base_status and ticket.urgency and ticket.category
    assert ticket.clients[0]["organization"].startswith("Empresa")
    assert ticket.raw["id"] == 1000 and "lastUpdate" in ticket.raw
    assert ticket.first_synced_at == ticket.synced_at
    messages = list(execution.log_lines.values_list("message", flat=True))
    assert any("Novos: 250, Atualizados: 0, Inalterados: 0, Total: 250" in message for message in messages)


def test_second_run_writes_nothing(movidesk_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    movidesk_fake.generate(250, start=local(12), end=local(15))
    sync("2026-05-12", "2026-05-14")
    before = table()

    again = sync("2026-05-12", "2026-05-14")

    assert again.counters == {"pages": 3, "new": 0, "updated": 0, "unchanged": 250, "total": 250}
    assert table() == before


def test_edited_tickets_are_updated(movidesk_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    movidesk_fake.generate(120, start=local(12), end=local(14))
    sync("2026-05-12", "2026-05-14")
    first_synced = dict(MovideskTicket.objects.values_list("id", "first_synced_at"))
    for ticket_id in (1000, 1001, 1050):
        movidesk_fake.touch(ticket_id, local(14, 20))

    execution = sync("2026-05-12", "2026-05-14")

    assert execution.counters["updated"] == 3 and execution.counters["new"] == 0
    edited = MovideskTicket.objects.get(pk=1050)
    assert "(atualização 1)" in edited.subject
    assert edited.last_update == local(14, 20)
    assert edited.first_synced_at == first_synced[1050] < edited.synced_at


def test_a_ticket_missing_from_a_window_is_never_deleted(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.generate(10, start=local(12), end=local(13))
    sync("2026-05-12", "2026-05-13")
    movidesk_fake.remove(1003)  # gone from the API (deleted, merged, or simply out of this window)
    movidesk_fake.touch(1004, local(15, 9))  # moved out of the window

    execution = sync("2026-05-12", "2026-05-13")

    assert execution.counters["total"] == 8
    assert MovideskTicket.objects.count() == 10
    assert MovideskTicket.objects.filter(pk__in=[1003, 1004]).count() == 2


def test_filter_asks_for_local_midnights_as_utc_z_literals(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    sync("2026-05-01", "2026-05-02")

    [request] = [r for r in movidesk_server.requests if r.path.endswith("/tickets")]
    assert request.query["$filter"] == "lastUpdate ge 2026-05-01T03:00:00Z and lastUpdate lt 2026-05-03T03:00:00Z"
    assert request.query["$orderby"] == "lastUpdate asc,id asc"
    assert request.query["$top"] == "100"
    assert request.query["$expand"] == "owner,clients($expand=organization)"
    assert "lastUpdate" in request.query["$select"].split(",")
    # `$` must go unencoded: Movidesk ignores `%24filter`.
    assert "$filter=" in request.raw_query and "%24" not in request.raw_query


def test_paging_survives_tickets_edited_during_the_sync(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.generate(300, start=local(14), end=local(16, 11))
    requests_seen = []

    def edit_page_one_after_it_was_served() -> None:
        requests_seen.append(1)
        if len(requests_seen) == 2:
            # Tickets already read are edited: they jump to the end of the order. With $skip paging,
            # every row after them would shift back ten places and ten tickets would never be read.
            for ticket_id in range(1000, 1010):
                movidesk_fake.touch(ticket_id)

    movidesk_fake.on_request = edit_page_one_after_it_was_served

    execution = sync("2026-05-14", "2026-05-16")

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert MovideskTicket.objects.count() == 300
    assert execution.counters["new"] == 300 and execution.counters["updated"] == 10
    assert all(
        "(atualização 1)" in s for s in MovideskTicket.objects.filter(pk__lt=1010).values_list("subject", flat=True)
    )


@pytest.mark.parametrize("dates_tz", ["UTC", "America/Sao_Paulo"])
def test_tickets_sharing_one_last_update_page_by_id(dates_tz: str, settings, movidesk_server: FakeServer) -> None:  # type: ignore[no-untyped-def]
    fake = MovideskFake(dates_tz=dates_tz)
    movidesk_server.handle = fake.handle
    settings.MOVIDESK_DATES_TZ = dates_tz
    same_instant = local(13, 10) + timedelta(microseconds=123456)
    for ticket_id in range(500, 750):
        fake.put(ticket_id, last_update=same_instant)

    execution = sync("2026-05-13", "2026-05-13")

    assert execution.counters == {"pages": 3, "new": 250, "updated": 0, "unchanged": 0, "total": 250}
    second_page_filter = fake.list_requests()[1].query["$filter"]
    assert (
        "(lastUpdate gt 2026-05-13T13:00:00.123456Z or (lastUpdate eq 2026-05-13T13:00:00.123456Z and id gt 599))"
        in (second_page_filter)
    )


def test_tickets_older_than_90_days_come_from_tickets_past(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    # Now is 16/05 12:00, so /tickets holds what changed since 15/02 12:00 (90 days before).
    old = [local(14, 10, month=2), local(15, 11, month=2)]
    recent = [local(15, 13, month=2), local(17, 9, month=2)]
    for ticket_id, when in enumerate(old + recent, start=1):
        movidesk_fake.put(ticket_id, last_update=when)

    execution = sync("2026-02-14", "2026-02-18")

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert sorted(MovideskTicket.objects.values_list("id", flat=True)) == [1, 2, 3, 4]
    assert execution.counters["total"] == 4
    paths = [r.path.rsplit("/v1", 1)[1] for r in movidesk_fake.list_requests()]
    assert paths == ["/tickets", "/tickets/past"]
    recent_filter, past_filter = (r.query["$filter"] for r in movidesk_fake.list_requests())
    assert recent_filter == "lastUpdate ge 2026-02-15T14:00:00Z and lastUpdate lt 2026-02-19T03:00:00Z"
    assert past_filter == "lastUpdate ge 2026-02-14T03:00:00Z and lastUpdate lt 2026-02-15T16:00:00Z"


def test_a_ticket_that_ages_past_90_days_during_the_sync_is_counted_once(
    clock: time_machine.Traveller, movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    # 90 days before now is 15/02 12:00; this ticket is in /tickets when the sync starts...
    movidesk_fake.put(1, last_update=local(15, 12, 10, month=2))
    movidesk_fake.put(2, last_update=local(17, 9, month=2))

    def half_an_hour_passes_after_the_first_request() -> None:
        if len(movidesk_fake.served) == 1:
            clock.shift(timedelta(minutes=30))  # ...and in /tickets/past when the second route is asked

    movidesk_fake.on_request = half_an_hour_passes_after_the_first_request

    execution = sync("2026-02-14", "2026-02-18")

    served = [(r.path.rsplit("/v1", 1)[1], r.status) for r in movidesk_fake.list_requests()]
    assert served == [("/tickets", 200), ("/tickets/past", 200)]
    assert execution.counters == {"pages": 2, "new": 2, "updated": 0, "unchanged": 0, "total": 2}


def test_optional_fields_missing_and_unknown_fields_are_stored(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.put(
        77,
        last_update=local(13, 8),
        sparse=True,
        body={"subject": "Só o assunto"},
        extra={"campoNovo": {"valor": 1}, "outroCampo": [1, 2]},
    )

    execution = sync("2026-05-13", "2026-05-13")

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    ticket = MovideskTicket.objects.get(pk=77)
    assert ticket.subject == "Só o assunto"
    assert (ticket.owner_name, ticket.owner_team, ticket.status, ticket.clients) == ("", "", "", [])
    assert ticket.created_date is None
    assert ticket.raw["campoNovo"] == {"valor": 1}


def test_a_page_that_is_not_json_fails_the_run_and_keeps_earlier_pages(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.generate(350, start=local(12), end=local(13))
    movidesk_fake.malformed_page = 3

    execution = sync("2026-05-12", "2026-05-13")

    assert execution.status == ExecutionStatus.FAILED
    assert "página 3" in execution.error
    assert execution.error_type == "MovideskPageError"
    assert MovideskTicket.objects.count() == 200
    assert execution.counters["pages"] == 2
    # Not retried: an invalid body is not transient, and retrying would only feed the failure block.
    assert len(movidesk_fake.list_requests()) == 3


def _fail_updates_of(ticket_id: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION fail_ticket_update() RETURNS trigger AS $$ BEGIN "
                f"IF OLD.id = {ticket_id} THEN RAISE EXCEPTION 'falha simulada no banco'; END IF; "
                "RETURN NEW; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fail_ticket_update BEFORE UPDATE ON integrations_movideskticket "
                "FOR EACH ROW EXECUTE FUNCTION fail_ticket_update()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER fail_ticket_update BEFORE UPDATE ON integrations_movideskticket "
                f"WHEN OLD.id = {ticket_id} BEGIN SELECT RAISE(ABORT, 'falha simulada no banco'); END"
            )


def test_a_crash_in_the_middle_of_a_page_leaves_no_partial_page(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.generate(100, start=local(12), end=local(12, 20))
    sync("2026-05-12", "2026-05-13")
    before = table()
    # Page 1 of the next run: 70 unchanged, 20 new, 10 edited; the database fails on an edited one,
    # after the 20 new rows were inserted by the same page.
    for ticket_id in range(5000, 5020):
        movidesk_fake.put(ticket_id, last_update=local(12, 22))
    for ticket_id in range(1070, 1100):
        movidesk_fake.touch(ticket_id, local(12, 23))
    _fail_updates_of(1075)

    execution = sync("2026-05-12", "2026-05-13")

    assert execution.status == ExecutionStatus.FAILED
    assert "falha simulada" in execution.error
    assert table() == before
    assert not MovideskTicket.objects.filter(pk__gte=5000).exists()


def test_a_run_while_another_holds_the_lock_is_skipped(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    assert lock_acquire(key=LOCK_KEY, owner="scheduled-run", ttl_seconds=60)
    try:
        execution = sync("2026-05-12", "2026-05-13")
    finally:
        lock_release(key=LOCK_KEY, owner="scheduled-run")

    assert execution.status == ExecutionStatus.SKIPPED
    assert movidesk_fake.list_requests() == []


@pytest.mark.parametrize(
    ("fake_zone", "setting", "shift_hours"),
    [("UTC", "UTC", 0), ("America/Sao_Paulo", "America/Sao_Paulo", 0), ("America/Sao_Paulo", "UTC", -3)],
)
def test_zone_less_dates_are_read_in_movidesk_dates_tz(
    fake_zone: str, setting: str, shift_hours: int, settings, movidesk_server: FakeServer
) -> None:  # type: ignore[no-untyped-def]
    fake = MovideskFake(dates_tz=fake_zone)
    movidesk_server.handle = fake.handle
    settings.MOVIDESK_DATES_TZ = setting
    truth = datetime(2026, 5, 13, 14, 30, 5, 250000, tzinfo=UTC)  # 11:30:05.25 in Brasília
    fake.put(9, last_update=truth, created=truth - timedelta(days=1))

    sync("2026-05-13", "2026-05-13")

    ticket = MovideskTicket.objects.get(pk=9)
    assert ticket.last_update == truth + timedelta(hours=shift_hours)
    assert ticket.created_date == truth - timedelta(days=1) + timedelta(hours=shift_hours)
    rendered = ticket.raw["lastUpdate"]
    assert rendered == ("2026-05-13T14:30:05.25" if fake_zone == "UTC" else "2026-05-13T11:30:05.25")


def test_a_transient_failure_is_retried_by_the_task_in_the_same_execution(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    from integrations.movidesk.tasks import movidesk_sync_scheduled

    movidesk_fake.generate(30, start=local(15), end=local(16, 9))
    movidesk_fake.fail_next(503, times=5)  # more than the client's own five attempts

    result = movidesk_sync_scheduled.apply()

    execution = Execution.objects.get(pk=result.get())
    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.attempt == 2
    assert execution.parameters == {"from": "2026-05-14", "to": "2026-05-16"}
    assert execution.counters["total"] == 30
    assert execution.log_lines.filter(message__contains="Nova tentativa").exists()

"""Running the product's jobs in the test process, as a worker would (by execution id)."""

from calendar_sync.enqueue import appointment_sync_enqueue, integration_sync_enqueue
from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.sync import calendar_run
from orchestration.models import Execution
from tests.fakes.google_calendar import GoogleCalendarFake


def run_sync(integration: GoogleCalendarIntegration, mode: str = "recent") -> Execution:
    queued = integration_sync_enqueue(integration, mode=mode)  # the on-commit send never fires in a test transaction
    return calendar_run(kind=queued.kind, execution_id=queued.pk)


def run_appointment_sync(appointment: Appointment, resolve: str = "") -> Execution:
    queued = appointment_sync_enqueue(appointment, resolve=resolve)
    return calendar_run(kind=queued.kind, execution_id=queued.pk)


def run_execution(execution: Execution) -> Execution:
    return calendar_run(kind=execution.kind, execution_id=execution.pk)


def writes(google: GoogleCalendarFake, since: int = 0) -> list[str]:
    """Method and path of every write that reached the fake (batch parts not unpacked)."""
    return [f"{r.method} {r.path}" for r in google_requests(google)[since:] if r.method != "GET"]


def google_requests(google: GoogleCalendarFake) -> list:  # type: ignore[type-arg]
    return list(getattr(google, "seen", []))

"""CalendarSyncLog rows written in bulk at the end of each unit of work (a batch, a page)."""

from dataclasses import dataclass, field

from calendar_sync.models import Appointment, CalendarSyncLog, GoogleCalendarIntegration, LogStatus
from orchestration.models import Execution


@dataclass
class SyncLogBuffer:
    integration: GoogleCalendarIntegration
    execution: Execution | None = None
    rows: list[CalendarSyncLog] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        *,
        direction: str,
        action: str,
        status: str,
        appointment: Appointment | None = None,
        event_id: str = "",
        error: str = "",
    ) -> None:
        self.rows.append(
            CalendarSyncLog(
                integration=self.integration,
                user_id=self.integration.user_id,
                company_id=appointment.company_id if appointment is not None else self.integration.user.company_id,
                appointment=appointment,
                execution=self.execution,
                sync_direction=direction,
                action=action,
                status=status,
                google_event_id=event_id[:1024],
                error_message=error[:4000],
            )
        )
        key = f"{direction}_{status}" if status != LogStatus.SUCCESS else f"{direction}_{action}"
        self.counts[key] = self.counts.get(key, 0) + 1

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        CalendarSyncLog.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

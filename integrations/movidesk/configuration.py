"""Movidesk configuration: where the token comes from, and the HH:MM list that becomes crontab PeriodicTasks.

The list is the source of truth for the automatic sync: saving it (admin or API) rewrites the
PeriodicTasks whose names start with SCHEDULE_PREFIX in the same transaction and tells beat, which
picks the change up within CELERY_BEAT_MAX_LOOP_INTERVAL seconds, without a restart.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from integrations.movidesk.client import MovideskClient
from integrations.movidesk.exceptions import MovideskNotConfigured
from integrations.movidesk.models import DEFAULT_SYNC_TIMES, MovideskSettings
from orchestration.exceptions import ValidationFailed
from orchestration.outbound import LogFn
from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync
from orchestration.simulators import simulator_url

SCHEDULE_PREFIX = "Movidesk: sincronização "
SCHEDULED_TASK = "integrations.movidesk_sync_scheduled"
DEMO_TOKEN = "demo-token"  # noqa: S105 - the local simulator accepts any token
# A run beat could not hand to a worker within half an hour is dropped; the next time covers it.
SCHEDULE_EXPIRE_SECONDS = 30 * 60
# ASCII digits only: `\d` would take "08:００" and "٠٨:٠٠" and make three tasks for one minute.
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
# Every half hour is 48; more is a mistake (1000 entries made 1000 periodic tasks in one request).
MAX_SYNC_TIMES = 48


@dataclass(frozen=True)
class MovideskConnection:
    base_url: str
    token: str
    source: str  # "admin", "environment" or "demo"


def movidesk_settings_get() -> MovideskSettings:
    """The settings row; an unsaved one with the defaults if nobody saved it yet."""
    return MovideskSettings.objects.filter(pk=1).first() or MovideskSettings(pk=1)


def movidesk_settings_ensure() -> MovideskSettings:
    """The settings row, created with the defaults (and its schedules written) if missing."""
    row = MovideskSettings.objects.filter(pk=1).first()
    return row if row is not None else movidesk_settings_update()


def sync_times_normalize(values: Iterable[str] | str) -> list[str]:
    """Validated HH:MM times (00:00–23:59, ASCII digits), duplicates merged, sorted; at least one and at
    most MAX_SYNC_TIMES. A string may list them separated by commas, semicolons, spaces or new lines.
    An empty list is refused: turning the automatic sync off is the `enabled` switch, not an empty list."""
    if isinstance(values, str):
        values = re.split(r"[\s,;]+", values)
    values = list(values)
    if len(values) > MAX_SYNC_TIMES * 4:
        # Refused before parsing: a huge list must not cost seconds of validation either.
        raise ValidationFailed(_("Horários demais: no máximo %(max)d.") % {"max": MAX_SYNC_TIMES})
    normalized = set()
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        match = _TIME.match(text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationFailed(_("Horário inválido: '%(value)s'. Use HH:MM, de 00:00 a 23:59.") % {"value": text})
        normalized.add(f"{int(match[1]):02d}:{match[2]}")
    if not normalized:
        raise ValidationFailed(
            _("Informe ao menos um horário. Para parar a sincronização automática, desative-a (enabled).")
        )
    if len(normalized) > MAX_SYNC_TIMES:
        raise ValidationFailed(_("Horários demais: no máximo %(max)d.") % {"max": MAX_SYNC_TIMES})
    return sorted(normalized)


def automatic_sync_enabled(row: MovideskSettings | None = None) -> bool:
    row = row or movidesk_settings_get()
    return bool(settings.MOVIDESK_ENABLED and row.enabled)


@transaction.atomic
def movidesk_settings_update(
    *,
    token: str | None = None,
    clear_token: bool = False,
    enabled: bool | None = None,
    sync_times: Iterable[str] | str | None = None,
) -> MovideskSettings:
    """Saves what was given (a blank token keeps the current one) and rewrites the schedules."""
    row = MovideskSettings.objects.select_for_update().filter(pk=1).first() or MovideskSettings(pk=1)
    if clear_token:
        row.token = ""
    elif token and token.strip():
        # Blank keeps the current token, and so does whitespace: it is no token, and must not erase one.
        row.token = token.strip()
    if enabled is not None:
        row.enabled = enabled
    if sync_times is not None:
        row.sync_times = sync_times_normalize(sync_times)
    row.save()
    movidesk_schedules_write()
    return row


def _stored_times(row: MovideskSettings) -> list[str]:
    if isinstance(row.sync_times, list) and not row.sync_times:
        return []  # saved empty before empty lists were refused: it meant "no automatic sync", keep that
    try:
        return sync_times_normalize(row.sync_times if isinstance(row.sync_times, list) else [])
    except ValidationFailed:
        return list(DEFAULT_SYNC_TIMES)


def movidesk_schedules_write(*, keep_enabled: bool = False) -> list[str]:
    """Makes the Movidesk PeriodicTasks match the stored list: one crontab task per time, in local
    time; tasks of removed times deleted. Only rows named with SCHEDULE_PREFIX are touched.

    The list owns each row's timing. `keep_enabled` (the `setup_schedules` hook) leaves an existing row's
    `enabled` as the administrator set it; a save of the Movidesk settings applies the settings' switch to
    every row. Nothing is written, and beat is not told, when the rows already match. Returns the times
    scheduled."""
    row = movidesk_settings_get()
    times = _stored_times(row)
    enabled = automatic_sync_enabled(row)
    wanted = {}
    for time in times:
        hour, minute = time.split(":")
        wanted[f"{SCHEDULE_PREFIX}{time}"] = PeriodicTaskWanted(
            task=SCHEDULED_TASK,
            crontab=f"{int(minute)} {int(hour)} * * *",
            kwargs={},
            expire_seconds=SCHEDULE_EXPIRE_SECONDS,
            description=_("Sincroniza os tickets do Movidesk de hoje e dos dois dias anteriores às %(time)s.")
            % {"time": time},
            enabled=enabled,
        )
    periodic_tasks_sync(
        prefix=SCHEDULE_PREFIX, wanted=wanted, keep_enabled=keep_enabled, owns_schedule=True, delete_unwanted=True
    )
    return times


def movidesk_connection() -> MovideskConnection:
    """Admin-stored token (wins), else MOVIDESK_TOKEN, else the demo simulator, else a clear error."""
    stored = movidesk_settings_get().token
    if stored:
        return MovideskConnection(settings.MOVIDESK_BASE_URL, stored, "admin")
    if settings.MOVIDESK_TOKEN:
        return MovideskConnection(settings.MOVIDESK_BASE_URL, settings.MOVIDESK_TOKEN, "environment")
    demo_url = simulator_url("MOVIDESK_SIMULATOR_PORT", 8101, "/public/v1")
    if demo_url:
        return MovideskConnection(demo_url, DEMO_TOKEN, "demo")
    raise MovideskNotConfigured(
        _(
            "Movidesk não configurado: informe o token em Integrações › Configuração do Movidesk "
            "ou na variável de ambiente MOVIDESK_TOKEN."
        )
    )


def movidesk_client(connection: MovideskConnection, log: LogFn | None = None) -> MovideskClient:
    return MovideskClient(
        base_url=connection.base_url,
        token=connection.token,
        rate_limit_requests=settings.MOVIDESK_RATE_LIMIT_PER_MINUTE,  # per 60 s
        dates_tz=settings.MOVIDESK_DATES_TZ,
        log=log,
    )

"""What each app shows on the console (`/`): dashboard tiles and health-grid rows.

Every app declares its tiles in `<app>/dashboard_tiles.py` and its grid rows in `<app>/health_grid.py` (both
imported on the first lookup), so the console, which lives in orchestration, never imports an app:

    register_tile(DashboardTile("whatsapp_down", _("Sessões do WhatsApp fora do ar"),
                                "console/tiles/whatsapp_down.html", context=whatsapp_down_context, order=60))
    register_health_source(HealthSource("kommo", _("Réplicas Kommo"), kinds=(REPLICA_KIND,),
                                        rows=kommo_rows, rerun=kommo_rerun, order=20))

`rows(user, month)` lists the rows the viewer may see (`month`, the first day of the month the grid shows,
matters only to monthly rows such as the invoice processes); `rerun(row, kind, requester)` starts a new run
of that one item with the app's own services, recording who asked and from where.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from orchestration.models import Execution, User


@dataclass(frozen=True)
class DashboardTile:
    key: str
    title: str | Promise
    # A partial template rendered with the context below (plus `tile` and `request`); it also serves the
    # tile's own htmx refresh at /console/tiles/<key>.
    template: str
    # The tile's data for this viewer; None hides the tile (the viewer may not see what it shows).
    context: Callable[["User"], dict[str, Any] | None]
    order: int = 100
    # Seconds between the tile's htmx refreshes; 0 keeps it as rendered.
    refresh_seconds: int = 15
    wide: bool = False  # spans the whole row (the chart)


@dataclass(frozen=True)
class HealthRow:
    """One line of the health grid: an account, session or integration and the kinds that sync it."""

    key: str  # unique in the grid, e.g. "kommo:12"
    label: str
    # What the kinds' executions are about (Execution.subject); None for a job about no one thing (Movidesk).
    subject: models.Model | None
    link: str = ""  # where the item itself is configured (its admin page)
    detail: str = ""  # second line: the carrier and month, the provider, the owner...
    # The columns of this row; empty means the source's kinds.
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requester:
    """Who asked for a run from the console and from where (recorded on the execution it starts)."""

    user: "User"
    ip: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class CellReading:
    """A cell as its source reads it, for items whose checks are not one execution each (a WhatsApp session is
    checked inside one run over every session): the newest execution that covered it, its outcome as an
    execution status, the last success and the failures since."""

    latest_id: int | None = None
    latest_status: str = ""
    last_success_at: datetime | None = None
    streak: int = 0


@dataclass(frozen=True)
class HealthSource:
    key: str
    label: str | Promise
    kinds: tuple[str, ...]
    # The rows the viewer may see (scoped to their company where the app has tenants).
    rows: Callable[["User", date], Iterable[HealthRow]]
    # Starts a run of `kind` for the row (the cell's "run again" when there is no failed item to retry);
    # None when the cell can only retry its failed item.
    rerun: Callable[[HealthRow, str, Requester], "Execution"] | None = None
    # Who may run a cell again: a Django permission ("app.codename").
    rerun_permission: str = "orchestration.retry_execution"
    order: int = 100
    # {row key: {kind: reading}} for the given rows, instead of reading the ledger by subject (see CellReading).
    read_cells: Callable[[list[HealthRow]], dict[str, dict[str, CellReading]]] | None = None


_TILES: dict[str, DashboardTile] = {}
_SOURCES: dict[str, HealthSource] = {}
_discovered = False


def register_tile(tile: DashboardTile) -> DashboardTile:
    _TILES[tile.key] = tile
    return tile


def register_health_source(source: HealthSource) -> HealthSource:
    _SOURCES[source.key] = source
    return source


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("dashboard_tiles", "health_grid")
        _discovered = True


def tiles_all() -> list[DashboardTile]:
    _discover()
    return sorted(_TILES.values(), key=lambda tile: (tile.order, tile.key))


def tile_get(key: str) -> DashboardTile | None:
    _discover()
    return _TILES.get(key)


def health_sources_all() -> list[HealthSource]:
    _discover()
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.key))


def health_source_get(key: str) -> HealthSource | None:
    _discover()
    return _SOURCES.get(key)

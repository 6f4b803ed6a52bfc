"""orchestration's dashboard tiles (see orchestration.registries.console)."""

from django.utils.translation import gettext_lazy as _

from orchestration.console import tiles
from orchestration.registries.console import DashboardTile, register_tile

register_tile(
    DashboardTile(
        "executions_chart",
        _("Execuções por dia (últimos 30 dias)"),
        "console/tiles/executions_chart.html",
        tiles.chart_context,
        order=10,
        refresh_seconds=60,
        wide=True,
    )
)
register_tile(
    DashboardTile(
        "running",
        _("Em execução agora"),
        "console/tiles/running.html",
        tiles.running_context,
        order=20,
        refresh_seconds=3,
    )
)
register_tile(
    DashboardTile(
        "failures", _("Falhas nas últimas 24 horas"), "console/tiles/failures.html", tiles.failures_context, order=30
    )
)
register_tile(
    DashboardTile("alerts", _("Alertas abertos"), "console/tiles/alerts.html", tiles.alerts_context, order=40)
)
register_tile(
    DashboardTile(
        "notifications",
        _("Notificações não lidas"),
        "console/tiles/notifications.html",
        tiles.notifications_context,
        order=90,
    )
)
register_tile(
    DashboardTile(
        "kind_stats",
        _("Taxa de sucesso e duração mediana por tipo"),
        "console/tiles/kind_stats.html",
        tiles.kind_stats_context,
        order=100,
        refresh_seconds=60,
        wide=True,
    )
)

# The invoice pipeline's tiles live in its own sub-package.
from orchestration.invoices import dashboard_tiles as invoices_tiles  # noqa: E402, F401  isort: skip

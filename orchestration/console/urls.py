"""The console's pages under /console/ (the dashboard itself is `/`, named "home", in config/urls.py)."""

from django.urls import path

from orchestration.console.views import alerts, dashboard, execution, executions, health, notifications

app_name = "console"

urlpatterns = [
    path("tiles/<slug:key>", dashboard.tile, name="tile"),
    path("health/", health.grid, name="health"),
    path("health/cell", health.cell, name="health-cell"),
    path("health/rerun", health.rerun, name="health-rerun"),
    path("executions/", executions.execution_list, name="executions"),
    path("executions/<int:pk>/", execution.execution_page, name="execution"),
    path("executions/<int:pk>/summary", execution.execution_summary, name="execution-summary"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("notifications/<int:pk>/read", notifications.notification_read, name="notification-read"),
]

from orchestration.models.alerts import (
    Alert,
    AlertKind,
    AlertStatus,
    Channel,
    Notification,
    NotificationCategory,
    NotificationPreference,
    NotificationStatus,
    Severity,
)
from orchestration.models.companies import Company
from orchestration.models.executions import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger
from orchestration.models.locks import JobLock
from orchestration.models.remote_jobs import RemoteJob, RemoteJobState
from orchestration.models.users import Role, User

# The invoice pipeline's models live in their own sub-package; Django finds an app's models here.
from orchestration.invoices.models import (  # noqa: E402  isort: skip
    Carrier,
    CarrierAccount,
    InvoiceProcess,
    InvoiceRejection,
    InvoiceStatus,
)

__all__ = [
    "Alert",
    "AlertKind",
    "AlertStatus",
    "Carrier",
    "CarrierAccount",
    "Channel",
    "Company",
    "Notification",
    "NotificationCategory",
    "NotificationPreference",
    "NotificationStatus",
    "Severity",
    "Execution",
    "ExecutionLogLine",
    "ExecutionStatus",
    "InvoiceProcess",
    "InvoiceRejection",
    "InvoiceStatus",
    "JobLock",
    "LogLevel",
    "RemoteJob",
    "RemoteJobState",
    "Role",
    "Trigger",
    "User",
]

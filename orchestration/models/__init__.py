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
from orchestration.models.users import Role, User

__all__ = [
    "Alert",
    "AlertKind",
    "AlertStatus",
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
    "JobLock",
    "LogLevel",
    "Role",
    "Trigger",
    "User",
]

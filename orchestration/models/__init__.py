from orchestration.models.executions import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger
from orchestration.models.locks import JobLock
from orchestration.models.users import Role, User

__all__ = [
    "Execution",
    "ExecutionLogLine",
    "ExecutionStatus",
    "JobLock",
    "LogLevel",
    "Role",
    "Trigger",
    "User",
]

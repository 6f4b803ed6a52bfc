"""Hands a whatsapp_health job to a worker: records a QUEUED execution (who asked, from where) and sends its
task after commit. The only module that imports the tasks."""

from orchestration.models import Execution, Trigger, User
from orchestration.services.executions import execution_create
from whatsapp_health.checks import CHECK_KIND, LOCK_KEY
from whatsapp_health.housekeeping import CLEANUP_KIND, CLEANUP_LOCK_KEY, CONVERSATIONS_KIND, CONVERSATIONS_LOCK_KEY
from whatsapp_health.tasks import check_sessions, cleanup_sessions, close_inactive_conversations

CHECK, CLEANUP, CONVERSATIONS = "check", "cleanup", "conversations"
_JOBS = {
    CHECK: (CHECK_KIND, LOCK_KEY, check_sessions),
    CLEANUP: (CLEANUP_KIND, CLEANUP_LOCK_KEY, cleanup_sessions),
    CONVERSATIONS: (CONVERSATIONS_KIND, CONVERSATIONS_LOCK_KEY, close_inactive_conversations),
}


def whatsapp_job_enqueue(
    job: str,
    *,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
    force: bool = False,
    cleanup: bool = False,
) -> Execution:
    kind, lock_key, task = _JOBS[job]
    options = {"force": force, "cleanup": cleanup} if job == CHECK else {}
    execution = execution_create(
        kind=kind, trigger=trigger, parameters=options, user=user, ip=ip, user_agent=user_agent, lock_key=lock_key
    )
    task.delay_on_commit(execution_id=execution.pk, **options)
    return execution

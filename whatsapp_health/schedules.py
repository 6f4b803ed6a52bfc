"""The schedules `setup_schedules` creates for whatsapp_health (as the source: every 5 minutes, daily at
02:00, every hour). Each run expires when the next one is due, so a stopped worker does not come back to a
backlog."""

from orchestration.registries.schedules import ScheduleSpec, register_schedule
from whatsapp_health.status import CHECK_EVERY_SECONDS

CHECK_TASK = "whatsapp_health.check_sessions"
CLEANUP_TASK = "whatsapp_health.cleanup_sessions"
CONVERSATIONS_TASK = "whatsapp_health.close_inactive_conversations"

register_schedule(
    ScheduleSpec(
        name="WhatsApp: verificação das sessões",
        task=CHECK_TASK,
        every_seconds=CHECK_EVERY_SECONDS,
        expire_seconds=CHECK_EVERY_SECONDS,
        description="Confere a situação real de cada sessão ativa no provedor e corrige a registrada.",
    )
)
register_schedule(
    ScheduleSpec(
        name="WhatsApp: limpeza de sessões antigas",
        task=CLEANUP_TASK,
        crontab="0 2 * * *",
        expire_seconds=3600,
        description="Arquiva as sessões sem atividade há mais de WHATSAPP_SESSION_RETENTION_DAYS dias.",
    )
)
register_schedule(
    ScheduleSpec(
        name="WhatsApp: conversas inativas",
        task=CONVERSATIONS_TASK,
        crontab="0 * * * *",
        expire_seconds=3600,
        description="Encerra as conversas sem mensagem há mais de WHATSAPP_CONVERSATION_INACTIVE_MINUTES minutos.",
    )
)

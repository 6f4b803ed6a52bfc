"""What each role may do with WhatsApp sessions (ADMINISTRATOR: everything, including registering them)."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

_READ = (
    "whatsapp_health.view_whatsappsession",
    "whatsapp_health.view_sessiontransition",
    "whatsapp_health.view_conversation",
)
register_role_permissions(Role.OPERATOR, *_READ, "whatsapp_health.sync_whatsappsession")
register_role_permissions(Role.APPROVER, *_READ)

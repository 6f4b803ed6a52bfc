"""calendar_sync's part of `load_demo`: a professional of a demo company, connected to the simulated Google
Calendar, with a week of appointments, and a real sync queued for the worker. The simulator moves one of
the events now and then, and the demo schedule (every 2 minutes) brings the change back. Nothing is done
when a real OAuth client is configured: the demo never reaches Google."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.configuration import google_endpoints
from calendar_sync.enqueue import integration_sync_enqueue
from calendar_sync.exceptions import CalendarNotConfigured
from calendar_sync.models import Appointment, AppointmentStatus, GoogleCalendarIntegration
from calendar_sync.sync import SYNC_KIND
from orchestration.models import Company, Execution, Role, Trigger, User
from orchestration.registries.demo import DemoContext, register_demo_history
from orchestration.services.demo_data import DEMO_PASSWORD

DEMO_COMPANY = "Clínica Demonstração"
DEMO_PROFESSIONAL = "profissional.demo@orquestra.local"
SERVICES = [("Corte de cabelo", 30), ("Consulta", 60), ("Escova", 45), ("Manicure", 40)]
CLIENTS = [
    ("João Silva", "(11) 99999-9999"),
    ("Maria Souza", "(21) 98888-7777"),
    ("Pedro Lima", ""),
    ("Ana Costa", "(31) 97777-6666"),
]


def calendar_demo_history(context: DemoContext) -> str:
    try:
        if google_endpoints().source != "demo":
            return ""
    except CalendarNotConfigured:
        return ""
    if Execution.objects.filter(kind=SYNC_KIND).exists():
        return ""
    company, _created = Company.objects.get_or_create(name=DEMO_COMPANY)
    professional = User.objects.filter(email__iexact=DEMO_PROFESSIONAL).first()
    if professional is None:
        professional = User.objects.create_user(
            DEMO_PROFESSIONAL, DEMO_PASSWORD, name="Paula Profissional (demo)", role=Role.OPERATOR, company=company
        )
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    for day in range(5):
        for slot, ((service, minutes), (client, phone)) in enumerate(zip(SERVICES, CLIENTS, strict=True)):
            Appointment.objects.get_or_create(
                professional=professional,
                company=company,
                start=start + timedelta(days=day, hours=2 * slot),
                defaults={
                    "service": service,
                    "duration_minutes": minutes,
                    "client_name": client,
                    "client_phone": phone,
                    "status": AppointmentStatus.CONFIRMED if slot % 2 else AppointmentStatus.SCHEDULED,
                },
            )
    # The simulator accepts any refresh token as a consent: the first run renews the access token with it,
    # exactly as it would with Google.
    integration, _created = GoogleCalendarIntegration.objects.get_or_create(
        user=professional,
        defaults={
            "refresh_token": "1//demo-refresh-token",
            "calendar_id": "primary",
            "calendar_name": _("Agenda de demonstração"),
            "google_email": "profissional.demo@orquestra.local",
        },
    )
    execution = integration_sync_enqueue(
        integration, mode="all", trigger=Trigger.MANUAL, user=context.users.get(Role.OPERATOR)
    )
    return _(
        "Google Agenda: %(email)s conectado ao simulador com %(count)d agendamentos; sincronização enfileirada "
        "(execução #%(id)d)."
    ) % {"email": professional.email, "count": professional.appointments.count(), "id": execution.pk}


register_demo_history("calendar_sync", calendar_demo_history)

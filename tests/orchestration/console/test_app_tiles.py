"""The apps' tiles on the dashboard: what each counts, and that a tenant sees only its own company's items."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from calendar_sync.models import GoogleCalendarIntegration
from orchestration.models import Company, Role, User
from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db


def person(company: Company | None, role: str = Role.OPERATOR) -> User:
    email = f"{role.lower()}-{User.objects.count() + 1}@example.com"
    return User.objects.create_user(email, "s3nha-forte!", name=email.split("@")[0], role=role, company=company)


def tile(user: User, key: str) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(f"/console/tiles/{key}")
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode()


def session(company: Company, name: str, status: str) -> WhatsAppSession:
    return WhatsAppSession.objects.create(
        name=name,
        provider=Provider.EVOLUTION,
        base_url="http://evolution.local",
        instance=name,
        company=company,
        status=status,
        down_since=timezone.now() if status != SessionStatus.CONNECTED else None,
    )


def test_whatsapp_sessions_down_are_the_viewers_company_only() -> None:
    salon, clinic = Company.objects.create(name="Salão"), Company.objects.create(name="Clínica")
    session(salon, "Recepção do salão", SessionStatus.DISCONNECTED)
    session(salon, "Caixa do salão", SessionStatus.CONNECTED)
    session(salon, "Arquivada", SessionStatus.ARCHIVED)
    session(clinic, "Recepção da clínica", SessionStatus.QR_REQUIRED)

    html = tile(person(salon), "whatsapp_sessions_down")

    assert "Recepção do salão" in html and "Desconectada" in html
    assert "Caixa do salão" not in html and "Arquivada" not in html and "Recepção da clínica" not in html
    assert '<p class="orq-big">1</p>' in html


def test_calendar_tile_lists_revoked_and_expired_for_good_tokens_not_renewable_ones() -> None:
    company = Company.objects.create(name="Clínica")
    admin = person(None, Role.ADMINISTRATOR)
    now = timezone.now()
    GoogleCalendarIntegration.objects.create(
        user=person(company), is_active=False, disabled_reason="Acesso revogado no Google (invalid_grant)."
    )
    GoogleCalendarIntegration.objects.create(user=person(company), token_expires_at=now - datetime.timedelta(hours=1))
    GoogleCalendarIntegration.objects.create(
        user=person(company), token_expires_at=now - datetime.timedelta(hours=1), refresh_token="1//renova"
    )
    GoogleCalendarIntegration.objects.create(user=person(company), is_active=False)  # turned off by its owner

    html = tile(admin, "calendar_broken_tokens")

    assert '<p class="orq-big">2</p>' in html
    assert "Acesso revogado no Google (invalid_grant)." in html and "token expirado sem renovação" in html
    assert "revogado" in html and "expirado" in html


def test_tiles_a_viewer_may_not_see_are_not_served() -> None:
    # A role without the permissions those tiles need (roles are groups, re-synced on every save).
    Group.objects.get(name=Role.OPERATOR).permissions.remove(
        *Permission.objects.filter(codename__in=["view_whatsappsession", "view_execution"])
    )
    client = Client()
    client.force_login(person(Company.objects.create(name="Clínica")))

    assert client.get("/console/tiles/whatsapp_sessions_down").status_code == 404
    assert client.get("/console/tiles/executions_chart").status_code == 404
    assert client.get("/console/tiles/notifications").status_code == 200  # one's own notifications
    assert client.get("/console/tiles/nope").status_code == 404
